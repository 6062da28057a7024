#!/usr/bin/env python3
"""Write the course's small word corpus: data/word_corpus/sentences.txt (one lower-case sentence per line).

The sentences are generated from templates written by the course authors: people (royal, adult, young; each a
male/female pair such as king/queen, man/woman, boy/girl) doing things in places, with pronouns that agree.
So a word's contexts carry two kinds of structure, "royal or not / adult or young" and "male or female", which
is what word2vec can pick up, and small enough that skip-gram trains on it in seconds. Nothing is downloaded.

    .venv/bin/python data/generators/word_corpus.py            # rewrite data/word_corpus/sentences.txt
    .venv/bin/python data/generators/word_corpus.py --out DIR  # write elsewhere (the test uses a temp folder)

Re-running reproduces the committed file byte for byte (tests/test_01_word2vec_cosine.py checks it).
"""
from __future__ import annotations

import argparse
import random
from pathlib import Path

SEED = 2013  # the year word2vec was published
N_SENTENCES = 6000
OUT_DIR = Path(__file__).resolve().parents[1] / "word_corpus"

# (male, female) pairs by kind of person.
PEOPLE = {
    "royal": [("king", "queen"), ("prince", "princess"), ("duke", "duchess"), ("emperor", "empress")],
    "adult": [("man", "woman"), ("father", "mother"), ("husband", "wife"), ("uncle", "aunt"),
              ("gentleman", "lady")],
    "young": [("boy", "girl"), ("son", "daughter"), ("brother", "sister"), ("nephew", "niece")],
}
PRONOUNS = {"male": ("he", "his", "him"), "female": ("she", "her", "her")}

WORDS = {
    "royal_place": ["palace", "castle", "throne room", "royal court", "kingdom"],
    "royal_thing": ["crown", "throne", "golden robe", "royal seal", "sceptre"],
    "royal_act": ["rules the kingdom", "commands the army", "signs a royal decree", "greets the ambassadors",
                  "holds a grand feast", "knights a brave soldier"],
    "town_place": ["market", "village", "farm", "kitchen", "office", "garden", "city"],
    "adult_act": ["works at the", "cooks dinner in the", "pays the bills at the", "reads the newspaper in the",
                  "drives to the", "buys bread at the"],
    "young_act": ["plays with a ball in the", "goes to school near the", "climbs a tree in the",
                  "draws a picture in the", "runs around the", "learns to read in the"],
    "young_thing": ["toy", "kite", "ball", "schoolbag", "bicycle", "puppy"],
    "adult_thing": ["car", "job", "house", "coffee", "wallet", "tools"],
    "food": ["bread", "cheese", "apples", "soup", "rice", "fish", "cake", "oranges", "tea", "milk"],
    "country": ["france", "spain", "italy", "egypt", "japan", "india", "peru", "kenya"],
    "city": ["paris", "madrid", "rome", "cairo", "tokyo", "delhi", "lima", "nairobi"],
}

TEMPLATES = {
    "royal": [
        "the {p} {royal_act} from the {royal_place}",
        "the {p} wears {poss} {royal_thing} in the {royal_place}",
        "{subj} is the {p} and {subj} {royal_act}",
        "the people bow to the {p} and {poss} {royal_thing}",
        "the {p} sits on {poss} throne and {royal_act}",
        "everyone in the {royal_place} obeys the {p}",
    ],
    "adult": [
        "the {p} {adult_act} {town_place}",
        "the {p} takes {poss} {adult_thing} to the {town_place}",
        "{subj} is a {p} who {adult_act} {town_place}",
        "the {p} eats {food} with {poss} family",
        "the {p} lost {poss} {adult_thing} and {subj} looks for it",
    ],
    "young": [
        "the {p} {young_act} {town_place}",
        "the little {p} loves {poss} {young_thing}",
        "{subj} is a young {p} who {young_act} {town_place}",
        "the {p} eats {food} after school",
        "the {p} shares {poss} {young_thing} with a friend",
    ],
    "places": [
        "{city} is the capital of {country}",
        "the capital of {country} is {city}",
        "we flew to {city} in {country} last year",
        "people in {city} eat {food} every day",
    ],
}
KIND_WEIGHTS = {"royal": 3, "adult": 3, "young": 3, "places": 1}


def sentence(rng: random.Random) -> str:
    kind = rng.choices(list(KIND_WEIGHTS), weights=list(KIND_WEIGHTS.values()))[0]
    template = rng.choice(TEMPLATES[kind])
    fill = {key: rng.choice(values) for key, values in WORDS.items()}
    if kind == "places":
        i = rng.randrange(len(WORDS["country"]))  # a country and its own capital
        fill["country"], fill["city"] = WORDS["country"][i], WORDS["city"][i]
    else:
        gender = rng.choice(["male", "female"])
        pair = rng.choice(PEOPLE[kind])
        fill["p"] = pair[0] if gender == "male" else pair[1]
        fill["subj"], fill["poss"], fill["obj"] = PRONOUNS[gender]
    return template.format(**fill)


def build(seed: int = SEED, n: int = N_SENTENCES) -> list[str]:
    rng = random.Random(seed)
    return [sentence(rng) for _ in range(n)]


def write(out_dir: Path = OUT_DIR, seed: int = SEED) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "sentences.txt").write_text("\n".join(build(seed)) + "\n", encoding="utf-8")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="folder to write sentences.txt into")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    write(args.out, args.seed)
    print(f"wrote {args.out / 'sentences.txt'}")
