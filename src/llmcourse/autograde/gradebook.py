"""The gradebook (nbgrader's): the assignment's cells recorded with nbgrader's preprocessors, one student's scores
written by the batch's one writer, and the integrity check that ends a batch."""
from __future__ import annotations

from pathlib import Path

from llmcourse.autograde.coursedir import CourseFolders
from llmcourse.autograde.results import load_results


def ensure_assignment_in_gradebook(course: CourseFolders, assignment: str) -> None:
    """Record the assignment's notebooks and graded cells with nbgrader's own preprocessors."""
    import nbformat
    from nbgrader.api import Gradebook
    from nbgrader.preprocessors import ComputeChecksums, SaveCells

    course.autograder.mkdir(parents=True, exist_ok=True)
    with Gradebook(course.db_url) as gradebook:
        gradebook.update_or_create_assignment(assignment)
    for template in course.templates(assignment):
        notebook = nbformat.read(template, as_version=4)
        resources = {"nbgrader": {"notebook": template.stem, "assignment": assignment, "db_url": course.db_url}}
        notebook, resources = ComputeChecksums().preprocess(notebook, resources)
        SaveCells().preprocess(notebook, resources)


NO_RESPONSE = {"", "YOUR ANSWER HERE"}  # the release's written-answer stub (ClearSolutions.text_stub)


def write_gradebook(gradebook, result: dict, previous: dict | None = None) -> None:
    """The one writer: one student's auto scores and submission time. Written answers wait for a TA (formgrader);
    one left as released scores 0 with the comment "No response.", as in nbgrader. A TA's manual scores are never
    erased: when the student's answers changed since the last grading (a new submission), each manually scored cell
    is marked as needing manual grading again (nbgrader's autograde does the same), so formgrader lists it."""
    from nbgrader.api import MissingEntry

    from llmcourse.autograde.deadlines import parse_time

    assignment, student = result["assignment"], result["student"]
    try:
        gradebook.find_student(student)
    except MissingEntry:
        gradebook.add_student(student)
    submission = gradebook.update_or_create_submission(assignment, student)
    submission.timestamp = parse_time(result["timestamp"]) if result.get("timestamp") else None
    before = {nb["name"]: (nb.get("solutions"), nb.get("written")) for nb in (previous or {}).get("notebooks", [])}
    for notebook in result["notebooks"]:
        name = Path(notebook["name"]).stem
        changed = notebook["name"] in before and \
            before[notebook["name"]] != (notebook.get("solutions"), notebook.get("written"))
        for cell in notebook["cells"]:
            grade = gradebook.find_grade(cell["grade_id"], name, assignment, student)
            if cell["kind"] == "written" and not notebook.get("malformed"):
                answer = notebook.get("written", {}).get(cell["grade_id"], "")
                grade.auto_score = 0.0 if answer.strip() in NO_RESPONSE else None
                comment = gradebook.find_comment(cell["grade_id"], name, assignment, student)
                comment.auto_comment = "No response." if grade.auto_score == 0.0 else None
            else:
                grade.auto_score = float(cell["points"])
            if grade.manual_score is None:
                grade.needs_manual_grade = grade.auto_score is None
            elif changed:
                grade.needs_manual_grade = True
    gradebook.db.commit()


def integrity_problems(course: CourseFolders, assignment: str) -> list[str]:
    """SQLite's integrity check plus: every graded student has a submission whose scores match result.json."""
    import sqlite3

    from nbgrader.api import Gradebook, MissingEntry

    problems = []
    with sqlite3.connect(course.db_path) as connection:
        status = connection.execute("PRAGMA integrity_check").fetchone()[0]
        if status != "ok":
            problems.append(f"sqlite integrity_check: {status}")
    with Gradebook(course.db_url) as gradebook:
        for student, result in load_results(course, assignment).items():
            try:
                submission = gradebook.find_submission(assignment, student)
            except MissingEntry:
                problems.append(f"{student}: graded but no submission in the gradebook")
                continue
            auto = sum(g.auto_score or 0 for nb in submission.notebooks for g in nb.grades)
            if abs(auto - result["score"]) > 1e-9:
                problems.append(f"{student}: gradebook {auto} != result {result['score']}")
    return problems
