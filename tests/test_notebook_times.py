"""benchmarks/notebook_times.py --busy: while the notebooks run another process really keeps a core busy, and it is
gone afterwards. (The timings themselves are a benchmark's business, not a test's.)"""
from __future__ import annotations

import importlib.util
import os
import time

from llmcourse.paths import REPO_ROOT


def load_benchmark():
    spec = importlib.util.spec_from_file_location("notebook_times", REPO_ROOT / "benchmarks" / "notebook_times.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def children_cpu_seconds() -> float:
    return os.times().children_user + os.times().children_system


def test_busy_keeps_a_core_busy_and_stops_afterwards():
    benchmark = load_benchmark()
    before = children_cpu_seconds()
    with benchmark.one_core_busy(True) as spinner:
        time.sleep(1.5)
        assert spinner.poll() is None, "the busy process runs while the notebooks are timed"
    assert spinner.poll() is not None, "and is stopped afterwards"
    spent = children_cpu_seconds() - before   # counted once the spinner has been waited for
    # on an idle machine about 2 s; a loaded test machine gives it less, but never nothing
    assert spent > 0.05, f"the busy process used only {spent:.2f} s of CPU in 2 s"


def test_without_busy_nothing_is_started():
    benchmark = load_benchmark()
    before = children_cpu_seconds()
    with benchmark.one_core_busy(False) as spinner:
        time.sleep(0.3)
    assert spinner is None and children_cpu_seconds() - before < 0.05


def test_busy_run_times_a_notebook_and_says_so(tmp_path, capsys):
    import nbformat

    path = tmp_path / "tiny.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = sum(range(10))")]), path)
    assert load_benchmark().main(["--busy", str(path)]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("one core kept busy by another process; before: load average")
    line = next(line for line in printed.splitlines() if "tiny.ipynb" in line)
    assert line.split()[-1] == "ok" and float(line.split()[1]) < 30
    assert "1 notebooks, 0 over budget; after: load average" in printed
