"""Regenerate exercises/<assignment>/ with nbgrader and build the student bundle, verified by scanning it."""
from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat

from llmcourse.autograde.coursedir import CourseFolders
from llmcourse.autograde import notebooks

MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS", "BEGIN MARK SCHEME")


def generate(course: CourseFolders, assignment: str) -> Path:
    """nbgrader generate_assignment, run from autograder/ where nbgrader_config.py lives."""
    nbgrader = Path(sys.executable).parent / "nbgrader"
    result = subprocess.run([str(nbgrader), "generate_assignment", assignment, "--force"],
                            cwd=course.autograder, env=course.env(), capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"nbgrader generate_assignment failed:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}")
    return course.exercises / assignment


def secret_lines(course: CourseFolders, assignment: str) -> list[str]:
    """Solution and hidden-test lines of the assignment's templates (what must never be in the bundle)."""
    return sorted({line for template in course.templates(assignment)
                   for line in notebooks.secret_lines([c.source for c in nbformat.read(template, as_version=4).cells],
                                                      solutions=True)})


def scan(bundle: Path, secrets: list[str]) -> list[str]:
    problems = []
    with zipfile.ZipFile(bundle) as archive:
        for info in archive.infolist():
            text = archive.read(info).decode("utf-8", "replace")
            for marker in MARKERS:
                if marker in text:
                    problems.append(f"{info.filename}: contains '{marker}'")
            for line in secrets:
                if line in text:
                    problems.append(f"{info.filename}: contains solution/hidden-test code: {line[:60]!r}")
    return problems


def release(course: CourseFolders, assignment: str, *, regenerate: bool = True) -> tuple[Path, list[str]]:
    folder = generate(course, assignment) if regenerate else course.exercises / assignment
    bundle = course.autograder / "release" / f"{assignment}.zip"
    bundle.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(bundle, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and ".ipynb_checkpoints" not in path.parts:
                archive.write(path, f"{assignment}/{path.relative_to(folder).as_posix()}")
    problems = scan(bundle, secret_lines(course, assignment))
    if problems:
        bundle.unlink()
    return bundle, problems
