#!/usr/bin/env python3
"""Write data/emotion_course/{train,validation,test}.csv: short first-person sentences labelled with one of five
emotions (joy, sadness, anger, fear, surprise), for the emotion-detection exercise of lecture 06.

Every sentence is composed by this script from phrases the course authors wrote (below), with a fixed seed, so the
files are reproducible and free to redistribute (CC BY 4.0). A sentence = opener + cue phrase + trigger, e.g.
"Honestly, I | can't stop smiling | since the results came in."

Openers and triggers are shared by all emotions and drawn independently of the label, so the cue phrase is the
only evidence: a sentence whose cue occurs in training is solved by looking the cue up (a bag-of-words model gets
all of them right), which tests memory, not understanding. So some cue phrases of every emotion appear ONLY in the
test split (`UNSEEN_CUES_PER_EMOTION`, 40 % of the test sentences), and the column `cue` says which test sentences
use a cue never seen in training ("unseen") and which one seen there ("seen"): report the two accuracies separately.
A test-only cue never contains a training cue nor is contained in one (tests/test_06_fine_tuning.py checks), but
they share function words ("feel", "am", "so") that occur in cues of every emotion. No sentence is in two splits.

    python data/generators/emotion_course.py               # rewrite the CSV files
    python data/generators/emotion_course.py --out FOLDER  # write them elsewhere
"""
from __future__ import annotations

import argparse
import csv
import io
import random
import sys
from pathlib import Path

SEED = 596
LABELS = ("joy", "sadness", "anger", "fear", "surprise")
SPLIT_SIZES = {"train": 1000, "validation": 250, "test": 500}
UNSEEN_CUES_PER_EMOTION = 5   # the last 5 cues of each emotion occur only in the test split
UNSEEN_SHARE_OF_TEST = 0.4    # share of test sentences built from those unseen cues
OUT_DIR = Path(__file__).resolve().parents[1] / "emotion_course"
# MiniLM's pooled outputs over these files, for lecture 06: not written here but by
# `.venv/bin/python -m llmcourse.datasets.minilm_features` (floats differ across CPUs; tests/test_06 checks them)
DERIVED_FILES = ("minilm_features.npz",)

OPENERS = ["I", "Honestly, I", "Right now I", "Today I", "Tonight I", "To be honest, I", "Lately I",
           "This morning I", "Once again I", "Somehow I", "My sister says I", "My friends can tell I"]

# Cue phrases (present tense, follow "I"). The last UNSEEN_CUES_PER_EMOTION of each list are test-only.
CUES = {
    "joy": ["feel so happy", "can't stop smiling", "am thrilled", "feel wonderful", "am over the moon",
            "feel on top of the world", "am delighted", "feel really cheerful", "am in such a good mood",
            "feel grateful and light", "am so glad", "feel pure joy", "am beaming", "feel fantastic",
            "am having the best day", "feel content and warm", "am bursting with happiness", "feel elated",
            "am walking on air", "feel like dancing",
            "am absolutely overjoyed", "feel blissful", "am grinning from ear to ear", "feel so pleased",
            "am jubilant"],
    "sadness": ["feel so sad", "can't stop crying", "feel heartbroken", "am really down", "feel empty inside",
                "feel lonely", "am miserable", "feel hopeless", "am grieving", "feel gloomy",
                "have a heavy heart", "feel like crying", "am feeling blue", "feel utterly defeated",
                "am sorrowful", "feel so low", "miss everything we lost", "feel crushed",
                "am in tears", "feel a deep ache of loss",
                "feel devastated", "am downcast", "feel melancholy", "am despondent", "feel wretched"],
    "anger": ["am furious", "feel so angry", "am fed up", "am livid", "can't believe how unfair this is",
              "am boiling with rage", "feel irritated", "am so annoyed", "want to scream at someone",
              "am outraged", "feel resentful", "am sick of being ignored", "feel my blood boil",
              "am seething", "feel so frustrated", "am mad at everyone", "lost my temper",
              "feel insulted", "am fuming", "feel hostile",
              "am incensed", "feel enraged", "am infuriated", "feel indignant", "am absolutely irate"],
    "fear": ["am scared", "feel terrified", "am so nervous", "feel anxious", "am afraid something bad will happen",
             "can't stop worrying", "feel panicky", "am frightened", "have a knot of dread in my stomach",
             "feel uneasy", "am shaking with fear", "feel unsafe", "am worried sick", "feel tense and jumpy",
             "dread what comes next", "am on edge", "feel my heart racing with fear", "am petrified",
             "feel threatened", "fear the worst",
             "am alarmed", "feel apprehensive", "am horrified", "feel jittery and fearful", "am spooked"],
    "surprise": ["am so surprised", "can't believe my eyes", "am shocked", "did not see that coming",
                 "am amazed", "feel stunned", "am speechless", "was caught completely off guard",
                 "am astonished", "feel taken aback", "never expected this", "am startled",
                 "feel so surprised", "am in disbelief", "had no idea this would happen", "am dumbfounded",
                 "feel bewildered by the news", "was totally caught by surprise", "am flabbergasted",
                 "feel blown away",
                 "am astounded", "feel thunderstruck", "am gobsmacked", "feel staggered", "am floored"],
}

