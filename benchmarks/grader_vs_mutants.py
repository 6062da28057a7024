#!/usr/bin/env python3
"""Grade every named mutant and correct alternative of an assignment (tests/mutants/psNN_*.py) with course_grader's
sandboxed grader and compare, cell by cell, with the in-process grading the test suite does
(llmcourse.authoring.mutation): prints one line per mutant, the wall time, and how many agree. Agreement shows that running the tests outside the
student's process (values decoded from bytes, models and optimisers lent and written back, source rules read from
the submitted cells) judges like the notebook itself.

    .venv/bin/python benchmarks/grader_vs_mutants.py [ps06_fine_tuning ...] [--workers N]

Each mutant becomes a submission: the reference notebook plus, after the solution cell that defines the mutant's
target, one extra cell with the whole mutants module and `target = mutant`.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
import roundtrip  # noqa: E402  (the generic nbgrader helpers the assignment tests use)
import test_assignments  # noqa: E402  (its mutant loader and in-process reference)

from llmcourse.autograde.batch import autograde  # noqa: E402
from llmcourse.autograde.coursedir import CourseFolders  # noqa: E402
from llmcourse.autograde.notebooks import load_template  # noqa: E402
from llmcourse.authoring.mutation import alternatives_in, mutants_in  # noqa: E402
from llmcourse.authoring.nbgrader_cells import assignments  # noqa: E402
from test_assignments import MUTANTS_DIR  # noqa: E402


def mutant_submission(source: dict, template, module_source: str, mutant) -> dict:
    notebook = json.loads(json.dumps(source))
    defining = next(c.grade_id for c in template.cells if c.role == "solution" and mutant.target in c.names)
    position = next(i for i, c in enumerate(notebook["cells"])
                    if c["metadata"].get("nbgrader", {}).get("grade_id") == defining)
    cell = {"cell_type": "code", "id": f"mutant-{mutant.name}"[:64], "execution_count": None, "metadata": {},
            "outputs": [],
            "source": f"{module_source}\n{mutant.target} = {mutant.name}\n"}
    notebook["cells"].insert(position + 1, cell)
    return notebook


def compare(assignment: str, workers: int, base: Path) -> tuple[int, int]:
    source_path = ROOT / "solutions" / assignment / f"{assignment}.ipynb"
    module = test_assignments.mutant_module(assignment)
    mutants = (mutants_in(module) + alternatives_in(module)) if module else []  # alternatives: nothing fails
    template = load_template(source_path)
    source = json.loads(source_path.read_text())
    module_source = (MUTANTS_DIR / f"{assignment}.py").read_text().replace("from __future__ import annotations\n", "")
    course_root = roundtrip.scratch_course(base / assignment, assignment)
    for mutant in mutants:
        folder = course_root / "autograder" / "submitted" / mutant.name / assignment
        folder.mkdir(parents=True)
        (folder / f"{assignment}.ipynb").write_text(json.dumps(mutant_submission(source, template, module_source,
                                                                                 mutant)))
    started = time.monotonic()
    results = autograde(CourseFolders(course_root), assignment, workers=workers, progress=False, log=lambda *a: None)
    seconds = time.monotonic() - started
    reference = test_assignments.reference(assignment)
    agree = 0
    for mutant in mutants:
        in_process = reference.grade({mutant.target: mutant.implementation}).failed()
        result = results[mutant.name]
        sandboxed = {c["grade_id"] for nb in result["notebooks"] for c in nb["cells"]
                     if c["kind"] == "test" and not c["passed"]}
        same = in_process == sandboxed
        agree += same
        print(f"  {'agree' if same else 'DIFFER'}  {mutant.name:45s} in-process lost {sorted(in_process)}"
              + ("" if same else f"; grader lost {sorted(sandboxed)}"))
    print(f"{assignment}: {agree}/{len(mutants)} mutants and alternatives judged alike; grading took "
          f"{seconds:.1f} s with {workers} workers")
    return agree, len(mutants)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("assignments", nargs="*", default=None)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="grader-vs-mutants-"))
    total_agree = total = 0
    try:
        for assignment in args.assignments or assignments():
            agree, count = compare(assignment, args.workers, base)
            total_agree, total = total_agree + agree, total + count
    finally:
        shutil.rmtree(base, ignore_errors=True)
    print(f"all: {total_agree}/{total} mutants and alternatives judged alike by the sandboxed grader and in-process")
    return 0 if total_agree == total else 1


if __name__ == "__main__":
    sys.exit(main())
