"""Grade a class: workers in parallel, the parent alone writes results and the gradebook; resumable."""
from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
import traceback
import warnings
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import asdict
from multiprocessing import get_context
from pathlib import Path

from llmcourse.autograde.course import Course, venv_bin_on_path
from llmcourse.autograde.deadlines import apply_late_penalties, read_timestamp
from llmcourse.autograde.engine import grade_notebook, submission_key
from llmcourse.autograde.formgrade import write_autograded
from llmcourse.autograde.notebooks import load_template
from llmcourse.autograde.sandbox import ONE_THREAD, Limits, SandboxError

venv_bin_on_path()
RESULT_FILE = "result.json"
SCRATCH_PREFIX = "llmcourse-grading-"  # + the grader's pid: a folder whose grader is gone is stale
MAX_NOTEBOOK_BYTES = 20 << 20


def grade_one(task: dict) -> dict:
    """Worker: grade every notebook of one student's submission. Never raises."""
    os.environ.update(ONE_THREAD)  # before the tests import torch in this worker (see sandbox.ONE_THREAD)
    started = time.monotonic()
    folder = Path(task["folder"])
    limits = Limits(**task["limits"])
    result = {"student": task["student"], "assignment": task["assignment"], "key": task["key"],
              "notebooks": [], "messages": [], "status": "graded", "timestamp": task.get("timestamp")}
    if task.get("timestamp_note"):
        result["messages"].append(task["timestamp_note"])
    scratch = Path(tempfile.mkdtemp(prefix=f"{task['student'][:20]}-", dir=task["scratch_root"]))
    try:
        expected = [Path(t).name for t in task["templates"]]
        extra = unexpected_files(folder, expected)
        other_notebooks = [e for e in extra if e.endswith(".ipynb")]
        for number, template_path in enumerate(task["templates"]):
            template = load_template(Path(template_path))
            path = folder / template.name
            raw, reason = None, ""
            if not path.is_file() and other_notebooks:
                reason = (f"{template.name} is missing; found {', '.join(other_notebooks[:3])} instead. Notebooks "
                          f"must keep their name: rename yours to {template.name} and submit again.")
            elif not path.is_file():
                reason = f"{template.name} is missing from the submission."
            elif extra:
                reason = (f"your submission has files the assignment does not ask for: {', '.join(extra[:10])}"
                          f"{'' if len(extra) <= 10 else ', ...'}. Nothing was graded: submit only "
                          f"{', '.join(expected)} and nothing else.")
            elif path.stat().st_size > MAX_NOTEBOOK_BYTES:
                reason = f"{template.name} is larger than {MAX_NOTEBOOK_BYTES >> 20} MB; it was not graded."
            else:
                raw = path.read_bytes()
            notebook = grade_notebook(template, raw, missing_reason=reason, workdir=scratch / f"nb{number}",
                                      logdir=scratch.parent / f"{scratch.name}.log{number}",
                                      hide=[Path(task["course_root"]), Path(task["scratch_root"])], limits=limits)
            entry = asdict(notebook)
            entry["limits"] = getattr(notebook, "limits", [])
            entry["flags"] = getattr(notebook, "flags", [])
            result["notebooks"].append(entry)
    except SandboxError as error:
        result["status"] = "error"
        result["messages"].append(f"grader problem, not yours: {error}")
    except Exception as error:  # one bad submission never stops the batch
        result["status"] = "error"
        result["messages"].append(f"grader problem while grading: {type(error).__name__}: {error}")
        result["traceback"] = traceback.format_exc()[-3000:]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        for log in scratch.parent.glob(f"{scratch.name}.log*"):
            shutil.rmtree(log, ignore_errors=True)
    if any(nb.get("malformed") for nb in result["notebooks"]):
        result["status"] = "malformed"
    result["score"] = sum(c["points"] for nb in result["notebooks"] for c in nb["cells"])
    result["max_score"] = sum(c["max_points"] for nb in result["notebooks"] for c in nb["cells"])
    result["seconds"] = round(time.monotonic() - started, 2)
    return result


class ReferenceLosesPoints(Exception):
    """The assignment's own solution does not get every test point in the grader: its tests need fixing."""


def _remove_stale_scratch() -> None:
    """Scratch folders of graders that were killed (SIGKILL skips their clean-up): they hold copies of what
    student code wrote, so they go before a new batch starts."""
    for folder in Path(tempfile.gettempdir()).glob(f"{SCRATCH_PREFIX}*-*"):
        pid = folder.name[len(SCRATCH_PREFIX):].split("-")[0]
        if not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except PermissionError:
            pass  # alive, another user's grader


EXCHANGE_FILES = ("timestamp.txt", "submission_secret.txt")  # nbgrader's submit writes them beside the notebooks


def unexpected_files(folder: Path, expected: list[str]) -> list[str]:
    """Files in a submission besides its notebooks (hidden files, e.g. .ipynb_checkpoints/, and the exchange's own
    timestamp.txt and submission_secret.txt do not count), as paths relative to the submission folder."""
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if path.is_dir() or any(part.startswith(".") for part in relative.parts):
            continue
        if relative.as_posix() not in expected and relative.as_posix() not in EXCHANGE_FILES:
            found.append(relative.as_posix())
    return found


