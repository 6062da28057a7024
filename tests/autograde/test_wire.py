"""wire.decode is the grader's trust boundary: every payload below is what a hostile student process could send,
and each must be refused with WireError (never turned into an object of a type the student chose)."""
from __future__ import annotations

import base64
import json

import numpy as np
import pytest
import torch

from llmcourse.autograde import protocol, wire


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def nested_lists(depth: int):
    value: list = []
    for _ in range(depth):
        value = [value]
    return value


FORGED = {
    # dtype: objects, strings, big-endian, datetimes may not cross (only plain numeric / bool little-endian)
    "object dtype": {"__nd__": "|O", "shape": [1], "data": b64(b"\0" * 8)},
    "unicode dtype": {"__nd__": "<U4", "shape": [1], "data": b64(b"\0" * 16)},
    "big-endian dtype": {"__nd__": ">f8", "shape": [1], "data": b64(b"\0" * 8)},
    "datetime dtype": {"__nd__": "<M8[ns]", "shape": [1], "data": b64(b"\0" * 8)},
    "dtype not a str": {"__nd__": ["<f8"], "shape": [1], "data": b64(b"\0" * 8)},
    # shape
    "negative dimension": {"__nd__": "<f8", "shape": [-1], "data": ""},
    "float dimension": {"__nd__": "<f8", "shape": [1.0], "data": b64(b"\0" * 8)},
    "bool dimension": {"__nd__": "<f8", "shape": [True], "data": b64(b"\0" * 8)},
    "shape not a list": {"__nd__": "<f8", "shape": 1, "data": b64(b"\0" * 8)},
    "33 dimensions": {"__nd__": "<f8", "shape": [1] * 33, "data": b64(b"\0" * 8)},
    "fewer bytes than the shape": {"__nd__": "<f8", "shape": [2], "data": b64(b"\0" * 8)},
    "more bytes than the shape": {"__nd__": "<f8", "shape": [1], "data": b64(b"\0" * 16)},
    "data not base64": {"__nd__": "<f8", "shape": [1], "data": "not base64!"},
    "huge shape, no bytes": {"__nd__": "<f8", "shape": [1 << 40, 1 << 40], "data": ""},
    "a tensor of an object array": {"__torch__": {"__nd__": "|O", "shape": [1], "data": b64(b"\0" * 8)}},
    # tags
    "unknown tag": {"__pickle__": b64(b"cos\nsystem\n.")},
    "empty dict": {},
    "float that is not nan or inf": {"__float__": "1e999999"},
    "complex of strings": {"__complex__": ["1", "2"]},
    "complex of bools": {"__complex__": [True, False]},
    "dict body not a dict": {"__dict__": [["a", 1]]},
    "int that is not a number": {"__int__": "twelve"},
    "complex of three parts": {"__complex__": [1, 2, 3]},
    "complex not a list": {"__complex__": 5},
    "tuple body not a list": {"__tuple__": 5},
    "unhashable set item": {"__set__": [[1]]},
    "bytes not base64": {"__bytes__": "%%%"},
    "a bare string where a value's tag goes": {"__tuple__": [{"__class__": "Evil"}]},
    # handles
    "handle where none may cross": {protocol.HANDLE: 1, protocol.KIND: protocol.REMOTE},
    # depth and size
    "nested too deep": nested_lists(wire.MAX_DEPTH + 2),
}

HANDLES = {
    "handle without a kind": {protocol.HANDLE: 1},
    "handle of an unknown kind": {protocol.HANDLE: 1, protocol.KIND: "module"},
    "handle key not an int": {protocol.HANDLE: "1", protocol.KIND: protocol.REMOTE},
    "handle key a bool": {protocol.HANDLE: True, protocol.KIND: protocol.REMOTE},
}


@pytest.mark.parametrize("name", sorted(FORGED))
def test_a_forged_payload_is_refused(name):
    payload = json.loads(json.dumps(FORGED[name]))  # what arrives: JSON text
    with pytest.raises(WireError):
        wire.decode(payload)


@pytest.mark.parametrize("name", sorted(HANDLES))
def test_a_malformed_handle_is_refused_even_where_handles_may_cross(name):
    made = []
    with pytest.raises(WireError):
        wire.decode(HANDLES[name], made.append)
    assert made == []


def test_too_many_items_in_total_are_refused():
    with pytest.raises(WireError):
        wire.decode([0] * 10, budget=[5])


def test_a_well_formed_handle_reaches_make_handle_with_its_kind():
    made = []
    wire.decode({"__tuple__": [protocol.handle(protocol.REMOTE, 7, type="Model")]}, made.append)
    assert made == [{protocol.HANDLE: 7, protocol.KIND: protocol.REMOTE, "type": "Model"}]


ROUND_TRIP = [None, True, 3, -2 ** 60, 1.5, float("inf"), 1 + 2j, "text", b"bytes", [1, [2]], (1, 2),
              {"a": (1,)}, {1, 2}, frozenset({3})]


@pytest.mark.parametrize("value", ROUND_TRIP, ids=repr)
def test_plain_data_crosses_unchanged_and_with_its_type(value):
    back = wire.decode(json.loads(json.dumps(wire.encode(value))))
    assert back == value and type(back) is type(value)


def test_arrays_and_tensors_cross_by_value():
    array = np.arange(6, dtype=np.float32).reshape(2, 3)
    back = wire.decode(json.loads(json.dumps(wire.encode(array))))
    assert back.dtype == np.float32 and back.shape == (2, 3) and np.array_equal(back, array)
    tensor = torch.ones(2, requires_grad=True)
    back = wire.decode(json.loads(json.dumps(wire.encode(tensor))))
    assert isinstance(back, torch.Tensor) and back.requires_grad and torch.equal(back.detach(), tensor.detach())


def test_an_object_that_is_not_data_does_not_cross_without_a_handle():
    with pytest.raises(WireError):
        wire.encode(object())


WireError = wire.WireError
