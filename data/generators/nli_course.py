#!/usr/bin/env python3
"""Write data/nli_course/{train,validation,test}.tsv: a small NLI-style set written by the course (CC BY 4.0).

Each premise describes one scene, "<a subject> is <activity> <place>.", built from word lists below. For every
premise three hypotheses are written, one per label, by rules that keep the label true by construction:

- entailment: a more general subject ("A person ..."), the place dropped, a more general activity, the scene's
  indoor/outdoor setting, "There is a <subject> <activity>."
- neutral: an unverifiable detail added (an adjective, a purpose, a feeling, "for the first time").
- contradiction: another activity for the same subject, a negation, the opposite setting (inside/outside), the
  other gender for the same scene (the SNLI convention: both sentences describe the same photo).

Several rules of different labels give sentences of the same shape (e.g. "A man is reading a book." is an
entailment when the premise reads a book and a contradiction when it plays a guitar), so a classifier has to
compare premise and hypothesis instead of reading the label off the hypothesis alone.
Premises are split without overlap between train, validation and test. Deterministic: seed 5.

    python3 data/generators/nli_course.py        (writes the three files; prints their sizes)
"""
from __future__ import annotations

import csv
import random
from pathlib import Path

SEED = 5
OUT_DIR = Path(__file__).resolve().parents[1] / "nli_course"
SPLIT_PREMISES = {"train": 240, "validation": 40, "test": 80}
LABELS = ("entailment", "neutral", "contradiction")

# subject, pronoun, more general subject, subject of the other gender
SUBJECTS = [
    ("man", "he", "person", "woman"),
    ("woman", "she", "person", "man"),
    ("boy", "he", "child", "girl"),
    ("girl", "she", "child", "boy"),
    ("old man", "he", "person", "old woman"),
    ("young woman", "she", "person", "young man"),
]
# activity, a more general description of it, where it can happen ("in", "out" or "any")
ACTIVITIES = [
    ("playing a guitar", "playing an instrument", "any"),
    ("reading a book", "reading something", "any"),
    ("riding a bicycle", "riding a bike", "out"),
    ("cooking dinner", "preparing food", "in"),
    ("painting a picture", "making art", "any"),
    ("eating an apple", "eating some fruit", "any"),
    ("drinking coffee", "having a drink", "any"),
    ("washing a car", "cleaning a vehicle", "out"),
    ("kicking a ball", "playing with a ball", "out"),
    ("writing a letter", "writing something", "in"),
    ("walking a dog", "walking with an animal", "out"),
    ("taking a photo", "using a camera", "any"),
    ("singing a song", "making music", "any"),
    ("climbing a tree", "climbing", "out"),
    ("sweeping the floor", "cleaning", "in"),
    ("flying a kite", "playing with a kite", "out"),
]
PLACES = [
    ("in the park", "out"), ("on the beach", "out"), ("on a busy street", "out"), ("in a garden", "out"),
    ("in the kitchen", "in"), ("in a small room", "in"), ("in the living room", "in"), ("in a library", "in"),
]
ADJECTIVES = ["tall", "tired", "happy", "famous", "sad", "busy"]
PURPOSES = ["for a friend", "to earn some money", "for a school project", "to pass the time", "for the first time"]
FEELINGS = ["is waiting for a friend", "is on holiday", "is late for work", "is very proud", "lives nearby"]


def article(word: str) -> str:
    return ("An " if word[0] in "aeiou" else "A ") + word


def entailment(rng, subj, activity, place) -> str:
    name, _, general, _ = subj
    act, general_act, _ = activity
    place_text, setting = place
    rules = [
        lambda: f"{article(general)} is {act}.",
        lambda: f"{article(name)} is {act}.",
        lambda: f"{article(name)} is {general_act} {place_text}.",
        lambda: f"{article(general)} is {general_act}.",
        lambda: f"{article(name)} is {'outside' if setting == 'out' else 'inside'}.",
        lambda: f"There is {article(name).lower()} {act}.",
        lambda: f"Someone is {act} {place_text}.",
    ]
    return rng.choice(rules)()


def neutral(rng, subj, activity, place) -> str:
    name, _, _, _ = subj
    act, _, _ = activity
    place_text, _ = place
    rules = [
        lambda: f"{article(rng.choice(ADJECTIVES))} {name} is {act} {place_text}.",
        lambda: f"{article(name)} is {act} {rng.choice(PURPOSES)}.",
        lambda: f"The {name} {rng.choice(FEELINGS)}.",
        lambda: f"{article(rng.choice(ADJECTIVES))} {name} is {act}.",
        lambda: f"{article(name)} is {act} {place_text} {rng.choice(PURPOSES)}.",
    ]
    return rng.choice(rules)()


def contradiction(rng, subj, activity, place) -> str:
    name, _, general, other = subj
    act, _, _ = activity
    place_text, setting = place
    others = [a for a in ACTIVITIES if a[0] != act and a[2] in ("any", setting)]
    other_act = rng.choice(others)[0]
    rules = [
        lambda: f"{article(name)} is {other_act}.",
        lambda: f"{article(name)} is {other_act} {place_text}.",
        lambda: f"{article(general)} is {other_act}.",
        lambda: f"The {name} is not {act}.",
        lambda: f"Nobody is {act}.",
        lambda: f"{article(name)} is {'inside' if setting == 'out' else 'outside'}.",
        lambda: f"{article(other)} is {act} {place_text}.",
        lambda: f"The {name} is sleeping.",
    ]
    return rng.choice(rules)()


def scenes() -> list[tuple]:
    return [(s, a, p) for s in SUBJECTS for a in ACTIVITIES for p in PLACES if a[2] in ("any", p[1])]


def generate(seed: int = SEED) -> dict[str, list[tuple[str, str, str]]]:
    rng = random.Random(seed)
    pool = scenes()
    rng.shuffle(pool)
    writers = {"entailment": entailment, "neutral": neutral, "contradiction": contradiction}
    splits, start = {}, 0
    for split, count in SPLIT_PREMISES.items():
        rows = []
        for subj, activity, place in pool[start:start + count]:
            premise = f"{article(subj[0])} is {activity[0]} {place[0]}."
            for label in LABELS:
                rows.append((premise, writers[label](rng, subj, activity, place), label))
        rng.shuffle(rows)
        splits[split] = rows
        start += count
    return splits


def write(out_dir: Path = OUT_DIR) -> None:
    """Write train.tsv, validation.tsv and test.tsv into `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for split, rows in generate().items():
        with open(out_dir / f"{split}.tsv", "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, delimiter="\t", quoting=csv.QUOTE_NONE, lineterminator="\n")
            writer.writerow(("premise", "hypothesis", "label"))
            writer.writerows(rows)
        print(f"{split}: {len(rows)} pairs")


def main() -> None:
    write()


if __name__ == "__main__":
    main()
