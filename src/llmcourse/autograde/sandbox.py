"""One sandboxed student process: namespaces, limits, a socket to talk to it, and a clean kill.

Isolation we chose (Linux): what `unshare --net --mount --pid --fork --kill-child --mount-proc` (plus `--user
--map-root-user` when the grader is not root) makes, made by zygote.py in a process it forks warm (numpy, torch and
the course package already imported: a cold start cost about a second per notebook). The new network namespace has only a loopback interface that is
down, so no connection can leave the process (not even to the grader's own 127.0.0.1); the new PID namespace dies
with its first process, taking every forked, detached or daemonised child with it; the new mount namespace lets
`confinement.py` hide the course, /tmp and the other submissions behind empty tmpfs mounts. When the
grader runs as root the student code runs as an otherwise unused uid (61000+), so it cannot write anything the
grader owns. When it does not, the bootstrap then moves into a nested user + mount namespace as an ordinary uid
with no capability, where the kernel locks those mounts: no unmounting them, no making the read-only binds
writable, no further user namespace. Either way RLIMIT_NPROC bounds its processes (counted per user namespace, so
not the grader's own). The process gets its own session/process group, killed with SIGKILL when its grading ends.
"""
from __future__ import annotations

import functools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from llmcourse.autograde import wire
from llmcourse.paths import REPO_ROOT

ZYGOTE = Path(__file__).with_name("zygote.py")
# Workers = cores, and each grading is a worker plus its sandbox: one thread each, or torch's OpenMP threads (and
# setup_notebook()'s default of 2) oversubscribe the cores and spin; ps06 graded 5x slower with 2 workers.
ONE_THREAD = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "LLMCOURSE_THREADS": "1"}
GiB = 1 << 30


@dataclass
class Limits:
    cell_seconds: float = 60.0          # wall time of one cell or one call from a test
    notebook_seconds: float = 300.0     # wall time of a whole notebook (all cells and tests)
    memory_bytes: int = 4 * GiB         # address space (RLIMIT_AS)
    processes: int = 64                 # RLIMIT_NPROC: processes and threads of the student code
    cpu_seconds: int = 600              # RLIMIT_CPU
    output_bytes: int = 8 << 20         # stdout+stderr files and any file the code writes (RLIMIT_FSIZE)
    open_files: int = 256

    def as_dict(self) -> dict:
        return dict(self.__dict__)


class SandboxError(Exception):
    """The sandbox could not start (a grader-side problem, not the student's)."""


# Why the student's process stopped answering: decided where it is seen (a timeout, the exit status, the size of
# what it wrote), carried by SandboxDied.reason, never read back from an error's text.
TIME, OUTPUT, CPU, SIGNAL, EXIT, PROTOCOL = "time", "output", "cpu", "signal", "exit", "protocol"
DEATH_REASONS = (TIME, OUTPUT, CPU, SIGNAL, EXIT, PROTOCOL)


class SandboxDied(Exception):
    """The student's process is gone or stopped answering; `reason` is one of DEATH_REASONS."""

    def __init__(self, reason: str, message: str):
        assert reason in DEATH_REASONS, reason
        super().__init__(message)
        self.reason = reason


