"""Scheduling a batch: an executor's workers grade submissions in parallel (LocalPool here, or cluster.DaskCluster);
the parent alone writes results and the gradebook, as each result arrives; resumable (a submission whose resume key
has not changed is not graded again)."""
from __future__ import annotations

import contextlib
import os
import shutil
import sys
import time
import warnings
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from multiprocessing import get_context
from pathlib import Path

from llmcourse.autograde.coursedir import CourseFolders, venv_bin_on_path
from llmcourse.autograde.deadlines import apply_late_penalties, read_timestamp
from llmcourse.autograde.formgrade import write_autograded
from llmcourse.autograde.gradebook import ensure_assignment_in_gradebook, write_gradebook
from llmcourse.autograde.notebooks import load_template
from llmcourse.autograde.reference import ReferenceCheck
from llmcourse.autograde.results import load_results, save_result, submission_key
from llmcourse.autograde.sandbox import ONE_THREAD, Limits
from llmcourse.autograde.submission import (SCRATCH_PREFIX, error_result, grade_one, new_scratch_root,  # noqa: F401
                                            start_zygote, test_imports, zygote_modules)

venv_bin_on_path()


class LocalPool:
    """The default executor: a process pool on this machine, one submission per worker process at a time.

    An executor grades a batch's tasks and yields (task, result) as each one finishes; the batch (autograde below)
    writes each result as it arrives. cluster.DaskCluster is the other one."""

    def __init__(self, workers: int | None = None):
        self.workers = workers or os.cpu_count() or 1

    def describe(self, tasks: list[dict]) -> str:
        return f"{min(self.workers, len(tasks))} workers"

    def grade(self, tasks: list[dict], reference: ReferenceCheck) -> Iterator[tuple[dict, dict]]:
        scratch_root = new_scratch_root()
        for task in tasks:
            task["scratch_root"] = str(scratch_root)
        templates = [Path(t) for t in tasks[0]["templates"]]
        # forkserver: workers fork from a fresh single-threaded server, never from this process, which may hold
        # threads (torch's OpenMP pool after calibration, a caller's threads) that would deadlock a forked child;
        # it imports what the test cells need once, for every worker
        context = get_context("forkserver")
        context.set_forkserver_preload(["llmcourse.autograde.submission", *test_imports(templates)])
        try:
            with ProcessPoolExecutor(max_workers=min(self.workers, len(tasks)), mp_context=context,
                                     initializer=start_zygote, initargs=(zygote_modules(templates[0]),)) as pool:
                with _environment(ONE_THREAD):  # the forkserver starts here: one thread before it imports torch
                    # the reference solution first, in a worker (its imports and warm start then serve the
                    # submissions); no result is handed on before it passes, none at all if it does not
                    started = reference.start(pool.submit)
                    pending = {pool.submit(grade_one, task): task for task in tasks}
                try:
                    reference.finish(started)
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
                            result = error_result(task, f"grader problem: {type(error).__name__}: {error}")
                        yield task, result
        finally:
            shutil.rmtree(scratch_root, ignore_errors=True)


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


def autograde(course: CourseFolders, assignment: str, *, students: list[str] | None = None, workers: int | None = None,
              force: bool = False, limits: Limits | None = None, progress: bool = True, log=print,
              executor=None, timings: dict | None = None) -> dict[str, dict]:
    """Grade the assignment's new and changed submissions with `executor` (default: LocalPool(workers)) and write
    each result as it arrives. `timings`, when given, receives the batch's wall time, the writer's time and when each
    result arrived (seconds from the batch's start, before it is written: benchmarks/autograde_speed.py)."""
    limits = limits or Limits()
    executor = executor or LocalPool(workers)
    templates = course.templates(assignment)
    digests = [load_template(t).digest for t in templates]
    ensure_assignment_in_gradebook(course, assignment)
    students = students if students is not None else course.students_with(assignment)
    reference = ReferenceCheck(course, assignment, limits)
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
        f"({len(students) - len(tasks)} unchanged since the last run), {executor.describe(tasks)}")
    results = {s: previous[s] for s in students if s in previous}
    by_name = {t.name: t for t in templates}
    if not tasks:  # penalties are current: due/policy/extend apply them, export and feedback recompute them
        reference.here()
        _finish_batch(course, assignment, results, by_name, penalties=False)
        return results
    from nbgrader.api import Gradebook
    from tqdm.auto import tqdm

    bar = tqdm(total=len(tasks), desc=f"grading {assignment}", unit="submission", disable=not progress,
               file=sys.stderr)
    started, writing, arrivals = time.perf_counter(), 0.0, []
    graded = executor.grade(tasks, reference)
    try:
        with Gradebook(course.db_url) as gradebook, warnings.catch_warnings():
            warnings.simplefilter("ignore")  # nbgrader's SQLAlchemy "not in session" chatter (harmless)
            for task, result in graded:
                before_write = time.perf_counter()
                arrivals.append(before_write - started)
                if result["status"] != "error":  # an error is not written: the next run grades it again
                    write_gradebook(gradebook, result, previous.get(task["student"]))
                    write_autograded(course, result, by_name)
                    result.setdefault("timings", {})["gradebook"] = round(time.perf_counter() - before_write, 4)
                    save_result(course, result)
                writing += time.perf_counter() - before_write
                results[task["student"]] = result
                bar.update(1)
    finally:
        graded.close()  # stops the executor's work if the writer failed
        bar.close()
    if timings is not None:
        timings.update(batch_seconds=time.perf_counter() - started, write_seconds=writing, graded=len(tasks),
                       arrivals=arrivals)
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


