"""Warm start for student processes: one clean Python process per grading worker that has already imported what the
assignment's notebooks import (numpy, torch, the course package), and forks a fresh student process on request.

Starting Python and importing torch costs about a second per notebook; a fork costs milliseconds. The zygote never
sees a submission, a template or a test: it is started by sandbox.py with the sandbox's environment and a list of
modules, imports them, and then only forks. Its child does what `unshare --net --mount --pid --fork --kill-child
--mount-proc` (plus `--user --map-root-user` when the grader is not root) did for a cold start: new namespaces, a
fork so the student process is PID 1 of its own PID namespace, a fresh /proc; then `student_process.run`, which
confines it (confinement.py) exactly as before any student code runs.

Requests and replies on one SOCK_SEQPACKET socket, one JSON object per message:
    grader -> zygote   {} with three fds: the student's socket, its stdout, its stderr
    grader -> child    {"config": {...}, "env": {...}} on the student's socket (wire.send), before anything else
    zygote -> grader   {"ready": true} once, after the imports
                       {"pid": N} after each fork (or {"error": "..."})
                       {"exited": N, "status": S} when process N ended (S as subprocess: -signal or exit status)

Run as a script (`python -I zygote.py FD MODULES_JSON`), or forked from a fresh grading worker whose forkserver
has imported the modules already (`sandbox.Zygote(..., fork_here=True)`, before the worker grades anything). Like
student_process.py it must not import llmcourse.
"""
from __future__ import annotations

import importlib
import json
import os
import resource
import select
import signal
import socket
import sys
import traceback
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import confinement  # noqa: E402  (sibling modules, importable without the llmcourse package)
import protocol  # noqa: E402
import student_process  # noqa: E402
import wire  # noqa: E402

sys.path.pop(0)  # student imports must not find the grader's modules

CLONE_NEWPID, CLONE_NEWNET = 0x20000000, 0x40000000
MS_NOEXEC, MS_PRIVATE = 8, 1 << 18
PR_SET_PDEATHSIG = 1
MESSAGE_BYTES = 1 << 16


