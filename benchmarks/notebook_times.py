#!/usr/bin/env python3
"""Execute each lecture and solution notebook in a fresh kernel; print wall time, the kernel's peak memory and CPU time.

    .venv/bin/python benchmarks/notebook_times.py [--busy] [NOTEBOOK ...]

With no notebooks: every notebook in lectures/ and solutions/. `--busy` keeps one core busy with another process
(a Python busy loop) while the notebooks run, like a student's laptop with a browser open: the course's budgets
must hold then too. The load average (from `os.getloadavg`) is printed before and after, since other programs on
the machine inflate the times as well. Budgets (course brief): 30 s each (two-tower retrieval, 07,
included), except 60 s for BERT pre-training (04) and the decoder (08), 120 s for fine-tuning (06); 2 GB of memory for all.
Nothing is written back: notebooks run on copies, in their own folder.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
MEMORY_BUDGET_MB = 2048
TIME_BUDGETS_S = {"04": 60, "06": 120, "08": 60}
PEAK_MEMORY_CELL = ("import resource\nusage = resource.getrusage(resource.RUSAGE_SELF)\n"
                    "print('PEAK_RSS_KB', usage.ru_maxrss, 'CPU_S', usage.ru_utime + usage.ru_stime)")


def budget_for(path: Path) -> int:
    number = path.stem.removeprefix("ps")[:2]
    return TIME_BUDGETS_S.get(number, 30)


def run_notebook(path: Path) -> tuple[float, float, float]:
    """Wall seconds, the kernel's peak memory (MB) and the CPU seconds the kernel used (user + system). With one
    torch thread the CPU seconds are close to the wall time on an idle machine, whatever the load is now."""
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(PEAK_MEMORY_CELL))
    client = NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    text = "".join(o.get("text", "") for o in notebook.cells[-1].outputs)
    peak_kb = float(text.split("PEAK_RSS_KB")[1].split()[0])
    cpu_seconds = float(text.split("CPU_S")[1].split()[0])
    return seconds, peak_kb / 1024, cpu_seconds


@contextmanager
def one_core_busy(enabled: bool):
    """While active, a separate process spins on one core (it is stopped, by its own id, on the way out).
    Yields that process (None when not enabled)."""
    if not enabled:
        yield None
        return
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.5)  # let it reach the scheduler before the first notebook starts
        yield spinner
    finally:
        spinner.kill()
        spinner.wait()


def load() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg()) + f" ({os.cpu_count()} cores)"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--busy", action="store_true", help="keep one core busy with another process meanwhile")
    parser.add_argument("notebooks", nargs="*", help="notebooks to time (default: all lectures and solutions)")
    args = parser.parse_args(argv)
    notebooks = ([Path(p).resolve() for p in args.notebooks] if args.notebooks else
                 sorted((ROOT / "lectures").glob("*.ipynb")) + sorted((ROOT / "solutions").glob("*/*.ipynb")))
    print(f"{'one core kept busy by another process' if args.busy else 'no extra load'}; before: {load()}")
    print(f"{'notebook':<58} {'seconds':>8} {'budget':>7} {'peak MB':>8} {'kernel CPU s':>12}  verdict")
    over = 0
    with one_core_busy(args.busy):
        for path in notebooks:
            seconds, peak_mb, cpu_seconds = run_notebook(path)
            ok = seconds <= budget_for(path) and peak_mb <= MEMORY_BUDGET_MB
            over += not ok
            name = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
            print(f"{name:<58} {seconds:8.1f} {budget_for(path):7d} {peak_mb:8.0f} {cpu_seconds:12.1f}  "
                  f"{'ok' if ok else 'OVER BUDGET'}", flush=True)
        after = load()
    print(f"{len(notebooks)} notebooks, {over} over budget; after: {after}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
