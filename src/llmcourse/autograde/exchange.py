"""The course's side of nbgrader's exchange, with nbgrader's own exchange classes (no hand copies).

- `release`: ExchangeReleaseAssignment puts exercises/<a>/ into <root>/<course>/outbound/<a>/.
- `collect`: ExchangeCollect takes the latest submission of every hub user from inbound/ into
  autograder/submitted/<user>/<a>/; a user who is not in the roster, a folder submitted under another roster
  student's name (its owner says so), a folder with symbolic links or over the size limit: skipped with a message.
- `release_feedback`: the course grader's own feedback pages (scrubbed: no hidden test) go out with
  ExchangeReleaseFeedback, so students fetch them in the Assignment List.
- `release_solutions`: after the due date (and every extension) only: nbgrader's generate_solution with the hidden
  tests removed, released as the assignment `<a>_solution`.

Exchange root: `--exchange ROOT`, else `$LLMCOURSE_EXCHANGE` (read by autograder/nbgrader_config.py), else nbgrader's
default. Course id: `CourseDirectory.course_id` in nbgrader_config.py (`$LLMCOURSE_COURSE_ID`, default llmcourse).
"""
from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

from nbgrader.coursedir import CourseDirectory

from llmcourse.autograde import coursedir
from llmcourse.autograde.collect import CollectReport, read_roster
from llmcourse.autograde.coursedir import CourseFolders, venv_bin_on_path
from llmcourse.autograde.deadlines import LateWork, get_due, repair_timestamp, show_time

SOLUTION_SUFFIX = "_solution"


class _TolerantCourseDirectory(CourseDirectory):
    """nbgrader's collect crashes (AttributeError in its own error path) on an unreadable timestamp.txt of a
    submission it already collected; treat that one as having no time, so the new submission replaces it."""

    def get_existing_timestamp(self, dest_path):
        try:
            return super().get_existing_timestamp(dest_path)
        except Exception:
            return None


class ExchangeProblem(Exception):
    """The exchange refused (missing folder, no permission, ...): the message says what to do."""


def nbgrader_config(course: CourseFolders, exchange_root: str | Path | None = None):
    """The course's autograder/nbgrader_config.py, as nbgrader itself loads it, with the exchange root if given."""
    config = coursedir.nbgrader_config(course.root)
    if exchange_root is not None:
        config.Exchange.root = str(Path(exchange_root).resolve())
    return config


def _parts(course: CourseFolders, assignment: str, exchange_root):
    from nbgrader.auth import Authenticator

    venv_bin_on_path()
    config = nbgrader_config(course, exchange_root)
    coursedir = _TolerantCourseDirectory(config=config)
    coursedir.assignment_id = assignment
    return config, coursedir, Authenticator(config=config)


def _run(exchange) -> None:
    from nbgrader.exchange import ExchangeError

    try:
        exchange.start()
    except ExchangeError as error:
        raise ExchangeProblem(str(error)) from None


def exchange_root_of(course: CourseFolders, exchange_root=None) -> str:
    return str(nbgrader_config(course, exchange_root).Exchange.get("root", "/usr/local/share/nbgrader/exchange"))


def release(course: CourseFolders, assignment: str, exchange_root=None, *, folder: Path | None = None) -> Path:
    """ExchangeReleaseAssignment of exercises/<assignment>/ (or `folder`, released under its own name)."""
    from nbgrader.exchange.default import ExchangeReleaseAssignment

    name = folder.name if folder is not None else assignment
    config, coursedir, authenticator = _parts(course, name, exchange_root)
    if folder is not None:
        coursedir.release_directory = str(folder.parent.resolve())
    exchange = ExchangeReleaseAssignment(coursedir=coursedir, authenticator=authenticator, config=config)
    exchange.force = True
    _run(exchange)
    return Path(exchange.dest_path)


