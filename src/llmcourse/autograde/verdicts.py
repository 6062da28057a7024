"""The verdicts: grade one notebook, running the student's cells in a sandbox and every test cell here.

The verdict is computed in the grader, outside the student's process. Test cells (hidden tests included) run in a
fresh namespace of this worker that holds the template's setup cells and, for each name the reference solution
defines, either the student's value decoded strictly from bytes (numbers, strings, lists, arrays, tensors) or a
`Remote` whose calls run in the sandbox and whose results come back the same way. Monkeypatching NumPy or the
checks, an object that equals everything, a silenced traceback, sys.exit/os._exit: none of it reaches this namespace.
"""
from __future__ import annotations

import builtins
import contextlib
import io
import time
from dataclasses import dataclass, field
from pathlib import Path

from llmcourse.autograde.notebooks import Malformed, Template, parse_submission, program
from llmcourse.autograde.remote import StudentCodeError
from llmcourse.autograde.sandbox import Limits
from llmcourse.autograde.session import MAX_RESTARTS, Session


@dataclass
class CellVerdict:
    grade_id: str
    kind: str                # "test" or "written"
    points: float
    max_points: float
    passed: bool | None      # None: needs manual grading
    message: str = ""
    output: str = ""


@dataclass
class NotebookResult:
    name: str
    cells: list[CellVerdict] = field(default_factory=list)
    malformed: str = ""
    notes: list[str] = field(default_factory=list)
    cell_errors: list[str] = field(default_factory=list)
    student_output: str = ""
    solutions: dict[str, str] = field(default_factory=dict)
    written: dict[str, str] = field(default_factory=dict)
    extras: dict[str, list[str]] = field(default_factory=dict)   # the student's own code cells, by the solution before
    limits: list[str] = field(default_factory=list)     # the grader's limits the student's code reached
    flags: list[str] = field(default_factory=list)      # Submission.flags: what the export calls suspicious
    import_failures: list[str] = field(default_factory=list)  # the notebook's own imports that failed in the sandbox
    seconds: dict[str, float] = field(default_factory=dict)   # start, cells, tests: where the grading time went

    @property
    def score(self) -> float:
        return sum(c.points for c in self.cells)

    @property
    def max_score(self) -> float:
        return sum(c.max_points for c in self.cells)


def _failure_message(error: BaseException) -> str:
    if isinstance(error, (AssertionError, StudentCodeError)):
        message = str(error) or type(error).__name__
        return message if not isinstance(error, AssertionError) or str(error) else "a check failed"
    return f"{type(error).__name__}: {error}"


def grade_notebook(template: Template, raw: bytes | None, *, missing_reason: str, workdir: Path, logdir: Path,
                   hide: list[Path], limits: Limits) -> NotebookResult:
    """Run the student's cells in a sandbox, then every test cell here, on values from the sandbox."""
    result = NotebookResult(template.name)
    if raw is None:
        return _ungraded(result, template, missing_reason)
    try:
        submission = parse_submission(raw, template)
    except Malformed as error:
        return _ungraded(result, template, str(error))
    result.notes = list(submission.notes)
    result.solutions, result.written = dict(submission.solutions), dict(submission.written)
    result.extras = {key or "": list(cells) for key, cells in submission.extras.items()}
    session = Session(program(template, submission), workdir, logdir, hide, limits,
                      time.monotonic() + limits.notebook_seconds)
    try:
        session.start()
        result.student_output = session.sandbox.read_out(0, 4000) if session.sandbox else ""
        started, restarting = time.monotonic(), sum(session.seconds.values())
        _TestRun(template, submission, session).run(result)
        # a restart during the tests counts as start and cells, not as tests
        tests = time.monotonic() - started - (sum(session.seconds.values()) - restarting)
    finally:
        session.close()
    result.seconds = {**session.seconds, "tests": tests}
    return _finish(result, session, submission)


def ungraded(template: Template, reason: str) -> NotebookResult:
    """A notebook that was not graded (missing, malformed, or given up by the batch): every graded cell at 0."""
    return _ungraded(NotebookResult(template.name), template, reason)


def _ungraded(result: NotebookResult, template: Template, reason: str) -> NotebookResult:
    """Every graded cell at 0 with the reason (a missing or malformed notebook)."""
    result.malformed = reason
    result.cells = [CellVerdict(c.grade_id, c.role, 0.0, c.points, False, reason)
                    for c in template.cells if c.role in ("test", "written")]
    return result


class _TestRun:
    """The template's cells in order, in one namespace of this worker: setup cells run here, a solution cell's names
    are the student's values, each test cell gives a verdict."""

    def __init__(self, template: Template, submission, session: Session):
        self.template, self.session = template, session
        self.wanted = [n for c in template.cells if c.role == "solution" for n in c.names]
        self.student_values = session.fetch(self.wanted)
        self.generation = session.generation
        # the student's code as text too, for check_source
        submitted = tuple((label, source) for label, source, setup in program(template, submission) if not setup)
        self.namespace: dict = {"__name__": "__main__", "__builtins__": builtins, "__submitted_code__": submitted}

    def run(self, result: NotebookResult) -> None:
        for cell in self.template.cells:
            if cell.role == "setup":
                self.run_setup(cell)
            elif cell.role == "solution":
                for name in cell.names:
                    if name in self.student_values:
                        self.namespace[name] = self.student_values[name]
                    else:
                        self.namespace.pop(name, None)
            elif cell.role == "test":
                result.cells.append(self.run_test(cell))
            elif cell.role == "written":
                result.cells.append(CellVerdict(cell.grade_id, "written", 0.0, cell.points, None,
                                                "graded by hand"))

    def run_setup(self, cell) -> None:
        try:
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                exec(compile(cell.source, f"<setup cell {cell.index + 1}>", "exec"), self.namespace)
        except Exception as error:  # a read-only cell that uses the student's code
            self.session.errors.append(f"cell {cell.index + 1}: {_failure_message(error)}"[:2000])
        self.session.remember_setup(self.namespace)

    def run_test(self, cell) -> CellVerdict:
        session = self.session
        if session.sandbox is None and session.restarts <= MAX_RESTARTS:
            session.start()  # it died during the previous test: fresh process, fresh names
        if session.generation != self.generation:
            self.student_values = session.fetch(self.wanted)
            self.generation = session.generation
            self.namespace.update({n: v for n, v in self.student_values.items()})
        stdout = io.StringIO()
        try:
            with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(io.StringIO()):
                exec(compile(cell.source, f"<test {cell.grade_id}>", "exec"), self.namespace)
            return CellVerdict(cell.grade_id, "test", cell.points, cell.points, True, "", stdout.getvalue()[-2000:])
        except Exception as error:  # SystemExit cannot come from here: student code runs elsewhere
            message = _failure_message(error)
            if isinstance(error, NameError) and getattr(error, "name", None) in self.wanted:
                message = f"your notebook does not define {error.name} (did its cell fail, get deleted or renamed?)"
            return CellVerdict(cell.grade_id, "test", 0.0, cell.points, False, message[:3000],
                               stdout.getvalue()[-2000:])


def _finish(result: NotebookResult, session: Session, submission) -> NotebookResult:
    session.close()
    result.cell_errors = session.errors
    result.limits = sorted(session.limits_hit)
    result.flags = submission.flags
    result.import_failures = session.import_failures
    return result
