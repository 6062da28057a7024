#!/usr/bin/env python3
"""Write data/role_swap/: a task made only of who does what to whom, and a MiniLM cross-encoder trained on it.

`pairs.tsv` (split, premise, hypothesis, label, kind; tab-separated, header): premise "The A is V-ing the B.";
the hypothesis is one of four kinds in equal numbers: identical, passive ("The B is being V-ed by the A.", same
meaning), swap ("The B is V-ing the A.") and passive swap ("The A is being V-ed by the B."); label 1 ("swap") for
the two swaps, 0 ("same") otherwise. A swap has the same words as its paraphrase, so a bag of words is at chance.
22 nouns, 12 verbs: the test split is 300 (A, B, verb) triples never seen in training, each in all four kinds, plus
"dog, cat, chasing" (lecture 05's role-swap pair); training has 960 pairs. Deterministic: seed 0, no model.

`cross_encoder.safetensors` is **trained** (`--model`, about 6 minutes of one core): all-MiniLM-L6-v2 as a
cross-encoder ("[CLS] premise [SEP] hypothesis [SEP]" -> pooler -> 2 labels) of which only a small part trains: a
rank-16 low-rank change on every attention projection (`llmcourse.lowrank.LowRank`, LoRA), every bias and
LayerNorm (BitFit), the pooler and the classifier, 0.47 M of 23 M numbers, so the file is small and the rest is the
shipped MiniLM. AdamW at 5e-4 after a linear warm-up over 160 steps, `STEPS` batches of 16, dropout on, seed 0.
(Measured while choosing this: BitFit alone at 2e-3 stays at chance after 1,600 steps, and so does this set-up at
2e-3; at 5e-4 it is at chance after 400 steps and at 0.998 on the test split after 600.) Trained floats are not
byte-identical across CPUs, so it is a DERIVED_FILE; lecture 06 loads it with
`llmcourse.models.load_role_swap_cross_encoder` and scores the test split, and tests/test_06_fine_tuning.py checks
it. Full fine-tuning learns the task too (`benchmarks/role_swap_task.py --steps 500 --lr 3e-5`), but its 90 MB of
weights could not ship.

    python3 data/generators/role_swap.py              # the pairs
    .venv/bin/python data/generators/role_swap.py --model   # re-train the cross-encoder
"""
from __future__ import annotations

import argparse
import csv
import random
from pathlib import Path

SEED = 0
OUT_DIR = Path(__file__).resolve().parents[1] / "role_swap"
DERIVED_FILES = ("cross_encoder.safetensors",)
STEPS = 800
WARM_UP = 160
LEARNING_RATE = 5e-4

NOUNS = ("boy girl man woman teacher doctor nurse pilot farmer chef horse cow mouse bird fox rabbit dog cat lion "
         "tiger student singer").split()
VERBS = {"chasing": "chased", "pushing": "pushed", "following": "followed", "helping": "helped",
         "watching": "watched", "calling": "called", "lifting": "lifted", "carrying": "carried", "pulling": "pulled",
         "feeding": "fed", "hugging": "hugged", "kicking": "kicked"}
KINDS = ("identical", "passive", "swap", "passive swap")
DEMO = ("dog", "cat", "chasing")
TRAIN_PAIRS, TEST_TRIPLES = 960, 300


def pair(a: str, b: str, verb: str, kind: str) -> tuple[str, str, int, str]:
    premise = f"The {a} is {verb} the {b}."
    hypothesis = {"identical": premise, "passive": f"The {b} is being {VERBS[verb]} by the {a}.",
                  "swap": f"The {b} is {verb} the {a}.",
                  "passive swap": f"The {a} is being {VERBS[verb]} by the {b}."}[kind]
    return premise, hypothesis, int("swap" in kind), kind


def task(train_size: int = TRAIN_PAIRS, seed: int = SEED):
    """(train, test): lists of (premise, hypothesis, label, kind)."""
    triples = [(a, b, v) for a in NOUNS for b in NOUNS if a != b for v in VERBS]
    random.Random(seed).shuffle(triples)
    test_triples = [t for t in triples[:TEST_TRIPLES] if t != DEMO] + [DEMO]
    train_triples = [t for t in triples[TEST_TRIPLES:] if t != DEMO][:train_size]
    train = [pair(*t, KINDS[i % 4]) for i, t in enumerate(train_triples)]
    test = [pair(*t, kind) for t in test_triples for kind in KINDS]
    return train, test


def write(out_dir: Path = OUT_DIR) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    train, test = task()
    with open(out_dir / "pairs.tsv", "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, delimiter="\t", lineterminator="\n")
        writer.writerow(["split", "premise", "hypothesis", "label", "kind"])
        for split, rows in (("train", train), ("test", test)):
            writer.writerows([split, *row] for row in rows)


def train_and_save(out_dir: Path = OUT_DIR, steps: int = STEPS) -> None:
    import torch
    from safetensors.torch import save_file

    import llmcourse.models as models
    from llmcourse.pair_training import train_on_pairs, warm_up_schedule

    torch.set_num_threads(1)
    train, _ = task()
    torch.manual_seed(SEED)           # the classifier's and the low-rank A's start
    tokenizer, model = models.role_swap_cross_encoder_base()
    trainable = models.role_swap_trainable(model)
    for name, parameter in model.named_parameters():
        parameter.requires_grad_(name in trainable)
    optimiser = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=LEARNING_RATE)
    schedule = warm_up_schedule(optimiser, WARM_UP)
    for step, loss in train_on_pairs(model, tokenizer, train, optimiser, schedule, steps, seed=SEED):
        if step % 200 == 0:
            print(f"step {step}: loss {loss:.3f}", flush=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    state = model.state_dict()
    save_file({name: state[name].contiguous() for name in sorted(trainable)}, out_dir / DERIVED_FILES[0])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=OUT_DIR)
    parser.add_argument("--model", action="store_true", help="train the cross-encoder and save it into --out")
    arguments = parser.parse_args()
    if arguments.model:
        train_and_save(arguments.out)
    else:
        write(arguments.out)
