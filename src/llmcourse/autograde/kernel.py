"""The sandboxed student process (run as a script by `sandbox.py`, inside fresh Linux namespaces).

Before any student code runs, this trusted bootstrap
  1. hides the course (gradebook, solutions/, submissions), /tmp and the batch's scratch area behind empty tmpfs
     mounts and binds back, read-only, only what Python needs (the venv, src/, data/), plus this submission's own
     scratch folder read-write;
  2. sets resource limits (address space, processes, CPU seconds, file size, open files, no core dumps);
  3. drops to an unprivileged uid (when the grader runs as root) with no_new_privs, and closes stray fds.
Then it serves requests from the trusted grader on one socket: run a cell, report the names the tests need
(plain data by value, anything else as an opaque handle), call a function / read an attribute of a handle.
It never sees a test cell: tests run in the grader, on data decoded strictly by `wire.decode`.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import resource
import socket
import sys
import traceback
import types

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wire  # noqa: E402  (the sibling module, importable without the llmcourse package)

sys.path.pop(0)  # student imports must not find the grader's modules

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT, MS_BIND, MS_REC = 1, 2, 4, 32, 4096, 16384
_libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)


def _mount(source, target, fstype, flags, data=None):
    if _libc.mount(source and source.encode(), target.encode(), fstype and fstype.encode(), flags,
                   data and data.encode()) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"mount {source} -> {target}: {os.strerror(errno)}")


def _inside(path: str, parent: str) -> bool:
    return path == parent or path.startswith(parent.rstrip("/") + "/")


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
    limits = config.get("limits", {})
    for name, value in (("RLIMIT_AS", limits.get("memory_bytes")), ("RLIMIT_CPU", limits.get("cpu_seconds")),
                        ("RLIMIT_FSIZE", limits.get("file_bytes")), ("RLIMIT_NOFILE", limits.get("open_files")),
                        ("RLIMIT_CORE", 0), ("RLIMIT_NPROC", limits.get("processes") if config.get("uid") else None)):
        if value is not None:
            resource.setrlimit(getattr(resource, name), (int(value), int(value)))
    uid = config.get("uid")
    if uid:
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
    _libc.prctl(38, 1, 0, 0, 0)  # PR_SET_NO_NEW_PRIVS
    os.closerange(3, config["fd"])
    os.closerange(config["fd"] + 1, 4096)


# ---- serving ---------------------------------------------------------------------------------------------------
class Server:
    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.handles: dict[int, object] = {}
        self.graphs: dict[int, tuple] = {}
        module = types.ModuleType("__main__")
        module.__dict__["__builtins__"] = __builtins__
        sys.modules["__main__"] = module
        self.ns = module.__dict__

    def handle_for(self, obj) -> dict:
        key = len(self.handles) + 1
        self.handles[key] = obj
        return {"__handle__": key, "type": type(obj).__name__[:80], "callable": callable(obj)}

    def lookup(self, data):
        if data.get("callback") is True:
            return _Callback(self, data["__handle__"])
        return self.handles[data["__handle__"]]

    def arg(self, data):
        return wire.decode(data, self.lookup)

    def result(self, value):
        return {"ok": True, "value": wire.encode(value, self.handle_for)}

    def run_cell(self, source: str, label: str):
        try:
            code = compile(source, f"<{label}>", "exec")
        except SyntaxError:
            if not any(line.lstrip().startswith(("%", "!")) for line in source.splitlines()):
                raise
            from IPython.core.inputtransformer2 import TransformerManager

            code = compile(TransformerManager().transform_cell(source), f"<{label}>", "exec")
            self.ns.setdefault("get_ipython", lambda: _NoIPython())
        exec(code, self.ns)
        return {"ok": True}

    def dispatch(self, message: dict):
        op = message["op"]
        if op == "cell":
            return self.run_cell(message["source"], message["label"])
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
            value = target(*args, **kwargs)
            reply = self.result(value)
            if message.get("grad"):  # keep the graph: the grader may call backward through it
                outputs = [v for v in (value if type(value) is tuple else (value,))
                           if getattr(v, "requires_grad", False) and hasattr(v, "grad_fn")]
                self.graphs[len(self.graphs) + 1] = (wire.grad_tensors(args + list(kwargs.values())), outputs)
                reply["call"] = len(self.graphs)
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
