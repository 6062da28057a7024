"""Plain-data encoding between the sandboxed student process and the trusted grader.

Only data crosses: None, bool, int, float, complex, str, bytes (short), list, tuple, dict with str keys, NumPy
arrays and scalars of numeric/bool dtype, torch tensors (rebuilt from their bytes) and *handles*: references, of
one of the kinds in protocol.py, to what is not plain data (e.g. a remote: an object that stays in the student's
process). Decoding is strict: an unknown tag, a wrong dtype, a size that does not match the bytes, or nesting too
deep is an error, never an object of a student-chosen type. So a student function cannot hand the grader an object
whose `__eq__` always says True, or a monkeypatched NumPy: the grader compares its own NumPy arrays built from bytes.

Messages are length-prefixed JSON on a socket; what they hold is the table in protocol.py. This module is the
grader's trust boundary: tests/autograde/test_wire.py feeds `decode` forged payloads.
"""
from __future__ import annotations

import base64
import json
import math
import socket
import struct

if __package__:
    from . import protocol
else:  # in the student process, where the grader's modules are sibling files (student_process.py)
    import protocol

MAX_DEPTH = 32
MAX_ITEMS = 1_000_000
ALLOWED_DTYPES = {"|b1", "|i1", "|u1", "<i2", "<u2", "<i4", "<u4", "<i8", "<u8", "<f2", "<f4", "<f8",
                  "<c8", "<c16"}


class WireError(Exception):
    """A message that breaks the protocol (too big, malformed, a type that may not cross)."""


def _float(value: float):
    if math.isfinite(value):
        return value
    return {"__float__": repr(value)}  # nan, inf, -inf (JSON has no literal for them)


def encode(value, handle_for=None, depth: int = 0):
    """Plain data -> JSON-able structure. `handle_for(obj)` returns a handle (protocol.handle) for anything else,
    or raises."""
    if depth > MAX_DEPTH:
        raise WireError("value nested too deeply")
    kind = type(value)
    if value is None or kind is bool or kind is str:
        return value
    if kind is int:
        return value if abs(value) < 2 ** 53 else {"__int__": str(value)}
    if kind is float:
        return _float(value)
    if kind is complex:
        return {"__complex__": [_float(value.real), _float(value.imag)]}
    if kind is list:
        return [encode(v, handle_for, depth + 1) for v in value]
    if kind is tuple:
        return {"__tuple__": [encode(v, handle_for, depth + 1) for v in value]}
    if kind is set or kind is frozenset:
        return {"__set__": [encode(v, handle_for, depth + 1) for v in value], "frozen": kind is frozenset}
    if kind is dict:
        if not all(type(k) is str for k in value):
            raise WireError("only dicts with str keys can cross")
        return {"__dict__": {k: encode(v, handle_for, depth + 1) for k, v in value.items()}}
    if kind is bytes and len(value) <= 1 << 20:
        return {"__bytes__": base64.b64encode(value).decode()}
    module = getattr(kind, "__module__", "") or ""
    if module.startswith("numpy"):
        import numpy as np

        if isinstance(value, np.ndarray) or isinstance(value, np.generic):
            array = np.asarray(value)
            if array.dtype.kind in "biufc":
                array = array.astype(array.dtype.newbyteorder("<"), order="C")  # keeps 0-d arrays 0-d
                out = {"__nd__": array.dtype.str, "shape": list(array.shape),
                       "data": base64.b64encode(array.tobytes()).decode()}
                if isinstance(value, np.generic):
                    out["scalar"] = True
                return out
    if module.startswith("torch"):
        import torch

        if isinstance(value, torch.Tensor) and not value.is_complex() and value.layout == torch.strided:
            array = value.detach().cpu()
            if array.dtype == torch.bfloat16:
                array = array.float()
            inner = encode(array.numpy(), None, depth + 1)
            return {"__torch__": inner, "requires_grad": bool(value.requires_grad)}
    if handle_for is None:
        raise WireError(f"a {kind.__name__} cannot be sent")
    return handle_for(value)


def _check_number(value):
    if type(value) in (int, float) and type(value) is not bool:
        return value
    raise WireError("malformed number")


def _b64decode(text) -> bytes:
    try:
        return base64.b64decode(str(text), validate=True)
    except ValueError as error:  # binascii.Error
        raise WireError(f"malformed base64 ({error})") from None


def decode(data, make_handle=None, depth: int = 0, budget: list | None = None):
    """Strict inverse of `encode`. `make_handle(dict)` turns a handle into an object (None: no handle may cross).
    Whatever is malformed raises WireError, whichever part of the payload it is in."""
    try:
        return _decode(data, make_handle, depth, budget)
    except (TypeError, ValueError, OverflowError) as error:  # e.g. an unhashable set item, int("x")
        raise WireError(f"malformed value ({type(error).__name__}: {str(error)[:200]})") from None


