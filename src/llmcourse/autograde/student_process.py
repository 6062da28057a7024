"""The sandboxed student process (forked by zygote.py at sandbox.py's request, inside fresh Linux namespaces).

First `confinement.confine` locks it down (hidden folders, resource limits, no privilege); then it serves the
grader's requests on one socket, as protocol.py lists them: run a cell, report the names the tests need (plain
data by value, anything else as a handle to a remote), call a function / read an attribute of a remote. It never
sees a test cell: tests run in the grader, on data decoded strictly by `wire.decode`.
"""
from __future__ import annotations

import base64
import errno
import io
import os
import pickle
import socket
import sys
import traceback
import types

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import confinement  # noqa: E402  (sibling modules, importable without the llmcourse package)
import mirror  # noqa: E402
import protocol  # noqa: E402
import wire  # noqa: E402

sys.path.pop(0)  # student imports must not find the grader's modules


class Server:
    """Answers the grader's requests (protocol.py) until the grader closes the socket."""

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.remotes: dict[int, object] = {}  # objects the grader holds a handle to, by key
        self.graphs: dict[int, tuple] = {}
        self.setup_globals: dict[str, object] = {}  # what the notebook's own (read-only) cells defined
        self.lent: list = []  # the grader's objects (models, optimisers) lent to the current request
        module = types.ModuleType("__main__")
        module.__dict__["__builtins__"] = __builtins__
        sys.modules["__main__"] = module
        self.ns = module.__dict__

    def handle_of(self, obj) -> dict:
        for number, lent in enumerate(self.lent):
            if obj is lent:  # the grader's own object, handed back
                return protocol.handle(protocol.LENT_HANDLE, number)
        key = len(self.remotes) + 1
        self.remotes[key] = obj
        extra = {"type": type(obj).__name__[:80], "callable": callable(obj)}
        try:
            layer = mirror.layer_value(obj)
        except Exception:  # e.g. student code replaced torch in sys.modules: the object stays a remote
            layer = None
        if layer is not None:
            extra["layer"] = layer
        return protocol.handle(protocol.REMOTE, key, **extra)

    def resolve(self, data: dict):
        """The object a handle from the grader refers to."""
        kind, key = data[protocol.KIND], data[protocol.HANDLE]
        if kind == protocol.CALLBACK_HANDLE:
            return _Callback(self, key)
        if kind == protocol.SETUP:
            return self.setup_object(data["name"])
        if kind == protocol.LENT_HANDLE:
            return self.lent[key]
        return self.remotes[key]

    def setup_object(self, name):
        if name not in self.setup_globals:
            raise NameError(f"{name} from the notebook's own cells is not defined (did one of them fail?)")
        return self.setup_globals[name]

    def unpickle_lent(self, payload: str) -> list:
        """The grader's objects lent to this request (pickled by the trusted grader; names of the notebook's own
        classes and functions, and remotes, are resolved here)."""
        server = self

        class Unpickler(pickle.Unpickler):
            def persistent_load(self, pid):
                kind, key = pid
                return server.setup_object(key) if kind == protocol.SETUP else server.remotes[key]

        objects, gradients = Unpickler(io.BytesIO(base64.b64decode(payload, validate=True))).load()
        for parameter, gradient in gradients:  # pickling drops .grad: it travels beside (mirror.gradients_of)
            parameter.grad = gradient
        return objects

    def arg(self, data):
        return wire.decode(data, self.resolve)

    def result(self, value):
        return {protocol.OK: True, protocol.VALUE: wire.encode(value, self.handle_of)}

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
        return {protocol.OK: True}

    def dispatch(self, message: dict):
        outer = self.lent  # a callback may make nested requests while a call is running
        try:
            self.lent = self.unpickle_lent(message[protocol.LENT]) if protocol.LENT in message else []
            return self._dispatch(message)
        finally:
            self.lent = outer

    def _dispatch(self, message: dict):
        op = message["op"]
        if op == protocol.CELL:
            return self.run_cell(message["source"], message["label"], message.get("setup") is True)
        if op == protocol.NAMES:
            values = {}
            for name in message["names"]:
                if name in self.ns:
                    values[name] = wire.encode(self.ns[name], self.handle_of)
            return {protocol.OK: True, protocol.VALUES: values}
        target = self.remotes[message["target"]] if "target" in message else None
        if op == protocol.CALL:
            return self.call(target, message)
        if op == protocol.BACKWARD:
            import torch

            leaves, outputs = self.graphs.pop(message["call"])
            grads = [self.arg(g) for g in message["grads"]]
            pairs = [(o, g) for o, g in zip(outputs, grads) if g is not None]
            if pairs:
                torch.autograd.backward([o for o, _ in pairs], [g for _, g in pairs])
            return self.result([leaf.grad for leaf in leaves])
        if op == protocol.GETATTR:
            return self.result(getattr(target, str(message["name"])))
        if op == protocol.GETITEM:
            return self.result(target[self.arg(message["key"])])
        if op == protocol.LEN:
            return self.result(len(target))
        if op == protocol.ITER:
            items = []
            for item in target:
                items.append(item)
                if len(items) > 100_000:
                    raise ValueError("iterating gave more than 100000 items")
            return self.result(items)
        raise ValueError(f"unknown request {op!r}")

    def call(self, target, message: dict) -> dict:
        args = [self.arg(a) for a in message.get("args", [])]
        kwargs = {str(k): self.arg(v) for k, v in message.get("kwargs", {}).items()}
        arrays = wire.array_leaves(args + list(kwargs.values()))
        before = mirror.snapshot(arrays)
        value = target(*args, **kwargs)
        reply = self.result(value)
        changed = mirror.changed_in_place(arrays, before)
        if changed:  # the grader writes these into the test's own arrays
            reply[protocol.INPLACE] = wire.encode(changed)
        if message.get("grad"):  # keep the graph: the grader may call backward through it
            outputs = [v for v in (value if type(value) is tuple else (value,))
                       if getattr(v, "requires_grad", False) and hasattr(v, "grad_fn")]
            self.graphs[len(self.graphs) + 1] = (wire.grad_tensors(args + list(kwargs.values())), outputs)
            reply[protocol.GRAPH] = len(self.graphs)
        if self.lent:  # what the call did to the grader's objects, to be written back there
            reply[protocol.LENT_STATE] = wire.encode([mirror.state_of(obj) for obj in self.lent])
        return reply

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
        wire.send(server.sock, {"op": protocol.CALLBACK, "target": self.key,
                                "args": [wire.encode(a, server.handle_of) for a in args],
                                "kwargs": {k: wire.encode(v, server.handle_of) for k, v in kwargs.items()}})
        while True:
            message = wire.recv(server.sock)
            if "op" in message:  # the callback calls student code in turn
                server.answer(message)
                continue
            if message.get(protocol.OK):
                return server.arg(message[protocol.VALUE])
            raise RuntimeError(f"the function the test passed in raised: {message.get(protocol.MESSAGE, '')}")