@functools.cache
@functools.cache
def namespace_prefix() -> tuple[str, ...] | None:
    """The unshare command line that works here, or None when this system cannot make namespaces. Probed once per
    process (it runs a process): every sandbox start asks."""
    unshare = shutil.which("unshare")
    if not unshare:
        return None
    base = [unshare, "--net", "--mount", "--pid", "--fork", "--kill-child", "--mount-proc"]
    if os.geteuid() != 0:
        base += ["--user", "--map-root-user"]
    try:
        ok = subprocess.run(base + ["true"], capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        ok = False
    return tuple(base) if ok else None


def _die_with_parent() -> None:
    """In the forked child before exec: SIGKILL when the grading worker dies (even by SIGKILL)."""
    import ctypes

    ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG


def _sweep_uid(uid: int) -> None:
    """Kill every process still running as the sandbox uid (belt and braces next to the PID namespace)."""
    deadline = time.monotonic() + 3
    while _kill_uid(uid) and time.monotonic() < deadline:
        time.sleep(0.05)


def _kill_uid(uid: int) -> int:
    found = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("Uid:") and int(line.split()[1]) == uid and "\nState:\tZ" not in status:
                found += 1
                try:
                    os.kill(int(entry.name), signal.SIGKILL)
                except OSError:
                    pass
    return found


def sandbox_environment(workdir: Path) -> dict[str, str]:
    """The whole environment of a student process (nothing of the grader's own)."""
    return {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "HOME": str(workdir), "LANG": "C.UTF-8",
            "MPLBACKEND": "Agg", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0",
            "TOKENIZERS_PARALLELISM": "false", "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
            "MPLCONFIGDIR": str(workdir), **ONE_THREAD}


class StudentProcess:
    """A student process forked by the zygote, seen as much like a subprocess.Popen as the Sandbox needs."""

    def __init__(self, zygote: "Zygote", pid: int):
        self.zygote, self.pid, self.returncode = zygote, pid, None

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            self.returncode = self.zygote.exit_status(self.pid, timeout)
        return self.returncode


class Zygote:
    """The grader's end of zygote.py: one warm process per grading worker and list of modules, kept for the
    worker's life (it dies with it: PR_SET_PDEATHSIG, and EOF on its socket)."""

    def __init__(self, preload: tuple, fork_here: bool = False):
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.errors = tempfile.TemporaryFile()  # what it says if it cannot start (a file: a pipe could fill up)
        self.home = Path(tempfile.mkdtemp(prefix="llmcourse-zygote-"))  # caches its imports may write (matplotlib)
        modules = [[name, list(attributes)] for name, attributes in preload]
        if fork_here:
            self.proc = _fork_zygote(mine, theirs, modules, self.errors.fileno(), sandbox_environment(self.home))
        else:
            self.proc = subprocess.Popen(
                [sys.executable, "-I", str(ZYGOTE), str(theirs.fileno()), json.dumps(modules)],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self.errors,
                env=sandbox_environment(self.home), pass_fds=[theirs.fileno()], start_new_session=True,
                preexec_fn=_die_with_parent)
        theirs.close()
        self.sock = mine
        self.exited: dict[int, int] = {}
        try:
            self._next("ready", timeout=300)  # importing torch and transformers on a busy machine
        except SandboxError:
            self.close()
            raise

    def _next(self, key: str, timeout: float | None) -> dict:
        """The next message with `key`, keeping every exit notice that arrives first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                raise subprocess.TimeoutExpired("zygote", timeout)
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(1 << 16)
            except socket.timeout:
                raise subprocess.TimeoutExpired("zygote", timeout) from None
            if not data:
                self.errors.seek(0)
                error = self.errors.read()[-2000:].decode("utf-8", "replace")
                raise SandboxError(f"the zygote (warm start of student processes) ended: {error}")
            message = json.loads(data)
            if "exited" in message:
                self.exited[message["exited"]] = message["status"]
            if key in message or "error" in message:
                if "error" in message:
                    raise SandboxError(f"the zygote could not start a student process: {message['error']}")
                return message

    def fork(self, fds: list[int]) -> StudentProcess:
        """A new student process on these fds (its socket, stdout, stderr); its configuration goes on its socket."""
        socket.send_fds(self.sock, [b"{}"], fds)
        return StudentProcess(self, self._next("pid", timeout=60)["pid"])

    def exit_status(self, pid: int, timeout: float | None) -> int:
        try:
            while pid not in self.exited:
                self._next("exited", timeout)
        except SandboxError:  # the zygote is gone, and its children with it (PR_SET_PDEATHSIG)
            return -signal.SIGKILL
        return self.exited.pop(pid)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def close(self) -> None:
        self.sock.close()
        self.errors.close()
        shutil.rmtree(self.home, ignore_errors=True)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _fork_zygote(mine: socket.socket, theirs: socket.socket, modules: list, errors: int, env: dict) -> "_Forked":
    """Fork the zygote from this process: only from a grading worker that has imported the notebook's modules (its
    forkserver did) and has not yet seen a submission or a test, so the zygote holds nothing but imports."""
    pid = os.fork()
    if pid:
        return _Forked(pid)
    try:  # the zygote: never returns
        os.setsid()
        null = os.open(os.devnull, os.O_RDWR)
        for target, source in ((0, null), (1, null), (2, errors)):
            os.dup2(source, target)
        keep = theirs.fileno()
        os.closerange(3, keep)  # the worker's pipes to the instructor's process among them
        os.closerange(keep + 1, 65536)
        os.environ.clear()
        os.environ.update(env)
        from llmcourse.autograde import zygote

        zygote.run(theirs, modules)
    finally:
        os._exit(0)


class _Forked:
    """A zygote forked by _fork_zygote, seen as much like a subprocess.Popen as Zygote needs."""

    def __init__(self, pid: int):
        self.pid, self.returncode = pid, None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                done, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:
                done, status = self.pid, 0
            if done:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired("zygote", timeout)
            time.sleep(0.02)
        return self.returncode

    def kill(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


_zygotes: dict[tuple, Zygote] = {}  # by (process, thread, modules)


def zygote_for(preload: tuple, fork_here: bool = False) -> Zygote:
    """This thread's zygote for these modules, started on first use. Per thread: PR_SET_PDEATHSIG fires when the
    thread that started it ends (a Dask worker runs tasks in threads); per process: a forked copy of this module
    must not use its parent's. One at a time per thread: a batch grades one assignment."""
    key = (os.getpid(), threading.get_ident())
    zygote = _zygotes.get((*key, preload))
    if zygote is None or not zygote.alive():
        for other in [k for k in _zygotes if k[:2] == key]:
            _zygotes.pop(other).close()
        zygote = _zygotes[(*key, preload)] = Zygote(preload, fork_here)
    return zygote


