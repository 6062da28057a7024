"""cluster.py: the same batch graded on a real Dask cluster (a `dask scheduler` and `dask worker` processes started
here on 127.0.0.1 from the venv) gives the local grader's grades cell for cell, through worker deaths, a submission
that kills every worker it lands on, and TLS; nothing of the cluster outlives the tests.

The submissions are ps01's: the reference solution, a partly wrong one, the untouched release, and hostile ones
built from the catalogue's sources (tests/fixtures/catalogue.py): infinite loop, memory bomb, fork bomb, gradebook
writer, each an extra cell after a correct solution cell.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import nbformat
import pytest

import roundtrip
from llmcourse.autograde.batch import autograde
from llmcourse.autograde.cluster import DaskCluster, gave_up_message, grade_on_worker
from llmcourse.autograde.coursedir import CourseFolders
from llmcourse.autograde.gradebook import integrity_problems
from llmcourse.autograde.reference import check_reference
from llmcourse.autograde.results import load_results
from llmcourse.autograde.sandbox import Limits
from llmcourse.autograde.submission import SCRATCH_PREFIX, pack
from llmcourse.paths import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "autograder"))
import catalogue  # noqa: E402  (tests/fixtures, on the path through conftest.py)
import course_grader  # noqa: E402

A = "ps01_word2vec_cosine"
BIN = Path(sys.executable).parent
# Small limits keep the infinite loop short; the memory bomb asks for more than memory_bytes.
LIMITS = Limits(cell_seconds=10, notebook_seconds=120, processes=48, output_bytes=2 << 20)
LIMIT_FLAGS = ["--cell-timeout", "10", "--notebook-timeout", "120", "--processes", "48", "--output-mb", "2",
               "--memory-gb", str(LIMITS.memory_bytes / (1 << 30))]
ALLOWED_FAILURES = 1  # the test scheduler gives a submission up when a second worker dies on it
MARKER = f"LLMCOURSE_TEST_CLUSTER={uuid.uuid4().hex}"  # in the environment of every process the tests start


def hostile(extra: str):
    """The reference solution with the catalogue's `extra` source as a code cell after the first solution cell."""
    def build(release: Path, source: Path, target: Path) -> None:
        roundtrip.fill_in_solutions(release, source, target)
        notebook = nbformat.read(target, 4)
        first = next(i for i, c in enumerate(notebook.cells) if c.metadata.get("nbgrader", {}).get("solution"))
        notebook.cells.insert(first + 1, nbformat.v4.new_code_cell(extra))
        nbformat.write(notebook, target)
    return build


