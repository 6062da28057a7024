#!/usr/bin/env python3
"""Execute each lecture and solution notebook in a fresh kernel; print wall time and the kernel's peak memory.

    .venv/bin/python benchmarks/notebook_times.py [NOTEBOOK ...]

With no arguments: every notebook in lectures/ and solutions/. Budgets (course brief): 30 s each, except 60 s for
BERT pre-training (04), two-tower retrieval (07) and the decoder (08), 120 s for fine-tuning (06); 2 GB of memory for all.
Nothing is written back: notebooks run on copies, in their own folder.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
MEMORY_BUDGET_MB = 2048
TIME_BUDGETS_S = {"04": 60, "06": 120, "07": 60, "08": 60}
PEAK_MEMORY_CELL = "import resource\nprint('PEAK_RSS_KB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"


def budget_for(path: Path) -> int:
    number = path.stem.removeprefix("ps")[:2]
    return TIME_BUDGETS_S.get(number, 30)


def run_notebook(path: Path) -> tuple[float, float]:
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(PEAK_MEMORY_CELL))
    client = NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    text = "".join(o.get("text", "") for o in notebook.cells[-1].outputs)
    peak_kb = float(text.split("PEAK_RSS_KB")[1].split()[0])
    return seconds, peak_kb / 1024


def main(paths: list[str]) -> int:
    notebooks = ([Path(p).resolve() for p in paths] if paths else
                 sorted((ROOT / "lectures").glob("*.ipynb")) + sorted((ROOT / "solutions").glob("*/*.ipynb")))
    print(f"{'notebook':<58} {'seconds':>8} {'budget':>7} {'peak MB':>8}  verdict")
    over = 0
    for path in notebooks:
        seconds, peak_mb = run_notebook(path)
        ok = seconds <= budget_for(path) and peak_mb <= MEMORY_BUDGET_MB
        over += not ok
        print(f"{str(path.relative_to(ROOT)):<58} {seconds:8.1f} {budget_for(path):7d} {peak_mb:8.0f}  "
              f"{'ok' if ok else 'OVER BUDGET'}", flush=True)
    print(f"{len(notebooks)} notebooks, {over} over budget")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
