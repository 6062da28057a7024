#!/usr/bin/env python3
"""Write data/sts_course/sts-course.tsv: a small STS-style set written by the course (CC BY 4.0).

Same layout as the STS benchmark (tab-separated, no header): genre, file, year, id, score, sentence 1, sentence 2.
Each pair describes two scenes "<subject> is <activity> <place>." built from the word lists below; its gold score
follows the SemEval STS annotation scale by construction, from what the two scenes share:

  5  completely equivalent: the same scene in other words (activity and place paraphrased)
  4  mostly equivalent, an unimportant detail differs: the place left out, or the subject made general
  3  roughly equivalent, important information differs: the same subject and activity in another place
  2  not equivalent, but sharing details: a sibling activity (guitar / piano), or the roles swapped
     ("The dog is chasing the cat." / "The cat is chasing the dog.", the "milk chocolate" kind of pair)
  1  not equivalent, same setting only: another subject doing another activity in the same place
  0  nothing in common: another subject, activity and place

The scores are integers, so the set has many ties; Spearman's correlation handles them (average ranks).
Deterministic: seed 5.    python3 data/generators/sts_course.py
"""
from __future__ import annotations

import random
from pathlib import Path

SEED = 5
OUT_FILE = Path(__file__).resolve().parents[1] / "sts_course" / "sts-course.tsv"
PAIRS_PER_LEVEL = 50
# MiniLM's MEAN, CLS and MAX vectors of the distinct sentences, for lecture 05: not written here but by
# `.venv/bin/python -c "from llmcourse.datasets import minilm_features; minilm_features.write('sts_course')"`
DERIVED_FILES = ("minilm_features.npz",)

SUBJECTS = [("A man", "A person"), ("A woman", "A person"), ("A boy", "A child"), ("A girl", "A child"),
            ("An old man", "A person"), ("A young woman", "A person"), ("A chef", "A person"),
            ("A student", "A person")]
# activity, a paraphrase of it, a sibling activity (same kind of action, another object), where it fits
# ("in" doors, "out" doors, or "any" place)
ACTIVITIES = [
    ("is playing a guitar", "is strumming a guitar", "is playing a piano", "any"),
    ("is reading a book", "is looking through a book", "is reading a newspaper", "any"),
    ("is riding a bicycle", "is cycling", "is riding a horse", "out"),
    ("is cooking dinner", "is making dinner", "is cooking breakfast", "in"),
    ("is painting a picture", "is making a painting", "is painting a fence", "any"),
    ("is eating an apple", "is biting into an apple", "is eating a sandwich", "any"),
    ("is drinking coffee", "is sipping a cup of coffee", "is drinking orange juice", "any"),
    ("is washing a car", "is cleaning a car", "is washing the dishes", "out"),
    ("is kicking a ball", "is kicking a football", "is throwing a ball", "out"),
    ("is writing a letter", "is writing a note", "is typing a letter", "in"),
    ("is walking a dog", "is taking a dog for a walk", "is feeding a dog", "out"),
    ("is taking a photo", "is taking a picture with a camera", "is watching a video", "any"),
    ("is singing a song", "is singing", "is whistling a song", "any"),
    ("is climbing a tree", "is climbing up a tree", "is cutting down a tree", "out"),
    ("is slicing an onion", "is cutting an onion", "is peeling an onion", "in"),
    ("is feeding a cat", "is giving food to a cat", "is petting a cat", "any"),
]
# place, a paraphrase of it, its setting
PLACES = [("in the park", "at the park", "out"), ("on the beach", "by the sea", "out"),
          ("on a busy street", "on a crowded street", "out"), ("in a garden", "in the garden", "out"),
          ("in the kitchen", "in a kitchen", "in"), ("in a small room", "in a tiny room", "in"),
          ("at the station", "at the train station", "any"), ("in a library", "inside a library", "in")]
# (agent, action, patient): swapping agent and patient keeps every word and changes the meaning
ROLE_SWAPS = [("The dog", "is chasing", "the cat"), ("The man", "is following", "the woman"),
              ("The girl", "is pushing", "the boy"), ("The teacher", "is calling", "the student"),
              ("The cat", "is watching", "the bird"), ("The doctor", "is helping", "the nurse"),
              ("The child", "is hugging", "the puppy"), ("The waiter", "is greeting", "the chef"),
              ("The horse", "is pulling", "the cart driver"), ("The police officer", "is stopping", "the driver"),
              ("The mother", "is feeding", "the baby"), ("The player", "is blocking", "the goalkeeper")]


def scene(subject: str, activity: str, place: str | None) -> str:
    return f"{subject} {activity}{' ' + place if place else ''}."


def fits(activity: tuple, place: tuple) -> bool:
    return activity[3] == "any" or place[2] in ("any", activity[3])


def make_pair(rng: random.Random, level: int) -> tuple[str, str]:
    subj, act = rng.choice(SUBJECTS), rng.choice(ACTIVITIES)
    place = rng.choice([p for p in PLACES if fits(act, p)])
    first = scene(subj[0], act[0], place[0])
    other_subj = rng.choice([s for s in SUBJECTS if s[0] != subj[0]])
    other_act = rng.choice([a for a in ACTIVITIES if a[0] != act[0] and fits(a, place)])

    def another_place(activity):
        return rng.choice([p for p in PLACES if p[0] != place[0] and fits(activity, p)])
    if level == 5:
        return first, scene(subj[0], act[1], place[1])
    if level == 4:
        return first, (scene(subj[0], act[0], None) if rng.random() < 0.5 else scene(subj[1], act[0], place[0]))
    if level == 3:
        return first, scene(subj[0], act[0], another_place(act)[0])
    if level == 2:
        if rng.random() < 0.75:
            return first, scene(subj[0], act[2], place[0])
        agent, action, patient = rng.choice(ROLE_SWAPS)
        return f"{agent} {action} {patient}.", f"{patient[0].upper() + patient[1:]} {action} {agent.lower()}."
    if level == 1:
        return first, scene(other_subj[0], other_act[0], place[0])
    return first, scene(other_subj[0], other_act[0], another_place(other_act)[0])


def generate(seed: int = SEED) -> list[tuple[str, ...]]:
    rng = random.Random(seed)
    pairs, seen = [], set()
    for level in (5, 4, 3, 2, 1, 0):
        count = 0
        while count < PAIRS_PER_LEVEL:
            first, second = make_pair(rng, level)
            if (first, second) in seen or first == second:
                continue
            seen.add((first, second))
            pairs.append((level, first, second))
            count += 1
    rng.shuffle(pairs)
    return [("course-captions", "sts_course", "2025", f"{i:04d}", f"{level:.3f}", first, second)
            for i, (level, first, second) in enumerate(pairs, start=1)]


def write(out_dir: Path = OUT_FILE.parent) -> None:
    """Write sts-course.tsv into `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = generate()
    (out_dir / OUT_FILE.name).write_text("".join("\t".join(row) + "\n" for row in rows), encoding="utf-8")
    print(f"{OUT_FILE.name}: {len(rows)} pairs")


def main() -> None:
    write()


if __name__ == "__main__":
    main()
