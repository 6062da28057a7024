"""The sandbox when the grader is an ordinary user (`unshare --user --map-root-user`): student code is root in its
own user namespace there, so these tests check that it still cannot unmount what hides the course, make the
read-only binds writable, fork without bound, or reach the network. A root test process runs the grader as
`nobody` (tests/fixtures/nonroot_grader.py, one run shared by all tests); a non-root one runs it as itself."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from llmcourse.paths import REPO_ROOT

HARNESS = Path(__file__).parent / "fixtures" / "nonroot_grader.py"
SRC = REPO_ROOT / "src"
PROCESSES = 24          # the sandbox's process limit in these tests
DECOYS = PROCESSES + 8  # the grader's own processes, more than the limit: they must not count against it
SECRET_TEXT = "hidden tests: answer is 42"


def grader_ids() -> tuple[int, int]:
    return (65534, 65534) if os.geteuid() == 0 else (os.getuid(), os.getgid())


def as_grader(argv: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return list(argv)
    uid, gid = grader_ids()
    return ["setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups", *argv]


def run(argv: list[str], timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(as_grader(argv), capture_output=True, text=True, timeout=timeout, cwd="/")


def make_venv(scratch: Path) -> Path | None:
    """A venv owned by the grader user (as an instructor's own venv is), from a Python that user may run."""
    candidates = [sys.executable, getattr(sys, "_base_executable", ""), shutil.which("python3") or "",
                  "/usr/bin/python3"]
    for number, python in enumerate(dict.fromkeys(c for c in candidates if c)):
        venv = scratch / f"venv{number}"
        if run([python, "-m", "venv", "--without-pip", str(venv)]).returncode != 0:
            continue
        # The grader starts its sandbox with sys.executable, without any capability: that must work too.
        check = "import subprocess, sys; subprocess.run([sys.executable, '-I', '-c', 'pass'], check=True)"
        if run([str(venv / "bin" / "python"), "-c", check]).returncode == 0:
            return venv
    return None


@pytest.fixture(scope="module")
def outcome():
    if not shutil.which("unshare") or (os.geteuid() == 0 and not shutil.which("setpriv")):
        pytest.skip("unshare/setpriv not installed")
    if run(["unshare", "--user", "--map-root-user", "--mount", "true"]).returncode != 0:
        pytest.skip("this machine cannot create unprivileged user namespaces")
    uid, gid = grader_ids()
    # Not under a root-only TMPDIR: the grader user must reach it.
    scratch = Path(tempfile.mkdtemp(prefix="llmcourse-nonroot-", dir="/tmp" if os.geteuid() == 0 else None))
    try:
        os.chown(scratch, uid, gid)
        course = scratch / "course"
        course.mkdir(mode=0o700)
        (course / "gradebook-secret.txt").write_text(SECRET_TEXT)
        for path in (course, course / "gradebook-secret.txt"):
            os.chown(path, uid, gid)
        os.chmod(course / "gradebook-secret.txt", 0o600)
        venv = make_venv(scratch)
        if venv is None:
            pytest.skip("no Python interpreter the unprivileged user can run")
        # The grader's own copy of the package, owned by the grader user (the checkout may sit in a folder that
        # user cannot read, such as /root); so writing to it is stopped by the read-only bind, not by permissions.
        src = scratch / "src"
        shutil.copytree(SRC / "llmcourse", src / "llmcourse", ignore=shutil.ignore_patterns("__pycache__"))
        for path in [src, *src.rglob("*")]:
            os.chown(path, uid, gid)
        config = {"src": str(src), "scratch": str(scratch), "processes": PROCESSES, "decoys": DECOYS}
        done = run([str(venv / "bin" / "python"), "-I", str(HARNESS), json.dumps(config)], timeout=120)
        assert done.returncode == 0, f"the grader failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        result = json.loads(done.stdout.strip().splitlines()[-1])
        result["scratch"], result["src"] = scratch, src
        result["venv_on_disk"] = sorted(os.listdir(venv))
        result["secret_on_disk"] = (course / "gradebook-secret.txt").read_text()
        yield result
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def test_student_code_runs_without_any_capability(outcome):
    report = outcome["escape"]
    assert report["uid"] != 0 and report["cap_eff"] == "0000000000000000", report
    assert report["no_new_privs"] == "1"
    assert report["workdir_writable"]  # the probes could write where they are allowed to


def test_hidden_folder_cannot_be_revealed(outcome):
    report = outcome["escape"]
    assert outcome["secret_on_disk"] == SECRET_TEXT  # the file is there, outside the sandbox
    assert report["plain"].startswith("no:"), report["plain"]
    for probe in ("umount", "umount_lazy", "umount_every_tmpfs", "rprivate_then_umount"):
        assert "error" not in report[probe], (probe, report[probe])
        assert report[probe]["secret"].startswith("no:"), (probe, report[probe])
    assert report["umount_lazy"]["result"] != 0 and 0 not in report["umount"]["result"]
    # In a user namespace of its own, where it is root:
    assert SECRET_TEXT not in report["userns_umount"]["out"], report["userns_umount"]
    assert report["userns_umount"]["secret"].startswith("no:"), report["userns_umount"]


def test_read_only_binds_stay_read_only(outcome):
    report = outcome["escape"]
    assert not report["venv_direct"] and not report["src_direct"]
    for probe in ("venv_remount_rw", "venv_umount"):
        assert "error" not in report[probe] and not report[probe]["result"][-1], (probe, report[probe])
    for files in (report["venv_files"], outcome["venv_on_disk"]):
        assert not [name for name in files if name.startswith("pwned")], files
    assert not list(outcome["src"].glob("pwned*"))


def test_fork_bomb_stops_at_the_process_limit_and_nothing_survives(outcome):
    # The grader ran DECOYS processes of its own meanwhile: were they counted, the bomb could not fork at all.
    assert PROCESSES - 3 <= outcome["bomb"]["processes"] <= PROCESSES, outcome["bomb"]
    assert outcome["marked_during"] >= PROCESSES - 3  # the sandbox's processes are visible from outside...
    assert outcome["marked_after"] == 0  # ...and all gone after close()


def test_no_network(outcome):
    network = outcome["network"]
    assert network["interfaces"] == ["lo"], network
    assert network["grader"] != "connected" and network["outside"] != "connected", network
