"""Grade one submission: run the student's cells in a sandbox, evaluate the tests in the trusted grader.

The verdict is computed here, outside the student's process. Test cells (hidden tests included) run in a fresh
namespace of this worker that holds the template's setup cells and, for each name the reference solution defines,
either the student's value decoded strictly from bytes (numbers, strings, lists, arrays, tensors) or a `Remote`
proxy whose calls run in the sandbox and whose results come back the same way. Monkeypatching NumPy or the checks,
an object that equals everything, a silenced traceback, sys.exit/os._exit: none of it reaches this namespace.
What a test hands to student code goes as data, as a name (the notebook's own classes and functions), as a
callback (the test's functions), or lent and written back (models, optimisers, arrays changed in place: mirror.py).
"""
from __future__ import annotations

import base64
import builtins
import contextlib
import functools
import hashlib
import io
import pickle
import time
import types
from dataclasses import dataclass, field
from pathlib import Path

from llmcourse.autograde import mirror, wire
from llmcourse.autograde.notebooks import Malformed, Template, parse_submission, program
from llmcourse.autograde.sandbox import Limits, Sandbox, SandboxDied

ENGINE_VERSION = "2"  # part of every result key: a new engine regrades everything
MAX_RESTARTS = 3
_SAFE_EXCEPTIONS = {name: cls for name, cls in vars(builtins).items()
                    if isinstance(cls, type) and issubclass(cls, Exception)}


class StudentCodeError(Exception):
    """An error raised inside the student's code (or its process ending), reported with its own message."""


class Remote:
    """An object that stays in the student's process. Equality is identity; nothing is trusted from it."""
    __slots__ = ("_session", "_id", "_type", "_generation")

    def __new__(cls, session, data):
        name = str(data.get("type", "object"))[:80]
        if cls is Remote and name.isidentifier():
            cls = _remote_class(name)  # so a check's message names the student's type, not "Remote"
        return object.__new__(cls)

    def __init__(self, session, data):
        object.__setattr__(self, "_session", session)
        object.__setattr__(self, "_id", data["__handle__"])
        object.__setattr__(self, "_type", str(data.get("type", "object"))[:80])
        object.__setattr__(self, "_generation", session.generation)

    def __call__(self, *args, **kwargs):
        message, lent = self._session.call_message(self._id, args, kwargs)
        arrays = wire.array_leaves(list(args) + list(kwargs.values()))
        leaves = wire.grad_tensors(arrays)
        if not leaves:
            return self._session.rpc(message, self, lent=lent, arrays=arrays)
        return _grad_bridge(self._session, message, self, leaves, lent, arrays)

    @property
    def __class__(self):
        """`obj.__class__(...)` builds another object of the student's class (isinstance still sees a Remote)."""
        return _RemoteClassOf(self)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return self._session.rpc({"op": "getattr", "target": self._id, "name": name}, self)

    def __getitem__(self, key):
        return self._session.rpc({"op": "getitem", "target": self._id, "key": self._session.out(key)}, self)

    def __len__(self):
        value = self._session.rpc({"op": "len", "target": self._id}, self)
        if type(value) is not int:
            raise TypeError("len() of your object is not an int")
        return value

    def __iter__(self):
        value = self._session.rpc({"op": "iter", "target": self._id}, self)
        return iter(value)

    def __eq__(self, other):
        return self is other

    def __hash__(self):
        return id(self)

    def __bool__(self):
        return True

    def __repr__(self):
        return f"<{self._type} from your code>"


class _RemoteClassOf:
    """The class of a student's object, fetched from the sandbox only when it is used."""

    def __init__(self, remote: Remote):
        self.__name__ = remote._type
        self._remote = remote

    def _fetch(self):
        remote = self._remote
        return remote._session.rpc({"op": "getattr", "target": remote._id, "name": "__class__"}, remote)

    def __call__(self, *args, **kwargs):
        return self._fetch()(*args, **kwargs)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self._fetch(), name)


