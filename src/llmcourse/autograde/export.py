"""Grades CSV (auto scores from nbgrader's gradebook) and a short summary: score distribution plot, per-question
pass rates, submissions that hit a limit, submissions that look suspicious."""
from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

from llmcourse.autograde.batch import load_results
from llmcourse.autograde.course import Course, venv_bin_on_path
from llmcourse.autograde.notebooks import load_template

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


def export(course: Course, assignment: str) -> tuple[Path, Path, Path]:
    venv_bin_on_path()
    from nbgrader.api import Gradebook, MissingEntry

    results = load_results(course, assignment)
    test_ids = [c.grade_id for t in course.templates(assignment) for c in load_template(t).cells
                if c.role in ("test", "written")]
    course.exports.mkdir(parents=True, exist_ok=True)
    csv_path = course.exports / f"{assignment}_grades.csv"
    rows = []
    with Gradebook(course.db_url) as gradebook:
        for student in sorted(results):
            result = results[student]
            try:
                submission = gradebook.find_submission(assignment, student)
                score, max_score = submission.score, submission.max_score
            except MissingEntry:
                score, max_score = 0.0, result.get("max_score", 0.0)
            cells = {c["grade_id"]: c for nb in result["notebooks"] for c in nb["cells"]}
            limits = sorted({x for nb in result["notebooks"] for x in nb.get("limits", [])})
            why = [nb.get("malformed") for nb in result["notebooks"] if nb.get("malformed")]
            rows.append({"student_id": student, "status": result["status"], "score": score, "max_score": max_score,
                         **{g: cells[g]["points"] if g in cells and cells[g]["kind"] == "test" else "" for g in test_ids},
                         "limits": ";".join(limits), "suspicious": ";".join(suspicious(result)),
                         "message": " | ".join(why + result.get("messages", []))[:300]})
    with open(csv_path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["student_id", "status", "score", "max_score", *test_ids,
                                                    "limits", "suspicious", "message"])
        writer.writeheader()
        writer.writerows(rows)
    plot_path = course.exports / f"{assignment}_scores.png"
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(6, 3.5), dpi=80)
    axis.hist([r["score"] for r in rows], bins=max(5, min(20, len(rows))), color="#4477aa")
    axis.set_xlabel("score (auto-graded part)")
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
    return csv_path, summary_path, plot_path
