"""Autograded notebooks for nbgrader's formgrader: autograder/autograded/<student>/<assignment>/<notebook>.ipynb.

Built from the trusted source notebook (solutions/), never from the student's file as it is: every graded cell keeps
the source's nbgrader metadata (grade_id, points, grade/solution/locked), so formgrader matches it with the
gradebook's rows. Solution cells and written answers hold the student's text, the student's extra code cells
follow the solution they came after, and each test cell (hidden tests included: formgrader is the instructor's view)
shows the grader's verdict as its output. A first, unmarked cell lists what the grader noticed. Students never
receive this file: their feedback is built by feedback.py, which removes hidden tests.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_output

from llmcourse.autograde.coursedir import CourseFolders
from llmcourse.autograde.deadlines import TIMESTAMP
from llmcourse.autograde.notebooks import cell_role


def _verdict_outputs(verdict: dict) -> list:
    outputs = []
    if verdict.get("output"):
        outputs.append(new_output("stream", name="stdout", text=verdict["output"]))
    if verdict.get("passed") is False:
        message = verdict.get("message") or "failed"
        outputs.append(new_output("error", ename="TestFailed", evalue=message.splitlines()[0][:300],
                                  traceback=message.splitlines()))
    elif verdict.get("passed"):
        outputs.append(new_output("stream", name="stdout",
                                  text=f"passed: {verdict['points']:g} / {verdict['max_points']:g} points\n"))
    return outputs


def _grader_notes(result: dict, notebook: dict) -> str:
    lines = [f"**Course grader** ({result['student']}, {result['assignment']}): auto-graded score "
             f"{sum(c['points'] for c in notebook['cells'] if c['kind'] == 'test'):g}; written answers below are "
             "scored here by hand. Test cells show the grader's verdict (hidden tests included: instructors only)."]
    for text in ([notebook.get("malformed")] if notebook.get("malformed") else []) + result.get("messages", []) + \
            notebook.get("notes", []):
        lines.append(f"- {text}")
    if notebook.get("limits"):
        lines.append(f"- limits reached: {', '.join(notebook['limits'])}")
    for error in notebook.get("cell_errors", [])[:20]:
        lines.append("- error while running: `" + error.splitlines()[0][:200].replace("`", "'") + "`")
    if notebook.get("student_output"):
        lines.append("\nWhat the notebook printed:\n\n```\n" + notebook["student_output"][:3000] + "\n```")
    return "\n".join(lines)


def autograded_notebook(template_path: Path, result: dict, notebook: dict):
    source = nbformat.read(template_path, as_version=4)
    verdicts = {c["grade_id"]: c for c in notebook["cells"]}
    solutions, written = notebook.get("solutions", {}), notebook.get("written", {})
    extras = notebook.get("extras", {})
    cells = [new_markdown_cell(_grader_notes(result, notebook))]
    first_solution = True
    for cell in source.cells:
        role = cell_role(cell)
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        new = nbformat.from_dict(dict(cell))
        if new.cell_type == "code":
            new.outputs, new.execution_count = [], None
        if role == "solution":
            if first_solution:
                cells += [new_code_cell(code) for code in extras.get("", [])]
                first_solution = False
            new.source = solutions.get(grade_id, "# (this cell is missing from the submission)")
            cells.append(new)
            cells += [new_code_cell(code) for code in extras.get(grade_id, [])]
            continue
        if role == "written":
            new.source = written.get(grade_id, "(this answer is missing from the submission)")
        elif role == "test":
            new.outputs = _verdict_outputs(verdicts.get(grade_id, {}))
        cells.append(new)
    source.cells = cells
    return source


def write_autograded(course: CourseFolders, result: dict, templates: dict[str, Path]) -> list[Path]:
    """Write (atomically) every notebook of one student's result; copy the submission's timestamp.txt beside them,
    as nbgrader's autograde does."""
    folder = course.autograded / result["student"] / result["assignment"]
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for notebook in result["notebooks"]:
        target = folder / notebook["name"]
        tmp = target.with_name(f".{target.name}.tmp")
        nbformat.write(autograded_notebook(templates[notebook["name"]], result, notebook), tmp)
        os.replace(tmp, target)
        written.append(target)
    stamp = course.submitted / result["student"] / result["assignment"] / TIMESTAMP
    if stamp.is_file() and not stamp.is_symlink():
        shutil.copyfile(stamp, folder / TIMESTAMP)
    elif (folder / TIMESTAMP).exists():
        (folder / TIMESTAMP).unlink()
    return written