def _grad_bridge(session, message: dict, remote, leaves: list, lent: list, arrays: list):
    """Call student code with tensors that require grad and connect the result to the grader's autograd graph:
    backward() here sends the output gradients to the student's process, which back-propagates through its own
    graph and returns the input gradients (plain data, checked like any other value)."""
    import torch

    message["grad"] = True
    value, call = session.rpc(message, remote, want_call=True, lent=lent, arrays=arrays)
    outputs = value if type(value) is tuple else (value,)
    if call is None or not outputs or not all(isinstance(o, torch.Tensor) for o in outputs):
        return value
    attached = [o.requires_grad for o in outputs]  # as the student's process reported them
    if not any(attached):
        return value

    class Bridge(torch.autograd.Function):
        @staticmethod
        def forward(ctx, *inputs):
            results = tuple(o.detach().clone() for o in outputs)
            ctx.mark_non_differentiable(*[r for r, a in zip(results, attached) if not a])
            return results

        @staticmethod
        def backward(ctx, *grads):
            reply = session.rpc({"op": "backward", "call": call, "grads": [session.out(g) for g in grads]}, remote)
            if type(reply) is not list or len(reply) != len(leaves):
                raise StudentCodeError("gradients from your code could not be read")
            result = []
            for leaf, grad in zip(leaves, reply):
                if grad is not None and (not isinstance(grad, torch.Tensor) or grad.shape != leaf.shape):
                    raise StudentCodeError("a gradient from your code has the wrong type or shape")
                result.append(None if grad is None else grad.to(leaf.dtype))
            return tuple(result)

    connected = Bridge.apply(*leaves)
    return connected if type(value) is tuple else connected[0]


@functools.cache
def _remote_class(name: str) -> type:
    return type(name, (Remote,), {"__slots__": ()})


@dataclass
class CellVerdict:
    grade_id: str
    kind: str                # "test" or "written"
    points: float
    max_points: float
    passed: bool | None      # None: needs manual grading
    message: str = ""
    output: str = ""


@dataclass
class NotebookResult:
    name: str
    cells: list[CellVerdict] = field(default_factory=list)
    malformed: str = ""
    notes: list[str] = field(default_factory=list)
    cell_errors: list[str] = field(default_factory=list)
    student_output: str = ""
    solutions: dict[str, str] = field(default_factory=dict)
    written: dict[str, str] = field(default_factory=dict)
    extras: dict[str, list[str]] = field(default_factory=dict)   # the student's own code cells, by the solution before

    @property
    def score(self) -> float:
        return sum(c.points for c in self.cells)

    @property
    def max_score(self) -> float:
        return sum(c.max_points for c in self.cells)


