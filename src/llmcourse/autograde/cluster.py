"""The Dask executor: a batch's submissions graded by the workers of a Dask cluster (README, "Grading on a Dask
cluster"), the instructor's process still the only writer of results and the gradebook (batch.py).

One task per submission, carrying its notebooks as bytes (submission.pack): a worker needs the course's environment
(the same venv, src/ and data/), not the instructor's folders. On the worker, `grade_on_worker` grades it with the
same function as the local pool (submission.grade_packed), sandboxed exactly as locally; a worker that cannot create
Linux namespaces refuses (status "error", with the reason) rather than grade unsandboxed.

A worker lost mid-batch costs nothing: the scheduler gives its tasks to other workers. Each worker thread holds
two submissions, the one it grades and the next (so it never waits for the round trip through the scheduler and
this process between two). The scheduler counts a worker's death against both; a submission is given up (scored 0
with the reason, written like any result, the batch goes on) only when `allowed_failures + 1` workers (the
scheduler's `distributed.scheduler.allowed-failures`) died *while grading it*: each grading announces its start on
the STARTED topic, and a submission the scheduler gave up after deaths that were partly its neighbours' is sent
again once, under a fresh key.
"""
from __future__ import annotations

import atexit
import logging
import os
import shutil
import socket
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

from llmcourse.autograde.notebooks import load_template
from llmcourse.autograde.sandbox import SandboxError, namespace_prefix
from llmcourse.autograde.submission import (error_result, grade_packed, new_result, new_scratch_root, pack,
                                            test_imports, total, warm_up, zygote_modules)
from llmcourse.autograde.verdicts import ungraded

LOCAL_PREFIX = "local:"
# For `--scheduler local:N`. A worker death counts against every task it was running; after this many deaths on
# one task the next one gives it up (Dask's default is 3: a submission that kills workers could take down 4).
LOCAL_ALLOWED_FAILURES = 2
# Workers come and go: how often (seconds) the number of worker threads is asked of the scheduler during a batch.
THREADS_REFRESH = 2.0
# Submissions in the cluster per worker thread: the one being graded and the next one, already on the worker.
DEPTH = 2
# ... and at most this many in all per worker thread, counting the finished ones the writer has not taken yet.
BACKLOG = 4
# The event topic on which a worker announces that it starts grading a submission: {"batch": ..., "student": ...}.
STARTED = "course-grader-started"


# Dask's statistical profiler samples the grading thread's stack every 10 ms, holding the GIL the test cells need
# (benchmarks/autograde_speed.py: a ps01 submission graded 17 % slower in a worker with it on, as fast as in the
# local pool with it off).
NO_PROFILER = {"distributed.worker.profile.enabled": False}


def gave_up_message(workers: int) -> str:
    return f"stopped {workers} grading workers; given up"


def task_key(student: str) -> str:
    """A grading task's key: `grade_<unique>-<student>`. Dask groups tasks by the key's words up to the first one
    that is not alphabetic (distributed.utils.key_split_group); tasks of one large group count as "root-ish" and
    the scheduler holds them back until a worker thread is free, so the worker would wait for that round trip
    between two submissions. A unique first word makes each task its own group."""
    return f"grade_{uuid.uuid4().hex}-{student}"


def grade_on_worker(packed: dict) -> dict:
    """On a Dask worker: grade one packed submission in a private scratch folder of this worker. Never raises."""
    if namespace_prefix() is None:
        error = SandboxError(f"the Dask worker on {socket.gethostname()} (pid {os.getpid()}) cannot create Linux "
                             "namespaces (unshare failed), so it refuses to run untrusted code: run workers where "
                             "namespaces work (see README, instructor section)")
        return total({**new_result(packed), "status": "error", "messages": [f"grader problem, not yours: {error}"]})
    announce_start(packed)
    # The course's folder exists here only on the instructor's own machine (a loopback cluster): hide it too.
    return grade_packed(packed, scratch_root=_scratch_root(), hide=[Path(packed["course_root"])])


_scratch = None


