"""The hostile/broken catalogue graded in one batch between correct canaries: exact scores, messages, limits;
nothing a submission does reaches the gradebook, the other students, the network or outlives its grading."""
from __future__ import annotations

import os
import socket
import sys
import threading
from pathlib import Path

import pytest

from llmcourse.autograde.batch import SCRATCH_PREFIX, autograde
from llmcourse.autograde.coursedir import CourseFolders
from llmcourse.autograde.gradebook import integrity_problems
from llmcourse.autograde.sandbox import Limits

sys.path.insert(0, str(Path(__file__).parent / "fixtures"))
import catalogue  # noqa: E402
import toy  # noqa: E402

TEST_LIMITS = Limits(cell_seconds=6, notebook_seconds=90, memory_bytes=3 << 30, processes=48,
                     output_bytes=2 << 20)


def told(result: dict) -> str:
    """Everything the student is told about a submission, as one text."""
    parts = list(result.get("messages", []))
    for notebook in result["notebooks"]:
        parts += [notebook.get("malformed", "")] + notebook.get("notes", []) + notebook.get("cell_errors", [])
        parts += [cell["message"] for cell in notebook["cells"]]
    return "\n".join(parts)


def sandbox_processes() -> list[str]:
    """Processes running as a sandbox uid for a grading started by this test process. Sandboxes of other graders
    on the machine (another test file in a parallel worker) are not ours: ours work in this process's scratch folder
    (`SCRATCH_PREFIX` + our pid), which every catalogue case inherits as its working folder (a process forked warm
    keeps the command line and environment of its zygote); one that changed folder would be missed, so the
    catalogue has none."""
    ours = f"{SCRATCH_PREFIX}{os.getpid()}-".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                status = (entry / "status").read_text()
                uid = int(next(line for line in status.splitlines() if line.startswith("Uid:")).split()[1])
                if not 61000 <= uid < 65000:
                    continue
                if ours in os.readlink(entry / "cwd").encode():
                    found.append(f"{entry.name} uid {uid}")
            except (OSError, StopIteration):
                continue
    return found


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course_root = toy.make_course(tmp_path_factory.mktemp("catalogue") / "course")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.settimeout(0.5)
    received = []

    def accept():
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
                received.append(connection.recv(100))
            except OSError:
                pass
    stop = threading.Event()
    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    context = {"course": str(course_root), "port": listener.getsockname()[1]}
    students = catalogue.build_all(course_root, context)
    course = CourseFolders(course_root)
    results = autograde(course, toy.ASSIGNMENT, workers=2, limits=TEST_LIMITS, progress=False)
    stop.set()
    thread.join()
    listener.close()
    return {"course": course, "results": results, "students": students, "received": received}


def test_catalogue_is_big_enough():
    assert len(catalogue.CASES) >= 25


@pytest.mark.parametrize("case", catalogue.CASES, ids=lambda c: c.name)
def test_hostile_submission_gets_exact_score_and_message(graded, case):
    student = next(s for s, c in graded["students"].items() if c is case)
    result = graded["results"][student]
    assert result["status"] != "error", told(result)
    assert result["score"] == case.score, f"{case.name}: {result['score']} != {case.score}\n{told(result)}"
    assert result["max_score"] == 6.0
    assert case.message in told(result), f"{case.name}: {case.message!r} not in\n{told(result)}"
    if case.limit:
        assert case.limit in result["notebooks"][0]["limits"], result["notebooks"][0]["limits"]


def test_canaries_keep_full_marks(graded):
    for canary in catalogue.CANARIES:
        result = graded["results"][canary]
        assert result["score"] == 5.0, told(result)
        assert not told(result).replace("graded by hand", "").strip(), told(result)


def test_gradebook_untouched_by_submissions(graded):
    course = graded["course"]
    assert integrity_problems(course, toy.ASSIGNMENT) == []
    from nbgrader.api import Gradebook

    with Gradebook(course.db_url) as gradebook:
        for student, result in graded["results"].items():
            submission = gradebook.find_submission(toy.ASSIGNMENT, student)
            assert submission.code_score == result["score"]
    for student in graded["results"]:  # nobody's folder was deleted
        assert (course.submitted / student / toy.ASSIGNMENT).is_dir(), student


def test_no_network_and_no_process_outlives_grading(graded):
    assert graded["received"] == [], "a submission reached the grader's machine over the network"
    import time

    deadline = time.monotonic() + 10  # SIGKILLed processes may take a moment to be reaped
    while sandbox_processes() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert sandbox_processes() == []
