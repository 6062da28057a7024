#!/usr/bin/env python3
"""Can a MiniLM cross-encoder learn to tell a role swap from a paraphrase, on a task made only of that?

    .venv/bin/python benchmarks/role_swap_task.py [--pairs 960] [--steps 90] [--lr 5e-5] [--every N] [--seed 0]

The models lectures 05 and 06 train within their budgets do not tell "The dog is chasing the cat." / "The cat is
chasing the dog." from the identical pair (lecture 06 quotes this benchmark, then loads a cross-encoder trained
offline on this task by data/generators/role_swap.py --model). The course NLI set mixes swaps with negation and
relation types; this task keeps
only who does what to whom: data/role_swap (its generator's docstring and data/README.md describe it; identical /
passive / swap / passive swap, label 1 for the swaps, tested on 301 (A, B, verb) triples never seen in training).
A swap has the same words as its paraphrase, so a bag of words is at chance; only the identical pair can be told
by the bi-encoder's |u - v| = 0.

Models (one torch thread):
- linear probes (scikit-learn's logistic regression on standardised features, C = 0.1 and 10) on the frozen
  MiniLM: the bi-encoder's [u, v, |u - v|, u * v] (MEAN pooling), and the cross-encoder's joint input
  "[CLS] premise [SEP] hypothesis [SEP]" pooled by MEAN or taken at [CLS];
- full fine-tuning of MiniLM as a cross-encoder (`AutoModelForSequenceClassification`, 2 labels; AdamW, batches of
  16 drawn with `--seed`, `--steps` steps at `--lr` after a linear warm-up over the first 10 %), lecture 06's model;
  `--every N` also scores it after every N steps. 90 steps at 5e-5 stay at chance (0.502); with
  `--steps 500 --lr 3e-5 --every 100` (seed 0, 8 minutes of one core with the scoring) it stays at chance up to
  step 300 (0.518) and then learns the task: 0.999 at steps 400 and 500, P(swap) for the dog/cat pair 0.02 / 0.02
  / 0.98 / 0.98 (identical / passive / swap / passive swap) at step 400.
Prints test accuracy per kind and P(swap) for the dog/cat pair in each kind. The closing note of the stop that
added it quotes the figures.
"""
from __future__ import annotations

import argparse
import time

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from llmcourse.datasets.role_swap import KINDS, load_pairs
from llmcourse.models import load_encoder, resolve_model
from llmcourse.pair_training import train_on_pairs, warm_up_schedule

TRAIN_SIZE = 960   # data/role_swap's training split


def task(train_size: int = TRAIN_SIZE):
    """(train, test) of data/role_swap/pairs.tsv; fewer training pairs when asked."""
    return load_pairs("train")[:train_size], load_pairs("test")


def report(name: str, test, predicted, p_swap) -> None:
    correct = np.asarray(predicted) == np.array([label for *_, label, _ in test])
    kinds = np.array([kind for *_, kind in test])
    demo = {kind: p for (premise, _, _, kind), p in zip(test, p_swap) if premise == "The dog is chasing the cat."}
    print(f"{name:<62}{correct.mean():>6.3f}" + "".join(f"{correct[kinds == k].mean():>8.2f}" for k in KINDS)
          + "   " + ", ".join(f"{demo[k]:.2f}" for k in KINDS))


