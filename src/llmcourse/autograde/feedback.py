"""Per-student feedback HTML: visible tests only, the student's own code and output, and why points were lost.

Built from the grader's result (not from an executed notebook), so hidden tests cannot appear: test cells are
shown with nbgrader's hidden-test block removed, messages never include the grader's traceback, and as a last
guard every line of a hidden test is scrubbed from all text before writing (TA comments included). Nothing from
another student's result is read while writing one student's page. Scores come from nbgrader's gradebook: a TA's
manual scores and comments from formgrader, the late penalty, the final score.

Each page is written where nbgrader's release_feedback expects it (autograder/feedback/<student>/<assignment>/
<notebook>.html), with the submission's timestamp.txt and submission_secret.txt beside it, so exchange.py can
release it to the student's Assignment List.
"""
from __future__ import annotations

import html
import shutil
from pathlib import Path

from llmcourse.autograde.coursedir import CourseFolders
from llmcourse.autograde.deadlines import show_time
from llmcourse.autograde.notebooks import load_template, secret_lines
from llmcourse.autograde.results import load_results

STYLE = """body{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.4}
pre{background:#f6f6f6;padding:.6em;overflow-x:auto;white-space:pre-wrap}
.pass{color:#176317}.fail{color:#a00}.cell{border-left:4px solid #ddd;padding-left:1em;margin:1.2em 0}
.note{background:#fff6d5;padding:.5em}"""


def hidden_lines(template) -> list[str]:
    """Hidden-test lines of a template (nbgrader notebook), scrubbed from feedback: notebooks.secret_lines."""
    return secret_lines([cell.source for cell in template.cells])


def scrub(text: str, secrets: list[str]) -> str:
    for line in secrets:
        text = text.replace(line, "(hidden test)")
    return text


def _summary(scores, score: float, maximum: float) -> str:
    if scores is None:
        return (f"<p>Auto-graded score: <b>{score:g} / {maximum:g}</b> (written answers are graded by hand).</p>")
    written = [c for c in scores.cells.values() if c.kind == "written"]
    tests = [c for c in scores.cells.values() if c.kind == "test"]
    waiting = any(c.needs_manual_grade for c in written)
    lines = [f"<p>Score: <b>{scores.final:g} / {scores.max_score:g}</b></p><ul>",
             f"<li>tests (auto-graded): {scores.auto:g} / {sum(c.max_score for c in tests):g}</li>",
             f"<li>written answers (graded by hand): {scores.manual:g} / {sum(c.max_score for c in written):g}"
             f"{' (not graded yet)' if waiting else ''}</li>"]
    if scores.timestamp is not None:
        late = f", {scores.seconds_late / 86400:.2f} days late" if scores.seconds_late > 0 else ", on time"
        due = f"; due {show_time(scores.duedate)}" if scores.duedate is not None else ""
        lines.append(f"<li>submitted {show_time(scores.timestamp)}{due}{late if scores.duedate else ''}</li>")
    if scores.penalty:
        lines.append(f"<li>late penalty: &minus;{scores.penalty:g} (score before it: {scores.raw:g})</li>")
    return "\n".join(lines) + "</ul>"


def render(result: dict, templates: dict, scores=None) -> dict[str, str]:
    """One page per notebook. `scores`: the gradebook's view of this submission (scores.SubmissionScores)."""
    pages = {}
    comments = scores.comments if scores is not None else {}
    for notebook in result["notebooks"]:
        template = templates[notebook["name"]]
        secrets = hidden_lines(template)
        esc = lambda text: html.escape(scrub(str(text), secrets))  # noqa: E731
        verdicts = {c["grade_id"]: c for c in notebook["cells"]}
        score = sum(c["points"] for c in notebook["cells"])
        maximum = sum(c["max_points"] for c in notebook["cells"])
        parts = [f"<!doctype html><meta charset='utf-8'><title>{esc(notebook['name'])} feedback</title>",
                 f"<style>{STYLE}</style><h1>{esc(result['assignment'])}: {esc(notebook['name'])}</h1>",
                 f"<p>Student: <b>{esc(result['student'])}</b>.</p>" + _summary(scores, score, maximum)]
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
                comment = comments.get(cell.grade_id) if cell.grade_id else None
                remark = f"<p class='note'>Comment: {esc(comment)}</p>" if comment else ""
                if cell.role == "solution":
                    code = notebook.get("solutions", {}).get(cell.grade_id, "(missing)")
                    parts.append(f"<div class='cell'><h3>Your code: {esc(cell.grade_id)}</h3><pre>{esc(code)}</pre>"
                                 f"{remark}</div>")
                elif cell.role == "test":
                    verdict = verdicts.get(cell.grade_id, {})
                    ok = verdict.get("passed")
                    label = "passed" if ok else "failed"
                    points = verdict.get("points", 0)
                    graded = scores.cells.get(cell.grade_id) if scores is not None else None
                    if graded is not None and graded.manual is not None:
                        points, label = graded.score, f"{label}; score set by your TA"
                    parts.append(f"<div class='cell'><h3 class='{'pass' if ok else 'fail'}'>Test {esc(cell.grade_id)}: "
                                 f"{label}, {points:g} / {cell.points:g} points</h3>"
                                 f"<pre>{esc(cell.visible_source.strip())}\n# (+ hidden tests)</pre>")
                    if verdict.get("message"):
                        parts.append(f"<p class='fail'>Why: </p><pre>{esc(verdict['message'])}</pre>")
                    parts.append(remark + "</div>")
                elif cell.role == "written":
                    answer = notebook.get("written", {}).get(cell.grade_id, "")
                    graded = scores.cells.get(cell.grade_id) if scores is not None else None
                    if graded is None or (graded.needs_manual_grade and graded.manual is None):
                        mark = "graded by hand: not graded yet"
                    else:
                        mark = f"{graded.score:g} / {cell.points:g} points"
                    parts.append(f"<div class='cell'><h3>Written answer {esc(cell.grade_id)} ({mark})</h3>"
                                 f"<pre>{esc(answer)}</pre>{remark}</div>")
            if notebook.get("student_output"):
                parts.append("<h2>What your notebook printed</h2><pre>" + esc(notebook["student_output"]) + "</pre>")
        pages[notebook["name"]] = "\n".join(parts)
    return pages


def write_feedback(course: CourseFolders, assignment: str, students: list[str] | None = None) -> list[Path]:
    from nbgrader.api import Gradebook

    from llmcourse.autograde.deadlines import apply_late_penalties
    from llmcourse.autograde.scores import submission_scores

    templates = {t.name: load_template(t) for t in course.templates(assignment)}
    apply_late_penalties(course, assignment)  # a TA's manual scores change a percentage penalty
    written = []
    with Gradebook(course.db_url) as gradebook:
        for student, result in sorted(load_results(course, assignment).items()):
            if students and student not in students:
                continue
            folder = course.feedback / student / assignment
            folder.mkdir(parents=True, exist_ok=True)
            scores = submission_scores(gradebook, assignment, student)
            for name, page in render(result, templates, scores).items():
                target = folder / name.replace(".ipynb", ".html")
                target.write_text(page)
                written.append(target)
            submitted = course.submitted / student / assignment
            for exchange_file in ("timestamp.txt", "submission_secret.txt"):
                source = submitted / exchange_file
                if source.is_file() and not source.is_symlink():
                    shutil.copyfile(source, folder / exchange_file)
                elif (folder / exchange_file).exists():
                    (folder / exchange_file).unlink()
    return written
