"""Loader of data/travel_course: travel sentences tagged with named entities, and questions about them.

Written by data/generators/travel_course.py (seeded; provenance, shortcuts and baselines in data/README.md,
CC BY 4.0). Words are separated by single spaces. Some names, cities and companies occur only in validation or
test (`seen` is False for their words), and some words are both a first name and a city.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from llmcourse.paths import data_path

TAGS = ("O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG", "B-DATE", "I-DATE")
SPLITS = ("train", "validation", "test")
QUESTION_KINDS = ("person", "origin", "destination", "date", "company")


@dataclass(frozen=True)
class Tagged:
    """One sentence: its words, one BIO tag per word, and whether each word occurs in the training split."""
    words: tuple[str, ...]
    tags: tuple[str, ...]
    seen: tuple[bool, ...]


@dataclass(frozen=True)
class Question:
    """A question about one sentence (the context); the answer is context[answer_start:answer_start + len(answer)]."""
    id: str
    context: str
    question: str
    answer: str
    answer_start: int
    kind: str


def _check(split: str) -> None:
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, not {split!r}")


def load_entities(split: str = "train") -> list[Tagged]:
    """The tagged sentences of one split, in file order."""
    _check(split)
    sentences, rows = [], []
    lines = data_path("travel_course", f"entities_{split}.tsv").read_text(encoding="utf-8").split("\n")[1:]
    for line in lines + [""]:
        if line:
            rows.append(line.split("\t"))
        elif rows:
            words, tags, seen = zip(*rows)
            sentences.append(Tagged(words, tags, tuple(s == "yes" for s in seen)))
            rows = []
    return sentences


def load_questions(split: str = "train") -> list[Question]:
    """The questions of one split, in file order."""
    _check(split)
    with data_path("travel_course", f"qa_{split}.jsonl").open(encoding="utf-8") as handle:
        return [Question(**json.loads(line)) for line in handle]
