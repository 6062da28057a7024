"""Fixtures of the grader's unit tests (tests/autograde/, laid out like src/llmcourse/autograde/)."""
from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures"))  # toy.py, the end-to-end assignment
sys.path.insert(0, str(Path(__file__).resolve().parent))
from fixture_notebooks import nbgrader_notebook  # noqa: E402

from llmcourse.autograde.sandbox import Limits, Sandbox  # noqa: E402


@pytest.fixture
def write_notebook(tmp_path):
    def write(cells: list[tuple[str, str]], name: str = "nb.ipynb") -> Path:
        path = tmp_path / "source" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nbgrader_notebook(cells), path)
        return path
    return write


@pytest.fixture
def start_sandbox(tmp_path):
    """Start a student process in tmp_path/<name>: start_sandbox(limits, name=..., preload=...); all closed after."""
    boxes = []

    def start(limits: Limits | None = None, *, name: str = "work", preload: tuple = ()) -> Sandbox:
        box = Sandbox(tmp_path / name, tmp_path / f"{name}.log", [], limits or Limits(), preload=preload)
        box.start()
        boxes.append(box)
        return box
    yield start
    for box in boxes:
        box.close()
