"""Small fixture notebooks for the grader's unit tests: a list of (role, source) cells becomes an nbgrader source
notebook, with the cell metadata nbgrader's own Create Assignment writes."""
from __future__ import annotations

from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

NBGRADER_FLAGS = {  # role -> (grade, solution, locked), as nbgrader's Create Assignment sets them
    "setup": (False, False, True),
    "solution": (False, True, False),
    "test": (True, False, True),
    "written": (True, True, False),
}


def nbgrader_notebook(cells: list[tuple[str, str]], points: float = 1.0):
    """`cells`: (role, source) with role setup, solution, test, written or text; grade ids are role + index."""
    built = []
    for index, (role, source) in enumerate(cells):
        if role == "text":
            built.append(new_markdown_cell(source))
            continue
        grade, solution, locked = NBGRADER_FLAGS[role]
        meta = {"nbgrader": {"grade": grade, "solution": solution, "locked": locked,
                             "grade_id": f"{role}{index}", "schema_version": 3}}
        if grade:
            meta["nbgrader"]["points"] = points
        make = new_markdown_cell if role == "written" else new_code_cell
        built.append(make(source, metadata=meta))
    return new_notebook(cells=built, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                              "language": "python"}})
