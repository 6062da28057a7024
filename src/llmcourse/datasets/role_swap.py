"""The role-swap task (data/role_swap/pairs.tsv): premise / hypothesis pairs that differ only in who does what to
whom. Written by data/generators/role_swap.py; see data/README.md.

    from llmcourse.datasets.role_swap import load_pairs
    train = load_pairs("train")      # [(premise, hypothesis, label, kind), ...], label 1 for a swap
"""
from __future__ import annotations

import csv

from llmcourse.paths import data_path

KINDS = ("identical", "passive", "swap", "passive swap")


def load_pairs(split: str) -> list[tuple[str, str, int, str]]:
    """(premise, hypothesis, label, kind) of `split` ("train": 960 pairs, "test": 301 unseen triples x 4 kinds)."""
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', not {split!r}")
    with open(data_path("role_swap", "pairs.tsv"), encoding="utf-8", newline="") as f:
        return [(r["premise"], r["hypothesis"], int(r["label"]), r["kind"])
                for r in csv.DictReader(f, delimiter="\t") if r["split"] == split]