class Session:
    """The student's process for one notebook, restarted (without the cell that hung) when it dies."""

    def __init__(self, cells, workdir, logdir, hide, limits: Limits, deadline: float):
        self.cells, self.workdir, self.logdir, self.hide, self.limits = cells, workdir, logdir, hide, limits
        self.deadline = deadline
        self.sandbox: Sandbox | None = None
        self.generation = 0
        self.skipped: set[int] = set()
        self.errors: list[str] = []
        self.limits_hit: set[str] = set()
        self.restarts = 0
        self.callbacks: list = []
        # classes, functions and modules the notebook's own cells define here, by id: the sandbox has its own copy
        # of each under the same name (strong references, so an id is never reused)
        self.setup_refs: dict[int, tuple[str, object]] = {}

    def timeout(self, whole_notebook: bool = False) -> float:
        """Seconds the next request may take: a cell's limit, or (`whole_notebook`) what is left of the notebook's."""
        left = self.deadline - time.monotonic()
        if left <= 0:
            self.limits_hit.add("time")
            raise StudentCodeError(f"the whole notebook ran longer than {self.limits.notebook_seconds:.0f} s; "
                                   "it was stopped")
        return left if whole_notebook else min(self.limits.cell_seconds, left)

    def start(self) -> None:
        """(Re)start the process and run the student's cells; a cell that hangs or kills it is skipped next time."""
        while True:
            self.close()
            self.generation += 1
            self.sandbox = Sandbox(self.workdir, self.logdir, self.hide, self.limits, slot=self.generation)
            self.sandbox.start()
            errors = []
            student_code_ran = False
            for number, (label, source, setup) in enumerate(self.cells):
                if number in self.skipped:
                    continue
                # The notebook's own cells before any student code are trusted, and every later cell needs them:
                # they get the notebook's time, not a cell's (a machine under load must not time them out), and
                # are never skipped, so every restarted process runs them again.
                trusted_setup = setup and not student_code_ran
                student_code_ran = student_code_ran or not setup
                try:
                    reply = self.sandbox.request({"op": "cell", "source": source, "label": label, "setup": setup},
                                                 self.timeout(whole_notebook=trusted_setup))
                except SandboxDied as error:
                    self.note_limit(error)
                    errors.append(f"{label}: your code {error}.")
                    if not trusted_setup:
                        self.skipped.add(number)
                    self.restarts += 1
                    if self.restarts > MAX_RESTARTS:
                        self.errors += errors
                        self.close()
                        return
                    break
                if not reply.get("ok"):
                    errors.append(f"{label}: {_describe_remote(reply)}")
                    if _limit_of(reply):
                        self.limits_hit.add(_limit_of(reply))
            else:
                self.errors += errors
                return
            self.errors += errors[-1:]

    def note_limit(self, error: SandboxDied) -> None:
        text = str(error)
        if error.reason == "time":
            self.limits_hit.add("time")
        elif "output limit" in text:
            self.limits_hit.add("output")
        elif "CPU" in text:
            self.limits_hit.add("cpu")
        else:
            self.limits_hit.add("process-ended")

    def close(self) -> None:
        if self.sandbox is not None:
            self.sandbox.close()
            self.sandbox = None

    def remember_setup(self, namespace: dict) -> None:
        """After one of the notebook's own cells ran here: note the classes, functions and modules it defined."""
        for name, value in namespace.items():
            if not name.startswith("__") and not isinstance(value, Remote) and \
                    isinstance(value, (type, types.FunctionType, types.ModuleType)):
                self.setup_refs[id(value)] = (name, value)

    # ---- talking to the sandbox from test code ------------------------------------------------------------
    def _handle(self, obj, lent: list | None):
        """How an object that is not plain data goes to the student's process."""
        if isinstance(obj, Remote):
            if obj._generation != self.generation:
                raise StudentCodeError("an object from your code is gone (its process was restarted)")
            return {"__handle__": obj._id}
        ref = self.setup_refs.get(id(obj))
        if ref is not None and ref[1] is obj:
            return {"__handle__": 0, "setup": ref[0]}
        if isinstance(obj, (types.FunctionType, types.MethodType, types.BuiltinFunctionType, functools.partial)):
            self.callbacks.append(obj)  # the test's own function: runs here when student code calls it
            return {"__handle__": len(self.callbacks) - 1, "callback": True}
        if lent is None or isinstance(obj, (type, types.ModuleType)):
            raise TypeError(f"a test passes a {type(obj).__name__} to your code, which the sandbox cannot take")
        for number, known in enumerate(lent):
            if known is obj:
                return {"__handle__": 0, "shared": number}
        lent.append(obj)  # a model, an optimiser...: lent as a copy, its new state written back after the call
        return {"__handle__": 0, "shared": len(lent) - 1}

    def out(self, value):
        return wire.encode(value, lambda obj: self._handle(obj, None))

    def call_message(self, target: int, args, kwargs) -> tuple[dict, list]:
        lent: list = []
        message = {"op": "call", "target": target,
                   "args": [wire.encode(a, lambda obj: self._handle(obj, lent)) for a in args],
                   "kwargs": {k: wire.encode(v, lambda obj: self._handle(obj, lent)) for k, v in kwargs.items()}}
        if lent:
            message["shared"] = base64.b64encode(self._pickle(lent)).decode()
        return message, lent

    def _pickle(self, objects: list) -> bytes:
        session = self

        class Pickler(pickle.Pickler):
            def persistent_id(self, obj):
                if isinstance(obj, Remote):
                    return ("handle", session._handle(obj, None)["__handle__"])
                ref = session.setup_refs.get(id(obj))
                return ("setup", ref[0]) if ref is not None and ref[1] is obj else None

        buffer = io.BytesIO()
        try:
            Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump((objects, mirror.gradients_of(objects)))
        except Exception as error:
            names = ", ".join(type(o).__name__ for o in objects)
            raise TypeError(f"a test passes {names} to your code, which the sandbox cannot take ({error})") from None
        return buffer.getvalue()

    def rpc(self, message: dict, remote: Remote, want_call: bool = False, lent: list | None = None,
            arrays: list | None = None):
        if self.sandbox is None or remote._generation != self.generation:
            raise StudentCodeError("your code's process is not running any more (it ended or was stopped earlier)")
        lent = lent or []
        try:
            reply = self.sandbox.request(message, self.timeout())
            while reply.get("op") == "callback":
                self.sandbox.send(self.run_callback(reply))
                reply = self.sandbox.receive(self.timeout())
        except SandboxDied as error:
            self.note_limit(error)
            self.close()
            raise StudentCodeError(f"your code {error}") from None
        if not reply.get("ok"):
            if _limit_of(reply):
                self.limits_hit.add(_limit_of(reply))
            raise _remote_exception(reply)
        try:
            if lent:
                states = wire.decode(reply.get("sync"))
                if type(states) is not list or len(states) != len(lent):
                    raise mirror.StateError("the objects the test passed to your code came back unreadable")
                for obj, state in zip(lent, states):
                    mirror.apply_state(obj, state)
            if arrays and "inplace" in reply:
                mirror.write_back(arrays, wire.decode(reply["inplace"]))
        except (mirror.StateError, wire.WireError) as error:
            raise StudentCodeError(str(error)) from None
        value = wire.decode(reply.get("value"), lambda data: self._proxy(data, lent))
        if want_call:
            return value, reply.get("call") if type(reply.get("call")) is int else None
        return value

    def _proxy(self, data: dict, lent: list):
        """What a handle from the student's process becomes here."""
        number = data.get("shared")
        if type(number) is int and 0 <= number < len(lent):
            return lent[number]  # the test's own object, handed back
        if "layer" in data:
            return mirror.rebuild_layer(data["layer"])
        return Remote(self, data)

    def run_callback(self, request: dict) -> dict:
        try:
            function = self.callbacks[request["target"]]
            decode = lambda data: wire.decode(data, lambda d: self._proxy(d, []))  # noqa: E731
            args = [decode(a) for a in request.get("args", [])]
            kwargs = {str(k): decode(v) for k, v in request.get("kwargs", {}).items()}
            return {"ok": True, "value": self.out(function(*args, **kwargs))}
        except StudentCodeError:
            raise
        except Exception as error:
            return {"ok": False, "message": f"{type(error).__name__}: {error}"[:2000]}

    def fetch(self, names: list[str]) -> dict:
        if self.sandbox is None or not names:
            return {}
        try:
            reply = self.sandbox.request({"op": "names", "names": names}, self.timeout())
        except SandboxDied as error:
            self.note_limit(error)
            self.close()
            self.errors.append(f"your code {error}.")
            return {}
        values = reply.get("values") if reply.get("ok") else None
        if type(values) is not dict:
            return {}
        found = {}
        for name in names:
            if name in values:
                try:
                    found[name] = wire.decode(values[name], lambda data: self._proxy(data, []))
                except wire.WireError as error:
                    self.errors.append(f"the value of {name} could not be read ({error}).")
        return found