def _folder_problem(path: Path, max_bytes: int) -> str:
    total = 0
    for item in path.rglob("*"):
        if item.is_symlink():
            return f"holds a symbolic link ({item.relative_to(path)})"
        if item.is_file():
            total += item.stat().st_size
    if path.is_symlink():
        return "is a symbolic link"
    if total > max_bytes:
        return f"is {total >> 20} MB, over the {max_bytes >> 20} MB limit"
    return ""


def _owner(path: str) -> str | None:
    import pwd

    try:
        return pwd.getpwuid(os.lstat(path).st_uid).pw_name
    except (KeyError, OSError):
        return None


def collect(course: CourseFolders, assignment: str, roster: Path, exchange_root=None, *,
            max_bytes: int = 100 << 20) -> CollectReport:
    """nbgrader's ExchangeCollect (latest submission per user, newer ones replace older ones), roster-checked."""
    from nbgrader.exchange.default import ExchangeCollect

    students = set(read_roster(roster).values())
    report = CollectReport()
    config, coursedir, authenticator = _parts(course, assignment, exchange_root)
    # nbgrader's copy raises on a folder over its own limit, after deleting the submission it replaces: check first
    max_bytes = min(max_bytes, 1000 * coursedir.max_dir_size - 1)

    class RosterCollect(ExchangeCollect):
        def _path_to_record(self, path):
            try:
                return super()._path_to_record(path)
            except Exception:  # a folder name nbgrader cannot read (not written by its submit): oldest of all
                name = os.path.basename(path)
                report.skipped.append(f"{name}: its name holds no readable time; used only if it is the user's "
                                      "only submission")
                return {"username": name.split("+")[0], "filename": name, "timestamp": dt.datetime.min}

        def init_src(self):
            super().init_src()
            kept = []
            for record in self.src_records:
                user, folder = record["username"], os.path.join(self.inbound_path, record["filename"])
                owner = _owner(folder)
                if user not in students:
                    report.skipped.append(f"{record['filename']}: '{user}' is not in the roster (unknown student)")
                elif owner != user and owner in students:
                    report.skipped.append(f"{record['filename']}: submitted as '{user}' but owned by roster student "
                                          f"'{owner}': not collected")
                elif problem := _folder_problem(Path(folder), max_bytes):
                    report.skipped.append(f"{record['filename']}: {problem}: not collected (the previous "
                                          "submission, if any, is kept)")
                else:
                    kept.append(record)
            self.src_records = kept
            self.times = {os.path.join(self.inbound_path, r["filename"]): r["timestamp"] for r in kept}

        def do_copy(self, src, dest, log=None):
            super().do_copy(src, dest)
            received = self.times.get(src)
            note = repair_timestamp(Path(dest), None if received in (None, dt.datetime.min) else received,
                                    "the exchange's record of the submission")
            student = Path(dest).parent.name
            report.collected[student] = sorted(p.relative_to(dest).as_posix() for p in Path(dest).rglob("*")
                                               if p.is_file() and not p.name.startswith("."))
            if note:
                report.notes.append(f"{student}: {note}")

    exchange = RosterCollect(coursedir=coursedir, authenticator=authenticator, config=config)
    exchange.update = True        # a newer submission replaces the one collected before
    exchange.check_owner = False  # checked above, against the roster
    _run(exchange)
    for record in exchange.src_records:
        if record["username"] not in report.collected:
            report.unchanged.append(record["username"])
    return report


def release_feedback(course: CourseFolders, assignment: str, exchange_root=None,
                     students: list[str] | None = None) -> tuple[list[str], list[str]]:
    """ExchangeReleaseFeedback of autograder/feedback/<s>/<a>/*.html (written by feedback.write_feedback) for every
    submission that came through the exchange (it carries submission_secret.txt). Returns (released, skipped)."""
    from nbgrader.exchange.default import ExchangeReleaseFeedback

    released, skipped = [], []
    for folder in sorted(course.feedback.glob(f"*/{assignment}")):
        student = folder.parent.name
        if students and student not in students:
            continue
        if not (folder / "submission_secret.txt").is_file() or not (folder / "timestamp.txt").is_file():
            skipped.append(f"{student}: not submitted through the exchange (no submission_secret.txt); the "
                           f"feedback stays in {folder}")
            continue
        config, coursedir, authenticator = _parts(course, assignment, exchange_root)
        coursedir.student_id = student
        exchange = ExchangeReleaseFeedback(coursedir=coursedir, authenticator=authenticator, config=config)
        _run(exchange)
        released.append(student)
    return released, skipped


