"""Confining the student process, before any student code runs (called by student_process.py, in fresh namespaces
made by sandbox.py). This trusted bootstrap
  1. hides the course (gradebook, solutions/, submissions), /tmp and the batch's scratch area behind empty tmpfs
     mounts and binds back, read-only, only what Python needs (the venv, src/, data/), plus this submission's own
     scratch folder read-write;
  2. sets resource limits (address space, processes, CPU seconds, file size, open files, no core dumps);
  3. gives up every privilege, with no_new_privs, and closes stray fds. When the grader runs as root: an otherwise
     unused uid. When it does not, the process is root in its own user namespace, which owns its mounts and could
     undo them; so it moves into a nested user namespace and mount namespace, where those mounts are locked by the
     kernel (no unmount, no read-only bind made writable), takes an ordinary uid there (no capability left) and
     may create no further user namespace; RLIMIT_NPROC, counted per user namespace, then bounds its processes.

Imported as a sibling file (it must not import the llmcourse package).
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import resource

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT, MS_BIND, MS_REC = 1, 2, 4, 32, 4096, 16384
CLONE_NEWNS, CLONE_NEWUSER = 0x00020000, 0x10000000
INNER_UID = 1000  # the student's uid in the nested user namespace (non-root grader); the grader's uid outside
_libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)


def _mount(source, target, fstype, flags, data=None):
    if _libc.mount(source and source.encode(), target.encode(), fstype and fstype.encode(), flags,
                   data and data.encode()) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"mount {source} -> {target}: {os.strerror(errno)}")


def _inside(path: str, parent: str) -> bool:
    return path == parent or path.startswith(parent.rstrip("/") + "/")


def _write(path: str, text: str) -> None:
    with open(path, "w") as handle:
        handle.write(text)


def _lock_mounts_and_drop_root() -> None:
    """Non-root grader: we are root in a user namespace that owns our mount namespace, so we could unmount the
    tmpfs that hides the course or make a read-only bind writable. Mounts copied into a mount namespace owned by
    a less privileged user namespace are locked by the kernel (MNT_LOCKED, MNT_LOCK_READONLY), as in bubblewrap:
    enter such a nested pair, as an ordinary uid mapped to our own, and keep no capability."""
    uid, gid = os.getuid(), os.getgid()
    # No further user namespace below this one (bubblewrap's --disable-userns): the nested one below is the last.
    _write("/proc/sys/user/max_user_namespaces", "1")
    if _libc.unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"unshare(CLONE_NEWUSER | CLONE_NEWNS): {os.strerror(errno)}")
    _write("/proc/self/setgroups", "deny")
    _write("/proc/self/uid_map", f"{INNER_UID} {uid} 1")
    _write("/proc/self/gid_map", f"{INNER_UID} {gid} 1")
    # We are INNER_UID already (the map says so), but still hold every capability of the new namespace's creator:
    # setresuid would not clear them (no change from uid 0), so empty the sets explicitly.
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
    if _libc.capset(header, (ctypes.c_uint32 * 6)()) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"capset: {os.strerror(errno)}")
    with open("/proc/self/status") as handle:
        caps = {k: int(v, 16) for k, v in (line.split(":") for line in handle if line.startswith("Cap"))}
    if os.getresuid() != (INNER_UID,) * 3 or os.getresgid() != (INNER_UID,) * 3 or \
            caps["CapEff"] or caps["CapPrm"] or caps["CapAmb"] or caps["CapInh"]:
        raise RuntimeError(f"still privileged after dropping root: {os.getresuid()} {caps}")


def _die_with_parent(alive_fd: int | None) -> None:
    """Changing uid clears PR_SET_PDEATHSIG, so set it again: if the process above us dies (the grading worker was
    killed, taking the zygote with it), we die too, and the PID namespace with us. `alive_fd` reads EOF once that
    process is gone: it may have died before the prctl."""
    _libc.prctl(1, 9, 0, 0, 0)  # PR_SET_PDEATHSIG, SIGKILL
    if alive_fd is not None:
        import select

        if select.select([alive_fd], [], [], 0)[0]:
            os._exit(1)
        os.close(alive_fd)


def confine(config: dict) -> None:
    """Hide, limit, drop privileges (see above); `config` comes from sandbox.py on the command line."""
    keep = [(p, os.open(p, os.O_PATH | os.O_DIRECTORY), False) for p in config.get("keep", []) if os.path.isdir(p)]
    workdir = config["workdir"]
    keep.append((workdir, os.open(workdir, os.O_PATH | os.O_DIRECTORY), True))
    if config.get("mounts"):
        hidden = []
        for path in config.get("hide", []):
            if os.path.isdir(path) and not any(_inside(path, h) for h in hidden):
                _mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, "size=64m,mode=0755")
                hidden.append(path)
        for path, fd, writable in keep:
            if any(_inside(path, h) for h in hidden):
                os.makedirs(path, exist_ok=True)
                _mount(f"/proc/self/fd/{fd}", path, None, MS_BIND | MS_REC)
                if not writable:
                    _mount(None, path, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
        if config.get("tmp_writable") and "/tmp" in hidden:
            os.chmod("/tmp", 0o1777)
    for _, fd, _ in keep:
        os.close(fd)
    os.chdir(workdir)
    uid, nested = config.get("uid"), config.get("lock_mounts")
    limits = config.get("limits", {})
    for name, value in (("RLIMIT_AS", limits.get("memory_bytes")), ("RLIMIT_CPU", limits.get("cpu_seconds")),
                        ("RLIMIT_FSIZE", limits.get("file_bytes")), ("RLIMIT_NOFILE", limits.get("open_files")),
                        ("RLIMIT_CORE", 0), ("RLIMIT_NPROC", limits.get("processes") if uid or nested else None)):
        if value is not None:
            resource.setrlimit(getattr(resource, name), (int(value), int(value)))
    if uid:
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
    elif nested:
        _lock_mounts_and_drop_root()
    _die_with_parent(config.get("alive_fd"))
    _libc.prctl(38, 1, 0, 0, 0)  # PR_SET_NO_NEW_PRIVS
    os.closerange(3, config["fd"])
    os.closerange(config["fd"] + 1, 4096)
