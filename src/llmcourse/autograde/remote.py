"""Remotes: objects that stay in the student's process, used from test code in the grader through their handles.

A `Remote`'s every use (a call, an attribute, an item, len, iteration) is a request to the student's process
(protocol.py) sent by its `Session`; the reply comes back decoded strictly from bytes. A call with tensors that
require grad goes through `grad_bridge`, which connects the student's autograd graph to the grader's. An error reply
becomes an exception here (`remote_exception`) with the student's message.
"""
from __future__ import annotations

import builtins
import functools

from llmcourse.autograde import protocol, wire

_SAFE_EXCEPTIONS = {name: cls for name, cls in vars(builtins).items()
                    if isinstance(cls, type) and issubclass(cls, Exception)}


class StudentCodeError(Exception):
    """An error raised inside the student's code (or its process ending), reported with its own message."""


class Remote:
    """A remote: an object that stays in the student's process, used from a test through its handle.
    Equality is identity; nothing is trusted from it."""
    __slots__ = ("_session", "_id", "_type", "_generation")

    def __new__(cls, session, data):
        name = str(data.get("type", "object"))[:80]
        if cls is Remote and name.isidentifier():
            cls = remote_class(name)  # so a check's message names the student's type, not "Remote"
        return object.__new__(cls)

    def __init__(self, session, data):
        object.__setattr__(self, "_session", session)
        object.__setattr__(self, "_id", data[protocol.HANDLE])
        object.__setattr__(self, "_type", str(data.get("type", "object"))[:80])
        object.__setattr__(self, "_generation", session.generation)

    def __call__(self, *args, **kwargs):
        message, lent = self._session.call_message(self._id, args, kwargs)
        arrays = wire.array_leaves(list(args) + list(kwargs.values()))
        leaves = wire.grad_tensors(arrays)
        if not leaves:
            return self._session.rpc(message, self, lent=lent, arrays=arrays)
        return grad_bridge(self._session, message, self, leaves, lent, arrays)

    @property
    def __class__(self):
        """`obj.__class__(...)` builds another object of the student's class (isinstance still sees a Remote)."""
        return _RemoteClassOf(self)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return self._session.rpc({"op": protocol.GETATTR, "target": self._id, "name": name}, self)

    def __getitem__(self, key):
        return self._session.rpc({"op": protocol.GETITEM, "target": self._id, "key": self._session.out(key)}, self)

    def __len__(self):
        value = self._session.rpc({"op": protocol.LEN, "target": self._id}, self)
        if type(value) is not int:
            raise TypeError("len() of your object is not an int")
        return value

    def __iter__(self):
        value = self._session.rpc({"op": protocol.ITER, "target": self._id}, self)
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
        return remote._session.rpc({"op": protocol.GETATTR, "target": remote._id, "name": "__class__"}, remote)

    def __call__(self, *args, **kwargs):
        return self._fetch()(*args, **kwargs)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self._fetch(), name)


def grad_bridge(session, message: dict, remote, leaves: list, lent: list, arrays: list):
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
            reply = session.rpc({"op": protocol.BACKWARD, "call": call, "grads": [session.out(g) for g in grads]},
                                remote)
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
def remote_class(name: str) -> type:
    return type(name, (Remote,), {"__slots__": ()})


def describe_error(reply: dict) -> str:
    """An error reply as the student reads it."""
    etype, message = str(reply.get("etype", "Error")), str(reply.get("message", ""))
    if etype in ("StudentCheckError", "AssertionError") and message:
        text = message
    elif etype == "SystemExit":
        text = f"your code called sys.exit() or exit() (SystemExit: {message})"
    else:
        text = f"{etype}: {message}"
    if reply.get("traceback"):
        text += "\n" + str(reply["traceback"]).rstrip()
    if limit_of(reply) == "memory":
        text += "\n(the grader's memory limit was reached)"
    if limit_of(reply) == "output":
        text += "\n(the grader's output limit was reached: print less)"
    return text


def limit_of(reply: dict) -> str | None:
    """The grader's limit an error reply comes from, as the student process classified it (by the error's type)."""
    limit = reply.get(protocol.LIMIT)
    return limit if limit in protocol.LIMITS else None


def remote_exception(reply: dict) -> Exception:
    """An error reply raised in a test: a builtin exception of the same class when it is one, else StudentCodeError."""
    etype = str(reply.get("etype", ""))
    cls = _SAFE_EXCEPTIONS.get(etype) if reply.get("builtin") is True else None
    text = describe_error(reply)
    if cls is None or cls is StopIteration:
        return StudentCodeError(text)
    try:
        error = cls(text[len(etype) + 2:] if text.startswith(etype + ": ") else text)
    except Exception:
        return StudentCodeError(text)
    return error
