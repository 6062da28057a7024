"""The course's STS-style set (data/sts_course/sts-course.tsv): sentence pairs with gold similarity 0-5.

Same tab-separated layout as the STS benchmark, so `llmcourse.sts.evaluate_sts` and `benchmarks/sts_pooling.py`
read both. Written by data/generators/sts_course.py; see data/README.md for provenance and licence.

    from llmcourse.datasets.sts_course import load_sts, sts_path
    first, second, scores = load_sts()
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from llmcourse.paths import data_path


def sts_path() -> Path:
    """Path of the shipped file (to hand to evaluate_sts or the benchmark)."""
    return data_path("sts_course", "sts-course.tsv")


def load_sts() -> tuple[list[str], list[str], np.ndarray]:
    """(sentences_1, sentences_2, gold scores 0-5) of the 300 pairs."""
    from llmcourse.sts import read_sts

    return read_sts(sts_path())
