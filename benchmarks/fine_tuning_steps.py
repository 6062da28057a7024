#!/usr/bin/env python3
"""Run lecture 06 up to its full fine-tuning result with another number of steps; print what that cell prints.

    .venv/bin/python benchmarks/fine_tuning_steps.py [STEPS ...]        # default: 90 (two epochs)

Lecture 06 fine-tunes MiniLM for 45 steps (one epoch of the 720 training pairs), which is what its time budget
allows and, on the course's NLI set, too few to learn anything (it answers one label for every pair). This script
answers the question the lecture leaves to the student ("try STEPS = 90") without editing the lecture: it executes
the lecture's own cells, from the first to the one that asks both encoders about hand-written role swaps, in a fresh
kernel, with only the line `STEPS, BATCH = 45, 16` changed, and prints what the fine-tuning result, the role-swap
test pairs and the hand-written pairs print (cell ids in SHOWN_CELLS), and the wall time.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

LECTURE = Path(__file__).resolve().parents[1] / "lectures" / "06_fine_tuning.ipynb"
STEPS_LINE = "STEPS, BATCH = 45, 16"
SHOWN_CELLS = ("l06-25", "65e68147", "l06-role-swap-written")   # the result, the role swaps, the written pairs


def run(steps: int) -> tuple[str, float]:
    notebook = nbformat.read(LECTURE, as_version=4)
    ids = [cell.get("id") for cell in notebook.cells]
    missing = [cell for cell in SHOWN_CELLS if cell not in ids]
    if missing:
        raise SystemExit(f"{LECTURE.name} has no cell {missing}: update this script")
    cells = notebook.cells[:max(ids.index(cell) for cell in SHOWN_CELLS) + 1]
    changed = [cell for cell in cells if STEPS_LINE in cell.source]
    if len(changed) != 1:
        raise SystemExit(f"expected one cell with {STEPS_LINE!r}, found {len(changed)}: update this script")
    changed[0].source = changed[0].source.replace(STEPS_LINE, f"STEPS, BATCH = {steps}, 16")
    notebook.cells = cells
    start = time.perf_counter()
    NotebookClient(notebook, timeout=1800, kernel_name="python3",
                   resources={"metadata": {"path": str(LECTURE.parent)}}).execute()
    text = "".join(output.get("text", "") for cell in notebook.cells if cell.get("id") in SHOWN_CELLS
                   for output in cell.outputs)
    return text, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("steps", nargs="*", type=int, default=[90])
    for steps in parser.parse_args().steps:
        text, seconds = run(steps)
        print(f"== STEPS = {steps} (lecture 06 up to its role swaps: {seconds:.0f} s)\n{text}")


if __name__ == "__main__":
    main()
