"""Grades CSV (from nbgrader's gradebook: auto and manual scores, raw score, late penalty, final score), LMS import
files (Canvas, Moodle) and a short summary: score distribution plot, per-question pass rates, submissions that hit a
limit, submissions that look suspicious."""
from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

from llmcourse.autograde.coursedir import CourseFolders, venv_bin_on_path
from llmcourse.autograde.notebooks import load_template
from llmcourse.autograde.results import load_results

SUSPICIOUS_CODE = {
    r"sys\.excepthook|set_custom_exc": "replaces the exception handler",
    r"os\._exit|sys\.exit\(": "ends the process",
    r"\bctypes\b": "uses ctypes",
    r"gradebook|solutions/|HIDDEN": "looks for grader files",
    r"def __eq__": "defines __eq__",
    r"builtins\.|sys\.modules\[": "patches builtins or modules",
    r"\bnp\.\w+\s*=|numpy\.\w+\s*=|torch\.\w+\s*=|grading\.\w+\s*=": "monkeypatches a library",
    r"\bsocket\b|urllib|requests\.": "uses the network",
    r"os\.fork|subprocess|setsid": "starts processes",
    r"shutil\.rmtree|os\.remove": "deletes files",
}


def suspicious(result: dict) -> list[str]:
    reasons = []
    for notebook in result["notebooks"]:
        reasons += notebook.get("flags", [])
        code = "\n".join(list(notebook.get("solutions", {}).values()))
        reasons += [why for pattern, why in SUSPICIOUS_CODE.items() if re.search(pattern, code)]
    return sorted(set(reasons))


GRADE_COLUMNS = ["timestamp", "duedate", "auto_score", "manual_score", "raw_score", "late_submission_penalty",
                 "score", "max_score", "needs_manual_grade"]


def export(course: CourseFolders, assignment: str, roster: Path | None = None,
           canvas_assignment_id: str | None = None) -> tuple[Path, ...]:
    """<a>_grades.csv (every number from nbgrader's gradebook: auto and manual parts, raw score, late penalty, final
    score = max(0, raw - penalty), as `nbgrader export` computes it), summary, plot, and with a roster the LMS import
    files <a>_canvas.csv and <a>_moodle.csv."""
    venv_bin_on_path()
    from nbgrader.api import Gradebook

    from llmcourse.autograde.deadlines import apply_late_penalties, show_time
    from llmcourse.autograde.scores import submission_scores

    results = load_results(course, assignment)
    test_ids = [c.grade_id for t in course.templates(assignment) for c in load_template(t).cells
                if c.role in ("test", "written")]
    course.exports.mkdir(parents=True, exist_ok=True)
    csv_path = course.exports / f"{assignment}_grades.csv"
    apply_late_penalties(course, assignment)  # after manual grading: a percentage penalty follows the score
    rows = []
    with Gradebook(course.db_url) as gradebook:
        for student in sorted(results):
            result = results[student]
            scores = submission_scores(gradebook, assignment, student)
            cells = {c["grade_id"]: c for nb in result["notebooks"] for c in nb["cells"]}
            if scores is not None:
                grades = {"timestamp": show_time(scores.timestamp), "duedate": show_time(scores.duedate),
                          "auto_score": scores.auto, "manual_score": scores.manual, "raw_score": scores.raw,
                          "late_submission_penalty": round(scores.penalty, 6), "score": round(scores.final, 6),
                          "max_score": scores.max_score, "needs_manual_grade": scores.needs_manual_grade}
                per_cell = {g: scores.cells[g].score if g in scores.cells else "" for g in test_ids}
            else:
                grades = {k: "" for k in GRADE_COLUMNS} | {"score": 0.0, "max_score": result.get("max_score", 0.0)}
                per_cell = {g: cells[g]["points"] if g in cells and cells[g]["kind"] == "test" else ""
                            for g in test_ids}
            limits = sorted({x for nb in result["notebooks"] for x in nb.get("limits", [])})
            why = [nb.get("malformed") for nb in result["notebooks"] if nb.get("malformed")]
            rows.append({"student_id": student, "status": result["status"], **grades, **per_cell,
                         "limits": ";".join(limits), "suspicious": ";".join(suspicious(result)),
                         "message": " | ".join(why + result.get("messages", []))[:300]})
    with open(csv_path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["student_id", "status", *GRADE_COLUMNS, *test_ids,
                                                    "limits", "suspicious", "message"])
        writer.writeheader()
        writer.writerows(rows)
    plot_path = course.exports / f"{assignment}_scores.png"
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(6, 3.5), dpi=80)
    axis.hist([r["score"] for r in rows], bins=max(5, min(20, len(rows))), color="#4477aa")
    axis.set_xlabel("score (after late penalties)")
    axis.set_ylabel("students")
    axis.set_title(f"{assignment}: score distribution ({len(rows)} submissions)")
    figure.tight_layout()
    figure.savefig(plot_path)
    plt.close(figure)
    summary_path = course.exports / f"{assignment}_summary.md"
    lines = [f"# {assignment}: {len(rows)} submissions", "", f"![score distribution]({plot_path.name})", "",
             "## Per-question pass rate", "", "| test cell | passed | rate |", "|---|---|---|"]
    for grade_id in test_ids:
        outcomes = [nb_cell for r in results.values() for nb in r["notebooks"] for nb_cell in nb["cells"]
                    if nb_cell["grade_id"] == grade_id and nb_cell["kind"] == "test"]
        passed = sum(1 for c in outcomes if c["passed"])
        if outcomes:
            lines.append(f"| {grade_id} | {passed}/{len(outcomes)} | {passed / len(outcomes):.0%} |")
    statuses = Counter(r["status"] for r in rows)
    lines += ["", "## Status", ""] + [f"- {k}: {v}" for k, v in sorted(statuses.items())]
    lines += ["", "## Hit a limit", ""] + ([f"- {r['student_id']}: {r['limits']}" for r in rows if r["limits"]]
                                          or ["- none"])
    lines += ["", "## Look suspicious (check by hand)", ""] + (
        [f"- {r['student_id']}: {r['suspicious']}" for r in rows if r["suspicious"]] or ["- none"])
    summary_path.write_text("\n".join(lines) + "\n")
    if roster is None:
        return csv_path, summary_path, plot_path
    canvas, moodle = lms_files(course, assignment, rows, roster, canvas_assignment_id)
    return csv_path, summary_path, plot_path, canvas, moodle


