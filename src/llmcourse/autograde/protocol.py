"""The protocol between the trusted grader and the sandboxed student process, as one table.

Messages are JSON objects, length-prefixed on one socket (`wire.send` / `wire.recv`); every value inside one
travels encoded by `wire.encode` and is read back only by the strict `wire.decode`.

Operations: a request's "op"
    op          sent by           keys besides "op"                               the reply's keys
    ----------  ----------------  ----------------------------------------------  -------------------------------
    cell        grader            source, label, setup (bool)                     ok
    names       grader            names (list of str)                             ok, values ({name: value})
    call        grader            target, args, kwargs; lent, grad (optional)     ok, value; inplace, lent_state,
                                                                                  call (optional)
    backward    grader            call, grads                                     ok, value (the inputs' gradients)
    getattr     grader            target, name                                    ok, value
    getitem     grader            target, key                                     ok, value
    len         grader            target                                          ok, value
    iter        grader            target                                          ok, value (a list)
    callback    student process   target, args, kwargs (while a call runs)        ok, value | ok=False, message

Reply keys
    ok          bool: the request succeeded (every reply has it)
    value       the result, wire-encoded
    values      op names: {name: wire-encoded value}, only the names that are defined
    inplace     op call: the call's array arguments that student code changed in place (written back by position)
    lent_state  op call: the new state of each lent object, in lending order (written back into the test's object)
    call        op call with grad: the id of the kept autograd graph, for a later backward
    etype, builtin, message, traceback      ok=False: the error's class name, whether it is a builtin exception,
                its message and the student's frames
    limit       ok=False: the grader's limit the error comes from (one of LIMITS), decided from the error's type
    ready, uid, pid                         the first message of a started process

Handles: what is not plain data crosses as {"__handle__": <int key>, "kind": <kind>, ...}
    remote      an object that stays in the student's process; key: its id there; also type, callable, and
                layer (a torch.nn layer also sent by value, mirror.py)
    setup       a class, function or module that the notebook's own cells define (each side has its copy);
                key 0, name
    callback    a function of the test, run in the grader when student code calls it; key: its number
    lent        an object of the test lent to student code as a copy (a model, an optimiser), its new state
                written back after the call; key: its position in the request's "lent" list
The word for each concept is the one above, everywhere in the grader: "lent" (never shared / sync), "remote" for an
object that stays in the student's process, "handle" only for its reference on the wire.

This module is imported by the student process as a sibling file (it must not import the llmcourse package).
"""

from __future__ import annotations

# operations
CELL, NAMES, CALL, BACKWARD, GETATTR, GETITEM, LEN, ITER, CALLBACK = (
    "cell", "names", "call", "backward", "getattr", "getitem", "len", "iter", "callback")
OPERATIONS = (CELL, NAMES, CALL, BACKWARD, GETATTR, GETITEM, LEN, ITER, CALLBACK)

# keys of requests and replies
OK, VALUE, VALUES, INPLACE, LENT, LENT_STATE, GRAPH = "ok", "value", "values", "inplace", "lent", "lent_state", "call"
ETYPE, BUILTIN, MESSAGE, TRACEBACK, LIMIT = "etype", "builtin", "message", "traceback", "limit"

# handle kinds
HANDLE, KIND = "__handle__", "kind"
REMOTE, SETUP, CALLBACK_HANDLE, LENT_HANDLE = "remote", "setup", "callback", "lent"
HANDLE_KINDS = (REMOTE, SETUP, CALLBACK_HANDLE, LENT_HANDLE)

# the grader's limits that an error in the student's process can come from (reply key "limit")
LIMITS = ("memory", "output", "processes")

# What serving a request imports on first use, by the library the notebook imports: a backward with explicit
# gradients (op backward, and the gradient bridge on the grader's side) imports torch.fx's symbolic shapes and sympy
# with them, 2 s per process. The zygote and the grading workers import them beforehand.
IMPORTED_BY_REQUESTS = {"torch": ("torch.fx.experimental.symbolic_shapes",)}


def handle(kind: str, key: int, **extra) -> dict:
    """The wire form of a reference to an object that is not plain data."""
    return {HANDLE: key, KIND: kind, **extra}
