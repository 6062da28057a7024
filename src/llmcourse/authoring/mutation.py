"""Mutation testing of nbgrader test cells, in-process.

A mutant is a plausible wrong implementation of one function (or class) that a student writes, named for the
mistake it makes. The reference notebook's setup and solution cells run once; for each mutant the solution cells
are re-run in a copy of that namespace (cheap: they only define functions), the mutant replaces its target, and
every graded test cell's source runs against it. A cell that raises loses its points, as in nbgrader.

    from llmcourse.authoring.mutation import mutant

    @mutant("cosine_similarity", breaks=["cosine_vectors"])
    def cosine_without_normalising(a, b):
        return float(a @ b)

A correct *alternative* is a right answer written differently (a loop where loops are allowed, torch instead of
NumPy, float32, a library call): every graded test cell must give it full marks.

    @alternative("cosine_similarity")
    def cosine_with_math_module(a, b): ...
"""
from __future__ import annotations

import contextlib
import io
import linecache
import signal
from dataclasses import dataclass, field
from pathlib import Path

from llmcourse.authoring.nbgrader_cells import Cell, read_cells

CELL_TIME_LIMIT_S = 60


@dataclass
class Mutant:
    name: str          # the mistake, e.g. "softmax_over_wrong_axis"
    target: str        # the name it replaces in the notebook, e.g. "softmax"
    implementation: object
    breaks: tuple[str, ...]  # grade_ids of the test cells that must lose points


def mutant(target: str, *, breaks: list[str] | tuple[str, ...]):
    """Decorator that marks a function or class as a mutant of `target` that the cells `breaks` must catch."""
    def register(implementation):
        implementation.__mutant__ = Mutant(name=implementation.__name__, target=target,
                                           implementation=implementation, breaks=tuple(breaks))
        return implementation
    return register


def mutants_in(module) -> list[Mutant]:
    return [value.__mutant__ for value in vars(module).values() if hasattr(value, "__mutant__")]


@dataclass
class Alternative:
    name: str          # the style, e.g. "cosine_matrix_in_torch"
    target: str
    implementation: object


def alternative(target: str):
    """Decorator that marks a function or class as a correct implementation of `target`, written differently."""
    def register(implementation):
        implementation.__alternative__ = Alternative(name=implementation.__name__, target=target,
                                                     implementation=implementation)
        return implementation
    return register


def alternatives_in(module) -> list[Alternative]:
    return [value.__alternative__ for value in vars(module).values() if hasattr(value, "__alternative__")]


@dataclass
class CellResult:
    grade_id: str
    points: float
    passed: bool
    message: str = ""


@dataclass
class GradeReport:
    cells: list[CellResult] = field(default_factory=list)

    @property
    def score(self) -> float:
        return sum(c.points for c in self.cells if c.passed)

    @property
    def max_score(self) -> float:
        return sum(c.points for c in self.cells)

    def failed(self) -> set[str]:
        return {c.grade_id for c in self.cells if not c.passed}


class _CellTimeout(Exception):
    pass


def _on_alarm(signum, frame):
    raise _CellTimeout(f"cell ran longer than {CELL_TIME_LIMIT_S} s")


def _run_source(source: str, namespace: dict, label: str) -> None:
    filename = f"<{label}>"
    # as IPython does: so that inspect (llmcourse.grading.check_source) can read a function's cell
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    code = compile(source, filename, "exec")
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.alarm(CELL_TIME_LIMIT_S)
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            exec(code, namespace)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _fresh(value):
    """A copy of a setup cell's array or tensor (a wrong answer that changes it in place must not change the
    next grading's), anything else as it is."""
    kind = type(value).__name__
    if kind == "ndarray":
        return value.copy()
    if kind == "Tensor" and not value.requires_grad:
        return value.clone()
    return value


class InProcessNotebook:
    """An nbgrader source notebook whose setup and solution cells have run once in this process."""

    def __init__(self, notebook_path: str | Path):
        self.path = Path(notebook_path)
        self.cells: list[Cell] = read_cells(self.path)
        self.solution_cells = [c for c in self.cells if c.role == "solution"]
        self.test_cells = [c for c in self.cells if c.role == "test"]
        self.base: dict = {"__name__": "__main__"}
        for cell in self.cells:
            if cell.role in ("setup", "solution"):
                _run_source(cell.source, self.base, f"{self.path.name} cell {cell.index}")

    def grade(self, replacements: dict[str, object] | None = None) -> GradeReport:
        """Run every graded test cell against the solution, with `replacements` swapped in."""
        namespace = {name: _fresh(value) for name, value in self.base.items()}
        for cell in self.solution_cells:  # re-bind the solution's functions to this namespace
            _run_source(cell.source, namespace, f"{self.path.name} cell {cell.index}")
        namespace.update(replacements or {})
        report = GradeReport()
        for cell in self.test_cells:
            try:
                _run_source(cell.source, namespace, f"{self.path.name} test {cell.grade_id}")
                report.cells.append(CellResult(cell.grade_id, cell.points, True))
            except BaseException as error:  # SystemExit too: a test cell that ends the kernel loses its points
                if isinstance(error, KeyboardInterrupt):
                    raise
                report.cells.append(CellResult(cell.grade_id, cell.points, False,
                                               f"{type(error).__name__}: {error}"))
        return report
