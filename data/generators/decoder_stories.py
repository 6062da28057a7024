#!/usr/bin/env python3
"""Write data/decoder_stories/stories.txt: short stories for training a tiny GPT (lecture 08), one story per line.

Each story fixes its characters and things once (two names, a colour, an object, a place, a pet) and mentions them
again later ("lily has a red kite . ... tom gets the red kite back . lily says thank you to tom ."). Which name or
colour comes next is therefore decided by the *start* of the story, far back in the context: a bigram model (next
word from the previous word alone) cannot know it, a model that attends to the whole story can. That gap is what
lecture 08 measures (held-out perplexity, bigram counts against a tiny GPT). Sentences within a story follow a
fixed order with optional parts, so the text is learnable by a small model in a few hundred steps. Written by the
course authors from templates with a fixed seed; licence CC BY 4.0.

Format: lower-case words and punctuation separated by single spaces, one story per line (a word-level tokenizer is
`line.split()`).

    .venv/bin/python data/generators/decoder_stories.py          # rewrite data/decoder_stories/stories.txt
    .venv/bin/python data/generators/decoder_stories.py OUT_DIR  # write elsewhere (the tests compare the two)
"""
from __future__ import annotations

import random
import sys
from pathlib import Path

SEED = 8
N_STORIES = 1200
OUTPUT = Path(__file__).resolve().parents[1] / "decoder_stories" / "stories.txt"

NAMES = ["lily", "tom", "mia", "ben", "zoe", "max", "amy", "sam", "eva", "leo", "ivy", "jack", "nora", "finn",
         "ruby", "omar"]
COLOURS = ["red", "blue", "green", "yellow", "orange", "purple", "pink", "white"]
PETS = ["dog", "cat", "rabbit", "duck", "puppy", "kitten"]

# Each topic: the things a story fixes once ({thing} from "things", {place} from "places") and its sentences in
# story order. A sentence in [brackets] in "middle" is optional (kept with probability one half).
TOPICS = {
    "kite": {
        "things": ["kite", "balloon", "hat", "ball"], "places": ["park", "garden", "field", "beach"],
        "middle": ["one day the wind takes the {colour} {thing} up into a tall tree .",
                   "[{a} is very sad and starts to cry .]",
                   "{b} sees {a} and comes to help .",
                   "{b} climbs the tree and gets the {colour} {thing} back .",
                   "[the {pet} looks up at the tree .]"],
    },
    "lost": {
        "things": ["book", "cup", "shoe", "toy"], "places": ["house", "school", "garden", "kitchen"],
        "middle": ["one morning {a} cannot find the {colour} {thing} .",
                   "{a} looks under the bed and behind the door .",
                   "[{a} asks the {pet} but the {pet} just sleeps .]",
                   "then {b} comes to the {place} to play .",
                   "{b} finds the {colour} {thing} under a big chair ."],
    },
    "bake": {
        "things": ["cake", "pie", "cookie", "bread"], "places": ["kitchen", "house", "shop", "bakery"],
        "middle": ["today {a} wants to bake a {colour} {thing} for {b} .",
                   "{a} mixes flour , milk and eggs in a bowl .",
                   "[the {pet} wants to eat the flour .]",
                   "the {colour} {thing} goes into the hot oven .",
                   "{b} comes to the {place} and smells the {colour} {thing} ."],
    },
    "race": {
        "things": ["bike", "boat", "car", "sled"], "places": ["park", "lake", "hill", "street"],
        "middle": ["{a} and {b} have a race at the {place} .",
                   "{a} rides the {colour} {thing} and {b} rides an old one .",
                   "[the {pet} runs after them .]",
                   "{b} falls and hurts a knee .",
                   "{a} stops the {colour} {thing} and helps {b} up ."],
    },
}
OPENINGS = ["{a} has a {colour} {thing} .", "{a} has a little {pet} and a {colour} {thing} .",
            "once there was a child called {a} who had a {colour} {thing} ."]
SECOND = ["every day {a} plays with the {colour} {thing} in the {place} .",
          "{a} likes to take the {colour} {thing} to the {place} ."]
CLOSINGS = ["{a} says thank you to {b} .", "{a} gives {b} a big hug .", "{a} and {b} are happy ."]
ENDINGS = ["now {a} and {b} play with the {colour} {thing} every day .", "the end .",
           "that night {a} dreams of the {colour} {thing} ."]


def write_story(rng: random.Random) -> str:
    topic = TOPICS[rng.choice(sorted(TOPICS))]
    a, b = rng.sample(NAMES, 2)
    slots = {"a": a, "b": b, "colour": rng.choice(COLOURS), "thing": rng.choice(topic["things"]),
             "place": rng.choice(topic["places"]), "pet": rng.choice(PETS)}
    sentences = [rng.choice(OPENINGS), rng.choice(SECOND)]
    for template in topic["middle"]:
        if not template.startswith("["):
            sentences.append(template)
        elif rng.random() < 0.5:
            sentences.append(template[1:-1])
    sentences += [rng.choice(CLOSINGS), rng.choice(ENDINGS)]
    return " ".join(s.format(**slots) for s in sentences)


def generate(n_stories: int = N_STORIES, seed: int = SEED) -> str:
    rng = random.Random(seed)
    return "".join(write_story(rng) + "\n" for _ in range(n_stories))


def write(out_dir: Path = OUTPUT.parent) -> None:
    """Write stories.txt into `out_dir` (every generator in data/generators/ has this function)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / OUTPUT.name).write_text(generate(), encoding="utf-8")


def main(argv: list[str]) -> None:
    out_dir = Path(argv[1]) if len(argv) > 1 else OUTPUT.parent
    write(out_dir)
    print(f"wrote {out_dir / OUTPUT.name}")


if __name__ == "__main__":
    main(sys.argv)
