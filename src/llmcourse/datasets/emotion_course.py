"""Loader of data/emotion_course: short sentences labelled joy / sadness / anger / fear / surprise.

Written by data/generators/emotion_course.py (seeded; see data/README.md for provenance, CC BY 4.0). Some cue
phrases occur only in the test split, so the test score measures generalisation, not memory.
"""
from __future__ import annotations

import csv

from llmcourse.paths import data_path

EMOTION_LABELS = ("joy", "sadness", "anger", "fear", "surprise")
SPLITS = ("train", "validation", "test")


def load_emotions(split: str = "train") -> list[tuple[str, str]]:
    """(text, label) pairs of one split ("train", "validation" or "test"), in the file's (shuffled) order."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, not {split!r}")
    with data_path("emotion_course", f"{split}.csv").open(newline="") as handle:
        return [(row["text"], row["label"]) for row in csv.DictReader(handle)]
