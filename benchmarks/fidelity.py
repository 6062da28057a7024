#!/usr/bin/env python3
"""How faithfully an exercise's tests judge answers nobody tuned them for: grades the independent answers in
benchmarks/independent_answers/psNN_topic.py (written from the instructions only; `@alternative` = correct,
`@mutant` = plausible wrong) in-process, as the test suite does, and with --grader also through the course's grader,
and prints how many correct answers lose a point and how many wrong answers keep full marks.

    .venv/bin/python benchmarks/fidelity.py [ps01_word2vec_cosine ...] [--grader] [--at REV] [--workers N]
        [--answers benchmarks/blind_answers]

--at REV grades against the solutions notebook of that git revision (e.g. the commit before a change), to measure
before and after on the same answers. The answers run in the notebook's namespace, so they may call the notebook's
other functions (the reference's), as a student's function calls the student's own.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from grader_vs_mutants import mutant_submission  # noqa: E402

from llmcourse.autograde.batch import autograde  # noqa: E402
from llmcourse.autograde.coursedir import CourseFolders  # noqa: E402
from llmcourse.autograde.notebooks import load_template  # noqa: E402
from llmcourse.authoring.mutation import InProcessNotebook, _run_source  # noqa: E402

ANSWERS_DIR = ROOT / "benchmarks" / "independent_answers"


def notebook_at(assignment: str, revision: str | None, folder: Path) -> Path:
    relative = f"solutions/{assignment}/{assignment}.ipynb"
    if revision is None:
        return ROOT / relative
    target = folder / "at" / assignment / f"{assignment}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(subprocess.run(["git", "show", f"{revision}:{relative}"], cwd=ROOT, check=True,
                                      capture_output=True).stdout)
    return target


def answers(notebook: InProcessNotebook, source: str) -> list:
    """(kind, name, target, implementation) of every answer, defined in a copy of the notebook's namespace."""
    namespace = dict(notebook.base)
    _run_source(source, namespace, "independent answers")
    found = []
    for value in namespace.values():
        if hasattr(value, "__alternative__"):
            a = value.__alternative__
            found.append(("correct", a.name, a.target, a.implementation))
        elif hasattr(value, "__mutant__"):
            m = value.__mutant__
            found.append(("wrong", m.name, m.target, m.implementation))
    return found


def grade_with_grader(assignment: str, notebook_path: Path, source: str, entries: list, workers: int,
                      base: Path) -> dict:
    course = base / assignment / "course"
    (course / "autograder").mkdir(parents=True)
    shutil.copy(ROOT / "autograder" / "nbgrader_config.py", course / "autograder")
    (course / "solutions" / assignment).mkdir(parents=True)
    shutil.copy(notebook_path, course / "solutions" / assignment / f"{assignment}.ipynb")
    template = load_template(notebook_path)
    notebook = json.loads(notebook_path.read_text())
    module_source = source.replace("from __future__ import annotations\n", "")
    for _, name, target, _ in entries:
        entry = type("Entry", (), {"name": name, "target": target})
        folder = course / "autograder" / "submitted" / name / assignment
        folder.mkdir(parents=True)
        (folder / f"{assignment}.ipynb").write_text(json.dumps(mutant_submission(notebook, template,
                                                                                 module_source, entry)))
    results = autograde(CourseFolders(course), assignment, workers=workers, progress=False, log=lambda *a: None)
    return {name: {c["grade_id"] for nb in results[name]["notebooks"] for c in nb["cells"]
                   if c["kind"] == "test" and not c["passed"]} for _, name, _, _ in entries}


def measure(assignment: str, args, base: Path) -> tuple[int, int, int, int]:
    path = args.answers / f"{assignment}.py"
    source = path.read_text()
    notebook_path = notebook_at(assignment, args.at, base)
    notebook = InProcessNotebook(notebook_path)
    entries = answers(notebook, source)
    in_process = {name: notebook.grade({target: impl}).failed() for _, name, target, impl in entries}
    grader = None
    if args.grader:
        started = time.monotonic()
        grader = grade_with_grader(assignment, notebook_path, source, entries, args.workers, base)
        print(f"  (the grader took {time.monotonic() - started:.0f} s)")
    correct = [e for e in entries if e[0] == "correct"]
    wrong = [e for e in entries if e[0] == "wrong"]
    bad_correct = [e[1] for e in correct if in_process[e[1]] or (grader and grader[e[1]])]
    kept_wrong = [e[1] for e in wrong if not in_process[e[1]] and not (grader and grader[e[1]])]
    for kind, name, target, _ in entries:
        lost = in_process[name]
        flag = ("LOSES POINTS" if kind == "correct" and lost else
                "KEEPS FULL MARKS" if kind == "wrong" and not lost else "ok")
        differ = "" if grader is None or grader[name] == lost else f"   GRADER DIFFERS: lost {sorted(grader[name])}"
        print(f"  {flag:16s} {kind:7s} {target:28s} {name:50s} lost {sorted(lost)}{differ}")
    print(f"{assignment}: {len(bad_correct)} of {len(correct)} correct answers lose points; {len(kept_wrong)} of "
          f"{len(wrong)} wrong answers keep full marks"
          + ("" if grader is None else
             f"; grader and in-process agree on {sum(grader[n] == in_process[n] for n in in_process)} of "
             f"{len(in_process)}"))
    return len(bad_correct), len(correct), len(kept_wrong), len(wrong)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("assignments", nargs="*")
    parser.add_argument("--grader", action="store_true", help="also grade through the course's grader")
    parser.add_argument("--at", default=None, help="git revision of the solutions notebook to grade against")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--answers", type=Path, default=ANSWERS_DIR,
                        help="folder of psNN_topic.py answer files (default: benchmarks/independent_answers; "
                             "benchmarks/blind_answers holds a set written by someone who never saw the tests)")
    args = parser.parse_args()
    chosen = args.assignments or sorted(p.stem for p in args.answers.glob("ps*.py"))
    base = Path(tempfile.mkdtemp(prefix="fidelity-"))
    totals = [0, 0, 0, 0]
    try:
        for assignment in chosen:
            totals = [t + n for t, n in zip(totals, measure(assignment, args, base))]
    finally:
        shutil.rmtree(base, ignore_errors=True)
    print(f"all: {totals[0]} of {totals[1]} correct answers lose points; {totals[2]} of {totals[3]} wrong answers "
          f"keep full marks")
    return 0


if __name__ == "__main__":
    sys.exit(main())
