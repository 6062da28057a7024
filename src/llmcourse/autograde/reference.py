"""The reference check: before a batch, each notebook's own solution (solutions/) is graded like a submission;
if it loses a test point, or the notebook's own imports fail in the sandbox, the assignment is refused."""
from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from llmcourse.autograde.coursedir import CourseFolders
from llmcourse.autograde.notebooks import load_template
from llmcourse.autograde.results import atomic_write
from llmcourse.autograde.sandbox import Limits, close_zygotes
from llmcourse.autograde.verdicts import grade_notebook


class ReferenceLosesPoints(Exception):
    """The assignment's own solution does not get every test point in the grader: its tests need fixing."""


class SandboxCannotImport(ReferenceLosesPoints):
    """The notebook's own imports fail in the sandbox while the grader has them (e.g. a venv whose editable
    install points outside the folders the sandbox shows): every student would lose the same points."""


def check_reference(course: CourseFolders, assignment: str, limits: Limits) -> None:
    """Grade each notebook's reference solution (solutions/) first; refuse the batch if it loses a test point.

    A test that the grader cannot run outside the student's process (it hands student code something that cannot
    cross, see mirror.py) would otherwise take points from every student. Checked once per version of the source
    notebook (cached in autograder/autograded/.reference-checks.json)."""
    cache_path = course.autograded / ".reference-checks.json"
    cache = json.loads(cache_path.read_text()) if cache_path.exists() else {}
    problems = []
    for template_path in course.templates(assignment):
        template = load_template(template_path)
        if template.digest not in cache:
            scratch = Path(tempfile.mkdtemp(prefix="llmcourse-reference-"))
            try:
                reference = grade_notebook(template, template_path.read_bytes(), missing_reason="",
                                           workdir=scratch / "work", logdir=scratch / "log",
                                           hide=[course.root, scratch], limits=limits)
            finally:
                shutil.rmtree(scratch, ignore_errors=True)
                close_zygotes()  # the batch's workers start their own; this process's would idle until it ends
            if reference.import_failures:  # the grader's set-up, not the notebook: not cached, fixed by the instructor
                raise SandboxCannotImport(
                    f"{assignment}: the sandboxed student process cannot import what {template.name} imports, so "
                    "nothing was graded:\n  " + "\n  ".join(reference.import_failures))
            cache[template.digest] = [f"{c.grade_id}: {c.message.splitlines()[0] if c.message else 'failed'}"
                                      for c in reference.cells if c.kind == "test" and not c.passed]
            atomic_write(cache_path, json.dumps(cache, indent=1))
        problems += [f"{template.name}, {failure}" for failure in cache[template.digest]]
    if problems:
        raise ReferenceLosesPoints(
            f"{assignment}: the reference solution loses points in the grader, so nothing was graded:\n  "
            + "\n  ".join(problems) + "\nA test may pass student code plain data, tensors, arrays, models, optimisers "
            "and the notebook's own classes and functions; see README, \"Instructors\".")
