"""The warm start (zygote.py): each student process is forked from a clean process that has the notebook's imports
done, and is still confined exactly as a cold start was: PID 1 of its own namespaces, another uid, the course
hidden, nothing left behind by the process forked before it, and nothing alive once the zygote or it is gone."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from llmcourse.autograde import protocol, sandbox
from llmcourse.autograde.sandbox import Sandbox, SandboxDied, preload_of
from llmcourse.notebook import IMPORTED_BY_SETUP

PRELOAD = preload_of(["import numpy as np\nimport torch\nfrom llmcourse import setup_notebook"])


@pytest.fixture
def start(start_sandbox):
    return lambda name="work": start_sandbox(name=name, preload=PRELOAD)


def value(box: Sandbox, source: str, name: str = "x"):
    reply = box.request({"op": protocol.CELL, "source": source, "label": "cell 1"}, 30)
    assert reply[protocol.OK], reply
    return box.request({"op": protocol.NAMES, "names": [name]}, 30)[protocol.VALUES][name]


def test_preload_lists_the_notebooks_own_imports_and_the_names_taken():
    sources = ["import numpy as np\nimport torch.nn.functional as F",
               "from transformers import BertConfig, BertModel\nfrom . import local\nfrom x import *", "def ("]
    assert preload_of(sources) == (("numpy", ()), ("torch.nn.functional", ()),
                                   ("transformers", ("BertConfig", "BertModel")), ("x", ()))


def test_what_setup_notebook_imports_is_preloaded_too():
    preload = dict(preload_of(["from llmcourse import setup_notebook\nsetup_notebook()\nimport torch"]))
    assert set(IMPORTED_BY_SETUP) <= set(preload)
    # the list is complete: with those imported, setup_notebook() imports nothing more
    script = ("import sys, importlib\n"
              f"for name in {list(preload)!r}: importlib.import_module(name)\n"
              "before = set(sys.modules)\nfrom llmcourse import setup_notebook\nsetup_notebook()\n"
              "print(sorted(set(sys.modules) - before))")
    new = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert new.strip() == "[]", new


def test_the_notebooks_imports_are_done_before_the_student_process_starts(start):
    box = start()
    assert value(box, "import sys\nx = sorted(m for m in ('numpy', 'torch', 'llmcourse') if m in sys.modules)") == \
        ["llmcourse", "numpy", "torch"]


def test_a_backward_request_imports_nothing_more(start):
    """The gradient bridge's backward (explicit gradients) would import sympy: 2 s in every student process."""
    box = start()
    assert value(box, "import sys, torch\nbefore = set(sys.modules)\nw = torch.ones(2, requires_grad=True)\n"
                      "torch.autograd.backward([(w * 2).sum()], [torch.ones(())])\n"
                      "x = sorted(set(sys.modules) - before)") == []


def test_a_warm_process_is_confined_like_a_cold_one(start, tmp_path):
    box = start()
    seen = value(box, "import os\nx = [os.getpid(), os.getuid(), sorted(p for p in os.listdir('/proc') "
                      "if p.isdigit()), os.listdir('/tmp'), sorted(os.environ)]")
    pid, uid, processes, tmp, environment = seen
    assert pid == 1 and processes == ["1"]  # its own PID namespace: the zygote and the grader are not visible
    assert uid != os.getuid()
    way = (tmp_path / "work").relative_to("/tmp").parts[:1] if tmp_path.is_relative_to("/tmp") else ()
    assert tmp == list(way)  # /tmp hidden, but for the way to its own folder
    assert set(environment) == set(sandbox.sandbox_environment(tmp_path / "work"))  # nothing of the grader's
    assert value(box, "x = os.path.exists(" + repr(str(sandbox.REPO_ROOT / "solutions")) + ")") is False