def blank(release: Path, source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(release, target)


SUBMISSIONS = {
    "correct": roundtrip.fill_in_solutions,
    "partly_wrong": roundtrip.fill_in_every_other_solution,
    "blank": blank,
    "infinite_loop": hostile(catalogue.INFINITE_LOOP),
    "memory_bomb": hostile(catalogue.MEMORY_BOMB),
    "fork_bomb": hostile(catalogue.FORK_BOMB),
    "gradebook_writer": None,  # needs the course's path: built in `base_course`
}


@pytest.fixture(scope="module")
def base_course(tmp_path_factory) -> Path:
    """The scratch course with every submission and its reference check done (cached in the course), copied for
    each run below."""
    root = roundtrip.scratch_course(tmp_path_factory.mktemp("cluster"), A)
    shutil.copytree(REPO_ROOT / "exercises" / A, root / "exercises" / A)
    release, source = root / "exercises" / A / f"{A}.ipynb", root / "solutions" / A / f"{A}.ipynb"
    for student, build in SUBMISSIONS.items():
        target = root / "autograder" / "submitted" / student / A / f"{A}.ipynb"
        if build is None:
            build = hostile(catalogue.WRITE_GRADEBOOK.replace("{course}", str(root)))
        build(release, source, target)
    check_reference(CourseFolders(root), A, LIMITS)
    return root


def copy_course(base: Path, into: Path, students: list[str] | None = None) -> CourseFolders:
    shutil.copytree(base, into, symlinks=True)
    if students is not None:
        for folder in (into / "autograder" / "submitted").iterdir():
            if folder.name not in students:
                shutil.rmtree(folder)
    return CourseFolders(into)


@pytest.fixture(scope="module")
def local_grades(base_course, tmp_path_factory) -> dict[str, dict]:
    """The local grader's results (the default process pool), what every cluster run must equal."""
    course = copy_course(base_course, tmp_path_factory.mktemp("local") / "course")
    return autograde(course, A, workers=2, limits=LIMITS, progress=False)


def cells(result: dict) -> list[tuple]:
    return [(nb["name"], c["grade_id"], c["points"], c["max_points"], c["passed"], c["message"])
            for nb in result["notebooks"] for c in nb["cells"]]


def assert_same_grades(results: dict[str, dict], expected: dict[str, dict], students) -> None:
    for student in students:
        assert results[student]["status"] == expected[student]["status"], student
        assert cells(results[student]) == cells(expected[student]), student
        assert results[student]["score"] == expected[student]["score"], student


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class DaskProcesses:
    """A `dask scheduler` and `dask worker` processes, started from the venv; stop() ends them all."""

    def __init__(self, tls: dict | None = None):
        self.tls = tls or {}
        self.protocol = "tls" if tls else "tcp"
        self.address = f"{self.protocol}://127.0.0.1:{free_port()}"
        self.processes: list[subprocess.Popen] = []
        self.env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}",
                        DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES=str(ALLOWED_FAILURES),
                        DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED="False")  # as README's workers
        key, value = MARKER.split("=")
        self.env[key] = value

    def tls_flags(self) -> list[str]:
        if not self.tls:
            return []
        return ["--tls-ca-file", self.tls["ca"], "--tls-cert", self.tls["cert"], "--tls-key", self.tls["key"]]

    def start(self, workers: int) -> DaskProcesses:
        host, port = self.address.split("://")[1].split(":")
        self.processes.append(subprocess.Popen(
            [str(BIN / "dask"), "scheduler", "--host", host, "--port", port, "--no-dashboard",
             "--protocol", self.protocol, *self.tls_flags()], env=self.env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        for _ in range(workers):
            self.add_worker()
        self.wait_for_workers(workers)
        return self

    def add_worker(self, env: dict | None = None, name: str | None = None) -> subprocess.Popen:
        process = subprocess.Popen(
            [str(BIN / "dask"), "worker", self.address, "--nthreads", "1", "--host", "127.0.0.1",
             "--no-dashboard", *(["--name", name] if name else []), *self.tls_flags()],
            env=env or self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.processes.append(process)
        return process

    def client(self):
        from distributed import Client

        return Client(self.address, security=self.security(), timeout="60s")

    def security(self):
        if not self.tls:
            return None
        from distributed.security import Security

        return Security(tls_ca_file=self.tls["ca"], tls_client_cert=self.tls["cert"],
                        tls_client_key=self.tls["key"], require_encryption=True)

    def wait_for_workers(self, count: int) -> None:
        with self.client() as client:
            client.wait_for_workers(count, timeout=120)

    def stop(self) -> None:
        for process in reversed(self.processes):  # workers first (their nannies end the worker processes)
            process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def marked_processes() -> list[str]:
    """Processes still running that the tests started (the marker is in their environment, inherited by each
    worker process a nanny spawns)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and entry.name != str(os.getpid()):
            try:
                if MARKER.encode() in (entry / "environ").read_bytes():
                    found.append(f"{entry.name}: {(entry / 'cmdline').read_bytes()[:200]!r}")
            except OSError:
                continue
    return found


def sandbox_processes(worker_pids: set[int]) -> list[str]:
    """Student processes of our workers' gradings still alive: they work in the worker's scratch folder, named
    SCRATCH_PREFIX + the worker's pid (forked warm, they keep their zygote's command line and environment)."""
    prefixes = [f"{SCRATCH_PREFIX}{pid}-" for pid in worker_pids]
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                folder = os.readlink(entry / "cwd")
            except OSError:
                continue
            if any(prefix in folder for prefix in prefixes):
                found.append(entry.name)
    return found


@pytest.fixture(scope="module")
def cluster():
    """The scheduler and two single-threaded workers for the tests below; at the end, every process the tests
    started (scheduler, nannies, workers, sandboxes) must be gone."""
    started = DaskProcesses().start(workers=2)
    worker_pids: set[int] = set()
    started.worker_pids = worker_pids  # every worker pid seen, for the sandbox check
    yield started
    started.stop()
    deadline = time.monotonic() + 20
    while (marked_processes() or sandbox_processes(worker_pids)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert marked_processes() == [], "Dask processes outlived the tests"
    assert sandbox_processes(worker_pids) == [], "student processes outlived their worker"


def worker_pids(client) -> dict[str, int]:
    """Each worker's process id (client.run runs on the worker's event loop, also while it grades)."""
    return client.run(os.getpid, on_error="ignore")  # a worker just killed may still be listed


def grades(key: str, student: str) -> bool:
    """Whether a task key (cluster.task_key) is a grading of the student's submission."""
    return key.startswith("grade_") and key.endswith(f"-{student}")


def executing(client) -> dict[str, list[str]]:
    """The keys each worker is running now (not those waiting behind them on the worker, as client.processing()
    lists them)."""
    return client.run(lambda dask_worker: [str(t.key) for t in dask_worker.state.executing], on_error="ignore")


def grade_with_cli(course: CourseFolders, scheduler: str, *extra: str) -> int:
    return course_grader.main(["--course-root", str(course.root), "autograde", A, "--scheduler", scheduler,
                               "--no-progress", *LIMIT_FLAGS, *extra])


def test_cluster_grades_equal_the_local_graders(cluster, base_course, local_grades, tmp_path):
    course = copy_course(base_course, tmp_path / "course")
    with cluster.client() as client:
        cluster.worker_pids.update(worker_pids(client).values())
    assert grade_with_cli(course, cluster.address) == 0
    results = load_results(course, A)
    assert sorted(results) == sorted(SUBMISSIONS)
    assert_same_grades(results, local_grades, SUBMISSIONS)
    # the grades are the catalogue's: nothing hostile took points from a correct solution or reached the gradebook
    assert results["correct"]["score"] == results["correct"]["max_score"] - 2  # the written answer waits for a TA
    assert results["blank"]["score"] == 0
    assert 0 < results["partly_wrong"]["score"] < results["correct"]["score"]
    for student in ("infinite_loop", "memory_bomb", "fork_bomb", "gradebook_writer"):
        assert results[student]["score"] == results["correct"]["score"], student
    assert "time" in results["infinite_loop"]["notebooks"][0]["limits"]
    assert "memory" in results["memory_bomb"]["notebooks"][0]["limits"]
    assert integrity_problems(course, A) == []
    # a second run changes nothing (resume), --force grades everything again with fresh task keys
    assert grade_with_cli(course, cluster.address) == 0
    assert load_results(course, A) == results
    written = (course.autograded / "correct" / A / "result.json").stat().st_mtime_ns
    assert grade_with_cli(course, cluster.address, "--force", "--student", "correct") == 0
    assert (course.autograded / "correct" / A / "result.json").stat().st_mtime_ns > written
    assert cells(load_results(course, A)["correct"]) == cells(results["correct"])


def run_in_thread(function, *args, **kwargs) -> tuple[threading.Thread, dict]:
    outcome = {}

    def target():
        try:
            outcome["value"] = function(*args, **kwargs)
        except BaseException as error:  # reported by the test
            outcome["error"] = error
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread, outcome


def test_a_worker_killed_mid_batch_costs_nothing(cluster, base_course, local_grades, tmp_path):
    students = ["correct", "partly_wrong", "blank", "fork_bomb"]
    course = copy_course(base_course, tmp_path / "course", students)
    killed = []
    with cluster.client() as client:
        thread, outcome = run_in_thread(grade_with_cli, course, cluster.address)
        deadline = time.monotonic() + 300
        while not killed and time.monotonic() < deadline and thread.is_alive():
            done = len(list(course.autograded.glob(f"*/{A}/result.json")))
            busy = {address: keys for address, keys in client.processing().items() if keys}
            if done >= 1 and busy:  # in the middle: something written, something being graded
                address = sorted(busy)[0]
                pid = worker_pids(client)[address]
                cluster.worker_pids.add(pid)
                os.kill(pid, signal.SIGKILL)
                killed.append((address, busy[address]))
            time.sleep(0.2)
        cluster.worker_pids.update(worker_pids(client).values())
        thread.join(timeout=600)
        cluster.worker_pids.update(worker_pids(client).values())
    assert killed, "no worker was busy while results were being written"
    assert not thread.is_alive() and outcome.get("value") == 0, outcome
    results = load_results(course, A)
    assert sorted(results) == sorted(students)
    assert_same_grades(results, local_grades, students)
    assert integrity_problems(course, A) == []
    from nbgrader.api import Gradebook

    with Gradebook(course.db_url) as gradebook:  # one submission per student, each with the result's score
        for student, result in results.items():
            assert gradebook.find_submission(A, student).score == result["score"]


def test_a_submission_that_kills_every_worker_is_given_up(cluster, base_course, local_grades, tmp_path):
    """The harness kills each worker that grades the marked submission; after ALLOWED_FAILURES + 1 deaths it is
    given up: score 0 and the reason, written like any result, while the others, which wait behind it on the killed
    workers (two submissions per worker thread), are graded as if nothing happened."""
    marked, others = "infinite_loop", ["correct", "blank"]
    course = copy_course(base_course, tmp_path / "course", [marked, *others])
    killed = []
    with cluster.client() as client:
        thread, outcome = run_in_thread(grade_with_cli, course, cluster.address)
        deadline = time.monotonic() + 400
        while thread.is_alive() and time.monotonic() < deadline:
            pids = worker_pids(client)
            for address, keys in executing(client).items():
                if any(grades(key, marked) for key in keys) and address in pids \
                        and pids[address] not in killed:
                    cluster.worker_pids.add(pids[address])
                    os.kill(pids[address], signal.SIGKILL)
                    killed.append(pids[address])
            time.sleep(0.1)
        thread.join(timeout=60)
        cluster.worker_pids.update(worker_pids(client).values())
        client.wait_for_workers(2, timeout=120)  # the nannies restarted the killed workers
    assert not thread.is_alive() and outcome.get("value") == 0, outcome
    assert len(killed) == ALLOWED_FAILURES + 1
    results = load_results(course, A)
    given_up = results[marked]
    assert given_up["status"] == "given up"
    assert given_up["score"] == 0 and given_up["max_score"] == local_grades[marked]["max_score"]
    reason = gave_up_message(ALLOWED_FAILURES + 1)
    assert any(reason in message for message in given_up["messages"]), given_up["messages"]
    assert all(reason in cell["message"] for nb in given_up["notebooks"] for cell in nb["cells"])
    assert_same_grades(results, local_grades, others)
    assert integrity_problems(course, A) == []
    notebook = nbformat.read(course.autograded / marked / A / f"{A}.ipynb", 4)  # formgrader shows why
    assert reason in notebook.cells[0].source


def test_a_submission_killed_only_while_waiting_is_graded(cluster, base_course, local_grades, tmp_path):
    """A worker holds two submissions, the one it grades and the next. The harness kills every worker on which the
    marked submission waits behind another (two slow ones grade ahead of it): the scheduler counts those deaths
    against it too and gives it up, but no worker died while grading it, so it is sent again and graded as the
    local grader grades it."""
    course = copy_course(base_course, tmp_path / "course", ["infinite_loop", "correct"])
    submitted = course.submitted
    for copy in ("loop_a", "loop_b"):  # graded first (the batch goes in name order), each up to the cell timeout
        shutil.copytree(submitted / "infinite_loop", submitted / copy)
    shutil.rmtree(submitted / "infinite_loop")
    (submitted / "correct").rename(submitted / "waiting")
    killed = []
    with cluster.client() as client:
        thread, outcome = run_in_thread(grade_with_cli, course, cluster.address)
        deadline = time.monotonic() + 400
        while thread.is_alive() and time.monotonic() < deadline and len(killed) <= ALLOWED_FAILURES:
            pids, running = worker_pids(client), executing(client)
            for address, keys in client.processing().items():
                waiting = [k for k in keys if grades(k, "waiting") and k not in running.get(address, [])]
                if waiting and running.get(address) and address in pids and pids[address] not in killed:
                    cluster.worker_pids.add(pids[address])
                    os.kill(pids[address], signal.SIGKILL)
                    killed.append(pids[address])
                    break
            time.sleep(0.1)
        thread.join(timeout=400)
        cluster.worker_pids.update(worker_pids(client).values())
        client.wait_for_workers(2, timeout=120)
    assert not thread.is_alive() and outcome.get("value") == 0, outcome
    assert len(killed) == ALLOWED_FAILURES + 1, "the harness could not kill a worker the marked one waited on"
    result = load_results(course, A)["waiting"]
    assert result["status"] == "graded", result["messages"]
    assert cells(result) == cells(local_grades["correct"])
    assert integrity_problems(course, A) == []


def test_a_worker_without_namespaces_refuses_to_grade(cluster, base_course):
    """A worker where `unshare` cannot run (here: not on its PATH) returns an error with the reason, never a
    grade made without the sandbox."""
    env = dict(cluster.env, PATH=str(BIN))  # the venv's bin/ only: no unshare
    process = cluster.add_worker(env=env, name="no-namespaces")
    try:
        with cluster.client() as client:
            client.wait_for_workers(3, timeout=120)
            address = next(a for a, info in client.scheduler_info()["workers"].items()
                           if info["name"] == "no-namespaces")
            cluster.worker_pids.add(worker_pids(client)[address])
            course = CourseFolders(base_course)
            folder = course.submitted / "correct" / A
            task = {"student": "correct", "assignment": A, "folder": str(folder), "key": "k",
                    "templates": [str(t) for t in course.templates(A)], "limits": LIMITS.as_dict(),
                    "course_root": str(base_course), "timestamp": None, "timestamp_note": ""}
            result = client.submit(grade_on_worker, pack(task), workers=[address], allow_other_workers=False,
                                   pure=False).result(timeout=120)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
    assert result["status"] == "error"
    assert result["notebooks"] == [] and result["score"] == 0
    assert "cannot create Linux namespaces" in result["messages"][0], result["messages"]
    assert "refuses to run untrusted code" in result["messages"][0]


def make_certificates(folder: Path) -> dict:
    """A CA and one certificate for 127.0.0.1 signed by it (scheduler, workers and client share it), made with the
    `cryptography` package (installed with jupyterhub's certipy)."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.timezone.utc)

    def certificate(subject: str, key, issuer: str, issuer_key, ca: bool):
        builder = (x509.CertificateBuilder()
                   .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
                   .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(minutes=5))
                   .not_valid_after(now + datetime.timedelta(days=1))
                   .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
        if not ca:
            builder = builder.add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]), critical=False)
        return builder.sign(issuer_key, hashes.SHA256())

    ca_key, node_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = certificate("llmcourse test CA", ca_key, "llmcourse test CA", ca_key, ca=True)
    node = certificate("127.0.0.1", node_key, "llmcourse test CA", ca_key, ca=False)
    (folder / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (folder / "node.pem").write_bytes(node.public_bytes(serialization.Encoding.PEM))
    (folder / "node.key").write_bytes(node_key.private_bytes(serialization.Encoding.PEM,
                                                             serialization.PrivateFormat.PKCS8,
                                                             serialization.NoEncryption()))
    return {"ca": str(folder / "ca.pem"), "cert": str(folder / "node.pem"), "key": str(folder / "node.key")}


def test_grading_through_a_tls_scheduler(base_course, local_grades, tmp_path):
    certificates = make_certificates(tmp_path / "tls")
    tls_cluster = DaskProcesses(tls=certificates).start(workers=1)
    students = ["correct", "partly_wrong"]
    try:
        course = copy_course(base_course, tmp_path / "course", students)
        assert grade_with_cli(course, tls_cluster.address) == 1  # refused, with the reason: no certificates
        tls_options = ["--tls-ca-file", certificates["ca"], "--tls-cert", certificates["cert"],
                       "--tls-key", certificates["key"]]
        assert grade_with_cli(course, tls_cluster.address, *tls_options) == 0
    finally:
        tls_cluster.stop()
    assert tls_cluster.address.startswith("tls://")
    assert_same_grades(load_results(course, A), local_grades, students)
    assert integrity_problems(course, A) == []


def test_local_cluster_for_one_run(base_course, local_grades, tmp_path):
    """--scheduler local:N starts a loopback cluster with allowed-failures set, grades, and stops it."""
    from llmcourse.autograde.cluster import LOCAL_ALLOWED_FAILURES

    students = ["partly_wrong"]
    course = copy_course(base_course, tmp_path / "course", students)
    with DaskCluster("local:1", log=lambda _: None) as executor:
        assert executor.allowed_failures == LOCAL_ALLOWED_FAILURES
        results = autograde(course, A, executor=executor, limits=LIMITS, progress=False)
        worker_processes = list(executor.client.run(os.getpid).values())
    assert_same_grades(results, local_grades, students)
    assert_same_grades(load_results(course, A), local_grades, students)
    deadline = time.monotonic() + 20
    while any(Path(f"/proc/{pid}").exists() for pid in worker_processes) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(Path(f"/proc/{pid}").exists() for pid in worker_processes), "the local cluster outlived its run"