def _describe_remote(reply: dict) -> str:
    etype, message = str(reply.get("etype", "Error")), str(reply.get("message", ""))
    if etype in ("StudentCheckError", "AssertionError") and message:
        text = message
    elif etype == "SystemExit":
        text = f"your code called sys.exit() or exit() (SystemExit: {message})"
    else:
        text = f"{etype}: {message}"
    if reply.get("traceback"):
        text += "\n" + str(reply["traceback"]).rstrip()
    if etype == "MemoryError":
        text += "\n(the grader's memory limit was reached)"
    if "File too large" in message:
        text += "\n(the grader's output limit was reached: print less)"
    return text


def _limit_of(reply: dict) -> str | None:
    if reply.get("etype") == "MemoryError":
        return "memory"
    if "File too large" in str(reply.get("message", "")):
        return "output"
    if reply.get("etype") in ("BlockingIOError",) and "Resource temporarily unavailable" in str(reply.get("message")):
        return "processes"
    return None


def _remote_exception(reply: dict) -> Exception:
    etype = str(reply.get("etype", ""))
    cls = _SAFE_EXCEPTIONS.get(etype) if reply.get("builtin") is True else None
    text = _describe_remote(reply)
    if cls is None or cls is StopIteration:
        return StudentCodeError(text)
    try:
        error = cls(text[len(etype) + 2:] if text.startswith(etype + ": ") else text)
    except Exception:
        return StudentCodeError(text)
    return error


def _failure_message(error: BaseException) -> str:
    if isinstance(error, (AssertionError, StudentCodeError)):
        message = str(error) or type(error).__name__
        return message if not isinstance(error, AssertionError) or str(error) else "a check failed"
    return f"{type(error).__name__}: {error}"


