#!/usr/bin/env python3
"""Write data/bert_corpus/documents.txt: short multi-sentence stories for BERT pre-training (MLM + NSP).

Every document is a little story about one person and one topic (a farm, a bakery, a football match, ...). The
person, the topic's details (which animal, which cake, which team) and the story's order repeat inside a document,
so a small model can learn both tasks quickly: a masked word can often be read off its neighbours or off another
sentence of the same story (masked LM), and a sentence from another story rarely continues this one (next-sentence
prediction). Written by the course authors from templates with a fixed seed; licence CC BY 4.0.

Format (the one BERT's own pre-training scripts read): one sentence per line, a blank line between documents.

    .venv/bin/python data/generators/bert_corpus.py            # rewrite data/bert_corpus/documents.txt
    .venv/bin/python data/generators/bert_corpus.py OUT.txt    # write elsewhere (the tests compare the two)
"""
from __future__ import annotations

import random
import sys
from pathlib import Path

SEED = 596
N_DOCUMENTS = 900
OUTPUT = Path(__file__).resolve().parents[1] / "bert_corpus" / "documents.txt"

NAMES = ["anna", "ben", "clara", "david", "emma", "felix", "grace", "henry", "ida", "jack", "kate", "leo",
         "maria", "noah", "olivia", "paul", "rosa", "sam", "tara", "victor"]

