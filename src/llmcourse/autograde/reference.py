"""The reference check: before a batch, each notebook's own solution (solutions/) is graded like a submission;
if it loses a test point, or the notebook's own imports fail in the sandbox, the assignment is refused."""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from llmcourse.autograde.coursedir import CourseFolders
from llmcourse.autograde.notebooks import load_template
from llmcourse.autograde.results import atomic_write
from llmcourse.autograde.sandbox import ONE_THREAD, Limits, close_zygotes
from llmcourse.autograde.verdicts import grade_notebook


class ReferenceLosesPoints(Exception):
    """The assignment's own solution does not get every test point in the grader: its tests need fixing."""


class SandboxCannotImport(ReferenceLosesPoints):
    """The notebook's own imports fail in the sandbox while the grader has them (e.g. a venv whose editable
    install points outside the folders the sandbox shows): every student would lose the same points."""


def check_reference(course: CourseFolders, assignment: str, limits: Limits) -> None:
    """Grade each notebook's reference solution (solutions/) here, first; refuse the batch if it loses a test point
    (see ReferenceCheck)."""
    ReferenceCheck(course, assignment, limits).here()


class ReferenceCheck:
    """Each notebook's reference solution graded like a submission; the assignment refused if it loses a point.

    A test that the grader cannot run outside the student's process (it hands student code something that cannot
    cross, see mirror.py) would otherwise take points from every student. Checked once per version of the source
    notebook (cached in autograder/autograded/.reference-checks.json). In two halves, so that a batch's local pool
    grades it first, on a worker whose imports and warm start then serve the submissions: `start(submit)`, then
    `finish(started)`; `here()` does both in this process."""

    def __init__(self, course: CourseFolders, assignment: str, limits: Limits):
        self.course, self.assignment, self.limits = course, assignment, limits

    def start(self, submit=None) -> dict:
        """Start grading each reference solution not checked before: `submit(function, *args)` runs it elsewhere
        and returns a future; without it, here and now."""
        cache = _read_cache(self.course)
        started = {}
        for template_path in self.course.templates(self.assignment):
            digest = load_template(template_path).digest
            if digest not in cache:
                arguments = (str(template_path), self.limits.as_dict(), [str(self.course.root)])
                started[digest] = submit(grade_reference, *arguments) if submit else _Done(grade_reference(*arguments))
        return started

    def finish(self, started: dict) -> None:
        """Wait for what `start` started, cache it, and refuse the assignment if it loses points."""
        course, assignment = self.course, self.assignment
        cache = _read_cache(course)
        for digest, outcome in started.items():
            reference = outcome.result()
            if reference["import_failures"]:  # the grader's set-up, not the notebook: not cached, fixed by the instructor
                raise SandboxCannotImport(
                    f"{assignment}: the sandboxed student process cannot import what {reference['name']} imports, "
                    "so nothing was graded:\n  " + "\n  ".join(reference["import_failures"]))
            cache[digest] = reference["failures"]
            atomic_write(course.autograded / CACHE, json.dumps(cache, indent=1))
        problems = [f"{path.name}, {failure}" for path in course.templates(assignment)
                    for failure in cache[load_template(path).digest]]
        if problems:
            raise ReferenceLosesPoints(
                f"{assignment}: the reference solution loses points in the grader, so nothing was graded:\n  "
                + "\n  ".join(problems) + "\nA test may pass student code plain data, tensors, arrays, models, "
                "optimisers and the notebook's own classes and functions; see README, \"Instructors\".")

    def here(self) -> None:
        try:
            self.finish(self.start())
        finally:
            close_zygotes()  # this process's warm start is not needed after the check


def grade_reference(template_path: str, limits: dict, hide: list[str]) -> dict:
    """Grade a source notebook as its own submission (in a batch's worker, or here): its failed tests by grade id."""
    os.environ.update(ONE_THREAD)  # as in batch.grade_one: before the tests import torch in a worker
    template = load_template(Path(template_path))
    scratch = Path(tempfile.mkdtemp(prefix="llmcourse-reference-"))
    try:
        reference = grade_notebook(template, Path(template_path).read_bytes(), missing_reason="",
                                   workdir=scratch / "work", logdir=scratch / "log",
                                   hide=[*(Path(h) for h in hide), scratch], limits=Limits(**limits))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return {"name": template.name, "import_failures": reference.import_failures,
            "failures": [f"{c.grade_id}: {c.message.splitlines()[0] if c.message else 'failed'}"
                         for c in reference.cells if c.kind == "test" and not c.passed]}


CACHE = ".reference-checks.json"


def _read_cache(course: CourseFolders) -> dict:
    path = course.autograded / CACHE
    return json.loads(path.read_text()) if path.exists() else {}


class _Done:
    """A result already there, read like a future's."""

    def __init__(self, value):
        self.value = value

    def result(self):
        return self.value
