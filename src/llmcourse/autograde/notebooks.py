"""The assignment's source notebook (trusted template) and a student's submitted notebook (untrusted input).

What runs is decided by the template: its setup cells, its test cells (hidden tests included, never sent to the
student's process) and, per solution cell, the student's code for that grade_id. Student edits of test cells,
retyped/deleted cells, inflated points and duplicate cell ids therefore change nothing; they are only reported.
"""
from __future__ import annotations

import ast
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbgrader.utils import is_grade, is_solution

HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS[ \t]*\n?", re.MULTILINE | re.DOTALL)
SOLUTION = re.compile(r"^([ \t]*)### BEGIN SOLUTION.*?### END SOLUTION[ \t]*\n?", re.MULTILINE | re.DOTALL)
PYTHON_KERNELS = {"python3", "python", "python3.11"}


def cell_role(cell) -> str:
    """The course's one cell model, on nbgrader's own helpers: "setup" (the notebook's own code), "solution" (the
    student's code), "test" (graded code), "written" (an answer graded by hand) or "text"."""
    if cell.cell_type != "code":
        return "written" if is_solution(cell) else "text"
    if is_grade(cell) and not is_solution(cell):
        return "test"
    if is_solution(cell):
        return "solution"
    return "setup"


SECRET_LINE_MIN = 8  # shorter lines ("x = 0", "pass") are too common to say anything about where they came from


def secret_lines(sources: list[str], *, solutions: bool = False) -> list[str]:
    """The one rule for lines that must not reach a student: the distinctive lines (at least SECRET_LINE_MIN
    characters, not nbgrader's markers) of hidden-test blocks and, with `solutions`, of solution blocks (their code),
    minus any line the same sources also show outside those blocks (a visible test may repeat a hidden line on
    purpose). Used by the release scan, the feedback scrub and the exchange's feedback check."""
    lines, shown = set(), []
    for source in sources:
        # A hidden test's comments say what it checks, so they are secret too; a solution's are not.
        blocks = [(m.group(0), ()) for m in HIDDEN.finditer(source)]
        if solutions:
            blocks += [(m.group(0), ("#",)) for m in SOLUTION.finditer(source)]
        shown.append(SOLUTION.sub("", HIDDEN.sub("", source)))
        for block, common in blocks:
            for line in block.splitlines():
                text = line.strip()
                if (len(text) >= SECRET_LINE_MIN and not text.startswith((*common, '"""', "return None", "pass"))
                        and "HIDDEN TESTS" not in text and "SOLUTION" not in text):
                    lines.add(text)
    shown_anyway = "\n".join(shown)  # matched as substrings, as the scan and the scrub match them
    return sorted(line for line in lines if line not in shown_anyway)


@dataclass
class TemplateCell:
    """One cell of a trusted nbgrader source notebook."""
    index: int
    role: str            # cell_role: setup, solution, test, written, text
    source: str          # full source (hidden tests included for test cells)
    grade_id: str | None
    points: float
    names: tuple[str, ...] = ()   # top-level names a solution cell defines
    cell_type: str = "code"

    @property
    def visible_source(self) -> str:
        return HIDDEN.sub("", self.source)


@dataclass
class Template:
    name: str            # notebook file name, e.g. ps01_topic.ipynb
    cells: list[TemplateCell]
    digest: str


def defined_names(source: str) -> tuple[str, ...]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return ()
    names = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for sub in ast.walk(target):
                    if isinstance(sub, ast.Name):
                        names.append(sub.id)
    return tuple(dict.fromkeys(names))


def load_template(path: Path) -> Template:
    return parse_template(Path(path).read_bytes(), Path(path).name)


def parse_template(raw: bytes, name: str) -> Template:
    """The template from its file's bytes (a Dask worker gets them in its task, not from the course's folders)."""
    notebook = nbformat.reads(raw.decode(), as_version=4)
    cells = []
    for index, cell in enumerate(notebook.cells):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        role = cell_role(cell)
        names = defined_names(cell.source) if role == "solution" else ()
        cells.append(TemplateCell(index, role, cell.source, meta.get("grade_id"),
                                  float(meta.get("points", 0) or 0), names, cell.cell_type))
    return Template(name, cells, hashlib.sha256(raw).hexdigest())


@dataclass
class Submission:
    """What the student's notebook contributes: code per solution grade_id, extra cells, written answers."""
    solutions: dict[str, str] = field(default_factory=dict)
    extras: dict[str | None, list[str]] = field(default_factory=dict)  # code cells after a solution (None: before)
    written: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)   # what we noticed (edited tests, duplicate ids, ...)
    flags: list[str] = field(default_factory=list)   # short tags for the export's "suspicious" column


