#!/usr/bin/env python3
"""Write data/nli_course/{train,validation,test}.tsv: a small NLI set written by the course (CC BY 4.0), built so
that the usual template shortcuts do not work.

Every pair describes two people and a relation between them, "The <adj> <person> is [not] <relation> the <person>
<place>.", and is one of two kinds (column `kind`):

- order (HANS-style role swaps and negation traps): premise and hypothesis use the SAME words, except that either
  may say "not" and the hypothesis drops the place. Whether the hypothesis follows depends on who does what to
  whom and on the relation: one whose swap may also be true ("watching": neutral) or one whose swap is impossible
  ("carrying", "standing behind": contradiction); a negation turns these around ("The boy is carrying the man."
  entails "The man is not carrying the boy."). Symmetric relations ("talking to") are left out on purpose: no
  premise makes "A is talking to B" neutral, so they would tell the label apart from the hypothesis alone.
- adjective: the hypothesis describes the first person with another adjective: a synonym (entailment), an antonym
  (contradiction) or one from an unrelated dimension (neutral). The validation and test splits use adjective
  dimensions that never occur in training, so the label cannot be memorised word by word.

The hypothesis is drawn first, from a distribution that does not depend on the label; then the label (balanced in
every split and kind); then a premise that gives the pair this label. So the hypothesis alone carries no label
information by construction, both sentences have the same length distribution for all labels, and within each kind
the words added and dropped between premise and hypothesis are shared by all labels (`data/README.md` lists the
cues that remain, and lectures 05 and 06 measure them with bag-of-words baselines).
The sentences are plain captions: no real-world text, no SNLI. Premises do not repeat within or across splits.
Deterministic: seed 5.

    python3 data/generators/nli_course.py        (writes the three files; prints their sizes)
"""
from __future__ import annotations

import csv
import random
from pathlib import Path

SEED = 5
OUT_DIR = Path(__file__).resolve().parents[1] / "nli_course"
# MiniLM's pooled outputs over these files, for lecture 06: not written here but by
# `.venv/bin/python -m llmcourse.datasets.minilm_features` (floats differ across CPUs; tests/test_06 checks them)
DERIVED_FILES = ("minilm_features.npz",)
SPLIT_SIZES = {"train": 720, "validation": 120, "test": 240}
LABELS = ("entailment", "neutral", "contradiction")
KINDS = ("order", "adjective")

PEOPLE = ["man", "woman", "boy", "girl", "doctor", "teacher", "farmer", "nurse", "chef", "student", "pilot",
          "singer"]
PLACES = ["in the park", "on the beach", "in the kitchen", "on a busy street", "in a garden", "at the station",
          "in a library", "in the hall"]
# What "B <relation> A" says when the premise says "A <relation> B".
SWAP_LABEL = {"compatible": "neutral", "exclusive": "contradiction"}
RELATIONS = {
    "compatible": ["watching", "helping", "calling", "photographing", "waving at"],
    "exclusive": ["carrying", "standing behind", "walking ahead of", "sitting on the shoulders of", "lifting"],
}
# Adjective dimensions: two synonyms for each pole. The last HELD_OUT_DIMENSIONS occur only in validation and test.
DIMENSIONS = [
    (("happy", "cheerful"), ("sad", "unhappy")),
    (("young", "youthful"), ("old", "elderly")),
    (("rich", "wealthy"), ("poor", "penniless")),
    (("angry", "furious"), ("calm", "relaxed")),
    (("clean", "tidy"), ("dirty", "messy")),
    (("loud", "noisy"), ("quiet", "silent")),
    (("fast", "quick"), ("slow", "sluggish")),
    (("healthy", "fit"), ("sick", "ill")),
    (("brave", "fearless"), ("scared", "afraid")),
    (("polite", "courteous"), ("rude", "impolite")),
    (("big", "large"), ("small", "little")),
    (("tired", "sleepy"), ("alert", "awake")),
]
HELD_OUT_DIMENSIONS = 4


def sentence(first: str, relation: str, second: str, *, negated: bool = False, adjective: str = "",
             place: str = "") -> str:
    subject = f"{adjective} {first}" if adjective else first
    text = f"The {subject} is {'not ' if negated else ''}{relation} the {second}"
    return f"{text} {place}." if place else f"{text}."


