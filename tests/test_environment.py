"""environment.yml (conda) and pyproject.toml (pip) list the same packages with the same pins."""
from __future__ import annotations

import re
import tomllib

from llmcourse.paths import REPO_ROOT


def _normalise(requirement: str) -> str:
    return re.sub(r"\s+", "", requirement).lower().replace("_", "-")


def test_environment_yml_and_pyproject_agree():
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    wanted = {_normalise(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]}
    listed = set()
    for line in (REPO_ROOT / "environment.yml").read_text().splitlines():
        match = re.match(r"^\s{6}- (.+)$", line)  # the entries under `pip:`
        if match and not match.group(1).startswith("-"):
            listed.add(_normalise(match.group(1)))
    assert wanted == listed, f"only in pyproject: {wanted - listed}; only in environment.yml: {listed - wanted}"


def test_torch_is_pinned_to_the_cpu_build_everywhere():
    for name in ("pyproject.toml", "constraints.txt", "environment.yml"):
        assert "torch==2.13.0" in (REPO_ROOT / name).read_text(), f"{name} must pin torch==2.13.0"
