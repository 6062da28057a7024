"""The template (trusted) and the submission (untrusted) notebooks: parse_submission against malformed and edited
notebooks, table-driven. Whatever the student did to the file, grading gets either a Submission or Malformed."""
from __future__ import annotations

import copy
import json

import nbformat
import pytest

from fixture_notebooks import nbgrader_notebook
from llmcourse.autograde.notebooks import Malformed, load_template, parse_submission

CELLS = [("setup", "import math"), ("solution", "def f(x):\n    return x + 1"),
         ("test", "assert f(1) == 2"), ("written", "YOUR ANSWER HERE")]


@pytest.fixture
def template(write_notebook):
    return load_template(write_notebook(CELLS))


def submitted(edit=None) -> bytes:
    notebook = json.loads(nbformat.writes(nbgrader_notebook(CELLS)))
    if edit:
        edit(notebook)
    return json.dumps(notebook).encode()


def cell(notebook, grade_id):
    return next(c for c in notebook["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == grade_id)


MALFORMED = {  # raw bytes -> words the message must contain
    "not JSON": (b"{ this is not json", "not JSON"),
    "not UTF-8": (b"\xff\xfe\x00{}", "not JSON"),
    "empty file": (b"", "not JSON"),
    "a JSON list": (b"[]", "not a valid notebook"),
    "cells not a list": (json.dumps({"cells": 5, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}).encode(),
                         "not a valid notebook"),
    "an R notebook": (submitted(lambda nb: nb["metadata"].update(kernelspec={"name": "ir"})), "kernel 'ir'"),
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_a_malformed_notebook_is_refused_with_the_reason(template, name):
    raw, words = MALFORMED[name]
    with pytest.raises(Malformed) as refused:
        parse_submission(raw, template)
    assert words in str(refused.value)


def _duplicate_test(nb):
    nb["cells"].append(copy.deepcopy(cell(nb, "test2")))


def _retype(grade_id, cell_type):
    def edit(nb):
        target = cell(nb, grade_id)
        target["cell_type"] = cell_type
        target.pop("outputs", None), target.pop("execution_count", None)
    return edit


EDITED = {  # edit -> (flags, what is still graded)
    "untouched": (None, [], {"solution1"}),
    "duplicate cell id": (_duplicate_test, ["duplicate-cell-id"], {"solution1"}),
    "edited test": (lambda nb: cell(nb, "test2").update(source="pass"), ["edited-test"], {"solution1"}),
    "inflated points": (lambda nb: cell(nb, "test2")["metadata"]["nbgrader"].update(points=100),
                        ["changed-points"], {"solution1"}),
    "deleted test": (lambda nb: nb["cells"].remove(cell(nb, "test2")), ["deleted-test"], {"solution1"}),
    "deleted solution": (lambda nb: nb["cells"].remove(cell(nb, "solution1")), ["deleted-solution"], set()),
    "solution made markdown": (_retype("solution1", "markdown"), ["retyped-cell"], set()),
    "test made markdown": (_retype("test2", "markdown"), ["retyped-test"], {"solution1"}),
    "unknown graded cell": (lambda nb: nb["cells"].append(nbformat.v4.new_code_cell(
        "x = 1", metadata={"nbgrader": {"grade": True, "grade_id": "mine", "points": 9}})),
        ["unknown-graded-cell"], {"solution1"}),
    "nbgrader metadata not a dict": (lambda nb: cell(nb, "solution1")["metadata"].update(nbgrader="solution"),
                                     ["deleted-solution"], set()),
}


@pytest.mark.parametrize("name", sorted(EDITED))
def test_an_edited_notebook_is_graded_from_the_template_and_flagged(template, name):
    edit, flags, solutions = EDITED[name]
    submission = parse_submission(submitted(edit), template)
    assert submission.flags == flags
    assert set(submission.solutions) == solutions
    assert bool(submission.notes) == bool(flags)


def test_the_students_extra_code_cells_are_kept_after_the_solution_they_follow(template):
    def add(nb):
        nb["cells"].insert(2, nbformat.v4.new_code_cell("helper = 3"))
    submission = parse_submission(submitted(add), template)
    assert submission.extras == {"solution1": ["helper = 3"]}


def test_the_template_knows_roles_points_and_the_names_a_solution_defines(template):
    assert [(c.role, c.grade_id, c.points) for c in template.cells] == [
        ("setup", "setup0", 0.0), ("solution", "solution1", 0.0), ("test", "test2", 1.0),
        ("written", "written3", 1.0)]
    assert template.cells[1].names == ("f",)
