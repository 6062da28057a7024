"""Bring submissions into autograder/submitted/<student_id>/<assignment>/ from a folder or an LMS-style zip.

Student ids always come from the roster (CSV with a `student_id` column and optionally `lms_id`, `name`,
`email`): a submission's key (its top-level folder name, or for a loose file the part of its name before the first
"_", as LMS exports name them) must equal one roster row's lms_id or student_id. Anything doubtful is skipped with
a message and nothing else changes: unknown students, zip slip (absolute paths, "..", symlinks), nested archives,
oversized files. The submission time (timestamp.txt, nbgrader's format) is the newest file's time in the zip (or the
folder), unless the submission brings its own timestamp.txt. The exchange's inbound is collected by exchange.py.
"""
from __future__ import annotations

import csv
import datetime as dt
import shutil
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from llmcourse.autograde.coursedir import CourseFolders
from llmcourse.autograde.deadlines import TIMESTAMP, nbgrader_timestamp, repair_timestamp

MAX_FILE_BYTES = 20 << 20
ARCHIVE_SUFFIXES = (".zip", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".rar")


@dataclass
class CollectReport:
    collected: dict[str, list[str]] = field(default_factory=dict)   # student -> files
    skipped: list[str] = field(default_factory=list)                 # messages
    unchanged: list[str] = field(default_factory=list)               # students whose newest is collected already
    notes: list[str] = field(default_factory=list)                   # collected, with a remark (e.g. the time)

    def summary(self) -> str:
        lines = [f"collected {len(self.collected)} submissions"]
        lines += [f"  unchanged: {student} (no newer submission)" for student in self.unchanged]
        lines += [f"  note: {message}" for message in self.notes]
        lines += [f"  skipped: {message}" for message in self.skipped]
        return "\n".join(lines)


def read_roster(path: Path) -> dict[str, str]:
    """key (lms_id or student_id) -> student_id."""
    keys: dict[str, str] = {}
    with open(path, newline="") as handle:
        for row in csv.DictReader(handle):
            student = (row.get("student_id") or "").strip()
            if not student or not student.replace("-", "").replace("_", "").replace(".", "").isalnum():
                continue
            keys[student] = student
            if (row.get("lms_id") or "").strip():
                keys[row["lms_id"].strip()] = student
    if not keys:
        raise ValueError(f"{path}: no rows with a student_id column")
    return keys


def _key_of(parts: tuple[str, ...]) -> str:
    return parts[0] if len(parts) > 1 else parts[0].split("_", 1)[0]


def _target_name(parts: tuple[str, ...], assignment: str) -> str:
    if len(parts) > 1:
        return "/".join(parts[1:])
    name = parts[0]
    # LMS exports prefix a file with "<key>_<late>_<ids>_"; keep the assignment's notebook name when it is there
    return f"{assignment}.ipynb" if name.endswith(f"{assignment}.ipynb") else name.split("_", 1)[-1]


def collect(course: CourseFolders, assignment: str, source: Path, roster: Path, *, max_file_bytes: int = MAX_FILE_BYTES,
            replace: bool = True) -> CollectReport:
    keys = read_roster(roster)
    report = CollectReport()
    staged: dict[str, dict[str, bytes]] = {}
    times: dict[str, dt.datetime] = {}
    for parts, size, read, problem, when in _entries(Path(source)):
        shown = "/".join(parts)
        if problem:
            report.skipped.append(f"{shown}: {problem}")
            continue
        if any(p.startswith(".") or p == "__MACOSX" for p in parts):
            continue
        key = _key_of(parts)
        student = keys.get(key)
        if student is None:
            report.skipped.append(f"{shown}: '{key}' is not in the roster (unknown student)")
            continue
        if shown.lower().endswith(ARCHIVE_SUFFIXES):
            report.skipped.append(f"{shown}: nested archives are not unpacked")
            continue
        if size > max_file_bytes:
            report.skipped.append(f"{shown}: {size >> 20} MB is over the {max_file_bytes >> 20} MB limit")
            continue
        data = read()
        if len(data) > max_file_bytes:
            report.skipped.append(f"{shown}: over the {max_file_bytes >> 20} MB limit")
            continue
        staged.setdefault(student, {})[_target_name(parts, assignment)] = data
        if when is not None and (student not in times or when > times[student]):
            times[student] = when
    for student, files in sorted(staged.items()):
        folder = course.submitted / student / assignment
        if folder.exists() and replace:
            shutil.rmtree(folder)
        for name, data in files.items():
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        if TIMESTAMP not in files and student in times:  # the submission time: the newest file's time
            (folder / TIMESTAMP).write_text(nbgrader_timestamp(times[student]))
        note = repair_timestamp(folder, times.get(student), "the time of its files in the upload")
        if note:
            report.notes.append(f"{student}: {note}")
        report.collected[student] = sorted(files)
    return report


def _safe_parts(name: str) -> tuple[tuple[str, ...], str]:
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return (), "absolute path in the archive (zip slip): skipped"
    parts = tuple(p for p in path.parts if p not in ("", "."))
    if ".." in parts:
        return (), "path leaves the archive (zip slip): skipped"
    if not parts:
        return (), "empty name"
    return parts, ""


def _entries(source: Path):
    """(parts, size, read(), problem) for every file in a folder or a zip."""
    if source.is_dir():
        for path in sorted(source.rglob("*")):
            relative = path.relative_to(source).parts
            if path.is_symlink():
                yield relative, 0, None, "symbolic link: skipped", None
            elif path.is_file():
                when = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.timezone.utc).replace(tzinfo=None)
                yield relative, path.stat().st_size, path.read_bytes, "", when
        return
    if not zipfile.is_zipfile(source):
        raise ValueError(f"{source} is neither a folder nor a zip file")
    with zipfile.ZipFile(source) as archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            parts, problem = _safe_parts(info.filename)
            if not problem and stat.S_ISLNK(info.external_attr >> 16):
                problem = "symbolic link in the archive: skipped"
            if problem:
                yield (info.filename,), 0, None, problem, None
                continue
            limit = MAX_FILE_BYTES * 4

            def read(info=info, limit=limit):
                with archive.open(info) as handle:
                    return handle.read(limit + 1)
            try:  # a zip stores local time without a zone: read as UTC (LMS servers write UTC)
                when = dt.datetime(*info.date_time)
            except ValueError:
                when = None
            yield parts, info.file_size, read, "", when
