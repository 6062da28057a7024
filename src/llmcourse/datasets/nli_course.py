"""The course's NLI set (data/nli_course/): premise, hypothesis, label (entailment/neutral/contradiction) and kind.

Written by data/generators/nli_course.py (seeded, template-based); see data/README.md for provenance, licence and
the shortcuts it was built to resist. Kinds: "order" (role swaps and negation traps over the same words) and
"adjective" (synonym / antonym / unrelated adjective; validation and test use adjectives unseen in training).

    from llmcourse.datasets.nli_course import load_nli, load_kinds
    train = load_nli("train")          # [(premise, hypothesis, label), ...]
    kinds = load_kinds("train")        # ["order", "adjective", ...], row by row
"""
from __future__ import annotations

import csv

from llmcourse.paths import data_path

SPLITS = ("train", "validation", "test")
LABELS = ("entailment", "neutral", "contradiction")
KINDS = ("order", "adjective")
HEADER = ["premise", "hypothesis", "label", "kind"]


def _rows(split: str) -> list[list[str]]:
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, not {split!r}")
    with open(data_path("nli_course", f"{split}.tsv"), newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader)
        if header != HEADER:
            raise ValueError(f"unexpected header in nli_course/{split}.tsv: {header} (expected {HEADER})")
        return list(reader)


def load_nli(split: str = "train") -> list[tuple[str, str, str]]:
    """(premise, hypothesis, label) triples of one split: "train" (720), "validation" (120) or "test" (240)."""
    return [(premise, hypothesis, label) for premise, hypothesis, label, _ in _rows(split)]


def load_kinds(split: str = "train") -> list[str]:
    """The kind of every pair of a split ("order" or "adjective"), in the order of `load_nli(split)`."""
    return [kind for *_, kind in _rows(split)]


def label_ids(triples) -> list[int]:
    """Integer labels (index into LABELS) of a list of triples, e.g. for a classifier's targets."""
    return [LABELS.index(label) for _, _, label in triples]