def _scratch_root() -> Path:
    """This worker process's scratch folder (SCRATCH_PREFIX + its pid), made by its first submission and removed
    when it exits; if it dies, by the next grader that starts (submission.remove_stale_scratch). Each submission
    grades in a folder of its own inside it, removed after it."""
    global _scratch
    if _scratch is None or not _scratch.is_dir():
        _scratch = new_scratch_root()
        atexit.register(shutil.rmtree, _scratch, ignore_errors=True)
    return _scratch


def announce_start(packed: dict) -> None:
    """Tell the instructor's process (DaskCluster.grade) that this worker now grades the submission: a death from
    here on counts against it, not before."""
    from distributed import get_worker

    try:
        worker = get_worker()
    except ValueError:  # called outside a worker (tests): nobody to tell
        return
    worker.log_event(STARTED, {"batch": packed.get("batch"), "student": packed["student"]})


def given_up_result(task: dict, workers: int) -> dict:
    """A submission on which `workers` grading workers died: every graded cell 0, with the reason."""
    message = gave_up_message(workers)
    result = new_result(task)
    result["status"] = "given up"
    result["messages"].append(f"{message}: the grader could not finish grading this submission")
    for path in task["templates"]:
        notebook = asdict(ungraded(load_template(Path(path)), message))
        del notebook["import_failures"]
        result["notebooks"].append(notebook)
    return total(result)


def security_from(tls_ca_file: str | None, tls_cert: str | None, tls_key: str | None):
    """Dask's Security for a tls:// scheduler from course_grader's options, or None (then Dask's own configuration
    applies: DASK_DISTRIBUTED__COMM__TLS__CA_FILE, ...__CLIENT__CERT, ...__CLIENT__KEY)."""
    if not (tls_ca_file or tls_cert or tls_key):
        return None
    if not (tls_ca_file and tls_cert):
        raise ValueError("TLS needs --tls-ca-file and --tls-cert (and --tls-key unless the certificate file holds "
                         "the key)")
    from distributed.security import Security

    return Security(tls_ca_file=tls_ca_file, tls_client_cert=tls_cert, tls_client_key=tls_key,
                    require_encryption=True)


