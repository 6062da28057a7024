"""A correct answer whose code triggers a library warning keeps its points: nbgrader zeroes a test cell that
writes to stderr, and setup_notebook() sends warnings to stdout instead."""
from __future__ import annotations

import nbformat
import pytest
from nbclient import NotebookClient
from nbgrader.utils import determine_grade

NOISY_TEST_CELL = """import warnings
warnings.warn("this API will change", UserWarning)
from transformers.utils import logging as hf_logging
hf_logging.get_logger("transformers.modeling_utils").warning("some weights were not used")
print("tests passed")"""


def graded_after(setup_source: str) -> tuple[float, float, list]:
    cell = nbformat.v4.new_code_cell(NOISY_TEST_CELL, metadata={"nbgrader": {
        "grade": True, "solution": False, "locked": True, "points": 2, "grade_id": "noisy", "schema_version": 3}})
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(setup_source), cell])
    NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    score, max_score = determine_grade(notebook.cells[1])
    return score, max_score, notebook.cells[1].outputs


@pytest.mark.slow
def test_library_warnings_cost_nothing_after_setup_notebook():
    score, max_score, outputs = graded_after("from llmcourse import setup_notebook\nsetup_notebook()")
    assert [o.get("name") for o in outputs if o.output_type == "stream"] == ["stdout"]
    assert score == max_score == 2


@pytest.mark.slow
def test_without_setup_notebook_the_same_cell_would_score_zero():
    # The control: proves the first test can fail, and why setup_notebook() is the first call of every notebook.
    score, _, _ = graded_after("import numpy")
    assert score == 0