@torch.no_grad()
def frozen_features(tokenizer, encoder, rows, batch_size=64):
    """{'bi-encoder [u, v, |u-v|, u*v]': ..., 'cross-encoder, MEAN': ..., 'cross-encoder, [CLS]': ...}"""
    def mean(texts, second=None):
        inputs = tokenizer(texts, second, padding=True, return_tensors="pt")
        hidden = encoder(**inputs).last_hidden_state
        mask = inputs["attention_mask"].unsqueeze(-1).float()
        return (hidden * mask).sum(1) / mask.sum(1), hidden[:, 0]

    parts = {"bi-encoder [u, v, |u-v|, u*v]": [], "cross-encoder, MEAN": [], "cross-encoder, [CLS]": []}
    for start in range(0, len(rows), batch_size):
        batch = rows[start:start + batch_size]
        premises, hypotheses = [r[0] for r in batch], [r[1] for r in batch]
        u, v = (F.normalize(mean(texts)[0], dim=1) for texts in (premises, hypotheses))
        parts["bi-encoder [u, v, |u-v|, u*v]"].append(torch.cat([u, v, (u - v).abs(), u * v], dim=1))
        pooled, cls = mean(premises, hypotheses)
        parts["cross-encoder, MEAN"].append(pooled)
        parts["cross-encoder, [CLS]"].append(cls)
    return {name: torch.cat(chunks).numpy() for name, chunks in parts.items()}


def fine_tune(tokenizer, train, test, steps: int, lr: float, seed: int = 0, every: int = 0):
    """Fine-tune MiniLM as a cross-encoder; yield (step, predicted labels, P(swap)) on `test` after every `every`
    steps (if > 0) and at the end."""
    from transformers import AutoModelForSequenceClassification
    from transformers.utils import logging

    logging.set_verbosity_error()
    torch.manual_seed(seed)
    model = AutoModelForSequenceClassification.from_pretrained(resolve_model(), num_labels=2)
    optimiser = torch.optim.AdamW(model.parameters(), lr=lr)
    schedule = warm_up_schedule(optimiser, max(1, steps // 10))
    for step, _ in train_on_pairs(model, tokenizer, train, optimiser, schedule, steps, seed=seed):
        if step == steps or (every and step % every == 0):
            model.eval()
            with torch.no_grad():
                inputs = tokenizer([r[0] for r in test], [r[1] for r in test], padding=True, return_tensors="pt")
                probabilities = F.softmax(model(**inputs).logits, dim=1)[:, 1]
            model.train()
            yield step, (probabilities > 0.5).long().numpy(), probabilities.numpy()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=TRAIN_SIZE, help="training pairs (at most 960)")
    parser.add_argument("--steps", type=int, default=90, help="fine-tuning steps (batches of 16)")
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--every", type=int, default=0, help="also score the fine-tuned model every N steps")
    parser.add_argument("--seed", type=int, default=0, help="fine-tuning: the head's start and the batches")
    parser.add_argument("--no-probes", action="store_true", help="only fine-tune")
    args = parser.parse_args()
    torch.set_num_threads(1)
    train, test = task(args.pairs)
    tokenizer, encoder = load_encoder()
    print(f"{len(train)} training pairs, {len(test)} test pairs ({len(test) // 4} unseen (A, B, verb) triples x 4 "
          f"kinds); accuracy on test; P(swap) for 'The dog is chasing the cat.' with each kind of hypothesis")
    print(f"{'model':<62}{'all':>6}" + "".join(f"{k:>8}" for k in ("ident.", "passive", "swap", "p.swap"))
          + "   P(swap): " + ", ".join(KINDS))
    if not args.no_probes:
        labels = np.array([label for *_, label, _ in train])
        features_train = frozen_features(tokenizer, encoder, train)
        features_test = frozen_features(tokenizer, encoder, test)
        for name in features_train:
            for C in (0.1, 10.0):
                probe = make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=5000))
                probe.fit(features_train[name], labels)
                report(f"{name}, probe C={C:g} (train {probe.score(features_train[name], labels):.2f})", test,
                       probe.predict(features_test[name]), probe.predict_proba(features_test[name])[:, 1])
    start = time.perf_counter()
    for step, predicted, p_swap in fine_tune(tokenizer, train, test, args.steps, args.lr, args.seed, args.every):
        report(f"cross-encoder, fine-tuned {step} steps, lr {args.lr:g}, seed {args.seed}", test, predicted, p_swap)
    print(f"(fine-tuning and scoring took {time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
