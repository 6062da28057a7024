"""Run an assignment through nbgrader's own commands in a scratch course folder.

The scratch course has the repository's nbgrader config and one assignment's source; nbgrader generates the
release there, two students submit (the release with the reference solution filled in, and the untouched
release) and nbgrader autogrades both.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

from llmcourse.paths import REPO_ROOT

BIN = Path(sys.executable).parent
SOLUTION_MARKERS = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*\n?", re.MULTILINE)


def nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")  # nbgrader calls alembic
    # nbgrader reads nbgrader_config.py from the folder it runs in; the config sets absolute paths.
    command = [str(BIN / "nbgrader"), *args]
    result = subprocess.run(command, cwd=course / "autograder", env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}")
    return result


def scratch_course(tmp: Path, assignment: str) -> Path:
    course = tmp / "course"
    (course / "autograder").mkdir(parents=True)
    shutil.copy(REPO_ROOT / "autograder" / "nbgrader_config.py", course / "autograder")
    shutil.copytree(REPO_ROOT / "solutions" / assignment, course / "solutions" / assignment,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return course


def fill_in_solutions(release_nb: Path, source_nb: Path, target: Path) -> None:
    """The release notebook as a student who wrote the reference solution would hand it in."""
    source = {c.metadata["nbgrader"]["grade_id"]: c for c in nbformat.read(source_nb, 4).cells
              if c.get("metadata", {}).get("nbgrader", {}).get("solution")}
    notebook = nbformat.read(release_nb, 4)
    for cell in notebook.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution") and meta.get("grade_id") in source:
            cell.source = SOLUTION_MARKERS.sub("", source[meta["grade_id"]].source)
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, target)


def fill_in_every_other_solution(release_nb: Path, source_nb: Path, target: Path) -> None:
    """A partly wrong submission: the reference solution in every other solution cell, the release's stub (which
    raises NotImplementedError) in the rest, starting with the first."""
    fill_in_solutions(release_nb, source_nb, target)
    done, stub = nbformat.read(target, 4), nbformat.read(release_nb, 4)
    solutions = [i for i, c in enumerate(stub.cells) if c.metadata.get("nbgrader", {}).get("solution")
                 and c.cell_type == "code"]
    for i in solutions[::2]:
        done.cells[i].source = stub.cells[i].source
    nbformat.write(done, target)


@dataclass
class Grade:
    code_score: float
    max_code_score: float
    failed_cells: list[str]


def generate_release(course: Path, assignment: str) -> Path:
    nbgrader(course, "generate_assignment", assignment, "--force")
    return course / "exercises" / assignment


def autograde(course: Path, assignment: str, submissions: dict[str, Path]) -> dict[str, Grade]:
    """Autograde folders of notebooks, one per student id, and return each student's code score."""
    for student, folder in submissions.items():
        shutil.copytree(folder, course / "autograder" / "submitted" / student / assignment)
        nbgrader(course, "db", "student", "add", student)
    nbgrader(course, "autograde", assignment, "--force")
    from nbgrader.api import Gradebook

    grades = {}
    with Gradebook(f"sqlite:///{course / 'autograder' / 'gradebook.db'}") as gradebook:
        for student in submissions:
            submission = gradebook.find_submission(assignment, student)
            failed = [grade.name for notebook in submission.notebooks for grade in notebook.grades
                      if grade.cell_type == "code" and grade.auto_score is not None
                      and grade.auto_score < grade.max_score]
            grades[student] = Grade(submission.code_score, submission.max_code_score, failed)
    return grades
