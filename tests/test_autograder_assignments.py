"""course_grader on every real assignment in solutions/: the reference solution gets every auto-graded point and
the untouched release gets none, exactly as in nbgrader's own round trip (tests/test_assignments.py)."""
from __future__ import annotations

import shutil

import pytest

import roundtrip
from llmcourse.autograde.batch import autograde
from llmcourse.autograde.coursedir import CourseFolders
from llmcourse.authoring.nbgrader_cells import EXERCISES_DIR, assignments


@pytest.mark.slow
@pytest.mark.parametrize("assignment", assignments())
def test_course_grader_gives_reference_full_marks_and_release_zero(assignment, tmp_path):
    course_root = roundtrip.scratch_course(tmp_path, assignment)
    shutil.copytree(EXERCISES_DIR / assignment, course_root / "exercises" / assignment)
    release = course_root / "exercises" / assignment / f"{assignment}.ipynb"
    source = course_root / "solutions" / assignment / f"{assignment}.ipynb"
    roundtrip.fill_in_solutions(release, source, course_root / "autograder" / "submitted" / "reference" /
                                assignment / f"{assignment}.ipynb")
    shutil.copytree(release.parent, course_root / "autograder" / "submitted" / "untouched" / assignment)
    results = autograde(CourseFolders(course_root), assignment, workers=2, progress=False)
    reference, untouched = results["reference"], results["untouched"]
    failed = {c["grade_id"]: c["message"] for nb in reference["notebooks"] for c in nb["cells"]
              if c["kind"] == "test" and not c["passed"]}
    assert not failed, f"course_grader takes points from the reference solution: {failed}"
    assert reference["score"] > 0
    assert untouched["score"] == 0