def check_reference(course: Course, assignment: str, limits: Limits) -> None:
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
            cache[template.digest] = [f"{c.grade_id}: {c.message.splitlines()[0] if c.message else 'failed'}"
                                      for c in reference.cells if c.kind == "test" and not c.passed]
            _atomic_write(cache_path, json.dumps(cache, indent=1))
        problems += [f"{template.name}, {failure}" for failure in cache[template.digest]]
    if problems:
        raise ReferenceLosesPoints(
            f"{assignment}: the reference solution loses points in the grader, so nothing was graded:\n  "
            + "\n  ".join(problems) + "\nA test may pass student code plain data, tensors, arrays, models, optimisers "
            "and the notebook's own classes and functions; see README, \"Instructors\".")


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def result_path(course: Course, assignment: str, student: str) -> Path:
    return course.autograded / student / assignment / RESULT_FILE


def load_results(course: Course, assignment: str) -> dict[str, dict]:
    results = {}
    for student in course.students_with(assignment):
        path = result_path(course, assignment, student)
        if path.exists():
            try:
                results[student] = json.loads(path.read_text())
            except json.JSONDecodeError:
                pass
    return results


def ensure_assignment_in_gradebook(course: Course, assignment: str) -> None:
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


def autograde(course: Course, assignment: str, *, students: list[str] | None = None, workers: int | None = None,
              force: bool = False, limits: Limits | None = None, progress: bool = True, log=print) -> dict[str, dict]:
    limits = limits or Limits()
    workers = workers or os.cpu_count() or 1
    templates = course.templates(assignment)
    digests = [load_template(t).digest for t in templates]
    ensure_assignment_in_gradebook(course, assignment)
    students = students if students is not None else course.students_with(assignment)
    check_reference(course, assignment, limits)
    previous = load_results(course, assignment)
    tasks = []
    for student in students:
        folder = course.submitted / student / assignment
        when, note = read_timestamp(folder)  # repairs an unreadable timestamp.txt first (with a note)
        key = submission_key(digests, folder, limits)
        if not force and student in previous and previous[student].get("key") == key:
            continue
        tasks.append({"student": student, "assignment": assignment, "folder": str(folder), "key": key,
                      "templates": [str(t) for t in templates], "limits": limits.as_dict(),
                      "course_root": str(course.root), "timestamp": when and when.isoformat() + "+00:00",
                      "timestamp_note": note})
    log(f"{assignment}: {len(students)} submissions, {len(tasks)} to grade "
        f"({len(students) - len(tasks)} unchanged since the last run), {workers} workers")
    results = {s: previous[s] for s in students if s in previous}
    by_name = {t.name: t for t in templates}
    if not tasks:  # penalties are current: due/policy/extend apply them, export and feedback recompute them
        _finish_batch(course, assignment, results, by_name, penalties=False)
        return results
    from nbgrader.api import Gradebook
    from tqdm.auto import tqdm

    _remove_stale_scratch()
    scratch_root = Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-"))
    os.chmod(scratch_root, 0o711)
    for task in tasks:
        task["scratch_root"] = str(scratch_root)
    # forkserver: workers fork from a fresh single-threaded server, never from this process, which may hold
    # threads (torch's OpenMP pool after calibration, a caller's threads) that would deadlock a forked child
    context = get_context("forkserver")
    context.set_forkserver_preload(["llmcourse.autograde.batch"])
    pool = ProcessPoolExecutor(max_workers=min(workers, len(tasks)), mp_context=context)
    bar = tqdm(total=len(tasks), desc=f"grading {assignment}", unit="submission", disable=not progress,
               file=sys.stderr)
    try:
        with Gradebook(course.db_url) as gradebook, pool, warnings.catch_warnings():
            warnings.simplefilter("ignore")  # nbgrader's SQLAlchemy "not in session" chatter (harmless)
            pending = {pool.submit(grade_one, task): task for task in tasks}
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    task = pending.pop(future)
                    try:
                        result = future.result()
                    except Exception as error:  # a worker died: grade it as an error, keep going
                        result = {"student": task["student"], "assignment": assignment, "key": "",
                                  "notebooks": [], "status": "error", "score": 0.0, "max_score": 0.0,
                                  "messages": [f"grader problem: {type(error).__name__}: {error}"]}
                    if result["status"] != "error":
                        write_gradebook(gradebook, result, previous.get(task["student"]))
                        _atomic_write(result_path(course, assignment, task["student"]),
                                      json.dumps(result, indent=1, sort_keys=True))
                        write_autograded(course, result, by_name)
                    results[task["student"]] = result
                    bar.update(1)
    finally:
        bar.close()
        shutil.rmtree(scratch_root, ignore_errors=True)
    _finish_batch(course, assignment, results, by_name)
    return results


def _finish_batch(course: Course, assignment: str, results: dict, templates: dict, penalties: bool = True) -> None:
    """Autograded notebooks that are missing (results graded before formgrader support), then the late penalties
    (nbgrader's AssignLatePenalties, with the policy and extensions of late_work.csv)."""
    for result in results.values():
        if result.get("status") != "error" and any(
                not (course.autograded / result["student"] / assignment / nb["name"]).exists()
                for nb in result["notebooks"]):
            write_autograded(course, result, templates)
    if penalties:
        apply_late_penalties(course, assignment)


def integrity_problems(course: Course, assignment: str) -> list[str]:
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
