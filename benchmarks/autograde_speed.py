#!/usr/bin/env python3
"""Grade 30 submissions of one assignment with course_grader (parallel, sandboxed) and with plain sequential
`nbgrader autograde`, in the same run; print both wall times, their ratio and whether the scores agree.

    .venv/bin/python benchmarks/autograde_speed.py [ps01_word2vec_cosine] [--count 30] [--workers N]
    .venv/bin/python benchmarks/autograde_speed.py [ps01_word2vec_cosine] --scheduler local:N | tcp://HOST:8786

With --scheduler: course_grader's local pool (--workers, default the cores) against the same batch on a Dask
cluster (`local:N` starts a loopback one): submissions per minute of each, the cluster path's overhead per
submission as a share of a submission's grading time, and the one writer's cost per result (result.json, the
gradebook and the autograded notebook, in the instructor's process), which bounds a cluster's throughput.

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


def pool_against_cluster(args) -> int:
    """The same submissions graded by the local pool and by the cluster, each in its own copy of the course, in this
    process (the reference check, cached per course, is done first and not timed)."""
    sys.path.insert(0, str(ROOT / "src"))
    from llmcourse.autograde.batch import LocalPool, autograde
    from llmcourse.autograde.cluster import DaskCluster
    from llmcourse.autograde.coursedir import CourseFolders, venv_bin_on_path
    from llmcourse.autograde.reference import check_reference
    from llmcourse.autograde.sandbox import Limits

    venv_bin_on_path()
    with tempfile.TemporaryDirectory(prefix="autograde-bench-") as tmp:
        courses = {}
        for path in ("pool", "cluster"):
            course = make_course(Path(tmp) / path, args.assignment)
            submissions(course, args.assignment, args.count, course / "autograder" / "submitted")
            courses[path] = CourseFolders(course)
            check_reference(courses[path], args.assignment, Limits())
        timings = {"pool": {}, "cluster": {}}
        started = time.perf_counter()
        pooled = autograde(courses["pool"], args.assignment, executor=LocalPool(args.workers), force=True,
                           progress=False, log=lambda _: None, timings=timings["pool"])
        pool_wall = time.perf_counter() - started
        started = time.perf_counter()
        with DaskCluster(args.scheduler, log=lambda _: None) as cluster:
            start_up = time.perf_counter() - started
            threads = cluster.threads()
            clustered = autograde(courses["cluster"], args.assignment, executor=cluster, force=True,
                                  progress=False, log=lambda _: None, timings=timings["cluster"])
        cluster_wall = time.perf_counter() - started
    count = len(pooled)
    grading = sum(r["seconds"] for r in pooled.values()) / count  # one submission's grading, in a pool worker
    cluster_grading = sum(r["seconds"] for r in clustered.values()) / count
    pool_batch, cluster_batch = timings["pool"]["batch_seconds"], timings["cluster"]["batch_seconds"]
    # what the cluster path adds per submission, in worker-seconds: its batch against the pool's, same cores
    overhead = (cluster_batch * threads - pool_batch * args.workers) / count
    # split: worker time not spent grading (dispatch, transport, writer waits), and the grading itself
    idle_pool = (pool_batch * args.workers) / count - grading
    # the workers' warm-up (imports and zygote, once per worker thread, before the first submission) apart
    warm_up = cluster.warm_up_seconds
    idle_cluster = ((cluster_batch - warm_up) * threads) / count - cluster_grading
    disagree = {s: (pooled[s]["score"], clustered[s]["score"]) for s in pooled
                if pooled[s]["score"] != clustered[s]["score"]}
    load = os.getloadavg()
    print(f"assignment: {args.assignment}, {count} submissions (correct / partly wrong / blank), "
          f"{os.cpu_count()} cores, load average {load[0]:.1f}")
    print(f"local pool ({args.workers} workers):        batch {pool_batch:6.1f} s  "
          f"{60 * count / pool_batch:6.1f} submissions/min  (wall with set-up {pool_wall:.1f} s)")
    print(f"Dask cluster {args.scheduler} ({threads} threads): batch {cluster_batch:6.1f} s  "
          f"{60 * count / cluster_batch:6.1f} submissions/min  (cluster start-up {start_up:.1f} s, "
          f"wall {cluster_wall:.1f} s)")
    print(f"grading time of one submission (in its worker): pool {grading:.2f} s, cluster {cluster_grading:.2f} s")
    print(f"cluster overhead per submission: {overhead:+.3f} worker-s = {100 * overhead / grading:+.1f} % of a "
          "submission's grading time (target: under 5 %)")
    print(f"  the cluster's workers warmed up first (imports, zygote; once per worker thread): {warm_up:.1f} s")
    print(f"  of which dispatch (worker time not spent grading, per submission; the cluster's without its warm-up; "
          f"the pool's warm-up is inside its batch): pool {idle_pool:.3f} s, cluster "
          f"{idle_cluster:.3f} s: {idle_cluster - idle_pool:+.3f} s = {100 * (idle_cluster - idle_pool) / grading:+.1f} %")
    print(f"  and grading itself in a Dask worker: {cluster_grading - grading:+.3f} s = "
          f"{100 * (cluster_grading - grading) / grading:+.1f} %")
    for path in ("pool", "cluster"):
        written = timings[path]["write_seconds"] / timings[path]["graded"]
        print(f"the writer ({path}): {1000 * written:.1f} ms per result (result.json + gradebook + autograded "
              f"notebook): at most {60 / written:.0f} results/min, whatever the number of workers")
    print("scores agree: " + ("yes, all " + str(count) if not disagree else f"NO: {disagree}"))
    return 0 if not disagree else 1


if __name__ == "__main__":
    sys.exit(main())
