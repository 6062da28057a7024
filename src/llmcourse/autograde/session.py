"""The grader's side of one student process (sandbox.py): the Session runs the notebook's cells there, restarts it
when it dies, and sends the requests that remotes (remote.py) and the verdicts (verdicts.py) make, as protocol.py
lists them. What a test hands to student code goes as data, as a handle (the notebook's own classes and functions,
the test's functions as callbacks, remotes), or lent as a copy and written back after the call (mirror.py).
"""
from __future__ import annotations

import base64
import functools
import importlib.util
import io
import pickle
import time
import types

from llmcourse.autograde import mirror, protocol, sandbox, wire
from llmcourse.autograde.remote import (Remote, StudentCodeError, describe_error, limit_of, remote_exception)
from llmcourse.autograde.sandbox import Limits, Sandbox, SandboxDied, preload_of, visible_folders

MAX_RESTARTS = 3
# what each reason a process died for counts as, in a result's "limits" (the export's limits column)
LIMIT_OF_DEATH = {sandbox.TIME: "time", sandbox.OUTPUT: "output", sandbox.CPU: "cpu"}


class Session:
    """The student's process for one notebook, seen from the grader: it runs the notebook's cells there, restarts
    it (without the student's cell that hung) when it dies, and sends the requests of remotes (protocol.py)."""

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
        self.import_failures: list[str] = []  # the notebook's own imports that failed there: a grader problem
        self.seconds = {"start": 0.0, "cells": 0.0}  # starting processes; running the notebook's cells in them

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
            self.sandbox = Sandbox(self.workdir, self.logdir, self.hide, self.limits, slot=self.generation,
                                   preload=preload_of([source for _, source, setup in self.cells if setup]))
            started = time.monotonic()
            self.sandbox.start()
            self.seconds["start"] += time.monotonic() - started
            started = time.monotonic()
            try:
                if self._run_cells():
                    return
            finally:
                self.seconds["cells"] += time.monotonic() - started

    def _run_cells(self) -> bool:
        """The notebook's cells in the new process; False when it died and is to be started again."""
        errors = []
        student_code_ran = False
        for number, (label, source, setup) in enumerate(self.cells):
            if number in self.skipped:
                continue
            # The notebook's own cells before any student code are trusted, and every later cell needs them: they
            # get the notebook's time, not a cell's (a machine under load must not time them out), and are never
            # skipped, so every restarted process runs them again.
            trusted_setup = setup and not student_code_ran
            student_code_ran = student_code_ran or not setup
            try:
                reply = self.sandbox.request({"op": protocol.CELL, "source": source, "label": label,
                                              "setup": setup}, self.timeout(whole_notebook=trusted_setup))
            except SandboxDied as error:
                self.note_limit(error)
                errors.append(f"{label}: your code {error}.")
                if not trusted_setup:
                    self.skipped.add(number)
                self.restarts += 1
                if self.restarts > MAX_RESTARTS:
                    self.errors += errors
                    self.close()
                    return True
                self.errors += errors[-1:]
                return False
            if not reply.get(protocol.OK):
                errors.append(f"{label}: {describe_error(reply)}")
                if limit_of(reply):
                    self.limits_hit.add(limit_of(reply))
                if trusted_setup and reply.get(protocol.ETYPE) in ("ModuleNotFoundError", "ImportError"):
                    self.note_import_failure(label, reply)
        self.errors += errors
        return True

    def note_limit(self, error: SandboxDied) -> None:
        self.limits_hit.add(LIMIT_OF_DEATH.get(error.reason, "process-ended"))

    def note_import_failure(self, label: str, reply: dict) -> None:
        """The notebook's own import failed in the sandbox while the grader has the module: name the path that the
        sandbox does not show (e.g. a venv whose editable install points to another checkout)."""
        message = str(reply.get(protocol.MESSAGE, ""))
        name = message.split("'")[1] if message.count("'") >= 2 else ""
        where = _installed_at(name.split(".")[0]) if name else None
        if where:  # the grader has it: the sandbox hides it (a module missing everywhere is the notebook's error)
            self.import_failures.append(
                f"{label}: the student process could not import {name} ({message}); the grader imports it from "
                f"{where}, which the sandbox does not show (it shows only {', '.join(visible_folders())})")

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
    def handle_of(self, obj, lent: list | None):
        """How an object that is not plain data goes to the student's process."""
        if isinstance(obj, Remote):
            if obj._generation != self.generation:
                raise StudentCodeError("an object from your code is gone (its process was restarted)")
            return protocol.handle(protocol.REMOTE, obj._id)
        ref = self.setup_refs.get(id(obj))
        if ref is not None and ref[1] is obj:
            return protocol.handle(protocol.SETUP, 0, name=ref[0])
        if isinstance(obj, (types.FunctionType, types.MethodType, types.BuiltinFunctionType, functools.partial)):
            self.callbacks.append(obj)  # the test's own function: runs here when student code calls it
            return protocol.handle(protocol.CALLBACK_HANDLE, len(self.callbacks) - 1)
        if lent is None or isinstance(obj, (type, types.ModuleType)):
            raise TypeError(f"a test passes a {type(obj).__name__} to your code, which the sandbox cannot take")
        for number, known in enumerate(lent):
            if known is obj:
                return protocol.handle(protocol.LENT_HANDLE, number)
        lent.append(obj)  # a model, an optimiser...: lent as a copy, its new state written back after the call
        return protocol.handle(protocol.LENT_HANDLE, len(lent) - 1)

    def out(self, value):
        return wire.encode(value, lambda obj: self.handle_of(obj, None))

    def call_message(self, target: int, args, kwargs) -> tuple[dict, list]:
        lent: list = []
        message = {"op": protocol.CALL, "target": target,
                   "args": [wire.encode(a, lambda obj: self.handle_of(obj, lent)) for a in args],
                   "kwargs": {k: wire.encode(v, lambda obj: self.handle_of(obj, lent)) for k, v in kwargs.items()}}
        if lent:
            message[protocol.LENT] = base64.b64encode(self._pickle(lent)).decode()
        return message, lent

    def _pickle(self, objects: list) -> bytes:
        session = self

        class Pickler(pickle.Pickler):
            def persistent_id(self, obj):
                if isinstance(obj, Remote):
                    return (protocol.REMOTE, session.handle_of(obj, None)[protocol.HANDLE])
                ref = session.setup_refs.get(id(obj))
                return (protocol.SETUP, ref[0]) if ref is not None and ref[1] is obj else None

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
            while reply.get("op") == protocol.CALLBACK:
                self.sandbox.send(self.run_callback(reply))
                reply = self.sandbox.receive(self.timeout())
        except SandboxDied as error:
            self.note_limit(error)
            self.close()
            raise StudentCodeError(f"your code {error}") from None
        if not reply.get(protocol.OK):
            if limit_of(reply):
                self.limits_hit.add(limit_of(reply))
            raise remote_exception(reply)
        try:
            if lent:
                states = wire.decode(reply.get(protocol.LENT_STATE))
                if type(states) is not list or len(states) != len(lent):
                    raise mirror.StateError("the objects the test passed to your code came back unreadable")
                for obj, state in zip(lent, states):
                    mirror.apply_state(obj, state)
            if arrays and protocol.INPLACE in reply:
                mirror.write_back(arrays, wire.decode(reply[protocol.INPLACE]))
        except (mirror.StateError, wire.WireError) as error:
            raise StudentCodeError(str(error)) from None
        value = wire.decode(reply.get(protocol.VALUE), lambda data: self.from_handle(data, lent))
        if want_call:
            return value, reply.get(protocol.GRAPH) if type(reply.get(protocol.GRAPH)) is int else None
        return value

    def from_handle(self, data: dict, lent: list):
        """What a handle from the student's process becomes here: the test's own lent object, a torch.nn layer
        rebuilt from its value, or a Remote. Any other kind may not come from there."""
        kind, key = data[protocol.KIND], data[protocol.HANDLE]
        if kind == protocol.LENT_HANDLE:
            if 0 <= key < len(lent):
                return lent[key]  # the test's own object, handed back
            raise wire.WireError("a handle to a lent object that was not lent")
        if kind != protocol.REMOTE:
            raise wire.WireError(f"a {kind} handle may not come from the student's process")
        if "layer" in data:
            return mirror.rebuild_layer(data["layer"])
        return Remote(self, data)

    def run_callback(self, request: dict) -> dict:
        try:
            function = self.callbacks[request["target"]]
            decode = lambda data: wire.decode(data, lambda d: self.from_handle(d, []))  # noqa: E731
            args = [decode(a) for a in request.get("args", [])]
            kwargs = {str(k): decode(v) for k, v in request.get("kwargs", {}).items()}
            return {protocol.OK: True, protocol.VALUE: self.out(function(*args, **kwargs))}
        except StudentCodeError:
            raise
        except Exception as error:
            return {protocol.OK: False, protocol.MESSAGE: f"{type(error).__name__}: {error}"[:2000]}

    def fetch(self, names: list[str]) -> dict:
        if self.sandbox is None or not names:
            return {}
        try:
            reply = self.sandbox.request({"op": protocol.NAMES, "names": names}, self.timeout())
        except SandboxDied as error:
            self.note_limit(error)
            self.close()
            self.errors.append(f"your code {error}.")
            return {}
        values = reply.get(protocol.VALUES) if reply.get(protocol.OK) else None
        if type(values) is not dict:
            return {}
        found = {}
        for name in names:
            if name in values:
                try:
                    found[name] = wire.decode(values[name], lambda data: self.from_handle(data, []))
                except wire.WireError as error:
                    self.errors.append(f"the value of {name} could not be read ({error}).")
        return found


def _installed_at(module: str) -> str | None:
    """Where the grader itself imports `module` from (its package folder), or None when it cannot either."""
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    if spec.submodule_search_locations:
        return str(list(spec.submodule_search_locations)[0])
    return spec.origin
