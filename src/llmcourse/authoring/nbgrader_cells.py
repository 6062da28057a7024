"""Read an nbgrader source notebook for the authoring tools: its cells in the grader's one cell model
(llmcourse.autograde.notebooks: setup, solution, test, written, text), and where the assignments are (nbgrader's
CourseDirectory, llmcourse.autograde.coursedir)."""
from __future__ import annotations

from pathlib import Path

from llmcourse.autograde.coursedir import CourseFolders
from llmcourse.autograde.notebooks import TemplateCell as Cell
from llmcourse.autograde.notebooks import cell_role, load_template

__all__ = ["Cell", "cell_role", "read_cells", "assignments", "assignment_notebooks", "SOLUTIONS_DIR", "EXERCISES_DIR"]

SOLUTIONS_DIR = CourseFolders().solutions
EXERCISES_DIR = CourseFolders().exercises


def read_cells(notebook_path: str | Path) -> list[Cell]:
    return load_template(Path(notebook_path)).cells


def assignments() -> list[str]:
    """Names of the assignments in solutions/ (psNN_topic), sorted."""
    return CourseFolders().assignments()


def assignment_notebooks(assignment: str, root: Path = SOLUTIONS_DIR) -> list[Path]:
    return sorted((root / assignment).glob("*.ipynb"))