def test_nothing_carries_over_from_the_process_forked_before(start):
    first = start("first")
    value(first, "import numpy\nnumpy.left_behind = 42\nopen('/tmp/note', 'w').write('hi')\nx = 1")
    second = start("second")
    assert value(second, "import numpy, os\nx = [hasattr(numpy, 'left_behind'), os.path.exists('/tmp/note')]") == \
        [False, False]


def test_the_student_process_dies_with_its_zygote(start, tmp_path):
    """A grading worker killed (a Dask worker lost, the instructor's Ctrl-C) takes its zygote with it, and the
    zygote its student processes, although changing uid cleared the parent-death signal (confinement re-arms it)."""
    box = start()
    value(box, "x = 1")
    zygote = sandbox.zygote_for(PRELOAD)  # this thread's, the one the box came from
    assert _working_in(tmp_path / "work")  # the student process, found by its working folder
    os.kill(zygote.proc.pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while _working_in(tmp_path / "work") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _working_in(tmp_path / "work")
    with pytest.raises(SandboxDied) as died:
        box.request({"op": protocol.CELL, "source": "x = 2", "label": "cell 2"}, 15)
    assert died.value.reason != sandbox.TIME  # it is gone, not slow
    fresh = start("fresh")  # the next start makes a new zygote
    assert value(fresh, "x = 2") == 2


def _working_in(folder) -> list[str]:
    found = []
    for entry in os.listdir("/proc"):
        try:
            if entry.isdigit() and os.readlink(f"/proc/{entry}/cwd").startswith(str(folder)):
                found.append(entry)
        except OSError:
            pass
    return found


def test_a_closed_sandbox_leaves_no_process_behind(start):
    box = start()
    value(box, "import subprocess\np = subprocess.Popen(['sleep', '300'], start_new_session=True)\nx = 1")
    pid = box.proc.pid
    box.close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _sleepers():
        time.sleep(0.1)
    assert not _sleepers()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def _sleepers() -> list[str]:
    found = []
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                if handle.read() == b"sleep\x00300\x00":
                    found.append(entry)
        except OSError:
            pass
    return found


FORKED = r'''
import json, os, sys, tempfile
from pathlib import Path
from llmcourse.autograde import protocol, sandbox
from llmcourse.autograde.sandbox import Limits, Sandbox, preload_of
preload = preload_of(["import numpy as np\nimport torch"])
import numpy, torch  # what a worker's forkserver has imported
sandbox.zygote_for(preload, fork_here=True)
folder = Path(tempfile.mkdtemp())
box = Sandbox(folder / "work", folder / "log", [], Limits(), preload=preload)
box.start()
CELL = """
import os, sys
def link(number):
    try:
        return os.readlink(f"/proc/self/fd/{number}")
    except OSError:
        return "(the listing's own, closed)"
fds = [link(n) for n in os.listdir("/proc/self/fd") if int(n) > 2]
x = [os.getpid(), fds, sys.stdin.read(), sorted(m for m in ("torch", "numpy") if m in sys.modules)]
"""
print(json.dumps(box.request({"op": protocol.CELL, "label": "cell 1", "source": CELL}, 30)))
print(json.dumps(box.request({"op": protocol.NAMES, "names": ["x"]}, 30)["values"]["x"]))
box.close()
print(json.dumps(sandbox.zygote_for(preload).proc.pid != os.getpid()))
'''


def test_a_zygote_forked_from_a_worker_serves_like_a_started_one():
    """batch.py forks each worker's zygote from the worker itself (its forkserver imported torch already): the
    student process still has only its own streams and socket open, stdin at end of file, the imports done."""
    lines = subprocess.run([sys.executable, "-c", FORKED], capture_output=True, text=True, check=True,
                           timeout=300).stdout.splitlines()
    pid, fds, stdin, imported = json.loads(lines[-2])
    assert pid == 1 and stdin == "" and imported == ["numpy", "torch"]
    # beyond stdin, stdout and stderr: its socket, and the listing of /proc/self/fd itself; nothing of the worker
    assert sorted(fd.split(":")[0] for fd in fds) == ["(the listing's own, closed)", "socket"], fds
