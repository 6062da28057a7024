"""The student's process seen from the grader: what a restart runs again."""
from __future__ import annotations

from llmcourse.autograde.notebooks import load_template
from llmcourse.autograde.sandbox import Limits
from llmcourse.autograde.verdicts import grade_notebook

LIMITS = Limits(cell_seconds=2, notebook_seconds=40)


def grade(path, tmp_path, limits=LIMITS):
    return grade_notebook(load_template(path), path.read_bytes(), missing_reason="", workdir=tmp_path / "work",
                          logdir=tmp_path / "log", hide=[tmp_path / "source"], limits=limits)


def test_a_setup_cell_slower_than_a_cell_limit_still_runs_before_the_students_code(write_notebook, tmp_path):
    # A machine under load makes the notebook's import cell take longer than one cell's limit: it must neither be
    # stopped nor, after a restart, left out (every later cell would fail with NameError).
    path = write_notebook([("setup", "import time\ntime.sleep(3)\nOFFSET = 10"),
                           ("solution", "def shifted(x):\n    return x + OFFSET"),
                           ("test", "assert shifted(1) == 11, 'shifted(1) should be 11'")])
    result = grade(path, tmp_path)
    assert [(c.grade_id, c.passed, c.message) for c in result.cells] == [("test2", True, "")]
    assert result.cell_errors == []


def test_a_restart_after_a_hanging_cell_runs_the_setup_cell_again(write_notebook, tmp_path):
    # The second solution cell hangs: its process is killed, and the new one must get OFFSET from the setup cell
    # again (the first solution cell uses it) while the hanging cell is left out.
    path = write_notebook([("setup", "OFFSET = 10"),
                           ("solution", "def shifted(x):\n    return x + OFFSET"),
                           ("solution", "while True:\n    pass"),
                           ("test", "assert shifted(1) == 11, 'shifted(1) should be 11'")])
    result = grade(path, tmp_path)
    assert [(c.grade_id, c.passed) for c in result.cells] == [("test3", True)]
    assert len(result.cell_errors) == 1 and "cell 3" in result.cell_errors[0]
    assert "time" in result.limits
