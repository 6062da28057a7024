"""llmcourse.autograde.results: the line `course_grader.py autograde` prints per student."""
from __future__ import annotations

from llmcourse.autograde.results import summary_line


def test_summary_line_says_why_a_submission_was_not_graded():
    graded = {"score": 11.0, "max_score": 13.0, "status": "graded", "messages": ["late: 10 % off"]}
    assert summary_line("correct", graded) == f"{'correct':24s}     11 / 13  graded"
    error = {"score": 0.0, "max_score": 0.0, "status": "error",
             "messages": ["grader problem on the Dask cluster: CommClosedError:\n  in <TCP (closed)>", "second"]}
    line = summary_line("blank", error)
    assert line.startswith(f"{'blank':24s}      0 / 0  error: grader problem on the Dask cluster")
    assert "CommClosedError: in <TCP (closed)>" in line and "second" not in line and "\n" not in line
    given_up = {"score": 0.0, "max_score": 13.0, "status": "given up", "messages": ["stopped 2 grading workers"]}
    assert summary_line("loop", given_up).endswith("given up: stopped 2 grading workers")
    assert summary_line("silent", {**error, "messages": []}).endswith("0 / 0  error")
    assert len(summary_line("long", {**error, "messages": ["x" * 1000]})) < 24 + 20 + 300 + 10
