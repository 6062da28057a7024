#!/usr/bin/env python3
"""Spearman x 100 of MEAN, CLS and MAX pooling of the shipped all-MiniLM-L6-v2 on an STS-layout file.

    .venv/bin/python benchmarks/sts_pooling.py FILE [--batch-size N]

FILE: tab-separated, no header needed: genre, file, year, id, score (0-5), sentence 1, sentence 2 [, extra].
Prints one line per pooling, e.g. `mean 82.03`. On the real STSbenchmark test split MTEB reports 82.03 for this
model with mean pooling; the course's own set is data/sts_course/sts-course.tsv (run in CI).
"""
from __future__ import annotations

import argparse

from llmcourse.notebook import setup_notebook
from llmcourse.sts import evaluate_sts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", help="an STS-layout tab-separated file")
    parser.add_argument("--batch-size", type=int, default=64)
    args = parser.parse_args(argv)
    setup_notebook()  # seeds, 1 thread, library warnings off stderr
    for name, value in evaluate_sts(args.file, batch_size=args.batch_size).items():
        print(f"{name} {value:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