def grade_notebook(template: Template, raw: bytes | None, *, missing_reason: str, workdir: Path, logdir: Path,
                   hide: list[Path], limits: Limits) -> NotebookResult:
    """Run the student's cells in a sandbox, then every test cell here, on values from the sandbox."""
    result = NotebookResult(template.name)
    zero = [CellVerdict(c.grade_id, c.role, 0.0, c.points, False if c.role == "test" else None)
            for c in template.cells if c.role in ("test", "written")]
    if raw is None:
        result.malformed = missing_reason
        result.cells = [CellVerdict(v.grade_id, v.kind, 0.0, v.max_points, False, missing_reason) for v in zero]
        return result
    try:
        submission = parse_submission(raw, template)
    except Malformed as error:
        result.malformed = str(error)
        result.cells = [CellVerdict(v.grade_id, v.kind, 0.0, v.max_points, False, str(error)) for v in zero]
        return result
    result.notes = list(submission.notes)
    result.solutions, result.written = dict(submission.solutions), dict(submission.written)
    result.extras = {key or "": list(cells) for key, cells in submission.extras.items()}
    session = Session(program(template, submission), workdir, logdir, hide, limits,
                      time.monotonic() + limits.notebook_seconds)
    try:
        session.start()
        result.student_output = session.sandbox.read_out(0, 4000) if session.sandbox else ""
        wanted = [n for c in template.cells if c.role == "solution" for n in c.names]
        student_values = session.fetch(wanted)
        generation = session.generation
        namespace: dict = {"__name__": "__main__", "__builtins__": builtins,  # + the student's code as text, for
                           "__submitted_code__": tuple((label, source) for label, source, setup  # check_source
                                                       in program(template, submission) if not setup)}
        for cell in template.cells:
            if cell.role == "setup":
                try:
                    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                        exec(compile(cell.source, f"<setup cell {cell.index + 1}>", "exec"), namespace)
                except Exception as error:  # a read-only cell that uses the student's code
                    session.errors.append(f"cell {cell.index + 1}: {_failure_message(error)}"[:2000])
                session.remember_setup(namespace)
            elif cell.role == "solution":
                for name in cell.names:
                    if name in student_values:
                        namespace[name] = student_values[name]
                    else:
                        namespace.pop(name, None)
            elif cell.role == "test":
                if session.sandbox is None and session.restarts <= MAX_RESTARTS:
                    session.start()  # it died during the previous test: fresh process, fresh names
                if session.generation != generation:
                    student_values = session.fetch(wanted)
                    generation = session.generation
                    namespace.update({n: v for n, v in student_values.items()})
                stdout = io.StringIO()
                try:
                    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(io.StringIO()):
                        exec(compile(cell.source, f"<test {cell.grade_id}>", "exec"), namespace)
                    verdict = CellVerdict(cell.grade_id, "test", cell.points, cell.points, True, "",
                                          stdout.getvalue()[-2000:])
                except Exception as error:  # SystemExit cannot come from here: student code runs elsewhere
                    message = _failure_message(error)
                    if isinstance(error, NameError) and getattr(error, "name", None) in wanted:
                        message = (f"your notebook does not define {error.name} (did its cell fail, get deleted "
                                   f"or renamed?)")
                    verdict = CellVerdict(cell.grade_id, "test", 0.0, cell.points, False, message[:3000],
                                          stdout.getvalue()[-2000:])
                result.cells.append(verdict)
            elif cell.role == "written":
                result.cells.append(CellVerdict(cell.grade_id, "written", 0.0, cell.points, None,
                                                "graded by hand"))
    finally:
        session.close()
    return _finish(result, session, submission)


def _finish(result: NotebookResult, session: Session, submission) -> NotebookResult:
    session.close()
    result.cell_errors = session.errors
    result.limits = sorted(session.limits_hit)  # type: ignore[attr-defined]
    result.flags = submission.flags  # type: ignore[attr-defined]
    return result


def submission_key(template_digests: list[str], folder: Path, limits: Limits) -> str:
    digest = hashlib.sha256(ENGINE_VERSION.encode())
    digest.update(repr(sorted(limits.as_dict().items())).encode())
    for item in template_digests:
        digest.update(item.encode())
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                digest.update(str(path.relative_to(folder)).encode() + b"\0")
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()