def _roster_rows(roster: Path) -> dict[str, dict]:
    with open(roster, newline="") as handle:
        return {(row.get("student_id") or "").strip(): {k: (v or "").strip() for k, v in row.items() if k}
                for row in csv.DictReader(handle) if (row.get("student_id") or "").strip()}


def lms_files(course: CourseFolders, assignment: str, rows: list[dict], roster: Path,
              canvas_assignment_id: str | None = None) -> tuple[Path, Path]:
    """Gradebook-import CSVs with the final score (after the late penalty) of every roster student who was graded.

    Canvas (Grades > Import): Student, ID, SIS User ID, SIS Login ID, Section, then one column per assignment,
    headed "<name> (<Canvas assignment id>)" to update an existing assignment (plain "<name>" makes a new one).
    Roster columns used: name ("Last, First"), lms_id (Canvas user ID), sis_id, sis_login_id, section.
    Moodle (Grades > Import > CSV file): an identifier column to map (Email address -> email, ID number ->
    idnumber) and the grade column. Roster columns used: email, idnumber (default: sis_id)."""
    people = _roster_rows(roster)
    graded = {r["student_id"]: r for r in rows}
    column = f"{assignment} ({canvas_assignment_id})" if canvas_assignment_id else assignment
    canvas_path = course.exports / f"{assignment}_canvas.csv"
    moodle_path = course.exports / f"{assignment}_moodle.csv"
    with open(canvas_path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", column])
        for student, person in sorted(people.items()):
            if student in graded:
                writer.writerow([person.get("name", student), person.get("lms_id", ""), person.get("sis_id", ""),
                                 person.get("sis_login_id", student), person.get("section", ""),
                                 _number(graded[student]["score"])])
    with open(moodle_path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Email address", "ID number", assignment])
        for student, person in sorted(people.items()):
            if student in graded:
                writer.writerow([person.get("email", ""), person.get("idnumber") or person.get("sis_id", ""),
                                 _number(graded[student]["score"])])
    return canvas_path, moodle_path


def _number(value) -> str:
    return f"{float(value):.2f}".rstrip("0").rstrip(".") if value != "" else ""