class DaskCluster:
    """Executor (see batch.LocalPool) on a Dask scheduler: `with DaskCluster("tcp://host:8786") as executor:` or
    `DaskCluster("local:N")`, which starts a loopback cluster of N single-threaded worker processes for the run."""

    def __init__(self, scheduler: str, *, security=None, log=print):
        self.scheduler, self.security, self.log = scheduler, security, log
        self.cluster = self.client = None
        self.allowed_failures = None
        self._threads = None  # (count, when asked): threads_now

    def __enter__(self) -> DaskCluster:
        import dask
        from distributed import Client, LocalCluster

        if self.scheduler.startswith(LOCAL_PREFIX):
            count = self.scheduler[len(LOCAL_PREFIX):]
            if not count.isdigit() or int(count) < 1:
                raise ValueError(f"--scheduler {self.scheduler}: local:N needs a number of workers, e.g. local:4")
            if self.security is not None:
                raise ValueError("--scheduler local:N is a loopback cluster on 127.0.0.1; the TLS options are for a "
                                 "tls:// scheduler")
            with dask.config.set({"distributed.scheduler.allowed-failures": LOCAL_ALLOWED_FAILURES,
                                  **NO_PROFILER}):
                self.cluster = LocalCluster(n_workers=int(count), threads_per_worker=1, processes=True,
                                            host="127.0.0.1", dashboard_address=None, silence_logs=logging.ERROR)
            self.client = Client(self.cluster)
            self.log(f"started a local Dask cluster: {count} single-threaded workers on 127.0.0.1")
        else:
            if self.scheduler.startswith("tls://") and self.security is None and not (
                    dask.config.get("distributed.comm.tls.ca-file", None)
                    and dask.config.get("distributed.comm.tls.client.cert", None)):
                raise ValueError(f"{self.scheduler} needs the cluster's CA certificate and a client certificate: "
                                 "--tls-ca-file, --tls-cert and --tls-key (or DASK_DISTRIBUTED__COMM__TLS__CA_FILE, "
                                 "DASK_DISTRIBUTED__COMM__TLS__CLIENT__CERT and ..._CLIENT__KEY)")
            try:
                self.client = Client(self.scheduler, security=self.security, timeout="30s")
            except OSError as error:
                raise ValueError(f"no Dask scheduler answered at {self.scheduler}: {error}") from None
        self.allowed_failures = self.client.run_on_scheduler(_allowed_failures)
        return self

    def __exit__(self, *exc) -> None:
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()
        self.client = self.cluster = None

    def threads(self) -> int:
        return sum(self.client.nthreads().values())

    def threads_now(self) -> int:
        """threads(), asked of the scheduler at most every THREADS_REFRESH seconds (each ask is a round trip, and
        the feeder asks whenever a submission finishes); at least 1."""
        now = time.monotonic()
        if self._threads is None or now - self._threads[1] > THREADS_REFRESH:
            self._threads = (max(self.threads(), 1), now)
        return self._threads[0]

    def describe(self, tasks: list[dict]) -> str:
        return (f"Dask scheduler {self.client.scheduler.address} with {len(self.client.nthreads())} workers "
                f"({self.threads()} threads); a submission is given up after {self.allowed_failures + 1} "
                "workers died on it")

    def grade(self, tasks: list[dict], reference) -> Iterator[tuple[dict, dict]]:
        """Yield (task, result) as each submission's grading finishes, after the reference check (on this machine:
        reference.ReferenceCheck.here). Only a bounded number of tasks are in the scheduler at a time, so a large
        course is not read into memory at once."""
        reference.here()
        from distributed import wait
        from distributed.scheduler import KilledWorker

        started = time.perf_counter()
        if tasks:  # each worker's thread warms up first, as a local-pool worker does before its first task
            templates = [Path(t) for t in tasks[0]["templates"]]
            if all(t.exists() for t in templates):
                arguments = (zygote_modules(templates[0]), test_imports(templates))
                wait([self.client.submit(warm_up, *arguments, pure=False, workers=[address],
                                         key=f"warm-up-{uuid.uuid4().hex}")
                      for address in self.client.nthreads()])
        self.warm_up_seconds = time.perf_counter() - started  # benchmarks/autograde_speed.py reports it apart

        feeder = _Feeder(self, tasks)
        self.client.subscribe_topic(STARTED, feeder.started)
        try:
            feeder.start()
            while True:
                yield from feeder.take_unread()
                for future in feeder.finished:
                    task, packed = feeder.pop(future.key)
                    try:
                        result = future.result()
                    except KilledWorker as error:  # the scheduler's count of deaths is spent
                        result = feeder.retry_or_give_up(task, packed, error.allowed_failures + 1)
                    except Exception as error:  # e.g. the scheduler was lost: not written, the next run grades it
                        result = error_result(task, f"grader problem on the Dask cluster: {type(error).__name__}:"
                                                    f" {error}")
                    future.release()
                    if result is not None:
                        yield task, result
                    yield from feeder.take_unread()
                if not feeder.more():
                    break
                feeder.top_up()  # a top-up from a finishing task may have raced the end of `finished`
        finally:
            self.client.unsubscribe_topic(STARTED)
            feeder.close()  # if the writer stopped early, nothing is left running on the cluster


