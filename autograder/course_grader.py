#!/usr/bin/env python3
"""The instructor's grading tool (see README, "Instructors"). Thin: the work is in llmcourse.autograde.

    .venv/bin/python autograder/course_grader.py release   ps01_word2vec_cosine [--exchange [ROOT]]
    .venv/bin/python autograder/course_grader.py collect   ps01_word2vec_cosine submissions.zip --roster roster.csv
    .venv/bin/python autograder/course_grader.py collect   ps01_word2vec_cosine --exchange [ROOT] --roster roster.csv
    .venv/bin/python autograder/course_grader.py autograde ps01_word2vec_cosine [--workers N] [--force]
    .venv/bin/python autograder/course_grader.py autograde ps01_word2vec_cosine --scheduler tcp://HOST:8786 | local:N
    .venv/bin/python autograder/course_grader.py due       ps01_word2vec_cosine 2026-12-01T17:00:00+00:00
    .venv/bin/python autograder/course_grader.py policy    ps01_word2vec_cosine per-day:10
    .venv/bin/python autograder/course_grader.py extend    ps01_word2vec_cosine alice 2026-12-03T17:00:00+00:00
    .venv/bin/python autograder/course_grader.py feedback  ps01_word2vec_cosine [--exchange [ROOT]]
    .venv/bin/python autograder/course_grader.py solutions ps01_word2vec_cosine [--exchange [ROOT]]
    .venv/bin/python autograder/course_grader.py export    ps01_word2vec_cosine [--roster roster.csv]

--exchange without ROOT: $LLMCOURSE_EXCHANGE, else nbgrader's /usr/local/share/nbgrader/exchange.
"""
from __future__ import annotations

import argparse
import contextlib
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
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))  # works without an installed package
    from llmcourse.autograde.coursedir import CourseFolders, venv_bin_on_path

    args = parser().parse_args(argv)
    venv_bin_on_path()
    course = CourseFolders(args.course_root.resolve()) if args.course_root else CourseFolders()
    try:
        return args.run(course, args)
    except Exception as error:  # the exchange or a date refused: say why, no traceback
        from llmcourse.autograde.exchange import ExchangeProblem, SolutionsTooEarly

        if isinstance(error, (ExchangeProblem, SolutionsTooEarly, ValueError)):
            print(f"REFUSED {args.command} {getattr(args, 'assignment', '')}: {error}", file=sys.stderr)
            return 1
        raise