def preload(modules: list[list]) -> None:
    """Import each module and touch the names taken from it (transformers imports its classes lazily). A failure
    is left for the notebook's own cell to report, inside the sandbox."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, attributes in modules:
            try:
                module = importlib.import_module(name)
                for attribute in attributes:
                    getattr(module, attribute, None)
            except Exception:
                pass
        for name, extra in protocol.IMPORTED_BY_REQUESTS.items():
            if name in sys.modules:
                for module in extra:
                    importlib.import_module(module)


def _libc_call(name: str, *args) -> None:
    if getattr(confinement._libc, name)(*args) != 0:
        import ctypes

        errno = ctypes.get_errno()
        raise OSError(errno, f"{name}: {os.strerror(errno)}")


def _write(path: str, text: str) -> None:
    with open(path, "w") as handle:
        handle.write(text)


def _intermediate(student: int, alive: int, cpu_seconds: float | None) -> None:
    """The process between the zygote and PID 1 of the new namespace (unshare --fork's role): wait, and end the
    way the student process ended, so the grader reads a signal as a signal. It keeps only `alive` open (the
    student process sees EOF there if this process dies), never the student's socket."""
    os.closerange(3, alive)
    os.closerange(alive + 1, 4096)
    while True:
        try:
            _, status, usage = os.wait4(student, 0)
            break
        except InterruptedError:
            continue
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        # PID 1 of a namespace ignores SIGXCPU, so the CPU limit ends it with SIGKILL: say SIGXCPU (rusage rounds
        # down from the scheduler's exact count, by up to a tenth seen on a busy machine: hence 0.8)
        if number == signal.SIGKILL and cpu_seconds and usage.ru_utime + usage.ru_stime >= 0.8 * cpu_seconds:
            number = signal.SIGXCPU
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if number not in (signal.SIGKILL, signal.SIGSTOP):
            signal.signal(number, signal.SIG_DFL)
        os.kill(os.getpid(), number)
        os._exit(128 + number)
    os._exit(os.waitstatus_to_exitcode(status) & 0xFF)


def _child(fds: list[int], zygote: int) -> None:
    """In the forked child: new namespaces, PID 1 of its own, then the student process. Never returns.

    Its configuration (folders, limits, environment) comes from the grader on the student's own socket, so the
    zygote's memory, which every later student process shares, never holds a word about another submission."""
    try:
        student_sock, out, err = fds
        reader = socket.socket(fileno=os.dup(student_sock))
        request = wire.recv(reader)
        reader.close()
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(out, 1)
        os.dup2(err, 2)
        # Python's own streams on those fds, as a fresh interpreter has them (a multiprocessing worker, which a
        # forked zygote comes from, had moved stdin elsewhere)
        sys.stdin = sys.__stdin__ = open(0, encoding="utf-8", closefd=False)
        sys.stdout = sys.__stdout__ = open(1, "w", encoding="utf-8", closefd=False)
        sys.stderr = sys.__stderr__ = open(2, "w", encoding="utf-8", errors="backslashreplace", buffering=1,
                                           closefd=False)
        os.setsid()
        _libc_call("prctl", PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != zygote:  # the zygote died before prctl: nobody would kill us
            os._exit(1)
        uid, gid = os.getuid(), os.getgid()
        flags = confinement.CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWPID | (confinement.CLONE_NEWUSER if uid else 0)
        _libc_call("unshare", flags)
        if uid:  # --map-root-user: root in the new user namespace, our own uid outside
            _write("/proc/self/setgroups", "deny")
            _write("/proc/self/uid_map", f"0 {uid} 1")
            _write("/proc/self/gid_map", f"0 {gid} 1")
        confinement._mount(None, "/", None, confinement.MS_REC | MS_PRIVATE)
        alive_read, alive_write = os.pipe()  # EOF on alive_read: the intermediate is gone
        student = os.fork()
        if student:
            _intermediate(student, alive_write, request["config"].get("limits", {}).get("cpu_seconds"))
        os.close(alive_write)
        _libc_call("prctl", PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # --kill-child
        if select.select([alive_read], [], [], 0)[0]:
            os._exit(1)
        confinement._mount("none", "/proc", None, confinement.MS_REC | MS_PRIVATE)
        confinement._mount("proc", "/proc", "proc", confinement.MS_NOSUID | confinement.MS_NODEV | MS_NOEXEC)
        os.environ.clear()
        os.environ.update(request["env"])
        config = dict(request["config"], fd=student_sock, alive_fd=alive_read)  # confine checks it again
        sys.argv = [student_process.__file__, json.dumps(config)]  # as a cold start had it
        student_process.run(config)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
    except BaseException:
        try:
            traceback.print_exc()
            sys.stderr.flush()
        finally:
            os._exit(70)


def serve(control: socket.socket) -> None:
    """Fork on each request; report each child's end. Ends when the grader closes the socket."""
    zygote = os.getpid()
    children: set[int] = set()
    while True:
        readable = select.select([control], [], [], 0.02)[0]
        for pid in list(children):
            try:
                done, status = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                done, status = pid, 0
            if done:
                children.discard(pid)
                control.send(json.dumps({"exited": pid, "status": os.waitstatus_to_exitcode(status)}).encode())
        if not readable:
            continue
        data, fds, _, _ = socket.recv_fds(control, MESSAGE_BYTES, 3)
        if not data:
            return
        try:
            if len(fds) != 3:
                raise ValueError(f"expected 3 file descriptors, got {len(fds)}")
            pid = os.fork()
        except Exception as error:
            for fd in fds:
                os.close(fd)
            control.send(json.dumps({"error": f"{type(error).__name__}: {error}"}).encode())
            continue
        if pid == 0:
            control.close()
            _child(fds, zygote)
        for fd in fds:
            os.close(fd)
        children.add(pid)
        control.send(json.dumps({"pid": pid}).encode())


def run(control: socket.socket, modules: list[list]) -> None:
    """The zygote's life: import, say so, fork on request (as a script, or forked by sandbox.Zygote from a grading
    worker that has imported them already and not yet graded anything)."""
    _libc_call("prctl", PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # gone with the grading worker
    preload(modules)
    control.send(json.dumps({"ready": True}).encode())
    serve(control)


def main() -> None:
    run(socket.socket(fileno=int(sys.argv[1])), json.loads(sys.argv[2]))


if __name__ == "__main__":
    main()