def _decode(data, make_handle=None, depth: int = 0, budget: list | None = None):
    budget = budget if budget is not None else [MAX_ITEMS]
    budget[0] -= 1
    if budget[0] < 0 or depth > MAX_DEPTH:
        raise WireError("value too large or nested too deeply")
    kind = type(data)
    if data is None or kind in (bool, str, int):
        return data
    if kind is float:
        return data
    if kind is list:
        return [_decode(v, make_handle, depth + 1, budget) for v in data]
    if kind is not dict or len(data) == 0:
        raise WireError(f"unexpected {kind.__name__}")
    if "__float__" in data:
        text = data["__float__"]
        if text not in ("nan", "inf", "-inf"):
            raise WireError("malformed float")
        return float(text)
    if "__int__" in data:
        return int(str(data["__int__"])[:4000])
    if "__complex__" in data:
        re_, im = (_decode(v, None, depth + 1, budget) for v in data["__complex__"])
        return complex(_check_number(re_), _check_number(im))
    if "__tuple__" in data:
        return tuple(_decode(v, make_handle, depth + 1, budget) for v in data["__tuple__"])
    if "__set__" in data:
        items = [_decode(v, None, depth + 1, budget) for v in data["__set__"]]
        return frozenset(items) if data.get("frozen") is True else set(items)
    if "__dict__" in data:
        items = data["__dict__"]
        if type(items) is not dict:
            raise WireError("malformed dict")
        return {str(k): _decode(v, make_handle, depth + 1, budget) for k, v in items.items()}
    if "__bytes__" in data:
        return _b64decode(data["__bytes__"])
    if "__nd__" in data:
        import numpy as np

        dtype = data["__nd__"]
        if type(dtype) is not str or dtype not in ALLOWED_DTYPES:
            raise WireError(f"dtype {dtype!r} may not cross")
        shape = data.get("shape")
        if type(shape) is not list or not all(type(n) is int and 0 <= n for n in shape) or len(shape) > 32:
            raise WireError("malformed shape")
        raw = _b64decode(data.get("data", ""))
        count = math.prod(shape)
        if count * np.dtype(dtype).itemsize != len(raw):
            raise WireError("array bytes do not match its shape")
        budget[0] -= count // 8
        array = np.frombuffer(raw, dtype=np.dtype(dtype)).reshape(shape).copy()
        array = array.astype(array.dtype.newbyteorder("="))
        if data.get("scalar") is True:
            return array[()]
        return array
    if "__torch__" in data:
        import numpy as np
        import torch

        array = _decode(data["__torch__"], None, depth + 1, budget)
        if not isinstance(array, np.ndarray):
            array = np.asarray(array)
        tensor = torch.from_numpy(np.array(array, copy=True))
        if data.get("requires_grad") is True and tensor.is_floating_point():
            tensor.requires_grad_(True)
        return tensor
    if protocol.HANDLE in data:
        if make_handle is None:
            raise WireError("a handle may not cross here")
        if type(data[protocol.HANDLE]) is not int or data.get(protocol.KIND) not in protocol.HANDLE_KINDS:
            raise WireError("malformed handle")
        return make_handle(data)
    raise WireError(f"unknown tag {sorted(data)[:3]}")


# ---- framing -------------------------------------------------------------------------------------------------
MAX_MESSAGE = 256 << 20


def send(sock: socket.socket, message) -> None:
    payload = json.dumps(message, allow_nan=False, separators=(",", ":")).encode()
    if len(payload) > MAX_MESSAGE:
        raise WireError(f"message of {len(payload) >> 20} MB is over the {MAX_MESSAGE >> 20} MB limit")
    sock.sendall(struct.pack("!Q", len(payload)) + payload)


def _recv_exactly(sock: socket.socket, n: int) -> bytes:
    chunks, got = [], 0
    while got < n:
        chunk = sock.recv(min(n - got, 1 << 20))
        if not chunk:
            raise EOFError("the other side closed the connection")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def recv(sock: socket.socket, limit: int = MAX_MESSAGE):
    (length,) = struct.unpack("!Q", _recv_exactly(sock, 8))
    if length > limit:
        raise WireError(f"message of {length >> 20} MB is over the {limit >> 20} MB limit")
    try:
        return json.loads(_recv_exactly(sock, length))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise WireError(f"malformed message: {error}") from None


def array_leaves(values) -> list:
    """Torch tensors and NumPy arrays among `values` (lists, tuples and dicts walked), in a fixed order.

    Both sides of the sandbox walk a call's arguments with this one function, so the n-th array on one side is the
    n-th on the other: gradients are bridged, and arrays changed in place are written back, by position."""
    found = []
    for value in values:
        if type(value) in (list, tuple):
            found += array_leaves(value)
        elif type(value) is dict:
            found += array_leaves(list(value.values()))
        elif type(value).__module__.startswith(("torch", "numpy")) and hasattr(value, "shape") and \
                hasattr(value, "dtype") and type(value).__name__ in ("Tensor", "Parameter", "ndarray"):
            found.append(value)
    return found


def grad_tensors(values) -> list:
    """The tensors that require grad among `array_leaves(values)`, in the same order."""
    return [value for value in array_leaves(values) if getattr(value, "requires_grad", False) is True]
