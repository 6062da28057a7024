"""Scheduling a batch: workers grade submissions in parallel; the parent alone writes results and the gradebook;
resumable (a submission whose resume key has not changed is not graded again)."""
from __future__ import annotations

import contextlib
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

from llmcourse.autograde import protocol
from llmcourse.autograde.coursedir import CourseFolders, venv_bin_on_path
from llmcourse.autograde.deadlines import apply_late_penalties, read_timestamp
from llmcourse.autograde.formgrade import write_autograded
from llmcourse.autograde.gradebook import ensure_assignment_in_gradebook, write_gradebook
from llmcourse.autograde.notebooks import load_template
from llmcourse.autograde.reference import check_reference, finish_reference_check, start_reference_check
from llmcourse.autograde.results import load_results, save_result, submission_key
from llmcourse.autograde.sandbox import ONE_THREAD, Limits, SandboxError, preload_of, zygote_for
from llmcourse.autograde.submission_files import read_notebook
from llmcourse.autograde.verdicts import grade_notebook

venv_bin_on_path()
SCRATCH_PREFIX = "llmcourse-grading-"  # + the grader's pid: a folder whose grader is gone is stale


def grade_one(task: dict) -> dict:
    """Worker: grade every notebook of one student's submission. Never raises."""
    os.environ.update(ONE_THREAD)  # before the tests import torch in this worker (see sandbox.ONE_THREAD)
    started = time.monotonic()
    folder = Path(task["folder"])
    limits = Limits(**task["limits"])
    result = {"student": task["student"], "assignment": task["assignment"], "key": task["key"],
              "notebooks": [], "messages": [], "status": "graded", "timestamp": task.get("timestamp"),
              "timings": {}}
    if task.get("timestamp_note"):
        result["messages"].append(task["timestamp_note"])
    scratch = Path(tempfile.mkdtemp(prefix=f"{task['student'][:20]}-", dir=task["scratch_root"]))
    try:
        expected = [Path(t).name for t in task["templates"]]
        for number, template_path in enumerate(task["templates"]):
            template = load_template(Path(template_path))
            raw, reason = read_notebook(folder, template.name, expected)
            notebook = grade_notebook(template, raw, missing_reason=reason, workdir=scratch / f"nb{number}",
                                      logdir=scratch.parent / f"{scratch.name}.log{number}",
                                      hide=[Path(task["course_root"]), Path(task["scratch_root"])], limits=limits)
            if notebook.import_failures:  # the sandbox cannot run the notebook's own imports: not the student's fault
                raise SandboxError("; ".join(notebook.import_failures))
            entry = asdict(notebook)
            del entry["import_failures"]
            for step, seconds in entry.pop("seconds").items():
                result["timings"][step] = round(result["timings"].get(step, 0.0) + seconds, 4)
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


def _zygote_modules(template: Path) -> tuple:
    """What a student process of this notebook imports first (its setup cells): session.Session asks the same."""
    return preload_of([cell.source for cell in load_template(template).cells if cell.role == "setup"])


def _start_zygote(modules: tuple) -> None:
    """A new worker, before its first task: fork its zygote from here, where the forkserver's imports are done and
    no submission has been seen (milliseconds, where a fresh zygote would import torch again)."""
    zygote_for(modules, fork_here=True)


def _imported_by_tests(templates: list[Path]) -> list[str]:
    """What every worker imports to run the test cells (the template's setup cells run there too): imported once,
    in the forkserver that the workers fork from, instead of once in each worker."""
    sources = [cell.source for path in templates for cell in load_template(path).cells if cell.role == "setup"]
    modules = [name for name, _ in preload_of(sources)]
    return modules + [extra for name, more in protocol.IMPORTED_BY_REQUESTS.items() if name in modules
                      for extra in more]


@contextlib.contextmanager
def _environment(changes: dict[str, str]):
    saved = {name: os.environ.get(name) for name in changes}
    os.environ.update(changes)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


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


def autograde(course: CourseFolders, assignment: str, *, students: list[str] | None = None, workers: int | None = None,
              force: bool = False, limits: Limits | None = None, progress: bool = True, log=print) -> dict[str, dict]:
    limits = limits or Limits()
    workers = workers or os.cpu_count() or 1
    templates = course.templates(assignment)
    digests = [load_template(t).digest for t in templates]
    ensure_assignment_in_gradebook(course, assignment)
    students = students if students is not None else course.students_with(assignment)
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
        check_reference(course, assignment, limits)
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
    context.set_forkserver_preload(["llmcourse.autograde.batch", *_imported_by_tests(templates)])
    pool = ProcessPoolExecutor(max_workers=min(workers, len(tasks)), mp_context=context,
                               initializer=_start_zygote, initargs=(_zygote_modules(templates[0]),))
    bar = tqdm(total=len(tasks), desc=f"grading {assignment}", unit="submission", disable=not progress,
               file=sys.stderr)
    try:
        with Gradebook(course.db_url) as gradebook, pool, warnings.catch_warnings():
            warnings.simplefilter("ignore")  # nbgrader's SQLAlchemy "not in session" chatter (harmless)
            with _environment(ONE_THREAD):  # the forkserver starts here: one thread before it imports torch
                # The reference solution first, in a worker (its imports and warm start serve the submissions
                # after it); no result is written before it passes, and none at all if it does not.
                reference = start_reference_check(course, assignment, limits, submit=pool.submit)
                pending = {pool.submit(grade_one, task): task for task in tasks}
            try:
                finish_reference_check(course, assignment, reference)
            except BaseException:
                for future in pending:
                    future.cancel()
                raise
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
                        writing = time.monotonic()
                        write_gradebook(gradebook, result, previous.get(task["student"]))
                        write_autograded(course, result, by_name)
                        result.setdefault("timings", {})["gradebook"] = round(time.monotonic() - writing, 4)
                        save_result(course, result)
                    results[task["student"]] = result
                    bar.update(1)
    finally:
        bar.close()
        shutil.rmtree(scratch_root, ignore_errors=True)
    _finish_batch(course, assignment, results, by_name)
    return results


def _finish_batch(course: CourseFolders, assignment: str, results: dict, templates: dict,
                  penalties: bool = True) -> None:
    """Autograded notebooks that are missing (results graded before formgrader support), then the late penalties
    (nbgrader's AssignLatePenalties, with the policy and extensions of late_work.csv)."""
    for result in results.values():
        if result.get("status") != "error" and any(
                not (course.autograded / result["student"] / assignment / nb["name"]).exists()
                for nb in result["notebooks"]):
            write_autograded(course, result, templates)
    if penalties:
        apply_late_penalties(course, assignment)


