#!/usr/bin/env python3
"""Write data/travel_course/: travel sentences with named entities (token classification) and questions about them
(extractive question answering), for lecture 06's token-level heads and exercise ps06.

Each sentence says who travelled from where to where, when, and with which company, in one of several word orders:
    "On Friday , Ada Okafor flew with Northwind Air from Lisbon to Nairobi ."
Words are separated by single spaces (punctuation too), so a word is `sentence.split()[k]` and its tag the k-th tag.
Tags (BIO): B-/I-PER (a person), B-/I-LOC (a city), B-/I-ORG (a travel company), B-/I-DATE (a day or a date), O.

Against shortcuts (data/README.md states the baselines that bound them):
- **Unseen names.** A share of the first names, surnames, cities and companies occur only in the test split (and a
  few only in validation): a model that looks words up in a table from training knows nothing about them; only the
  context ("flew from ___ to") tells what they are. `entities_{split}.tsv` has a column `seen` per word.
- **Ambiguous words.** Some words are a first name and a city ("Florence", "Jordan", "Victoria", "Austin", ...):
  the same word is B-PER in one sentence and B-LOC in another, so a lookup table is wrong on one of the two.
- **Word order.** The templates put the entities in different orders (from/to swapped, the date first or last), so
  neither an entity's position nor "the first city" answers a question; a question about the origin needs "from".

Questions (`qa_{split}.jsonl`, one JSON object per line: id, context, question, answer, answer_start (character
offset in context), kind) ask for the traveller, the origin, the destination, the date or the company. The context
is one sentence; the answer is a span of it, copied verbatim.

    python data/generators/travel_course.py               # rewrite the files
    python data/generators/travel_course.py --out FOLDER  # write them elsewhere
"""
from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

SEED = 606
SPLIT_SIZES = {"train": 300, "validation": 100, "test": 200}
OUT_DIR = Path(__file__).resolve().parents[1] / "travel_course"
TAGS = ("O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG", "B-DATE", "I-DATE")

# Each list: the words used in training first, then VALIDATION_ONLY and TEST_ONLY entries at the end.
FIRST_NAMES = ["Ada", "Bilal", "Chen", "Dora", "Emeka", "Farah", "Goran", "Hana", "Ines", "Jonas", "Kemal",
               "Leila", "Mateo", "Nadia", "Oskar", "Priya", "Quentin", "Rosa", "Sanjay", "Tamsin", "Umar", "Vera",
               "Wiktor", "Ximena", "Yusuf", "Zainab",
               "Florence", "Jordan", "Victoria", "Austin", "Adelaide", "Georgia",   # also cities (AMBIGUOUS)
               "Ottilie", "Bartholomew",                                         # validation only
               "Mirela", "Thaddeus", "Anouk", "Kwabena", "Solveig", "Ignatius", "Marisol", "Radomir"]   # test only
SURNAMES = ["Okafor", "Lindqvist", "Moreau", "Kowalski", "Tanaka", "Haddad", "Novak", "Silva", "Brennan",
            "Castellano", "Nakamura", "Fitzgerald", "Oyelaran", "Petrov", "Achterberg", "Mbeki", "Rasmussen",
            "Vasquez", "Delacroix", "Szymanski",
            "Wojcik", "Ferreira",                                                # validation only
            "Quarshie", "Thorvaldsen", "Abernathy", "Mastroianni", "Ekwueme", "Villanueva"]   # test only
CITIES = ["Lisbon", "Nairobi", "Oslo", "Lima", "Hanoi", "Dakar", "Quito", "Tbilisi", "Perth", "Cork", "Porto",
          "Accra", "Kyoto", "Bergen", "Seville", "Krakow", "Mombasa", "Tallinn", "Cusco", "Bordeaux",
          "San Jose", "Buenos Aires", "New Delhi", "Cape Town", "Kuala Lumpur",
          "Florence", "Jordan", "Victoria", "Austin", "Adelaide", "Georgia",     # also first names (AMBIGUOUS)
          "Ljubljana", "Windhoek",                                               # validation only
          "Ouagadougou", "Thessaloniki", "Valparaiso", "Trondheim", "Le Havre", "Chiang Mai", "Zanzibar",
          "Antananarivo"]                                                         # test only
COMPANIES = ["Northwind Air", "Bluebird Rail", "Skyline Airways", "Coastal Ferries", "Redline Coaches",
             "Aurora Air", "Meridian Trains", "Harbor Lines", "Summit Airlines", "Pioneer Buses",
             "Falcon Express", "Lakeside Ferries",
             "Cobalt Air",                                                        # validation only
             "Zephyrine Airways", "Kestrel Rail", "Brightwater Ferries", "Quokka Coaches"]   # test only
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
AMBIGUOUS = {"Florence", "Jordan", "Victoria", "Austin", "Adelaide", "Georgia"}
HELD_OUT = {"validation": {"first": 2, "surname": 2, "city": 2, "company": 1},
            "test": {"first": 8, "surname": 6, "city": 8, "company": 4}}