def order_label(relation_kind: str, swapped: bool, premise_negated: bool, hypothesis_negated: bool) -> str:
    """The label of an order pair: premise "[A] [not] R [B]", hypothesis "[A or B] [not] R [the other]"."""
    if not swapped:
        return "entailment" if premise_negated == hypothesis_negated else "contradiction"
    swap = SWAP_LABEL[relation_kind]
    if not premise_negated:          # A R B; "B R A" is `swap`, "B not R A" its opposite (neutral stays neutral)
        flip = {"entailment": "contradiction", "contradiction": "entailment", "neutral": "neutral"}
        return flip[swap] if hypothesis_negated else swap
    return "neutral"                 # "A is not R-ing B" says nothing about "B R A" (for these relations)


def order_pair(rng: random.Random, label: str) -> tuple[str, str]:
    """Every hypothesis this draws can get each label from some premise, so the hypothesis says nothing of it."""
    relation_kind = rng.choice(list(RELATIONS))
    relation = rng.choice(RELATIONS[relation_kind])
    first, second = rng.sample(PEOPLE, 2)
    place = rng.choice(PLACES)       # the hypothesis never names it (else some pairs would repeat the premise)
    hypothesis_negated = rng.random() < 0.5
    hypothesis = sentence(first, relation, second, negated=hypothesis_negated)
    options = [(swapped, negated) for swapped in (False, True) for negated in (False, True)
               if order_label(relation_kind, swapped, negated, hypothesis_negated) == label]
    swapped, negated = rng.choice(options)
    a, b = (second, first) if swapped else (first, second)
    return sentence(a, relation, b, negated=negated, place=place), hypothesis


def adjective_pair(rng: random.Random, label: str, dimensions) -> tuple[str, str]:
    relation = rng.choice([r for relations in RELATIONS.values() for r in relations])
    first, second = rng.sample(PEOPLE, 2)
    place, keep_place = rng.choice(PLACES), rng.random() < 0.5
    dimension = rng.choice(dimensions)
    pole = rng.randrange(2)
    said = rng.choice(dimension[pole])
    hypothesis = sentence(first, relation, second, adjective=said, place=place if keep_place else "")
    if label == "entailment":
        premise_adjective = next(w for w in dimension[pole] if w != said)
    elif label == "contradiction":
        premise_adjective = rng.choice(dimension[1 - pole])
    else:
        other = rng.choice([d for d in dimensions if d is not dimension])
        premise_adjective = rng.choice(rng.choice(other))
    return sentence(first, relation, second, adjective=premise_adjective, place=place), hypothesis


def generate(seed: int = SEED) -> dict[str, list[tuple[str, str, str, str]]]:
    """The three splits as (premise, hypothesis, label, kind) rows, labels balanced within every kind."""
    rng = random.Random(seed)
    seen_dimensions, held_out = DIMENSIONS[:-HELD_OUT_DIMENSIONS], DIMENSIONS[-HELD_OUT_DIMENSIONS:]
    used_premises: set[str] = set()
    splits = {}
    for split, size in SPLIT_SIZES.items():
        dimensions = seen_dimensions if split == "train" else held_out
        rows = []
        for kind in KINDS:
            for label in LABELS:
                for _ in range(size // len(KINDS) // len(LABELS)):
                    while True:
                        pair = order_pair(rng, label) if kind == "order" else adjective_pair(rng, label, dimensions)
                        if pair[0] not in used_premises:
                            break
                    used_premises.add(pair[0])
                    rows.append((*pair, label, kind))
        rng.shuffle(rows)
        splits[split] = rows
    return splits


def write(out_dir: Path = OUT_DIR) -> None:
    """Write train.tsv, validation.tsv and test.tsv into `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for split, rows in generate().items():
        with open(out_dir / f"{split}.tsv", "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, delimiter="\t", quoting=csv.QUOTE_NONE, lineterminator="\n")
            writer.writerow(("premise", "hypothesis", "label", "kind"))
            writer.writerows(rows)
        print(f"{split}: {len(rows)} pairs")


def main() -> None:
    write()


if __name__ == "__main__":
    main()
