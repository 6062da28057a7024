#!/usr/bin/env python3
"""Set up the course and open it, or run its tests.

    python3 course.py          # set up if needed, then open the course in JupyterLab
    python3 course.py test     # set up if needed, then run the whole test suite (what CI runs)
    python3 course.py test --fast   # the quick subset: no notebook execution, no browser
    python3 course.py setup    # only (re)install .venv

Needs nothing but Python 3.11. Everything goes into `.venv` at the repository root; the install is redone only
when pyproject.toml or constraints.txt change.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".llmcourse-install-stamp"
INSTALL_INPUTS = ("pyproject.toml", "constraints.txt")


def say(message: str) -> None:
    print(f"[course] {message}", flush=True)


def install_fingerprint() -> str:
    digest = hashlib.sha256()
    for name in INSTALL_INPUTS:
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def run(command: list[str | os.PathLike], **kwargs) -> None:
    subprocess.run([str(part) for part in command], check=True, **kwargs)


def ensure_venv() -> None:
    """Create .venv and install the course into it, unless an identical install is already there."""
    if sys.version_info[:2] != (3, 11):
        say(f"warning: the course is tested with Python 3.11; this is {sys.version.split()[0]}")
    fingerprint = install_fingerprint()
    if PYTHON.exists() and STAMP.exists() and STAMP.read_text().strip() == fingerprint:
        return
    if not PYTHON.exists():
        say(f"creating {VENV.relative_to(ROOT)} ...")
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    say("installing the course and its packages (about 2 minutes the first time) ...")
    # constraints.txt pins torch to the CPU build 2.13.0: a bare `torch` would bring several GB of CUDA packages.
    run([PYTHON, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "-c", ROOT / "constraints.txt", "-e", f"{ROOT}[test]"], cwd=ROOT)
    STAMP.write_text(fingerprint + "\n")
    say("install complete")


def venv_environment(offline: bool) -> dict[str, str]:
    env = dict(os.environ)
    # nbgrader shells out to `alembic`, which must be found on PATH.
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(VENV)
    env.setdefault("TOKENIZERS_PARALLELISM", "false")
    if offline:
        # Tests prove the course needs no network: any attempt to reach a model hub fails fast.
        env["HF_HUB_OFFLINE"] = "1"
        env["TRANSFORMERS_OFFLINE"] = "1"
    return env


def ensure_browser() -> None:
    """Debian's Chromium for the browser tests (a test tool's own browser download is not possible offline)."""
    if shutil.which("chromium") or Path("/usr/bin/chromium").exists():
        return
    if os.name == "nt" or not shutil.which("apt-get"):
        say("no Chromium found and no apt-get: the browser tests will report that Chromium is missing")
        return
    prefix = [] if os.geteuid() == 0 else (["sudo", "-n"] if shutil.which("sudo") else None)
    if prefix is None:
        say("Chromium is missing and installing it needs root: run `apt-get install chromium` once")
        return
    say("installing Debian's chromium for the browser tests ...")
    quiet = {"stdout": subprocess.DEVNULL}
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    run(prefix + ["apt-get", "update", "-qq"], env=env, **quiet)
    run(prefix + ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium", "fonts-dejavu-core"],
        env=env, **quiet)


def lab_command(is_root: bool) -> list[str]:
    command = [str(BIN / "jupyter"), "lab", f"--ServerApp.root_dir={ROOT}"]
    if is_root:
        command.append("--allow-root")  # JupyterLab refuses to start as root without it; never added otherwise
    return command


def open_course(extra: list[str]) -> int:
    ensure_venv()
    command = lab_command(is_root=hasattr(os, "geteuid") and os.geteuid() == 0)
    say("opening JupyterLab. Start with lectures/01_word2vec_cosine.ipynb; exercises are in exercises/.")
    say("the URL with its token is printed below; press Ctrl-C twice to stop the server.")
    return subprocess.call(command + extra, cwd=ROOT, env=venv_environment(offline=False))


def run_tests(extra: list[str]) -> int:
    ensure_venv()
    fast = "--fast" in extra
    extra = [arg for arg in extra if arg != "--fast"]
    # --durations: the slowest tests are listed at the end, so a lecture creeping over its budget shows up in CI.
    command = [str(PYTHON), "-m", "pytest", "-p", "no:cacheprovider", "--durations=15"]
    if fast:
        command += ["-m", "not slow and not browser"]
    else:
        ensure_browser()
    say("running the test suite" + (" (fast subset)" if fast else ""))
    return subprocess.call(command + extra, cwd=ROOT, env=venv_environment(offline=True))


def main(argv: list[str]) -> int:
    # `course.py --port=9999` passes options straight to JupyterLab
    action, rest = (argv[0], argv[1:]) if argv and not argv[0].startswith("-") else ("open", argv)
    if action in ("open", "lab"):
        return open_course(rest)
    if action == "test":
        return run_tests(rest)
    if action == "setup":
        ensure_venv()
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