VERBS = ["flew", "travelled", "went", "took a trip"]
# {P} person, {A} origin, {B} destination, {D} date, {C} company. Every template holds all five.
TEMPLATES = [
    "{P} {V} from {A} to {B} on {D} with {C} .",
    "On {D} , {P} {V} with {C} from {A} to {B} .",
    "{P} {V} to {B} from {A} with {C} on {D} .",
    "With {C} , {P} {V} from {A} to {B} on {D} .",
    "From {A} , {P} {V} to {B} on {D} with {C} .",
    "On {D} , {C} took {P} to {B} from {A} .",
    "{C} took {P} from {A} to {B} on {D} .",
    "To reach {B} from {A} , {P} booked {C} for {D} .",
]
QUESTIONS = {"person": "Who travelled to {B} on {D} ?", "origin": "Where did {P} travel from ?",
             "destination": "Where did {P} travel to ?", "date": "When did {P} travel to {B} ?",
             "company": "Which company did {P} travel with ?"}
ANSWER_SLOT = {"person": "P", "origin": "A", "destination": "B", "date": "D", "company": "C"}


def split_lists(words: list[str], held: dict[str, int], key: str) -> dict[str, list[str]]:
    """Train / validation / test pools of one list: validation-only and test-only words come last in the list."""
    n_val, n_test = held["validation"][key], held["test"][key]
    train = words[:len(words) - n_val - n_test]
    return {"train": train, "validation": train + words[len(train):len(train) + n_val],
            "test": train + words[len(words) - n_test:]}


def pools() -> dict[str, dict[str, list[str]]]:
    lists = {"first": FIRST_NAMES, "surname": SURNAMES, "city": CITIES, "company": COMPANIES}
    by_key = {key: split_lists(words, HELD_OUT, key) for key, words in lists.items()}
    return {split: {key: by_key[key][split] for key in lists} for split in SPLIT_SIZES}


def new_words(pool: list[str], split: str, seen: set[str], rng: random.Random) -> str:
    """Draw from the pool; in validation and test half of the draws come from the held-out words (if any)."""
    held = [w for w in pool if w not in seen]
    if split != "train" and held and rng.random() < 0.5:
        return rng.choice(held)
    return rng.choice([w for w in pool if w in seen] or pool)


def date(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return rng.choice(DAYS)
    return f"{rng.choice(MONTHS)} {rng.randint(1, 28)}"


def sentence(split: str, pool: dict[str, list[str]], seen: set[str], rng: random.Random):
    """(words, tags, slots, starts) of one sentence; slots maps P/A/B/D/C to the slot's words, starts to the
    character offset of the slot in " ".join(words) (a name may also be a city: search would find the wrong one)."""
    origin = new_words(pool["city"], split, seen, rng)
    destination = new_words([c for c in pool["city"] if c != origin], split, seen, rng)
    slots = {"P": f"{new_words(pool['first'], split, seen, rng)} {new_words(pool['surname'], split, seen, rng)}",
             "A": origin, "B": destination, "D": date(rng), "C": new_words(pool["company"], split, seen, rng)}
    kinds = {"P": "PER", "A": "LOC", "B": "LOC", "D": "DATE", "C": "ORG"}
    words, tags, starts = [], [], {}
    template = rng.choice(TEMPLATES).replace("{V}", rng.choice(VERBS))
    for piece in template.split():
        if piece.startswith("{"):
            slot = piece[1]
            starts[slot] = sum(len(w) + 1 for w in words)
            for k, word in enumerate(slots[slot].split()):
                words.append(word)
                tags.append(("B-" if k == 0 else "I-") + kinds[slot])
        else:
            words.append(piece)
            tags.append("O")
    return words, tags, slots, starts


def build() -> dict[str, dict[str, list]]:
    rng = random.Random(SEED)
    by_split = pools()
    seen = {entry for entries in by_split["train"].values() for entry in entries}   # names, cities, companies
    data, used = {}, set()
    for split, size in SPLIT_SIZES.items():
        sentences, questions = [], []
        while len(sentences) < size:
            words, tags, slots, starts = sentence(split, by_split[split], seen, rng)
            text = " ".join(words)
            if text in used:
                continue
            used.add(text)
            sentences.append((words, tags))
            kind = rng.choice(sorted(QUESTIONS))
            answer = slots[ANSWER_SLOT[kind]]
            start = starts[ANSWER_SLOT[kind]]
            assert text[start:start + len(answer)] == answer
            questions.append({"id": f"{split}-{len(questions):03d}", "context": text,
                              "question": QUESTIONS[kind].format(**slots), "answer": answer, "answer_start": start,
                              "kind": kind})
        data[split] = {"sentences": sentences, "questions": questions}
    data["seen"] = {w for words, _ in data["train"]["sentences"] for w in words}   # the training vocabulary
    return data


def write(out_dir: Path = OUT_DIR) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    data = build()
    for split in SPLIT_SIZES:
        lines = ["word\ttag\tseen"]
        for words, tags in data[split]["sentences"]:
            lines += [f"{w}\t{t}\t{'yes' if t == 'O' or w in data['seen'] else 'no'}" for w, t in zip(words, tags)]
            lines.append("")
        (out_dir / f"entities_{split}.tsv").write_text("\n".join(lines), encoding="utf-8")
        (out_dir / f"qa_{split}.jsonl").write_text(
            "".join(json.dumps(q, ensure_ascii=False) + "\n" for q in data[split]["questions"]), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=OUT_DIR)
    write(parser.parse_args().out)


if __name__ == "__main__":
    main()
