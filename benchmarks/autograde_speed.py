#!/usr/bin/env python3
"""Grade 30 submissions of one assignment with course_grader (parallel, sandboxed) and with plain sequential
`nbgrader autograde`, in the same run; print both wall times, their ratio and whether the scores agree.

    .venv/bin/python benchmarks/autograde_speed.py [ps01_word2vec_cosine] [--count 30] [--workers N]

Submissions: a third the reference solution, a third partly wrong (every other solution cell left as the release
stub), a third blank (the untouched release). Each tool gets its own copy of the same scratch course.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "fixtures"))
import roundtrip  # noqa: E402  (the generic nbgrader helpers the assignment tests use)

BIN = Path(sys.executable).parent


def make_course(base: Path, assignment: str) -> Path:
    if (ROOT / "solutions" / assignment).is_dir():
        course = roundtrip.scratch_course(base, assignment)
        shutil.copytree(ROOT / "exercises" / assignment, course / "exercises" / assignment)
    else:  # the toy assignment of the tests
        import toy

        course = toy.make_course(base / "course")
    return course


def submissions(course: Path, assignment: str, count: int, into: Path) -> None:
    source = course / "solutions" / assignment / f"{assignment}.ipynb"
    release = course / "exercises" / assignment / f"{assignment}.ipynb"
    for number in range(count):
        target = into / f"student{number:02d}" / assignment / f"{assignment}.ipynb"
        kind = number % 3
        if kind == 2:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(release, target)
            continue
        roundtrip.fill_in_solutions(release, source, target)
        if kind == 1:  # partly wrong: every other solution cell back to the stub
            done, stub = nbformat.read(target, 4), nbformat.read(release, 4)
            solutions = [i for i, c in enumerate(stub.cells) if c.metadata.get("nbgrader", {}).get("solution")
                         and c.cell_type == "code"]
            for i in solutions[::2]:
                done.cells[i].source = stub.cells[i].source
            nbformat.write(done, target)


def code_scores(course: Path, assignment: str, students: list[str]) -> dict[str, float]:
    os.environ["PATH"] = f"{BIN}{os.pathsep}{os.environ['PATH']}"
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'autograder' / 'gradebook.db'}") as gradebook:
        return {s: gradebook.find_submission(assignment, s).code_score for s in students}


def print_costs(course: Path, assignment: str, students: list[str]) -> None:
    """Where one submission's grading time goes (course_grader's result.json): starting the student process,
    running the notebook's cells there, the tests here, and the parent's gradebook write."""
    import json

    timings = [json.loads((course / "autograder" / "autograded" / s / assignment / "result.json").read_text())
               .get("timings", {}) for s in students]
    steps = ("start", "cells", "tests", "gradebook")
    means = {step: sum(t.get(step, 0.0) for t in timings) / len(timings) for step in steps}
    print("one submission, mean seconds: " + ", ".join(f"{step} {means[step]:.3f}" for step in steps)
          + f" (total {sum(means.values()):.3f})")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("assignment", nargs="?", default="ps01_word2vec_cosine")
    parser.add_argument("--count", type=int, default=30)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}")
    with tempfile.TemporaryDirectory(prefix="autograde-bench-") as tmp:
        plain = make_course(Path(tmp) / "plain", args.assignment)
        ours = make_course(Path(tmp) / "ours", args.assignment)
        submissions(plain, args.assignment, args.count, plain / "autograder" / "submitted")
        shutil.copytree(plain / "autograder" / "submitted", ours / "autograder" / "submitted")
        students = sorted(p.name for p in (plain / "autograder" / "submitted").iterdir())
        # both tools start from a gradebook that already knows the assignment (what `release` leaves behind)
        for course in (plain, ours):
            roundtrip.nbgrader(course, "generate_assignment", args.assignment, "--force")

        started = time.perf_counter()
        result = subprocess.run([str(BIN / "nbgrader"), "autograde", args.assignment, "--force",
                                 "--Autograde.create_student=True"], cwd=plain / "autograder", env=env,
                                capture_output=True, text=True)
        plain_seconds = time.perf_counter() - started
        if result.returncode != 0:
            print(result.stdout[-2000:], result.stderr[-3000:])
            return 1

        started = time.perf_counter()
        result = subprocess.run([sys.executable, str(ROOT / "autograder" / "course_grader.py"), "--course-root",
                                 str(ours), "autograde", args.assignment, "--force", "--no-progress",
                                 "--workers", str(args.workers)], env=env, capture_output=True, text=True)
        our_seconds = time.perf_counter() - started
        if result.returncode != 0:
            print(result.stdout[-3000:], result.stderr[-3000:])
            return 1

        plain_scores = code_scores(plain, args.assignment, students)
        our_scores = code_scores(ours, args.assignment, students)
        disagree = {s: (plain_scores[s], our_scores[s]) for s in students if plain_scores[s] != our_scores[s]}
        load = os.getloadavg()
        print(f"assignment: {args.assignment}, {len(students)} submissions (correct / partly wrong / blank), "
              f"{os.cpu_count()} cores, load average {load[0]:.1f}")
        print(f"plain nbgrader autograde (sequential): {plain_seconds:7.1f} s")
        print(f"course_grader autograde ({args.workers} workers):   {our_seconds:7.1f} s")
        print(f"speed-up: {plain_seconds / our_seconds:.2f}x")
        print(f"score distribution: {sorted(set(our_scores.values()))}")
        print("scores agree: " + ("yes, all " + str(len(students)) if not disagree else f"NO: {disagree}"))
        print_costs(ours, args.assignment, students)
        return 0 if not disagree else 1


if __name__ == "__main__":
    sys.exit(main())