class _Feeder:
    """A batch's submissions in the cluster: DEPTH unfinished per worker thread (workers may come and go), topped up
    as each one finishes, by a thread of its own, so a worker never waits for the writer, which is slower than a
    worker at times. Finished ones the writer has not taken yet count too, up to BACKLOG per thread: a large
    course is not read into memory at once."""

    def __init__(self, cluster: DaskCluster, tasks: list[dict]):
        from distributed import as_completed

        self.cluster, self.waiting, self.batch = cluster, iter(tasks), uuid.uuid4().hex
        self.lock = threading.Lock()
        self.running = {}  # future key -> (task, future, packed)
        self.unread = []  # (task, error result): submissions that could not be read
        self.finished = as_completed()
        self.exhausted = self.closed = False
        self.starts, self.sent = Counter(), Counter()  # per student: gradings begun (announce_start), tasks sent
        self.thread = None

    def started(self, event) -> None:
        """STARTED handler, on the client's event loop, before the task's own report arrives."""
        message = event[1]
        if isinstance(message, dict) and message.get("batch") == self.batch:
            self.starts[message["student"]] += 1

    def _submit(self, task: dict, packed: dict) -> None:
        """Under the lock. pure=False and a fresh key: a resubmitted (or --force) submission is graded again, never
        taken from an earlier result the scheduler may still hold. The key's first word is unique (task_key): the
        scheduler sends the task to a worker at once, where it waits behind the one being graded."""
        future = self.cluster.client.submit(grade_on_worker, {**packed, "batch": self.batch}, pure=False, retries=0,
                                            key=task_key(task["student"]))
        self.sent[task["student"]] += 1
        self.running[future.key] = task, future, packed
        self.finished.add(future)

    def start(self) -> None:
        self.top_up()
        self.thread = threading.Thread(target=self._feed, name="course-grader-feeder", daemon=True)
        self.thread.start()

    def _feed(self) -> None:
        """The feeder thread: whenever a submission finishes, top up. (Not Dask's done callbacks: they share one
        thread per process, which one stuck callback of another client would stop.)"""
        from distributed import wait

        while True:
            with self.lock:
                if self.closed or self.exhausted:
                    return  # a retry is submitted by the writer's thread (retry_or_give_up)
                unfinished = [future for _, future, *_ in self.running.values() if not future.done()]
            try:
                if unfinished:
                    wait(unfinished, timeout=1, return_when="FIRST_COMPLETED")
                else:
                    time.sleep(0.05)
            except TimeoutError:
                pass
            except Exception:  # the client is gone: the writer's thread sees it too
                return
            self.top_up()

    def top_up(self) -> None:
        with self.lock:
            if self.closed:
                return
            threads = self.cluster.threads_now()
            while (sum(not future.done() for _, future, *_ in self.running.values()) < DEPTH * threads
                   and len(self.running) < BACKLOG * threads):
                task = next(self.waiting, None)
                if task is None:
                    self.exhausted = True
                    break
                try:
                    packed = pack(task)
                except Exception as error:  # e.g. a template that vanished: an error, the batch goes on
                    self.unread.append((task, error_result(task, f"grader problem while reading the submission: "
                                                                 f"{type(error).__name__}: {error}")))
                    continue
                self._submit(task, packed)

    def retry_or_give_up(self, task: dict, packed: dict, limit: int) -> dict | None:
        """After the scheduler gave a submission up (`limit` workers died while it was on them): None if it goes
        again, because some of them died while it only waited behind another submission (once, with a fresh
        count: a killer whose starts went unseen costs at most `limit` more workers); else its given-up result."""
        student = task["student"]
        with self.lock:
            if self.starts[student] < limit and self.sent[student] < 2 and not self.closed:
                self._submit(task, packed)
                return None
        return given_up_result(task, max(self.starts[student], limit))

    def pop(self, key: str) -> tuple[dict, dict]:
        with self.lock:
            task, _, packed = self.running.pop(key)
        return task, packed

    def take_unread(self) -> list[tuple[dict, dict]]:
        with self.lock:
            unread, self.unread = self.unread, []
        return unread

    def more(self) -> bool:
        with self.lock:
            return bool(self.running or self.unread) or not self.exhausted

    def close(self) -> None:
        with self.lock:
            self.closed = True
            futures = [future for _, future, *_ in self.running.values()]
        if self.thread is not None:
            self.thread.join(timeout=10)
        if futures:
            self.cluster.client.cancel(futures)


def _allowed_failures(dask_scheduler) -> int:
    return dask_scheduler.allowed_failures
