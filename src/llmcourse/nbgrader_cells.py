"""Read an nbgrader source notebook: which cells are setup, solutions, graded tests or written answers."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import nbformat

from llmcourse.paths import REPO_ROOT

SOLUTIONS_DIR = REPO_ROOT / "solutions"
EXERCISES_DIR = REPO_ROOT / "exercises"


@dataclass(frozen=True)
class Cell:
    index: int
    cell_type: str  # "code" or "markdown"
    role: str       # "setup", "solution", "test", "written" (manually graded answer), "text"
    source: str
    grade_id: str | None = None
    points: float = 0.0


def cell_role(cell) -> str:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    if cell.cell_type != "code":
        return "written" if meta.get("solution") else "text"
    if meta.get("grade") and not meta.get("solution"):
        return "test"
    if meta.get("solution"):
        return "solution"
    return "setup"


def read_cells(notebook_path: str | Path) -> list[Cell]:
    notebook = nbformat.read(str(notebook_path), as_version=4)
    cells = []
    for index, cell in enumerate(notebook.cells):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        cells.append(Cell(index=index, cell_type=cell.cell_type, role=cell_role(cell), source=cell.source,
                          grade_id=meta.get("grade_id"), points=float(meta.get("points", 0) or 0)))
    return cells


def assignments() -> list[str]:
    """Names of the assignments in solutions/ (psNN_topic), sorted."""
    return sorted(p.name for p in SOLUTIONS_DIR.glob("ps[0-9][0-9]_*") if p.is_dir())


def assignment_notebooks(assignment: str, root: Path = SOLUTIONS_DIR) -> list[Path]:
    return sorted((root / assignment).glob("*.ipynb"))

