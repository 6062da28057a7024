"""The Dask executor: a batch's submissions graded by the workers of a Dask cluster (README, "Grading on a Dask
cluster"), the instructor's process still the only writer of results and the gradebook (batch.py).

One task per submission, carrying its notebooks as bytes (submission.pack): a worker needs the course's environment
(the same venv, src/ and data/), not the instructor's folders. On the worker, `grade_on_worker` grades it with the
same function as the local pool (submission.grade_packed), sandboxed exactly as locally; a worker that cannot create
Linux namespaces refuses (status "error", with the reason) rather than grade unsandboxed.

A worker lost mid-batch costs nothing: the scheduler gives its tasks to other workers. A task on which
`allowed_failures + 1` workers died (the scheduler's `distributed.scheduler.allowed-failures`) ends with
KilledWorker: that submission is given up, scored 0 with the reason, written like any result, and the batch goes on.
"""
from __future__ import annotations

import logging
import os
import shutil
import socket
import time
import uuid
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


# Dask's statistical profiler samples the grading thread's stack every 10 ms, holding the GIL the test cells need
# (benchmarks/autograde_speed.py: a ps01 submission graded 17 % slower in a worker with it on, as fast as in the
# local pool with it off).
NO_PROFILER = {"distributed.worker.profile.enabled": False}


def gave_up_message(workers: int) -> str:
    return f"stopped {workers} grading workers; given up"


def grade_on_worker(packed: dict) -> dict:
    """On a Dask worker: grade one packed submission in a private scratch folder of this worker. Never raises."""
    if namespace_prefix() is None:
        error = SandboxError(f"the Dask worker on {socket.gethostname()} (pid {os.getpid()}) cannot create Linux "
                             "namespaces (unshare failed), so it refuses to run untrusted code: run workers where "
                             "namespaces work (see README, instructor section)")
        return total({**new_result(packed), "status": "error", "messages": [f"grader problem, not yours: {error}"]})
    scratch_root = new_scratch_root()  # SCRATCH_PREFIX + this worker's pid: removed by the next task if it dies
    try:
        # The course's folder exists here only on the instructor's own machine (a loopback cluster): hide it too.
        return grade_packed(packed, scratch_root=scratch_root, hide=[Path(packed["course_root"])])
    finally:
        shutil.rmtree(scratch_root, ignore_errors=True)


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

    def describe(self, tasks: list[dict]) -> str:
        return (f"Dask scheduler {self.client.scheduler.address} with {len(self.client.nthreads())} workers "
                f"({self.threads()} threads); a submission is given up after {self.allowed_failures + 1} "
                "workers died on it")

    def grade(self, tasks: list[dict], reference) -> Iterator[tuple[dict, dict]]:
        """Yield (task, result) as each submission's grading finishes, after the reference check (on this machine:
        reference.ReferenceCheck.here). Only a bounded number of tasks are in the scheduler at a time, so a large
        course is not read into memory at once."""
        reference.here()
        from distributed import as_completed, wait
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

        waiting = iter(tasks)
        running = {}  # future key -> (task, future)
        finished = as_completed()

        def top_up() -> list[tuple[dict, dict]]:
            """Hand the scheduler one task per worker thread (workers may come and go), no more: a worker then
            holds only the submission it grades, so its death counts against that one alone (Dask counts it
            against every task queued on the worker; and a small batch is not queued by the scheduler), and a
            large course is not read into memory at once. Returns the tasks that could not be read, as errors."""
            unread, threads = [], max(self.threads(), 1)
            while len(running) < threads:
                task = next(waiting, None)
                if task is None:
                    break
                try:
                    packed = pack(task)
                except Exception as error:  # e.g. a template that vanished: an error, the batch goes on
                    unread.append((task, error_result(task, f"grader problem while reading the submission: "
                                                            f"{type(error).__name__}: {error}")))
                    continue
                # pure=False and a fresh key: a resubmitted (or --force) submission is graded again, never taken
                # from an earlier result the scheduler may still hold.
                future = self.client.submit(grade_on_worker, packed, pure=False, retries=0,
                                            key=f"grade-{task['student']}-{uuid.uuid4().hex}")
                running[future.key] = task, future
                finished.add(future)
            return unread

        try:
            yield from top_up()
            for future in finished:
                task, _ = running.pop(future.key)
                try:
                    result = future.result()
                except KilledWorker as error:  # the scheduler's bounded retries are spent
                    result = given_up_result(task, error.allowed_failures + 1)
                except Exception as error:  # e.g. the scheduler was lost: not written, the next run grades it
                    result = error_result(task, f"grader problem on the Dask cluster: {type(error).__name__}: "
                                                f"{error}")
                future.release()
                unread = top_up()  # the freed thread's next submission before this result is written
                yield task, result
                yield from unread
        finally:
            if running:  # the writer stopped early: leave nothing running on the cluster
                self.client.cancel([future for _, future in running.values()])


def _allowed_failures(dask_scheduler) -> int:
    return dask_scheduler.allowed_failures