def close_zygotes() -> None:
    """End this process's zygotes (a grading worker's end does it too: they die with it)."""
    for key in [k for k in _zygotes if k[0] == os.getpid()]:
        _zygotes.pop(key).close()
    _zygotes.clear()


def preload_of(sources: list[str]) -> tuple:
    """The modules that the notebook's own (trusted) cells import, with the names they take from each: what the
    zygote imports before it forks, so that each student process starts with them imported."""
    import ast

    modules: dict[str, list[str]] = {}
    for source in sources:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    modules.setdefault(alias.name, [])
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                modules.setdefault(node.module, []).extend(a.name for a in node.names if a.name != "*")
    if "setup_notebook" in modules.get("llmcourse", ()):
        from llmcourse.notebook import IMPORTED_BY_SETUP

        for name in IMPORTED_BY_SETUP:
            modules.setdefault(name, [])
    return tuple((name, tuple(dict.fromkeys(names))) for name, names in sorted(modules.items()))


# Top-level folders a Python process needs; everything else at / is hidden behind an empty tmpfs.
SYSTEM_FOLDERS = {"usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32", "etc", "dev", "proc", "sys"}


def top_level_folders_to_hide() -> list[str]:
    folders = []
    for name in sorted(os.listdir("/")):
        path = f"/{name}"
        # A symlink (e.g. /bin -> usr/bin) must not be mounted over: that would hide its target.
        if name not in SYSTEM_FOLDERS and os.path.isdir(path) and not os.path.islink(path):
            folders.append(path)
    return folders


def visible_folders() -> list[str]:
    """What the student process sees of this machine's own folders (read-only), besides the system's."""
    src = Path(__file__).resolve().parents[2]
    return [sys.prefix, sys.base_prefix, str(src), str(REPO_ROOT / "data")]


