#!/usr/bin/env python3
"""How long a process that loaded what a lecture loads takes to exit, with and without `setup_notebook()`.

    .venv/bin/python benchmarks/kernel_exit.py [--repeats N]

Each run is a fresh Python process that imports torch, scikit-learn and transformers' BERT and loads the shipped
MiniLM (what lecture 07's first cells do), prints the time, and ends. The exit time is from that print to the
process being gone, as the parent sees it. `setup_notebook()` registers `gc.freeze` at exit
(`llmcourse.notebook.freeze_at_exit`), so the shutdown collections skip the ~500,000 objects those libraries
create; a kernel restart, nbclient, CI and the grader all wait for this exit.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

LOAD = """
import gc, time
{setup}
import torch, sklearn.feature_extraction.text
from llmcourse.models import load_encoder
tokenizer, encoder = load_encoder()
print(len(gc.get_objects()), time.time(), flush=True)
"""


def exit_seconds(setup: str) -> tuple[float, int]:
    """(seconds from the last print to the process's end, objects tracked by the collector then)."""
    process = subprocess.Popen([sys.executable, "-c", LOAD.format(setup=setup)], stdout=subprocess.PIPE, text=True,
                               cwd=ROOT, env={"PYTHONPATH": str(ROOT / "src"), "PATH": ""})
    line = process.stdout.readline()
    process.wait()
    ended = time.time()
    objects, printed = line.split()
    return ended - float(printed), int(objects)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    print(f"{'':<28}{'exit s (median)':>16}{'runs':>24}{'tracked objects':>17}")
    for name, setup in (("plain", ""), ("after setup_notebook()", "from llmcourse import setup_notebook\n"
                                                                    "setup_notebook()")):
        runs = [exit_seconds(setup) for _ in range(args.repeats)]
        seconds = [s for s, _ in runs]
        print(f"{name:<28}{statistics.median(seconds):>16.2f}{', '.join(f'{s:.2f}' for s in seconds):>24}"
              f"{runs[-1][1]:>17,}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
