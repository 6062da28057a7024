"""Due dates, late policy and extensions, applied as nbgrader's own late-submission penalty.

Where things live (README, "Instructors"):
- the due date of an assignment: nbgrader's `Assignment.duedate` in the gradebook (set with `course_grader.py due`,
  or in formgrader's "Manage Assignments");
- the late policy and per-student extensions: `autograder/late_work.csv`, one row per rule (set with
  `course_grader.py policy` / `extend`, or edit it):

      assignment,student_id,late_policy,extended_due
      ps01_word2vec_cosine,*,per-day:10,
      ps01_word2vec_cosine,alice,,2026-12-03T17:00:00+00:00

  and copied into the gradebook (`SubmittedAssignment.extension`) whenever the tool grades or exports;
- a submission's time: `timestamp.txt` beside the notebook (the exchange's submit writes it; `collect` writes it for
  an LMS zip from the zip entry's time), stored as nbgrader's `SubmittedAssignment.timestamp`.

The penalty per notebook is computed by `latepenalty.CoursePenalty`, an nbgrader `LateSubmissionPlugin`, run by
nbgrader's own `AssignLatePenalties` preprocessor, so it lands in `SubmittedNotebook.late_submission_penalty` as
with `nbgrader autograde`. It is recomputed after manual grading (export and feedback call
`apply_late_penalties`), because a percentage of the score changes when a TA scores a written answer.
"""
from __future__ import annotations

import csv
import datetime as dt
import math
import os
from dataclasses import dataclass
from pathlib import Path

from llmcourse.autograde.coursedir import CourseFolders

FIELDS = ["assignment", "student_id", "late_policy", "extended_due"]
WHOLE_CLASS = "*"
DAY = 86400.0


def parse_time(text: str) -> dt.datetime:
    """A time as nbgrader stores it (naive UTC). ISO 8601 or nbgrader's own timestamp format; no zone means UTC."""
    from nbgrader.utils import parse_utc

    text = str(text).strip()
    if not text:
        raise ValueError("empty time")
    try:
        value = parse_utc(text)
    except (ValueError, OverflowError, TypeError) as error:
        raise ValueError(f"{text[:60]!r} is not a time ({error})") from None
    if not isinstance(value, dt.datetime):
        raise ValueError(f"{text[:60]!r} is not a time")
    return value


def show_time(value: dt.datetime | None) -> str:
    return "" if value is None else value.replace(microsecond=0).isoformat() + "+00:00"


@dataclass(frozen=True)
class Policy:
    """`none`, `per-day:P` (each started day late costs P % of the score earned), `zero-after:N` (after N days
    everything), or both: `per-day:10,zero-after:3`."""
    per_day_percent: float = 0.0
    zero_after_days: float | None = None

    @classmethod
    def parse(cls, text: str) -> "Policy":
        text = (text or "none").strip().lower()
        if text in ("", "none"):
            return cls()
        per_day, zero_after = 0.0, None
        for part in text.split(","):
            name, _, value = part.strip().partition(":")
            try:
                number = float(value)
            except ValueError:
                raise ValueError(f"late policy {text!r}: {part!r} needs a number, e.g. per-day:10") from None
            if name == "per-day" and 0 <= number <= 100:
                per_day = number
            elif name == "zero-after" and number >= 0:
                zero_after = number
            else:
                raise ValueError(f"late policy {text!r}: use none, per-day:P (0-100), zero-after:N or both, "
                                 "e.g. per-day:10,zero-after:3")
        return cls(per_day, zero_after)

    def __str__(self) -> str:
        parts = ([f"per-day:{self.per_day_percent:g}"] if self.per_day_percent else []) + \
                ([f"zero-after:{self.zero_after_days:g}"] if self.zero_after_days is not None else [])
        return ",".join(parts) or "none"

    def penalty(self, score: float, seconds_late: float) -> float | None:
        if seconds_late <= 0 or score <= 0:
            return None
        if self.zero_after_days is not None and seconds_late > self.zero_after_days * DAY:
            return score
        if self.per_day_percent:
            days = math.ceil(seconds_late / DAY)
            return score * min(1.0, days * self.per_day_percent / 100.0)
        return None


