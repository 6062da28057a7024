"""One student's submission, graded in a worker: every notebook of it, in a private scratch folder. Never raises.

The same function grades for the local process pool (batch.py) and on a Dask worker (cluster.py). Its input is
bytes, not the course's folders: `pack` reads what grading needs (each template, hidden tests included, and the
student's notebook after the checks of submission_files.py, or the reason it is not graded), so a worker on another
machine needs the course's environment (the venv, src/, data/) but never the instructor's folders.
"""
from __future__ import annotations

import os
import shutil
import socket
import tempfile
import time
import traceback
from dataclasses import asdict
from pathlib import Path

from llmcourse.autograde.notebooks import load_template, parse_template
from llmcourse.autograde import protocol
from llmcourse.autograde.sandbox import ONE_THREAD, Limits, SandboxError, preload_of, zygote_for
from llmcourse.autograde.submission_files import read_notebook
from llmcourse.autograde.verdicts import grade_notebook

SCRATCH_PREFIX = "llmcourse-grading-"  # + the grader's pid: a folder whose grader is gone is stale


def pack(task: dict) -> dict:
    """The task with its notebooks as bytes: for each template (in order) its name, its bytes, and the student's
    notebook of that name (None when it is not graded, with the reason read_notebook gives)."""
    folder = Path(task["folder"])
    expected = [Path(t).name for t in task["templates"]]
    notebooks = []
    for template_path in task["templates"]:
        name = Path(template_path).name
        submitted, reason = read_notebook(folder, name, expected)
        notebooks.append({"name": name, "template": Path(template_path).read_bytes(), "submitted": submitted,
                          "reason": reason})
    return {**{k: v for k, v in task.items() if k not in ("folder", "templates")}, "notebooks": notebooks}


def new_result(task: dict) -> dict:
    """A result without notebooks yet: who, which assignment, the resume key and the submission time."""
    result = {"student": task["student"], "assignment": task["assignment"], "key": task["key"],
              "notebooks": [], "messages": [], "status": "graded", "timestamp": task.get("timestamp"),
              "timings": {}}
    if task.get("timestamp_note"):
        result["messages"].append(task["timestamp_note"])
    return result


def total(result: dict) -> dict:
    result["score"] = sum(c["points"] for nb in result["notebooks"] for c in nb["cells"])
    result["max_score"] = sum(c["max_points"] for nb in result["notebooks"] for c in nb["cells"])
    return result


def grade_packed(packed: dict, *, scratch_root: Path, hide: list[Path]) -> dict:
    """Grade every notebook of one packed submission (see `pack`) in a scratch folder under `scratch_root`, which
    the sandbox hides (with `hide`) from student code. Never raises: a grader-side problem is status "error"."""
    os.environ.update(ONE_THREAD)  # before the tests import torch in this worker (see sandbox.ONE_THREAD)
    started, began = time.monotonic(), time.time()
    limits = Limits(**packed["limits"])
    result = new_result(packed)
    scratch = Path(tempfile.mkdtemp(prefix=f"{packed['student'][:20]}-", dir=scratch_root))
    try:
        for number, item in enumerate(packed["notebooks"]):
            template = parse_template(item["template"], item["name"])
            notebook = grade_notebook(template, item["submitted"], missing_reason=item["reason"],
                                      workdir=scratch / f"nb{number}", logdir=scratch.parent / f"{scratch.name}.log{number}",
                                      hide=[*hide, scratch_root], limits=limits)
            if notebook.import_failures:  # the sandbox cannot run the notebook's own imports: not the student's fault
                raise SandboxError("; ".join(notebook.import_failures))
            entry = asdict(notebook)
            del entry["import_failures"]
            for step, seconds in entry.pop("seconds").items():  # where the time went (benchmarks/autograde_speed.py)
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
    total(result)
    result["seconds"] = round(time.monotonic() - started, 2)
    # which grading process, and when (epoch seconds): a worker's wait between two submissions, for either executor
    result["timings"].update(worker=f"{socket.gethostname()}:{os.getpid()}", span=[began, time.time()])
    return result


def grade_one(task: dict) -> dict:
    """Local pool worker: read one student's submission from the course's folders, then grade it. Never raises."""
    try:
        packed = pack(task)
    except Exception as error:  # e.g. a template that vanished: a grader problem, the batch goes on
        return total({**new_result(task), "status": "error",
                      "messages": [f"grader problem while reading the submission: {type(error).__name__}: {error}"]})
    return grade_packed(packed, scratch_root=Path(task["scratch_root"]), hide=[Path(task["course_root"])])


def error_result(task: dict, message: str) -> dict:
    """A submission the grader could not grade (never written: the next run grades it again)."""
    return {"student": task["student"], "assignment": task["assignment"], "key": "", "notebooks": [],
            "status": "error", "score": 0.0, "max_score": 0.0, "messages": [message]}


def new_scratch_root() -> Path:
    """This grader's scratch folder (SCRATCH_PREFIX + its pid), readable by nobody else. Stale folders of dead
    graders go first: SIGKILL skips their clean-up, and they hold copies of what student code wrote."""
    remove_stale_scratch()
    root = Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-"))
    os.chmod(root, 0o711)
    return root


def remove_stale_scratch() -> None:
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


def zygote_modules(template: Path) -> tuple:
    """What a student process of this notebook imports first (its setup cells): session.Session asks the same."""
    return preload_of([cell.source for cell in load_template(template).cells if cell.role == "setup"])


def test_imports(templates: list[Path]) -> list[str]:
    """What a worker imports to run the test cells (the template's setup cells run there too)."""
    sources = [cell.source for path in templates for cell in load_template(path).cells if cell.role == "setup"]
    modules = [name for name, _ in preload_of(sources)]
    return modules + [extra for name, more in protocol.IMPORTED_BY_REQUESTS.items() if name in modules
                      for extra in more]


def start_zygote(modules: tuple) -> None:
    """A new local-pool worker, before its first task: fork its zygote from here, where the forkserver's imports
    are done and no submission has been seen (milliseconds, where a fresh zygote would import torch again)."""
    zygote_for(modules, fork_here=True)


def warm_up(modules: tuple, imports: list[str]) -> int:
    """A Dask worker's thread, before the batch's first submission: the tests' imports and this thread's zygote
    (what a local-pool worker gets from its forkserver and start_zygote), so no submission pays for them."""
    import importlib

    os.environ.update(ONE_THREAD)
    for name in imports:
        importlib.import_module(name)
    zygote_for(modules)
    return os.getpid()