class _NoIPython:
    """Stand-in for get_ipython(): magics and shell escapes do nothing while grading."""

    def __getattr__(self, name):
        return lambda *args, **kwargs: None


def limit_of(error: BaseException) -> str | None:
    """Which of the grader's limits an error comes from, by its type and errno (its text is the student's)."""
    if isinstance(error, MemoryError):  # RLIMIT_AS
        return "memory"
    if isinstance(error, OSError) and error.errno == errno.EFBIG:  # RLIMIT_FSIZE (Python ignores SIGXFSZ)
        return "output"
    if isinstance(error, BlockingIOError) and error.errno == errno.EAGAIN:  # fork at RLIMIT_NPROC
        return "processes"
    return None


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
    reply = {protocol.OK: False, protocol.ETYPE: kind.__name__[:100], protocol.BUILTIN: bool(builtin),
             protocol.MESSAGE: message, protocol.TRACEBACK: text}
    try:
        limit = limit_of(error)
    except BaseException:  # a student's exception class may break isinstance or attribute access
        limit = None
    if limit:
        reply[protocol.LIMIT] = limit
    return reply


def run(config: dict) -> None:
    """Confine this process, say hello, serve; `config` comes from sandbox.py, through zygote.py, which forked it."""
    confinement.confine(config)
    sock = socket.socket(fileno=config["fd"])
    wire.send(sock, {protocol.OK: True, "ready": True, "uid": os.getuid(), "pid": os.getpid()})
    Server(sock).serve()

