"""The reference check: the assignment's own solution graded first; an import that the sandbox cannot reach is
reported as such, with the path, instead of as the points it costs."""
from __future__ import annotations

import nbformat
import pytest

import toy
from llmcourse.autograde.coursedir import CourseFolders
from llmcourse.autograde.reference import SandboxCannotImport, check_reference
from llmcourse.autograde.sandbox import Limits

LIMITS = Limits(cell_seconds=20, notebook_seconds=60)


def test_the_toy_reference_passes(tmp_path):
    check_reference(CourseFolders(toy.make_course(tmp_path / "course")), toy.ASSIGNMENT, LIMITS)  # no refusal


def test_an_import_the_sandbox_cannot_reach_is_named_with_its_path(tmp_path, monkeypatch):
    # As with a venv whose editable install points to a checkout outside the folders the sandbox shows: the
    # grader imports the module, the student process cannot.
    outside = tmp_path / "elsewhere" / "gradersonly"
    outside.mkdir(parents=True)
    (outside / "__init__.py").write_text("import numpy as np\n")
    monkeypatch.syspath_prepend(str(outside.parent))
    root = toy.make_course(tmp_path / "course")
    source = root / "solutions" / toy.ASSIGNMENT / f"{toy.ASSIGNMENT}.ipynb"
    notebook = nbformat.read(source, as_version=4)
    setup = next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "setup")
    setup.source = "from gradersonly import np\n" + setup.source.replace("import numpy as np\n", "")
    nbformat.write(notebook, source)
    with pytest.raises(SandboxCannotImport) as refused:
        check_reference(CourseFolders(root), toy.ASSIGNMENT, LIMITS)
    message = str(refused.value)
    assert "could not import gradersonly" in message and str(outside) in message
    assert "NameError" not in message and "loses points" not in message