TRIGGERS = ["after the meeting", "since the results came in", "about the exam", "because of the phone call",
            "after reading the message", "about the move", "since this morning", "after talking to my boss",
            "about the new job", "after the game", "because of the news", "about my brother", "after dinner",
            "since the email arrived", "about the trip", "after the interview", "about the test results",
            "because of what she said", "after the party", "about the weekend", "since the announcement",
            "after the doctor's visit", "about the house", "because of the letter", "after the concert",
            "about the deadline", "since last night", "after the vote", "about the wedding", "after class"]


def _sentence(rng: random.Random, cue: str) -> str:
    opener, trigger = rng.choice(OPENERS), rng.choice(TRIGGERS)
    end = rng.choice([".", ".", ".", "!"])
    return f"{opener} {cue} {trigger}{end}"


def generate(seed: int = SEED) -> dict[str, list[tuple[str, str, str]]]:
    """The three splits as lists of (text, label, cue) with cue "seen" or "unseen" (in training), balanced over the
    labels, with no sentence in two splits."""
    rng = random.Random(seed)
    seen_cues = {label: cues[:-UNSEEN_CUES_PER_EMOTION] for label, cues in CUES.items()}
    unseen_cues = {label: cues[-UNSEEN_CUES_PER_EMOTION:] for label, cues in CUES.items()}
    used: set[str] = set()
    splits: dict[str, list[tuple[str, str]]] = {}
    for split, size in SPLIT_SIZES.items():
        rows = []
        per_label = size // len(LABELS)
        for label in LABELS:
            n_unseen = round(per_label * UNSEEN_SHARE_OF_TEST) if split == "test" else 0
            wanted = [("unseen", unseen_cues[label])] * n_unseen + [("seen", seen_cues[label])] * (per_label - n_unseen)
            for kind, cues in wanted:
                while True:
                    text = _sentence(rng, rng.choice(cues))
                    if text not in used:
                        used.add(text)
                        rows.append((text, label, kind))
                        break
        rng.shuffle(rows)
        splits[split] = rows
    return splits


def to_csv(rows: list[tuple[str, str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["text", "label", "cue"])
    writer.writerows(rows)
    return buffer.getvalue()


def write(out_dir: Path = OUT_DIR) -> None:
    """Write train/validation/test.csv into `out_dir` (every generator in data/generators/ has this function)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for split, rows in generate().items():
        (out_dir / f"{split}.csv").write_text(to_csv(rows))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="folder to write the three splits into")
    write(parser.parse_args(argv).out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