class Sandbox:
    """Start with `start()`, talk with `request()`, always `close()` (kills everything it started)."""

    def __init__(self, workdir: Path, logdir: Path, hide: list[Path], limits: Limits, *, slot: int = 0,
                 preload: tuple = ()):
        self.workdir, self.logdir, self.limits = Path(workdir), Path(logdir), limits
        self.hide = hide
        self.preload = tuple(preload)  # modules the zygote imports before it forks (zygote.preload)
        self.uid = (61000 + (os.getpid() * 7 + slot) % 4000) if os.geteuid() == 0 else None
        self.proc: StudentProcess | None = None
        self.sock: socket.socket | None = None
        self.out_path = self.logdir / "stdout.txt"
        self.err_path = self.logdir / "stderr.txt"

    def start(self, timeout: float = 60.0) -> None:
        if namespace_prefix() is None:
            raise SandboxError("this system cannot create Linux namespaces (unshare failed); the grader refuses to "
                               "run untrusted code without them (see README, instructor section)")
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.logdir.mkdir(parents=True, exist_ok=True)
        if self.uid is not None:
            os.chown(self.workdir, self.uid, self.uid)
        os.chmod(self.workdir, 0o700)
        parent_sock, child_sock = socket.socketpair()
        keep = visible_folders()
        hide = ["/tmp", "/var/tmp", "/dev/shm", str(REPO_ROOT), *(str(p) for p in self.hide)]
        home = os.path.expanduser("~")
        if home not in ("/", ""):
            hide.append(home)  # the instructor's home (e.g. /root): Python may live there, bound back read-only
        # Not only the places we know of: other copies of the course (solutions, gradebooks) may sit anywhere, so
        # every top-level folder but the system's own is hidden too, and only `keep` comes back.
        hide += top_level_folders_to_hide()
        config = {"workdir": str(self.workdir), "keep": keep, "hide": hide,
                  "mounts": True, "uid": self.uid, "lock_mounts": self.uid is None, "tmp_writable": True,
                  "limits": {"memory_bytes": self.limits.memory_bytes, "cpu_seconds": self.limits.cpu_seconds,
                             "file_bytes": self.limits.output_bytes, "open_files": self.limits.open_files,
                             "processes": self.limits.processes}}
        try:
            with open(self.out_path, "ab") as out, open(self.err_path, "ab") as err:
                self.proc = zygote_for(self.preload).fork([child_sock.fileno(), out.fileno(), err.fileno()])
        finally:
            child_sock.close()
        self.sock = parent_sock
        try:
            self.send({"config": config, "env": sandbox_environment(self.workdir)})
            hello = self._receive(timeout)
        except SandboxDied as error:
            self.close()
            raise SandboxError(f"the sandbox did not start: {error}\n{self.read_err()[-2000:]}") from None
        if not hello.get("ready"):
            self.close()
            raise SandboxError(f"the sandbox did not start: {hello}")

    def _receive(self, timeout: float):
        self.sock.settimeout(max(0.05, timeout))
        try:
            return wire.recv(self.sock)
        except socket.timeout:
            raise SandboxDied(TIME, f"ran longer than {timeout:.0f} s and was stopped") from None
        except (EOFError, ConnectionError, OSError):
            raise self._death() from None
        except wire.WireError as error:
            raise SandboxDied(PROTOCOL, f"sent a malformed reply ({error})") from None

    def _death(self) -> SandboxDied:
        """Why the process ended, from its exit status and the size of what it wrote."""
        try:
            code = self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            code = None
        size = sum(p.stat().st_size for p in (self.out_path, self.err_path) if p.exists())
        if size >= self.limits.output_bytes:
            return SandboxDied(OUTPUT, "was stopped: it wrote more than the output limit "
                                       f"({self.limits.output_bytes >> 20} MB)")
        if code is not None and code < 0:
            name = signal.Signals(-code).name
            if name == "SIGXCPU":
                return SandboxDied(CPU, f"was stopped: it used more than {self.limits.cpu_seconds} s of CPU time")
            return SandboxDied(SIGNAL, f"ended abruptly (signal {name})")
        return SandboxDied(EXIT, f"ended the Python process (exit status {code}), e.g. with os._exit() or by "
                                 "closing its connection")

    def request(self, message: dict, timeout: float) -> dict:
        self.send(message)
        return self._receive(timeout)

    def send(self, message: dict) -> None:
        if self.proc is None or self.sock is None:
            raise SandboxDied(EXIT, "is not running (it ended earlier)")
        try:
            wire.send(self.sock, message)
        except (OSError, EOFError):
            raise self._death() from None

    def receive(self, timeout: float) -> dict:
        if self.sock is None:
            raise SandboxDied(EXIT, "is not running (it ended earlier)")
        return self._receive(timeout)

    def read_out(self, start: int = 0, limit: int = 20000) -> str:
        return _read_tail(self.out_path, start, limit)

    def read_err(self, start: int = 0, limit: int = 20000) -> str:
        return _read_tail(self.err_path, start, limit)

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None
        if self.proc is not None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
            self.proc = None
        if self.uid is not None:
            _sweep_uid(self.uid)


def _read_tail(path: Path, start: int, limit: int) -> str:
    if not path.exists():
        return ""
    with open(path, "rb") as handle:
        handle.seek(start)
        data = handle.read(limit + 1)
    text = data[:limit].decode("utf-8", "replace")
    return text + ("\n... (output cut)" if len(data) > limit else "")