def parser() -> argparse.ArgumentParser:
    """One subcommand per function below; each one's defaults come from where the work is done (Limits())."""
    from llmcourse.autograde.sandbox import GiB, Limits

    limits = Limits()
    parser = argparse.ArgumentParser(prog="course_grader", description=__doc__.split("\n")[0])
    parser.add_argument("--course-root", type=Path, default=None,
                        help="course folder (default: this repository)")
    commands = parser.add_subparsers(dest="command", required=True)

    def command(function, help: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(function.__name__, help=help)
        sub.set_defaults(run=function)
        return sub

    p = command(release, "regenerate exercises/<a>/ with nbgrader and build the student zip")
    p.add_argument("assignment", nargs="?", help="default: every assignment in solutions/")
    p.add_argument("--no-regenerate", action="store_true", help="bundle exercises/ as it is")
    exchange(p, "also release it into nbgrader's exchange (students fetch it in the Assignment List)")
    p = command(collect, "bring in submissions from the exchange, a folder or an LMS zip, ids from a roster")
    p.add_argument("assignment")
    p.add_argument("source", type=Path, nargs="?", help="a folder or an LMS zip (or --exchange)")
    exchange(p, "collect the latest submission of every roster student from the exchange's inbound")
    p.add_argument("--roster", type=Path, required=True, help="CSV with student_id (and optional lms_id) columns")
    p.add_argument("--max-file-mb", type=float, default=20)
    p = command(autograde, "grade every submission in parallel, sandboxed, resumable")
    p.add_argument("assignment")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="parallel submissions (default: cores)")
    p.add_argument("--force", action="store_true", help="regrade even unchanged submissions")
    p.add_argument("--student", action="append", help="only these students (repeatable)")
    p.add_argument("--memory-gb", type=float, default=limits.memory_bytes / GiB,
                   help="address-space limit per submission")
    p.add_argument("--cell-timeout", type=float, default=limits.cell_seconds,
                   help="seconds per cell / per call from a test")
    p.add_argument("--notebook-timeout", type=float, default=limits.notebook_seconds, help="seconds per notebook")
    p.add_argument("--processes", type=int, default=limits.processes, help="process limit per submission")
    p.add_argument("--output-mb", type=float, default=limits.output_bytes / (1 << 20),
                   help="output / file size limit per submission")
    p.add_argument("--no-progress", action="store_true")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="grade on a running Dask scheduler (tcp://HOST:8786, tls://HOST:8786), or local:N to start "
                        "a loopback cluster of N single-threaded workers for this run (README, \"Grading on a Dask "
                        "cluster\"); --workers is then unused")
    p.add_argument("--tls-ca-file", help="with a tls:// scheduler: the CA certificate that signed the cluster's")
    p.add_argument("--tls-cert", help="with a tls:// scheduler: this client's certificate (PEM)")
    p.add_argument("--tls-key", help="with a tls:// scheduler: this client's private key (PEM)")
    p = command(feedback, "per-student HTML (no hidden tests, only that student's data)")
    p.add_argument("assignment")
    p.add_argument("--student", action="append")
    exchange(p, "release it through the exchange (students fetch it in the Assignment List)")
    p = command(export, "grades CSV + summary (plot, pass rates, limits, suspicious), LMS files")
    p.add_argument("assignment")
    p.add_argument("--roster", type=Path, help="with it: Canvas and Moodle import files too")
    p.add_argument("--canvas-assignment-id", help="the assignment's id in Canvas (its column header)")
    p = command(due, "set (or show, or --clear) the due date: nbgrader's Assignment.duedate")
    p.add_argument("assignment")
    p.add_argument("when", nargs="?", help="ISO 8601, e.g. 2026-12-01T17:00:00+00:00 (no zone: UTC)")
    p.add_argument("--clear", action="store_true")
    p = command(policy, "late policy: none, per-day:P, zero-after:N, per-day:P,zero-after:N")
    p.add_argument("assignment")
    p.add_argument("policy", nargs="?", help="default: show it")
    p = command(extend, "a student's own due date for an assignment (or --clear)")
    p.add_argument("assignment")
    p.add_argument("student")
    p.add_argument("when", nargs="?", help="ISO 8601 (no zone: UTC)")
    p.add_argument("--clear", action="store_true")
    p = command(solutions, "after the due date (and every extension): solutions, hidden tests removed, into "
                           "autograder/solution_release/ (and the exchange)")
    p.add_argument("assignment")
    exchange(p, "release them into the exchange as <assignment>_solution")
    return parser


def exchange(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--exchange", nargs="?", const="", default=None, metavar="ROOT",
                        help=f"{what}; ROOT default: $LLMCOURSE_EXCHANGE, else nbgrader's default")


def exchange_root(args) -> str | None:
    """--exchange ROOT, or None for the default root (also when --exchange is given without ROOT)."""
    return (args.exchange or None) if getattr(args, "exchange", None) is not None else None


def release(course, args) -> int:
    from llmcourse.autograde import exchange as hub
    from llmcourse.autograde.release import release as release_bundle

    names = [args.assignment] if args.assignment else sorted(
        p.name for p in course.solutions.iterdir() if p.is_dir() and not p.name.startswith("."))
    for name in names:
        bundle, problems = release_bundle(course, name, regenerate=not args.no_regenerate)
        if problems:
            print(f"REFUSED {name}: the bundle would leak solutions or hidden tests:\n  " + "\n  ".join(problems[:20]))
            return 1
        print(f"released {course.exercises / name} and {bundle} (scanned: no solution code, no hidden test)")
        if args.exchange is not None:
            print(f"released into the exchange: {hub.release(course, name, exchange_root(args))}")
    return 0


def collect(course, args) -> int:
    if args.exchange is not None:
        from llmcourse.autograde.exchange import collect as collect_exchange

        report = collect_exchange(course, args.assignment, args.roster, exchange_root(args))
    elif args.source is None:
        print("collect needs a folder or zip, or --exchange", file=sys.stderr)
        return 2
    else:
        from llmcourse.autograde.collect import collect as collect_files

        report = collect_files(course, args.assignment, args.source, args.roster,
                               max_file_bytes=int(args.max_file_mb * (1 << 20)))
    print(report.summary())
    return 0


