#!/usr/bin/env python3
"""Grade 30 submissions of one assignment with course_grader (parallel, sandboxed) and with plain sequential
`nbgrader autograde`, in the same run; print both wall times, their ratio and whether the scores agree.

    .venv/bin/python benchmarks/autograde_speed.py [ps01_word2vec_cosine] [--count 30] [--workers N]
    .venv/bin/python benchmarks/autograde_speed.py [ps01_word2vec_cosine] --scheduler local:N | tcp://HOST:8786

With --scheduler: course_grader's local pool (--workers, default the cores) against the same batch on a Dask
cluster (`local:N` starts a loopback one), alternating, --repeats times: submissions per minute of each, the cluster
path's overhead per submission in the steady state (after each worker's first result: a worker's warm-up is
reported apart, it is paid once per worker process) as a share of a submission's grading time, and the one writer's
cost per result (result.json, the gradebook and the autograded notebook, in the instructor's process), which bounds
a cluster's throughput.

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
        if kind == 1:  # partly wrong: every other solution cell back to the stub
            roundtrip.fill_in_every_other_solution(release, source, target)
        else:
            roundtrip.fill_in_solutions(release, source, target)


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
    parser.add_argument("--scheduler", help="compare the local pool with a Dask cluster (local:N or an address)")
    parser.add_argument("--repeats", type=int, default=3, help="with --scheduler: runs of each, alternating")
    args = parser.parse_args()
    if args.scheduler:
        return pool_against_cluster(args)
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


def steady(timings: dict, threads: int) -> float:
    """Worker-seconds per submission once every worker has delivered its first result (so each worker's one-time
    warm-up is outside it): the time between the `threads`-th result's arrival and the last one's, times the
    threads, over the submissions in between."""
    arrivals = sorted(timings["arrivals"])
    first = min(threads, len(arrivals) - 2)
    return (arrivals[-1] - arrivals[first]) * threads / (len(arrivals) - 1 - first)


def worker_waits(results: dict[str, dict]) -> list[float]:
    """The seconds each grading process (a pool worker or a Dask worker) waited between finishing one submission
    and starting its next: what dispatch costs a worker, measured the same way for both executors (the spans the
    grader records in each result's timings)."""
    spans = {}
    for result in results.values():
        timings = result.get("timings", {})
        if "span" in timings:
            spans.setdefault(timings["worker"], []).append(tuple(timings["span"]))
    return [later[0] - earlier[1] for runs in spans.values()
            for earlier, later in zip(sorted(runs), sorted(runs)[1:])]


def mean_sd(values: list[float]) -> str:
    import statistics

    if len(values) == 1:
        return f"{values[0]:+.3f}"
    return f"{statistics.mean(values):+.3f} ± {statistics.stdev(values):.3f}"


def pool_against_cluster(args) -> int:
    """The same submissions graded by the local pool and by the cluster, each in its own copy of the course, in this
    process, `--repeats` times in turn (the reference check, cached per course, is done first and not timed)."""
    import statistics

    sys.path.insert(0, str(ROOT / "src"))
    from llmcourse.autograde.batch import LocalPool, autograde
    from llmcourse.autograde.cluster import DaskCluster
    from llmcourse.autograde.coursedir import CourseFolders, venv_bin_on_path
    from llmcourse.autograde.reference import check_reference
    from llmcourse.autograde.sandbox import Limits

    venv_bin_on_path()
    runs = []
    with tempfile.TemporaryDirectory(prefix="autograde-bench-") as tmp:
        courses = {}
        for path in ("pool", "cluster"):
            course = make_course(Path(tmp) / path, args.assignment)
            submissions(course, args.assignment, args.count, course / "autograder" / "submitted")
            courses[path] = CourseFolders(course)
            check_reference(courses[path], args.assignment, Limits())
        for _ in range(args.repeats):
            run = {"pool": {}, "cluster": {}}
            pooled = autograde(courses["pool"], args.assignment, executor=LocalPool(args.workers), force=True,
                               progress=False, log=lambda _: None, timings=run["pool"])
            started = time.perf_counter()
            # a fresh cluster each time: its workers' warm-up is measured every run
            with DaskCluster(args.scheduler, log=lambda _: None) as cluster:
                run["start_up"] = time.perf_counter() - started
                threads = cluster.threads()
                clustered = autograde(courses["cluster"], args.assignment, executor=cluster, force=True,
                                      progress=False, log=lambda _: None, timings=run["cluster"])
                run["warm_up"] = cluster.warm_up_seconds
            run["waits"] = {"pool": worker_waits(pooled), "cluster": worker_waits(clustered)}
            run["threads"] = threads
            run["grading"] = {path: statistics.mean(r["seconds"] for r in results.values())
                              for path, results in (("pool", pooled), ("cluster", clustered))}
            run["per_submission"] = {"pool": steady(run["pool"], args.workers),
                                     "cluster": steady(run["cluster"], threads)}
            run["disagree"] = {s: (pooled[s]["score"], clustered[s]["score"]) for s in pooled
                               if pooled[s]["score"] != clustered[s]["score"]}
            runs.append(run)
    count, load = len(pooled), os.getloadavg()
    print(f"assignment: {args.assignment}, {count} submissions (correct / partly wrong / blank), "
          f"{os.cpu_count()} cores, load average {load[0]:.1f}; {len(runs)} runs of each, mean ± sd")
    for path, label in (("pool", f"local pool ({args.workers} workers)"),
                        ("cluster", f"Dask cluster {args.scheduler} ({runs[0]['threads']} threads)")):
        batch = [r[path]["batch_seconds"] for r in runs]
        print(f"{label}: batch {statistics.mean(batch):.1f} s, {60 * count / statistics.mean(batch):.1f} "
              f"submissions/min with each worker's warm-up; steady state "
              f"{mean_sd([r['per_submission'][path] for r in runs])} worker-s per submission, grading "
              f"{mean_sd([r['grading'][path] for r in runs])} s of it")
    overheads = [r["per_submission"]["cluster"] - r["per_submission"]["pool"] for r in runs]
    shares = [100 * o / r["grading"]["pool"] for o, r in zip(overheads, runs)]
    print(f"cluster overhead per submission (steady state, cluster minus pool): {mean_sd(overheads)} worker-s "
          f"= {mean_sd(shares)} % of a submission's grading time in the pool (target: under 5 %)")
    for path in ("pool", "cluster"):
        waits = sorted(w for r in runs for w in r["waits"][path])
        share = 100 * statistics.mean(waits) / statistics.mean(r["grading"][path] for r in runs)
        print(f"  a {path} worker's wait between two submissions, over {len(waits)} waits: mean "
              f"{statistics.mean(waits):.4f} s ({share:.1f} % of a submission's grading), median "
              f"{statistics.median(waits):.4f} s, 90th percentile {waits[int(0.9 * len(waits))]:.4f} s")
    print(f"one-time, per batch: the cluster's start-up {mean_sd([r['start_up'] for r in runs])} s, its workers' "
          f"warm-up (imports and zygote in each worker process, in parallel) "
          f"{mean_sd([r['warm_up'] for r in runs])} s")
    for path in ("pool", "cluster"):
        written = [1000 * r[path]["write_seconds"] / r[path]["graded"] for r in runs]
        print(f"the writer ({path}): {mean_sd(written)} ms per result (result.json + gradebook + autograded "
              f"notebook): at most {60_000 / statistics.mean(written):.0f} results/min, whatever the number of "
              "workers")
    disagree = [r["disagree"] for r in runs if r["disagree"]]
    print("scores agree: " + ("yes, all " + str(count) + " in every run" if not disagree else f"NO: {disagree}"))
    return 0 if not disagree else 1


if __name__ == "__main__":
    sys.exit(main())
