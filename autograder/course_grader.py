#!/usr/bin/env python3
"""The instructor's grading tool (see README, "Instructors"). Thin: the work is in llmcourse.autograde.

    .venv/bin/python autograder/course_grader.py release   ps01_word2vec_cosine
    .venv/bin/python autograder/course_grader.py collect   ps01_word2vec_cosine submissions.zip --roster roster.csv
    .venv/bin/python autograder/course_grader.py autograde ps01_word2vec_cosine [--workers N] [--force]
    .venv/bin/python autograder/course_grader.py feedback  ps01_word2vec_cosine
    .venv/bin/python autograder/course_grader.py export    ps01_word2vec_cosine
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def _use_course_venv() -> None:
    """`python3 autograder/course_grader.py` also works: re-run with the course's venv if this Python lacks nbgrader."""
    venv_python = Path(__file__).resolve().parents[1] / ".venv" / "bin" / "python"
    try:
        import nbgrader  # noqa: F401
    except ImportError:
        if venv_python.exists() and Path(sys.executable).resolve() != venv_python.resolve():
            os.execv(str(venv_python), [str(venv_python), *sys.argv])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="course_grader", description=__doc__.split("\n")[0])
    parser.add_argument("--course-root", type=Path, default=None,
                        help="course folder (default: this repository)")
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("release", help="regenerate exercises/<a>/ with nbgrader and build the student zip")
    p.add_argument("assignment", nargs="?", help="default: every assignment in solutions/")
    p.add_argument("--no-regenerate", action="store_true", help="bundle exercises/ as it is")
    p = commands.add_parser("collect", help="bring in submissions from a folder or an LMS zip, ids from a roster")
    p.add_argument("assignment")
    p.add_argument("source", type=Path)
    p.add_argument("--roster", type=Path, required=True, help="CSV with student_id (and optional lms_id) columns")
    p.add_argument("--max-file-mb", type=float, default=20)
    p = commands.add_parser("autograde", help="grade every submission in parallel, sandboxed, resumable")
    p.add_argument("assignment")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="parallel submissions (default: cores)")
    p.add_argument("--force", action="store_true", help="regrade even unchanged submissions")
    p.add_argument("--student", action="append", help="only these students (repeatable)")
    p.add_argument("--memory-gb", type=float, default=4.0, help="address-space limit per submission")
    p.add_argument("--cell-timeout", type=float, default=60.0, help="seconds per cell / per call from a test")
    p.add_argument("--notebook-timeout", type=float, default=300.0, help="seconds per notebook")
    p.add_argument("--processes", type=int, default=64, help="process limit per submission")
    p.add_argument("--output-mb", type=float, default=8.0, help="output / file size limit per submission")
    p.add_argument("--no-progress", action="store_true")
    p = commands.add_parser("feedback", help="per-student HTML (no hidden tests, only that student's data)")
    p.add_argument("assignment")
    p.add_argument("--student", action="append")
    p = commands.add_parser("export", help="grades CSV + summary (plot, pass rates, limits, suspicious)")
    p.add_argument("assignment")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))  # works without an installed package
    from llmcourse.autograde.course import Course, venv_bin_on_path

    venv_bin_on_path()
    course = Course(args.course_root.resolve()) if args.course_root else Course()
    if args.command == "release":
        from llmcourse.autograde.release import release

        names = [args.assignment] if args.assignment else sorted(
            p.name for p in course.solutions.iterdir() if p.is_dir() and not p.name.startswith("."))
        for name in names:
            bundle, problems = release(course, name, regenerate=not args.no_regenerate)
            if problems:
                print(f"REFUSED {name}: the bundle would leak solutions or hidden tests:\n  " + "\n  ".join(problems[:20]))
                return 1
            print(f"released {course.exercises / name} and {bundle} (scanned: no solution code, no hidden test)")
        return 0
    if args.command == "collect":
        from llmcourse.autograde.collect import collect

        report = collect(course, args.assignment, args.source, args.roster,
                         max_file_bytes=int(args.max_file_mb * (1 << 20)))
        print(report.summary())
        return 0
    if args.command == "autograde":
        from llmcourse.autograde.batch import ReferenceLosesPoints, autograde, integrity_problems
        from llmcourse.autograde.sandbox import Limits

        limits = Limits(cell_seconds=args.cell_timeout, notebook_seconds=args.notebook_timeout,
                        memory_bytes=int(args.memory_gb * (1 << 30)), processes=args.processes,
                        output_bytes=int(args.output_mb * (1 << 20)))
        try:
            results = autograde(course, args.assignment, students=args.student, workers=args.workers,
                                force=args.force, limits=limits, progress=not args.no_progress)
        except ReferenceLosesPoints as error:
            print(f"REFUSED {error}", file=sys.stderr)
            return 1
        for student, result in sorted(results.items()):
            print(f"{student:24s} {result['score']:6g} / {result['max_score']:g}  {result['status']}")
        problems = integrity_problems(course, args.assignment)
        print("gradebook integrity: " + ("ok" if not problems else "; ".join(problems)))
        return 1 if problems else 0
    if args.command == "feedback":
        from llmcourse.autograde.feedback import write_feedback

        pages = write_feedback(course, args.assignment, args.student)
        print(f"wrote {len(pages)} feedback pages under {course.feedback}")
        return 0
    if args.command == "export":
        from llmcourse.autograde.export import export

        for path in export(course, args.assignment):
            print(f"wrote {path}")
        return 0
    return 2


if __name__ == "__main__":
    _use_course_venv()
    sys.exit(main())