class SolutionsTooEarly(Exception):
    """The due date (or a student's extension) has not passed."""


def solutions_allowed(course: CourseFolders, assignment: str, now: dt.datetime | None = None) -> None:
    now = now or dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    due = get_due(course, assignment)
    if due is None:
        raise SolutionsTooEarly(f"{assignment} has no due date: set one with `course_grader.py due {assignment} "
                                "WHEN`; solutions are released only after it")
    if now < due:
        raise SolutionsTooEarly(f"{assignment} is due {show_time(due)}: its due date has not passed "
                                f"(now {show_time(now)}); solutions are released only after it")
    pending = {s: t for s, t in LateWork(course).extensions(assignment).items() if t > now}
    if pending:
        student, until = max(pending.items(), key=lambda item: item[1])
        raise SolutionsTooEarly(f"{assignment}: {student} has an extension until {show_time(until)}"
                                f"{f' (and {len(pending) - 1} more)' if len(pending) > 1 else ''}; solutions are "
                                "released only after every extension")


def generate_solutions(course: CourseFolders, assignment: str) -> Path:
    """nbgrader's GenerateSolution (executed) with hidden tests removed, into autograder/solution_release/<a>_solution/,
    checked line by line for hidden-test text."""
    from nbgrader.converters import GenerateSolution
    from nbgrader.preprocessors import (ClearHiddenTests, ClearMarkScheme, ClearOutput, Execute,
                                        IncludeHeaderFooter, LockCells)

    from llmcourse.autograde.feedback import hidden_lines
    from llmcourse.autograde.gradebook import ensure_assignment_in_gradebook
    from llmcourse.autograde.notebooks import load_template

    ensure_assignment_in_gradebook(course, assignment)
    config, coursedir, _ = _parts(course, assignment, None)
    config.GenerateSolution.preprocessors = [IncludeHeaderFooter, LockCells, ClearOutput, ClearMarkScheme,
                                             ClearHiddenTests, Execute]
    config.GenerateSolution.force = True
    config.ClearMarkScheme.enforce_metadata = False  # the written answers' mark schemes (for TAs) go too
    converter = GenerateSolution(coursedir=coursedir, config=config)
    converter.start()
    generated = Path(coursedir.format_path(coursedir.solution_directory, ".", assignment))
    target = generated.parent / f"{assignment}{SOLUTION_SUFFIX}"
    if target.exists():
        shutil.rmtree(target)
    shutil.move(str(generated), target)
    secrets = [line for t in course.templates(assignment) for line in hidden_lines(load_template(t))]
    for path in target.rglob("*"):
        if path.is_file():
            text = path.read_text(errors="replace")
            leaked = [line for line in secrets if line in text] + (["BEGIN HIDDEN TESTS"]
                                                                   if "BEGIN HIDDEN TESTS" in text else [])
            if leaked:
                shutil.rmtree(target)
                raise RuntimeError(f"the generated solution shows hidden tests ({leaked[0][:60]!r}); not released")
    return target


def release_solutions(course: CourseFolders, assignment: str, exchange_root=None, *, use_exchange: bool = True,
                      now: dt.datetime | None = None) -> tuple[Path, Path | None]:
    solutions_allowed(course, assignment, now)
    folder = generate_solutions(course, assignment)
    released = release(course, assignment, exchange_root, folder=folder) if use_exchange else None
    return folder, released


