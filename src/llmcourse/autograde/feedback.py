"""Per-student feedback HTML: visible tests only, the student's own code and output, and why points were lost.

Built from the grader's result (not from an executed notebook), so hidden tests cannot appear: test cells are
shown with nbgrader's hidden-test block removed, messages never include the grader's traceback, and as a last
guard every line of a hidden test is scrubbed from all text before writing. Nothing from another student's result
is read while writing one student's page.
"""
from __future__ import annotations

import html
from pathlib import Path

from llmcourse.autograde.batch import load_results
from llmcourse.autograde.course import Course
from llmcourse.autograde.notebooks import HIDDEN, load_template

STYLE = """body{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.4}
pre{background:#f6f6f6;padding:.6em;overflow-x:auto;white-space:pre-wrap}
.pass{color:#176317}.fail{color:#a00}.cell{border-left:4px solid #ddd;padding-left:1em;margin:1.2em 0}
.note{background:#fff6d5;padding:.5em}"""


def hidden_lines(template) -> list[str]:
    lines = []
    for cell in template.cells:
        for block in HIDDEN.findall(cell.source):
            lines += [line.strip() for line in block.splitlines()
                      if len(line.strip()) >= 8 and "HIDDEN TESTS" not in line]
    return lines


def scrub(text: str, secrets: list[str]) -> str:
    for line in secrets:
        text = text.replace(line, "(hidden test)")
    return text


def render(result: dict, templates: dict) -> dict[str, str]:
    pages = {}
    for notebook in result["notebooks"]:
        template = templates[notebook["name"]]
        secrets = hidden_lines(template)
        esc = lambda text: html.escape(scrub(str(text), secrets))  # noqa: E731
        verdicts = {c["grade_id"]: c for c in notebook["cells"]}
        score = sum(c["points"] for c in notebook["cells"])
        maximum = sum(c["max_points"] for c in notebook["cells"])
        parts = [f"<!doctype html><meta charset='utf-8'><title>{esc(notebook['name'])} feedback</title>",
                 f"<style>{STYLE}</style><h1>{esc(result['assignment'])}: {esc(notebook['name'])}</h1>",
                 f"<p>Student: <b>{esc(result['student'])}</b>. Auto-graded score: <b>{score:g} / {maximum:g}"
                 "</b> (written answers are graded by hand).</p>"]
        for message in ([notebook.get("malformed")] if notebook.get("malformed") else []) + \
                result.get("messages", []) + notebook.get("notes", []):
            parts.append(f"<p class='note'>{esc(message)}</p>")
        if notebook.get("limits"):
            parts.append(f"<p class='note'>Limits reached while running your code: {esc(', '.join(notebook['limits']))}</p>")
        if notebook.get("cell_errors"):
            parts.append("<h2>Errors while running your notebook</h2><pre>" +
                         esc("\n".join(notebook["cell_errors"])) + "</pre>")
        if not notebook.get("malformed"):
            for cell in template.cells:
                if cell.role == "solution":
                    code = notebook.get("solutions", {}).get(cell.grade_id, "(missing)")
                    parts.append(f"<div class='cell'><h3>Your code: {esc(cell.grade_id)}</h3><pre>{esc(code)}</pre></div>")
                elif cell.role == "test":
                    verdict = verdicts.get(cell.grade_id, {})
                    ok = verdict.get("passed")
                    label = "passed" if ok else "failed"
                    parts.append(f"<div class='cell'><h3 class='{'pass' if ok else 'fail'}'>Test {esc(cell.grade_id)}: "
                                 f"{label}, {verdict.get('points', 0):g} / {cell.points:g} points</h3>"
                                 f"<pre>{esc(cell.visible_source.strip())}\n# (+ hidden tests)</pre>")
                    if verdict.get("message"):
                        parts.append(f"<p class='fail'>Why: </p><pre>{esc(verdict['message'])}</pre>")
                    parts.append("</div>")
                elif cell.role == "written":
                    answer = notebook.get("written", {}).get(cell.grade_id, "")
                    parts.append(f"<div class='cell'><h3>Written answer {esc(cell.grade_id)} (graded by hand)</h3>"
                                 f"<pre>{esc(answer)}</pre></div>")
            if notebook.get("student_output"):
                parts.append("<h2>What your notebook printed</h2><pre>" + esc(notebook["student_output"]) + "</pre>")
        pages[notebook["name"]] = "\n".join(parts)
    return pages


def write_feedback(course: Course, assignment: str, students: list[str] | None = None) -> list[Path]:
    templates = {t.name: load_template(t) for t in course.templates(assignment)}
    written = []
    for student, result in sorted(load_results(course, assignment).items()):
        if students and student not in students:
            continue
        for name, page in render(result, templates).items():
            target = course.feedback / student / assignment / name.replace(".ipynb", ".html")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(page)
            written.append(target)
    return written
