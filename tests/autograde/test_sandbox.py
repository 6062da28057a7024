"""The student's process and its confinement: why it died comes as a structured reason from where it is seen, and
an error from one of the grader's limits is classified by the error's type (never by its text)."""
from __future__ import annotations

import pytest

from llmcourse.autograde import protocol, sandbox
from llmcourse.autograde.sandbox import Limits, Sandbox, SandboxDied

FORGED_FRAME = ("import json, socket, sys\n"
                "sock = socket.socket(fileno=json.loads(sys.argv[1])['fd'])\n"
                "sock.sendall(bytes(7) + bytes([5]) + b'nope!')\n"
                "import time\ntime.sleep(30)")
OUTPUT_THEN_EXIT = "import os\ntry:\n    print('x' * 3_000_000, flush=True)\nexcept OSError:\n    pass\nos._exit(1)"

DEATHS = {  # cell source, limits, the reason
    "time": ("import time\ntime.sleep(30)", Limits(), sandbox.TIME),
    "exit": ("import os\nos._exit(3)", Limits(), sandbox.EXIT),
    "signal": ("import ctypes\nctypes.string_at(0)", Limits(), sandbox.SIGNAL),
    "output": (OUTPUT_THEN_EXIT, Limits(output_bytes=1 << 20), sandbox.OUTPUT),
    "protocol": (FORGED_FRAME, Limits(), sandbox.PROTOCOL),
    "cpu": ("while True:\n    pass", Limits(cpu_seconds=1), sandbox.CPU),
}


@pytest.fixture
def start(start_sandbox):
    return start_sandbox


def run(box: Sandbox, source: str, timeout: float = 5) -> dict:
    return box.request({"op": protocol.CELL, "source": source, "label": "cell 1"}, timeout)


@pytest.mark.parametrize("name", sorted(DEATHS))
def test_a_death_carries_its_reason(start, name):
    source, limits, reason = DEATHS[name]
    box = start(limits)
    with pytest.raises(SandboxDied) as died:
        run(box, source, timeout=2 if reason == sandbox.TIME else 10)
    assert died.value.reason == reason


LIMITED_ERRORS = {  # cell source, limits, the reply's "limit"
    "memory": ("x = bytearray(3 << 30)", Limits(memory_bytes=2 << 30), "memory"),
    "output": ("print('x' * 3_000_000, flush=True)", Limits(output_bytes=1 << 20), "output"),
    "an error that only says so": ("raise OSError('File too large')", Limits(), None),
    "a MemoryError of the student's own": ("class MemoryError(Exception):\n    pass\nraise MemoryError()",
                                           Limits(), None),
}


@pytest.mark.parametrize("name", sorted(LIMITED_ERRORS))
def test_an_error_from_a_limit_is_told_by_its_type_not_its_text(start, name):
    source, limits, limit = LIMITED_ERRORS[name]
    reply = run(start(limits), source)
    assert reply[protocol.OK] is False
    assert reply.get(protocol.LIMIT) == limit


def test_a_cell_that_succeeds_keeps_the_process_serving(start):
    box = start(Limits())
    assert run(box, "x = 41 + 1") == {protocol.OK: True}
    reply = box.request({"op": protocol.NAMES, "names": ["x", "missing"]}, 5)
    assert reply == {protocol.OK: True, protocol.VALUES: {"x": 42}}
