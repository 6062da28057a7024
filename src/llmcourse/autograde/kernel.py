"""The sandboxed student process (run as a script by `sandbox.py`, inside fresh Linux namespaces).

Before any student code runs, this trusted bootstrap
  1. hides the course (gradebook, solutions/, submissions), /tmp and the batch's scratch area behind empty tmpfs
     mounts and binds back, read-only, only what Python needs (the venv, src/, data/), plus this submission's own
     scratch folder read-write;
  2. sets resource limits (address space, processes, CPU seconds, file size, open files, no core dumps);
  3. gives up every privilege, with no_new_privs, and closes stray fds. When the grader runs as root: an otherwise
     unused uid. When it does not, the process is root in its own user namespace, which owns its mounts and could
     undo them; so it moves into a nested user namespace and mount namespace, where those mounts are locked by the
     kernel (no unmount, no read-only bind made writable), takes an ordinary uid there (no capability left) and
     may create no further user namespace; RLIMIT_NPROC, counted per user namespace, then bounds its processes.
Then it serves requests from the trusted grader on one socket: run a cell, report the names the tests need
(plain data by value, anything else as an opaque handle), call a function / read an attribute of a handle.
It never sees a test cell: tests run in the grader, on data decoded strictly by `wire.decode`.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import base64
import io
import json
import os
import pickle
import resource
import socket
import sys
import traceback
import types

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mirror  # noqa: E402  (sibling modules, importable without the llmcourse package)
import wire  # noqa: E402

sys.path.pop(0)  # student imports must not find the grader's modules

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


def bootstrap(config: dict) -> None:
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
    _libc.prctl(38, 1, 0, 0, 0)  # PR_SET_NO_NEW_PRIVS
    os.closerange(3, config["fd"])
    os.closerange(config["fd"] + 1, 4096)


# ---- serving ---------------------------------------------------------------------------------------------------
class Server:
    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.handles: dict[int, object] = {}
        self.graphs: dict[int, tuple] = {}
        self.setup_globals: dict[str, object] = {}  # what the notebook's own (read-only) cells defined
        self.shared: list = []  # the grader's objects (models, optimisers) lent to the current request
        module = types.ModuleType("__main__")
        module.__dict__["__builtins__"] = __builtins__
        sys.modules["__main__"] = module
        self.ns = module.__dict__

    def handle_for(self, obj) -> dict:
        for number, lent in enumerate(self.shared):
            if obj is lent:  # the grader's own object, handed back
                return {"__handle__": 0, "shared": number}
        key = len(self.handles) + 1
        self.handles[key] = obj
        data = {"__handle__": key, "type": type(obj).__name__[:80], "callable": callable(obj)}
        try:
            layer = mirror.layer_value(obj)
        except Exception:  # e.g. student code replaced torch in sys.modules: the object stays a handle
            layer = None
        if layer is not None:
            data["layer"] = layer
        return data

    def lookup(self, data):
        if data.get("callback") is True:
            return _Callback(self, data["__handle__"])
        if "setup" in data:
            return self.setup_object(data["setup"])
        if "shared" in data:
            return self.shared[data["shared"]]
        return self.handles[data["__handle__"]]

    def setup_object(self, name):
        if name not in self.setup_globals:
            raise NameError(f"{name} from the notebook's own cells is not defined (did one of them fail?)")
        return self.setup_globals[name]

    def unpickle_shared(self, payload: str) -> list:
        """The grader's objects for this request (pickled by the trusted grader; names of the notebook's own
        classes and functions, and handles to student objects, are resolved here)."""
        server = self

        class Unpickler(pickle.Unpickler):
            def persistent_load(self, pid):
                kind, key = pid
                return server.setup_object(key) if kind == "setup" else server.handles[key]

        objects, gradients = Unpickler(io.BytesIO(base64.b64decode(payload, validate=True))).load()
        for parameter, gradient in gradients:  # pickling drops .grad: it travels beside (mirror.gradients_of)
            parameter.grad = gradient
        return objects

    def arg(self, data):
        return wire.decode(data, self.lookup)

    def result(self, value):
        return {"ok": True, "value": wire.encode(value, self.handle_for)}

    def run_cell(self, source: str, label: str, setup: bool = False):
        try:
            code = compile(source, f"<{label}>", "exec")
        except SyntaxError:
            if not any(line.lstrip().startswith(("%", "!")) for line in source.splitlines()):
                raise
            from IPython.core.inputtransformer2 import TransformerManager

            code = compile(TransformerManager().transform_cell(source), f"<{label}>", "exec")
            self.ns.setdefault("get_ipython", lambda: _NoIPython())
        before = dict(self.ns)
        exec(code, self.ns)
        if setup:  # what this cell itself (re)defined, not what the student's cells put there earlier
            self.setup_globals.update({k: v for k, v in self.ns.items() if k not in before or before[k] is not v})
        return {"ok": True}

    def dispatch(self, message: dict):
        outer = self.shared  # a callback may make nested requests while a call is running
        try:
            self.shared = self.unpickle_shared(message["shared"]) if "shared" in message else []
            return self._dispatch(message)
        finally:
            self.shared = outer

    def _dispatch(self, message: dict):
        op = message["op"]
        if op == "cell":
            return self.run_cell(message["source"], message["label"], message.get("setup") is True)
        if op == "names":
            values = {}
            for name in message["names"]:
                if name in self.ns:
                    values[name] = wire.encode(self.ns[name], self.handle_for)
            return {"ok": True, "values": values}
        target = self.handles[message["target"]] if "target" in message else None
        if op == "call":
            args = [self.arg(a) for a in message.get("args", [])]
            kwargs = {str(k): self.arg(v) for k, v in message.get("kwargs", {}).items()}
            arrays = wire.array_leaves(args + list(kwargs.values()))
            before = mirror.snapshot(arrays)
            value = target(*args, **kwargs)
            reply = self.result(value)
            changed = mirror.changed_in_place(arrays, before)
            if changed:  # the grader writes these into the test's own arrays
                reply["inplace"] = wire.encode(changed)
            if message.get("grad"):  # keep the graph: the grader may call backward through it
                outputs = [v for v in (value if type(value) is tuple else (value,))
                           if getattr(v, "requires_grad", False) and hasattr(v, "grad_fn")]
                self.graphs[len(self.graphs) + 1] = (wire.grad_tensors(args + list(kwargs.values())), outputs)
                reply["call"] = len(self.graphs)
            if self.shared:  # what the call did to the grader's objects, to be written back there
                reply["sync"] = wire.encode([mirror.state_of(obj) for obj in self.shared])
            return reply
        if op == "backward":
            import torch

            leaves, outputs = self.graphs.pop(message["call"])
            grads = [self.arg(g) for g in message["grads"]]
            pairs = [(o, g) for o, g in zip(outputs, grads) if g is not None]
            if pairs:
                torch.autograd.backward([o for o, _ in pairs], [g for _, g in pairs])
            return self.result([leaf.grad for leaf in leaves])
        if op == "getattr":
            return self.result(getattr(target, str(message["name"])))
        if op == "getitem":
            return self.result(target[self.arg(message["key"])])
        if op == "len":
            return self.result(len(target))
        if op == "iter":
            items = []
            for item in target:
                items.append(item)
                if len(items) > 100_000:
                    raise ValueError("iterating gave more than 100000 items")
            return self.result(items)
        raise ValueError(f"unknown request {op!r}")

    def serve(self):
        while True:
            try:
                message = wire.recv(self.sock)
            except EOFError:
                return
            self.answer(message)

    def answer(self, message: dict) -> None:
        try:
            reply = self.dispatch(message)
        except BaseException as error:  # SystemExit and KeyboardInterrupt too: report, keep serving
            reply = describe(error)
        try:
            wire.send(self.sock, reply)
        except wire.WireError as error:
            wire.send(self.sock, describe(error))


class _Callback:
    """A function the test passed to student code: calling it asks the grader to run it (on plain data)."""

    def __init__(self, server: Server, key: int):
        self.server, self.key = server, key

    def __call__(self, *args, **kwargs):
        server = self.server
        wire.send(server.sock, {"op": "callback", "target": self.key,
                                "args": [wire.encode(a, server.handle_for) for a in args],
                                "kwargs": {k: wire.encode(v, server.handle_for) for k, v in kwargs.items()}})
        while True:
            message = wire.recv(server.sock)
            if "op" in message:  # the callback calls student code in turn
                server.answer(message)
                continue
            if message.get("ok"):
                return server.arg(message["value"])
            raise RuntimeError(f"the function the test passed in raised: {message.get('message', '')}")




class _NoIPython:
    """Stand-in for get_ipython(): magics and shell escapes do nothing while grading."""

    def __getattr__(self, name):
        return lambda *args, **kwargs: None


def describe(error: BaseException) -> dict:
    try:
        message = str(error)[:2000]
    except BaseException:
        message = "(the error's message could not be read)"
    try:
        frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename.startswith("<cell")]
        text = "".join(traceback.format_list(frames))[-4000:]
    except BaseException:
        text = ""
    kind = type(error)
    builtin = kind.__module__ == "builtins" and getattr(__builtins__, kind.__name__, None) is kind \
        if not isinstance(__builtins__, dict) else __builtins__.get(kind.__name__) is kind
    return {"ok": False, "etype": kind.__name__[:100], "builtin": bool(builtin), "message": message,
            "traceback": text}


def main() -> None:
    config = json.loads(sys.argv[1])
    bootstrap(config)
    sock = socket.socket(fileno=config["fd"])
    wire.send(sock, {"ok": True, "ready": True, "uid": os.getuid(), "pid": os.getpid()})
    Server(sock).serve()


if __name__ == "__main__":
    main()