def autograde(course, args) -> int:
    from llmcourse.autograde.batch import autograde as grade_batch
    from llmcourse.autograde.gradebook import integrity_problems
    from llmcourse.autograde.reference import ReferenceLosesPoints
    from llmcourse.autograde.results import summary_line
    from llmcourse.autograde.sandbox import Limits

    limits = Limits(cell_seconds=args.cell_timeout, notebook_seconds=args.notebook_timeout,
                    memory_bytes=int(args.memory_gb * (1 << 30)), processes=args.processes,
                    output_bytes=int(args.output_mb * (1 << 20)))
    try:
        with contextlib.ExitStack() as stack:
            executor = None
            if args.scheduler:  # the same batch, on a Dask cluster (llmcourse.autograde.cluster)
                from llmcourse.autograde.cluster import DaskCluster, security_from

                security = security_from(args.tls_ca_file, args.tls_cert, args.tls_key)
                executor = stack.enter_context(DaskCluster(args.scheduler, security=security))
            elif args.tls_ca_file or args.tls_cert or args.tls_key:
                raise ValueError("--tls-ca-file, --tls-cert and --tls-key go with --scheduler tls://HOST:PORT")
            results = grade_batch(course, args.assignment, students=args.student, workers=args.workers,
                                  force=args.force, limits=limits, progress=not args.no_progress, executor=executor)
    except ReferenceLosesPoints as error:
        print(f"REFUSED {error}", file=sys.stderr)
        return 1
    for student, result in sorted(results.items()):
        print(summary_line(student, result))
    problems = integrity_problems(course, args.assignment)
    print("gradebook integrity: " + ("ok" if not problems else "; ".join(problems)))
    return 1 if problems else 0


def feedback(course, args) -> int:
    from llmcourse.autograde.feedback import write_feedback

    pages = write_feedback(course, args.assignment, args.student)
    print(f"wrote {len(pages)} feedback pages under {course.feedback}")
    if args.exchange is not None:
        from llmcourse.autograde.exchange import release_feedback

        released, skipped = release_feedback(course, args.assignment, exchange_root(args), args.student)
        print(f"released feedback through the exchange for {len(released)} students: {' '.join(released)}")
        for message in skipped:
            print(f"  skipped: {message}")
    return 0


def export(course, args) -> int:
    from llmcourse.autograde.export import export as write_exports

    for path in write_exports(course, args.assignment, args.roster, args.canvas_assignment_id):
        print(f"wrote {path}")
    return 0


def solutions(course, args) -> int:
    from llmcourse.autograde.exchange import release_solutions

    folder, released = release_solutions(course, args.assignment, exchange_root(args),
                                         use_exchange=args.exchange is not None)
    print(f"wrote {folder} (hidden tests removed)")
    if released is not None:
        print(f"released into the exchange as {folder.name}: {released}")
    return 0


def due(course, args) -> int:
    from llmcourse.autograde.deadlines import get_due, parse_time, set_due, show_time

    if args.clear or args.when:
        set_due(course, args.assignment, None if args.clear else parse_time(args.when))
    print(f"{args.assignment} due: {show_time(get_due(course, args.assignment)) or 'not set'}")
    return 0


def policy(course, args) -> int:
    from llmcourse.autograde.deadlines import LateWork, Policy, apply_late_penalties

    late = LateWork(course)
    if args.policy:
        late.set_policy(args.assignment, Policy.parse(args.policy))
        apply_late_penalties(course, args.assignment)
    print(f"{args.assignment} late policy: {LateWork(course).policy(args.assignment)} (stored in {late.path})")
    return 0


def extend(course, args) -> int:
    from llmcourse.autograde.deadlines import LateWork, apply_late_penalties, parse_time, show_time

    late = LateWork(course)
    if not args.clear and not args.when:
        print("extend needs a time (ISO 8601) or --clear", file=sys.stderr)
        return 2
    late.set_extension(args.assignment, args.student, None if args.clear else parse_time(args.when))
    apply_late_penalties(course, args.assignment)
    until = LateWork(course).extensions(args.assignment).get(args.student)
    print(f"{args.assignment}: {args.student} due {show_time(until) if until else 'as the class'} "
          f"(stored in {late.path})")
    return 0


if __name__ == "__main__":
    _use_course_venv()
    sys.exit(main())