class LateWork:
    """autograder/late_work.csv: the late policy per assignment and the extensions per student."""

    def __init__(self, course: CourseFolders):
        self.path = course.autograder / "late_work.csv"
        self.rows: list[dict] = []
        if self.path.exists():
            with open(self.path, newline="") as handle:
                self.rows = [{k: (row.get(k) or "").strip() for k in FIELDS} for row in csv.DictReader(handle)]

    def policy(self, assignment: str) -> Policy:
        for row in self.rows:
            if row["assignment"] == assignment and row["student_id"] == WHOLE_CLASS and row["late_policy"]:
                return Policy.parse(row["late_policy"])
        return Policy()

    def extensions(self, assignment: str) -> dict[str, dt.datetime]:
        found = {}
        for row in self.rows:
            if row["assignment"] == assignment and row["student_id"] not in ("", WHOLE_CLASS) and row["extended_due"]:
                found[row["student_id"]] = parse_time(row["extended_due"])
        return found

    def set_policy(self, assignment: str, policy: Policy) -> None:
        self._set(assignment, WHOLE_CLASS, late_policy=str(policy))

    def set_extension(self, assignment: str, student: str, due: dt.datetime | None) -> None:
        self._set(assignment, student, extended_due=show_time(due))

    def _set(self, assignment: str, student: str, **values: str) -> None:
        row = next((r for r in self.rows if r["assignment"] == assignment and r["student_id"] == student), None)
        if row is None:
            row = {k: "" for k in FIELDS} | {"assignment": assignment, "student_id": student}
            self.rows.append(row)
        row.update(values)
        self.rows = [r for r in self.rows if r["late_policy"] or r["extended_due"]]
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        with open(tmp, "w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=FIELDS)
            writer.writeheader()
            writer.writerows(sorted(self.rows, key=lambda r: (r["assignment"], r["student_id"] != WHOLE_CLASS,
                                                              r["student_id"])))
        os.replace(tmp, self.path)


def get_due(course: CourseFolders, assignment: str) -> dt.datetime | None:
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(course.db_url) as gradebook:
        try:
            return gradebook.find_assignment(assignment).duedate
        except MissingEntry:
            return None


def set_due(course: CourseFolders, assignment: str, due: dt.datetime | None) -> None:
    """nbgrader's Assignment.duedate (naive UTC), then the extensions and penalties that depend on it."""
    from nbgrader.api import Gradebook

    course.autograder.mkdir(parents=True, exist_ok=True)
    with Gradebook(course.db_url) as gradebook:
        gradebook.update_or_create_assignment(assignment, duedate=due)
    apply_late_penalties(course, assignment)


def submission_times(course: CourseFolders, assignment: str) -> dict[str, dt.datetime | None]:
    """Each graded student's submission time, as nbgrader's gradebook holds it."""
    from nbgrader.api import Gradebook

    with Gradebook(course.db_url) as gradebook:
        try:
            submissions = gradebook.assignment_submissions(assignment)
        except Exception:  # MissingEntry: nothing graded yet
            return {}
        return {s.student.id: s.timestamp for s in submissions}


def apply_late_penalties(course: CourseFolders, assignment: str) -> list[str]:
    """Copy the extensions into the gradebook and let nbgrader's AssignLatePenalties (with CoursePenalty) set
    the late_submission_penalty of every late notebook (others get none). Returns the late students."""
    import logging

    import nbformat
    from nbgrader.api import Gradebook, MissingEntry
    from nbgrader.preprocessors import AssignLatePenalties
    from traitlets.config import Config

    from llmcourse.autograde.latepenalty import CoursePenalty

    late = LateWork(course)
    policy, extensions = late.policy(assignment), late.extensions(assignment)
    late_ones = []
    with Gradebook(course.db_url) as gradebook:
        try:
            record = gradebook.find_assignment(assignment)
        except MissingEntry:
            return []
        due = record.duedate
        for submission in gradebook.assignment_submissions(assignment):
            extended = extensions.get(submission.student.id)
            submission.extension = (extended - due) if (extended is not None and due is not None) else None
            if submission.total_seconds_late > 0:
                late_ones += [(submission.student.id, nb.name) for nb in submission.notebooks]
            else:  # what AssignLatePenalties does for a submission that is not late, without opening one per notebook
                for notebook in submission.notebooks:
                    notebook.late_submission_penalty = None
        gradebook.db.commit()
    config = Config({"CoursePenalty": {"policy": str(policy)}})
    quiet = logging.getLogger("llmcourse.late")
    quiet.setLevel(logging.ERROR)  # nbgrader logs every late notebook as a warning
    for student, name in late_ones:
        resources = {"nbgrader": {"notebook": name, "assignment": assignment, "student": student,
                                  "db_url": course.db_url}}
        preprocessor = AssignLatePenalties(plugin_class=CoursePenalty, config=config, log=quiet)
        preprocessor.preprocess(nbformat.v4.new_notebook(), resources)
    return sorted({student for student, _ in late_ones})


# ---- submission times -------------------------------------------------------------------------------------------
TIMESTAMP = "timestamp.txt"
NOTE = ".timestamp-note.txt"  # written by this tool only: hidden files never come from a student (collect skips them)


def nbgrader_timestamp(value: dt.datetime) -> str:
    """nbgrader's own format (Exchange.timestamp_format with the UTC zone)."""
    return value.strftime("%Y-%m-%d %H:%M:%S.%f UTC")


def repair_timestamp(folder: Path, fallback: dt.datetime | None = None, source: str = "") -> str:
    """Make a submission's timestamp.txt one that nbgrader reads (its collect, autograde and formgrader crash on
    anything else). An unreadable one is replaced by `fallback` (or the notebook's last-modified time) and a note
    is kept beside it; returns that note ('' when the time was fine). Idempotent."""
    path, note_path = folder / TIMESTAMP, folder / NOTE
    if not path.is_file() or path.is_symlink():
        return ""
    with open(path, "rb") as handle:
        raw = handle.read(200).decode("utf-8", "replace")
    try:
        parse_time(raw)
        return note_path.read_text() if note_path.is_file() else ""
    except ValueError:
        pass
    if fallback is None:
        notebooks = [p for p in folder.glob("*.ipynb") if p.is_file()]
        newest = max((p.stat().st_mtime for p in notebooks), default=path.stat().st_mtime)
        fallback = dt.datetime.fromtimestamp(newest, dt.timezone.utc).replace(tzinfo=None)
        source = "your notebook's last-modified time"
    shown = " ".join(raw.split())[:40]
    note = (f"timestamp.txt held {shown!r}, which is not a time; it was graded, with the submission time taken from "
            f"{source}: {show_time(fallback)}.")
    path.write_text(nbgrader_timestamp(fallback))
    note_path.write_text(note)
    return note


def read_timestamp(folder: Path) -> tuple[dt.datetime | None, str]:
    """(submission time, note) of a submission folder; repairs an unreadable timestamp.txt first."""
    note = repair_timestamp(folder)
    path = folder / TIMESTAMP
    if not path.is_file() or path.is_symlink():
        return None, note
    try:
        return parse_time(path.read_text()[:200]), note
    except ValueError:  # cannot happen after the repair, unless the folder is read-only
        return None, note