class Malformed(Exception):
    """The submitted notebook cannot be graded at all: 0 points, and the message says why."""


def parse_submission(raw: bytes, template: Template) -> Submission:
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise Malformed(f"{template.name} is not a valid notebook file (it is not JSON: {error}). "
                        "Re-download it from JupyterLab (File > Download) and submit again.") from None
    try:
        notebook = nbformat.reads(json.dumps(data), as_version=4)
    except Exception as error:  # nbformat raises several kinds
        raise Malformed(f"{template.name} is not a valid notebook ({type(error).__name__}: "
                        f"{str(error)[:200]}).") from None
    kernel = (notebook.get("metadata", {}).get("kernelspec") or {}).get("name")
    if kernel is not None and kernel not in PYTHON_KERNELS:
        raise Malformed(f"{template.name} uses the kernel {kernel!r}; it must be a Python 3 notebook "
                        "(Kernel > Change Kernel > Python 3).")
    by_id = {c.grade_id: c for c in template.cells if c.grade_id}
    submission = Submission()
    current: str | None = None
    seen: set[str] = set()
    for cell in notebook.cells:
        # untrusted metadata: read defensively here (nbgrader's is_grade/is_solution expect a well-formed dict)
        meta = cell.get("metadata", {}).get("nbgrader", {})
        meta = meta if isinstance(meta, dict) else {}
        grade_id = meta.get("grade_id") if isinstance(meta.get("grade_id"), str) else None
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        known = by_id.get(grade_id)
        if grade_id and grade_id in seen:
            submission.notes.append(f"cell id {grade_id!r} appears more than once; only the first is used.")
            submission.flags.append("duplicate-cell-id")
            continue
        if grade_id:
            seen.add(grade_id)
        if known is None:
            if grade_id and (meta.get("grade") or meta.get("solution")):
                submission.notes.append(f"a cell with unknown id {grade_id!r} was ignored.")
                submission.flags.append("unknown-graded-cell")
            elif cell.cell_type == "code" and source.strip():
                submission.extras.setdefault(current, []).append(source)
            continue
        if known.role == "solution":
            if cell.cell_type != "code":
                submission.notes.append(f"your solution cell {grade_id!r} is no longer a code cell; it was not run.")
                submission.flags.append("retyped-cell")
                continue
            submission.solutions[grade_id] = source
            current = grade_id
        elif known.role == "written":
            submission.written[grade_id] = source
        elif known.role == "test":
            if cell.cell_type != "code":
                submission.flags.append("retyped-test")
                submission.notes.append(f"test cell {grade_id!r} was changed to {cell.cell_type}; "
                                        "the original test was run.")
            elif source.strip() != known.visible_source.strip():
                submission.flags.append("edited-test")
                submission.notes.append(f"test cell {grade_id!r} was edited; the original test was run.")
            points = meta.get("points")
            if points is not None and points != known.points and float(points or 0) != known.points:
                submission.flags.append("changed-points")
                submission.notes.append(f"test cell {grade_id!r} claims {points} points; it is worth "
                                        f"{known.points:g}.")
    for cell in template.cells:
        if cell.role == "test" and cell.grade_id not in seen:
            submission.flags.append("deleted-test")
            submission.notes.append(f"test cell {cell.grade_id!r} is missing from your notebook; the original test "
                                    "was run.")
        if cell.role == "solution" and cell.grade_id not in submission.solutions and cell.grade_id not in seen:
            submission.notes.append(f"your notebook has no cell {cell.grade_id!r} (deleted?), so its code is missing.")
            submission.flags.append("deleted-solution")
    submission.flags = sorted(set(submission.flags))
    return submission


def program(template: Template, submission: Submission) -> list[tuple[str, str, bool]]:
    """(label, source, is_setup) of every cell the student's process runs, in template order: the notebook's own
    read-only cells and the student's solution cells; never a test cell (tests run in the grader)."""
    cells: list[tuple[str, str, bool]] = []
    first_solution = True
    for cell in template.cells:
        if cell.role == "setup":
            cells.append((f"cell {cell.index + 1}", cell.source, True))
        elif cell.role == "solution":
            if first_solution:
                cells += [(f"cell {cell.index + 1}, your extra code", s, False)
                          for s in submission.extras.get(None, [])]
                first_solution = False
            if cell.grade_id in submission.solutions:
                cells.append((f"cell {cell.index + 1}, your solution {cell.grade_id}",
                              submission.solutions[cell.grade_id], False))
            cells += [(f"cell {cell.index + 1}, your extra code", s, False)
                      for s in submission.extras.get(cell.grade_id, [])]
    return cells