# Each topic: the details a story fixes once ({x}, {y}, {place}) and its sentences in story order. A story uses the
# opening, then three to five middle sentences in their listed order, then the closing.
TOPICS = {
    "farm": {
        "x": ["cow", "horse", "goat", "sheep", "pig", "duck"],
        "y": ["hay", "grass", "corn", "apples", "carrots"],
        "place": ["barn", "field", "meadow", "stable"],
        "opening": ["{name} lives on a small farm near the river .", "{name} works on a farm in the hills ."],
        "middle": ["every morning {name} feeds the {x} in the {place} .",
                   "the {x} likes to eat fresh {y} .",
                   "after breakfast the {x} walks to the {place} .",
                   "{name} brushes the {x} and cleans the {place} .",
                   "in the afternoon it starts to rain on the farm .",
                   "the {x} stays dry inside the {place} ."],
        "closing": ["at night {name} gives the {x} more {y} and goes to sleep .",
                    "in the evening {name} closes the {place} and walks home ."],
    },
    "bakery": {
        "x": ["apple", "cherry", "lemon", "chocolate", "banana", "carrot"],
        "y": ["sugar", "butter", "flour", "cream", "honey"],
        "place": ["kitchen", "bakery", "shop", "oven"],
        "opening": ["{name} wants to bake a {x} cake for a friend .", "{name} opens a bakery in the old town ."],
        "middle": ["first {name} buys {y} and eggs at the market .",
                   "{name} mixes the {y} with the {x} in a big bowl .",
                   "the {x} cake goes into the hot oven for an hour .",
                   "the whole {place} smells of warm {x} cake .",
                   "{name} adds a layer of {y} on top of the cake .",
                   "a customer asks for a piece of the {x} cake ."],
        "closing": ["everyone says the {x} cake is the best in town .",
                    "at the end of the day the {x} cake is gone ."],
    },
    "football": {
        "x": ["red", "blue", "green", "yellow", "white", "black"],
        "y": ["goal", "corner", "penalty", "pass", "header"],
        "place": ["stadium", "park", "school", "club"],
        "opening": ["{name} plays football for the {x} team .", "{name} is the captain of the {x} team ."],
        "middle": ["on saturday the {x} team plays a match at the {place} .",
                   "the coach tells {name} to run fast and pass the ball .",
                   "in the first half nobody scores a {y} .",
                   "after the break {name} scores with a great {y} .",
                   "the fans of the {x} team sing and cheer .",
                   "the other team tries hard but cannot score ."],
        "closing": ["the {x} team wins the match and {name} is very happy .",
                    "after the match {name} celebrates with the {x} team ."],
    },
    "garden": {
        "x": ["tomatoes", "roses", "beans", "tulips", "potatoes", "lettuce"],
        "y": ["water", "sun", "soil", "seeds", "rain"],
        "place": ["garden", "yard", "greenhouse", "balcony"],
        "opening": ["{name} grows {x} in a small {place} .", "{name} starts a {place} behind the house ."],
        "middle": ["in spring {name} plants the {x} in rows .",
                   "the young {x} need a lot of {y} to grow .",
                   "every day {name} waters the {x} in the {place} .",
                   "snails try to eat the {x} at night .",
                   "{name} pulls the weeds between the {x} .",
                   "by summer the {x} are tall and strong ."],
        "closing": ["in autumn {name} picks the {x} and shares them with the neighbours .",
                    "{name} is proud of the {x} in the {place} ."],
    },
    "music": {
        "x": ["piano", "guitar", "violin", "drums", "flute", "trumpet"],
        "y": ["song", "concert", "lesson", "melody", "band"],
        "place": ["school", "hall", "church", "studio"],
        "opening": ["{name} learns to play the {x} .", "{name} has played the {x} for many years ."],
        "middle": ["every evening {name} practises the {x} for an hour .",
                   "the teacher shows {name} a new {y} .",
                   "at first the {y} is hard to play on the {x} .",
                   "slowly {name} gets better at the {x} .",
                   "the neighbours listen to the {x} through the wall .",
                   "{name} joins a {y} at the {place} ."],
        "closing": ["at the concert {name} plays the {x} and the crowd claps .",
                    "after the show {name} puts the {x} away and smiles ."],
    },
    "travel": {
        "x": ["paris", "rome", "london", "madrid", "vienna", "berlin"],
        "y": ["train", "bus", "plane", "ship", "car"],
        "place": ["hotel", "museum", "market", "square"],
        "opening": ["{name} takes a trip to {x} in the summer .", "{name} has always wanted to visit {x} ."],
        "middle": ["{name} travels to {x} by {y} .",
                   "the {y} arrives in {x} early in the morning .",
                   "{name} finds a small {place} near the centre of {x} .",
                   "in {x} {name} visits the old {place} .",
                   "the food in {x} is very good .",
                   "{name} buys a postcard from {x} for a friend ."],
        "closing": ["after a week {name} takes the {y} home from {x} .",
                    "{name} wants to come back to {x} next year ."],
    },
    "weather": {
        "x": ["snow", "storm", "fog", "heat", "wind", "rain"],
        "y": ["coat", "umbrella", "hat", "boots", "scarf"],
        "place": ["village", "city", "valley", "coast"],
        "opening": ["the {x} comes to the {place} on monday .", "the radio says the {x} will hit the {place} ."],
        "middle": ["{name} looks out of the window at the {x} .",
                   "{name} puts on a {y} before going outside .",
                   "the {x} closes the roads around the {place} .",
                   "the schools in the {place} stay closed because of the {x} .",
                   "{name} helps an old neighbour carry food home .",
                   "the {x} lasts for two long days ."],
        "closing": ["on thursday the {x} ends and the sun comes out .",
                    "when the {x} is over {name} takes off the {y} and goes for a walk ."],
    },
    "space": {
        "x": ["moon", "mars", "venus", "jupiter", "saturn", "mercury"],
        "y": ["rocket", "telescope", "satellite", "robot", "camera"],
        "place": ["station", "base", "lab", "centre"],
        "opening": ["{name} is an astronaut who dreams of {x} .", "{name} studies {x} at a space {place} ."],
        "middle": ["the team builds a {y} to study {x} .",
                   "{name} checks the {y} every day in the {place} .",
                   "the {y} sends pictures of {x} back to earth .",
                   "the pictures show strange rocks on {x} .",
                   "{name} writes a report about {x} for the {place} .",
                   "scientists around the world read about {x} ."],
        "closing": ["one day {name} hopes to fly to {x} .",
                    "the mission to {x} is a great success for {name} ."],
    },
}


def write_story(rng: random.Random) -> list[str]:
    topic = TOPICS[rng.choice(sorted(TOPICS))]
    slots = {"name": rng.choice(NAMES), "x": rng.choice(topic["x"]), "y": rng.choice(topic["y"]),
             "place": rng.choice(topic["place"])}
    n_middle = rng.randint(3, 5)
    middle = sorted(rng.sample(range(len(topic["middle"])), n_middle))
    templates = [rng.choice(topic["opening"])] + [topic["middle"][i] for i in middle] + [rng.choice(topic["closing"])]
    return [template.format(**slots) for template in templates]


def generate(n_documents: int = N_DOCUMENTS, seed: int = SEED) -> str:
    rng = random.Random(seed)
    return "\n\n".join("\n".join(write_story(rng)) for _ in range(n_documents)) + "\n"


def write(out_dir: Path = OUTPUT.parent) -> None:
    """Write documents.txt into `out_dir` (every generator in data/generators/ has this function)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / OUTPUT.name).write_text(generate(), encoding="utf-8")


def main(argv: list[str]) -> None:
    out_dir = Path(argv[1]) if len(argv) > 1 else OUTPUT.parent
    write(out_dir)
    print(f"wrote {out_dir / OUTPUT.name}")


if __name__ == "__main__":
    main(sys.argv)
