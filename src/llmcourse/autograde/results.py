"""Results storage: one result.json per student and assignment, written atomically by the batch's one writer, and
the resume key that says whether a submission must be graded again."""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from llmcourse.autograde.coursedir import CourseFolders
from llmcourse.autograde.sandbox import Limits

ENGINE_VERSION = "2"  # part of every result key: a new engine regrades everything
RESULT_FILE = "result.json"


def submission_key(template_digests: list[str], folder: Path, limits: Limits) -> str:
    digest = hashlib.sha256(ENGINE_VERSION.encode())
    digest.update(repr(sorted(limits.as_dict().items())).encode())
    for item in template_digests:
        digest.update(item.encode())
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                digest.update(str(path.relative_to(folder)).encode() + b"\0")
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def result_path(course: CourseFolders, assignment: str, student: str) -> Path:
    return course.autograded / student / assignment / RESULT_FILE


def save_result(course: CourseFolders, result: dict) -> None:
    atomic_write(result_path(course, result["assignment"], result["student"]),
                 json.dumps(result, indent=1, sort_keys=True))


def load_results(course: CourseFolders, assignment: str) -> dict[str, dict]:
    results = {}
    for student in course.students_with(assignment):
        path = result_path(course, assignment, student)
        if path.exists():
            try:
                results[student] = json.loads(path.read_text())
            except json.JSONDecodeError:
                pass
    return results


def summary_line(student: str, result: dict) -> str:
    """One line of `course_grader.py autograde`'s table: score, status and, for a submission that was not graded
    ("error": never written, so only this line says why) or was given up, the first message."""
    line = f"{student:24s} {result['score']:6g} / {result['max_score']:g}  {result['status']}"
    if result["status"] in ("error", "given up") and result.get("messages"):
        line += ": " + " ".join(result["messages"][0].split())[:300]
    return line
