"""Loader of data/emotion_course: short sentences labelled joy / sadness / anger / fear / surprise.

Written by data/generators/emotion_course.py (seeded; see data/README.md for provenance, CC BY 4.0). The cue
phrase is the only evidence of the emotion. 40 % of the test sentences use a cue phrase that never occurs in
training (`load_cues("test")` marks them "unseen"): only those measure generalisation; the "seen" ones are solved
by memorising the training cues.
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


def load_cues(split: str = "test") -> list[str]:
    """For every sentence of a split, in file order: "seen" if its cue phrase occurs in training, else "unseen"."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, not {split!r}")
    with data_path("emotion_course", f"{split}.csv").open(newline="") as handle:
        return [row["cue"] for row in csv.DictReader(handle)]
