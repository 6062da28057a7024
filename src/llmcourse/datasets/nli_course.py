"""The course's NLI-style set (data/nli_course/): premise, hypothesis and label (entailment/neutral/contradiction).

Written by data/generators/nli_course.py (seeded, template-based); see data/README.md for provenance and licence.

    from llmcourse.datasets.nli_course import load_nli
    train = load_nli("train")          # [(premise, hypothesis, label), ...]
"""
from __future__ import annotations

import csv

from llmcourse.paths import data_path

SPLITS = ("train", "validation", "test")
LABELS = ("entailment", "neutral", "contradiction")


def load_nli(split: str = "train") -> list[tuple[str, str, str]]:
    """(premise, hypothesis, label) triples of one split: "train" (720), "validation" (120) or "test" (240)."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, not {split!r}")
    with open(data_path("nli_course", f"{split}.tsv"), newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader)
        if header != ["premise", "hypothesis", "label"]:
            raise ValueError(f"unexpected header in nli_course/{split}.tsv: {header}")
        return [(premise, hypothesis, label) for premise, hypothesis, label in reader]


def label_ids(triples) -> list[int]:
    """Integer labels (index into LABELS) of a list of triples, e.g. for a classifier's targets."""
    return [LABELS.index(label) for _, _, label in triples]
