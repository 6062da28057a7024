#!/usr/bin/env python3
"""Can a MiniLM cross-encoder learn to tell a role swap from a paraphrase, on a task made only of that?

    .venv/bin/python benchmarks/role_swap_task.py [--pairs 960] [--steps 90] [--lr 5e-5]

Lectures 05 and 06 show that no model in the course tells "The dog is chasing the cat." / "The cat is chasing the
dog." from the identical pair. The course NLI set mixes swaps with negation and relation types; this task keeps
only who does what to whom. Premise "The A is V-ing the B."; the hypothesis is one of four kinds, in equal numbers:
identical, passive ("The B is being V-ed by the A.", same meaning), swap ("The B is V-ing the A.") and passive
swap ("The A is being V-ed by the B."); label 1 for the two swaps. A swap has the same words as its paraphrase
(identical and swap, passive and passive swap), so a bag of words is at chance; only the identical pair can be
told by the bi-encoder's |u - v| = 0. 22 nouns (dog and cat
among them), 12 verbs; the test set is 300 (A, B, verb) triples never seen in training, each in all four kinds,
plus "dog, cat, chasing".

Models (one torch thread):
- linear probes (scikit-learn's logistic regression on standardised features, C = 0.1 and 10) on the frozen
  MiniLM: the bi-encoder's [u, v, |u - v|, u * v] (MEAN pooling), and the cross-encoder's joint input
  "[CLS] premise [SEP] hypothesis [SEP]" pooled by MEAN or taken at [CLS];
- full fine-tuning of MiniLM as a cross-encoder (`AutoModelForSequenceClassification`, 2 labels; AdamW, batches of
  16, `--steps` steps at `--lr`), the setting of lecture 06.
Prints test accuracy per kind and P(swap) for the dog/cat pair in each kind. The closing note of the stop that
added it quotes the figures.
"""
from __future__ import annotations

import argparse
import random
import time

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from llmcourse.models import load_encoder, resolve_model

NOUNS = ("boy girl man woman teacher doctor nurse pilot farmer chef horse cow mouse bird fox rabbit dog cat lion "
         "tiger student singer").split()
VERBS = {"chasing": "chased", "pushing": "pushed", "following": "followed", "helping": "helped",
         "watching": "watched", "calling": "called", "lifting": "lifted", "carrying": "carried", "pulling": "pulled",
         "feeding": "fed", "hugging": "hugged", "kicking": "kicked"}
KINDS = ("identical", "passive", "swap", "passive swap")
DEMO = ("dog", "cat", "chasing")


def pair(a: str, b: str, verb: str, kind: str) -> tuple[str, str, int, str]:
    premise = f"The {a} is {verb} the {b}."
    hypothesis = {"identical": premise, "passive": f"The {b} is being {VERBS[verb]} by the {a}.",
                  "swap": f"The {b} is {verb} the {a}.",
                  "passive swap": f"The {a} is being {VERBS[verb]} by the {b}."}[kind]
    return premise, hypothesis, int("swap" in kind), kind


def task(train_size: int, seed: int = 0):
    triples = [(a, b, v) for a in NOUNS for b in NOUNS if a != b for v in VERBS]
    random.Random(seed).shuffle(triples)
    test_triples = [t for t in triples[:300] if t != DEMO] + [DEMO]
    train_triples = [t for t in triples[300:] if t != DEMO][:train_size]
    train = [pair(*t, KINDS[i % 4]) for i, t in enumerate(train_triples)]
    test = [pair(*t, kind) for t in test_triples for kind in KINDS]
    return train, test


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


def fine_tune(tokenizer, train, test, steps: int, lr: float, seed: int = 0):
    from transformers import AutoModelForSequenceClassification
    from transformers.utils import logging

    logging.set_verbosity_error()
    torch.manual_seed(seed)
    model = AutoModelForSequenceClassification.from_pretrained(resolve_model(), num_labels=2).train()
    optimiser = torch.optim.AdamW(model.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(seed)
    labels = torch.tensor([label for *_, label, _ in train])
    for _ in range(steps):
        batch = torch.randint(len(train), (16,), generator=generator)
        inputs = tokenizer([train[i][0] for i in batch], [train[i][1] for i in batch], padding=True,
                           return_tensors="pt")
        loss = F.cross_entropy(model(**inputs).logits, labels[batch])
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    model.eval()
    with torch.no_grad():
        inputs = tokenizer([r[0] for r in test], [r[1] for r in test], padding=True, return_tensors="pt")
        probabilities = F.softmax(model(**inputs).logits, dim=1)[:, 1]
    return (probabilities > 0.5).long().numpy(), probabilities.numpy()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=960, help="training pairs")
    parser.add_argument("--steps", type=int, default=90, help="fine-tuning steps (batches of 16)")
    parser.add_argument("--lr", type=float, default=5e-5)
    args = parser.parse_args()
    torch.set_num_threads(1)
    train, test = task(args.pairs)
    tokenizer, encoder = load_encoder()
    print(f"{len(train)} training pairs, {len(test)} test pairs ({len(test) // 4} unseen (A, B, verb) triples x 4 "
          f"kinds); accuracy on test; P(swap) for 'The dog is chasing the cat.' with each kind of hypothesis")
    print(f"{'model':<62}{'all':>6}" + "".join(f"{k:>8}" for k in ("ident.", "passive", "swap", "p.swap"))
          + "   P(swap): " + ", ".join(KINDS))
    labels = np.array([label for *_, label, _ in train])
    features_train, features_test = frozen_features(tokenizer, encoder, train), frozen_features(tokenizer, encoder, test)
    for name in features_train:
        for C in (0.1, 10.0):
            probe = make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=5000))
            probe.fit(features_train[name], labels)
            report(f"{name}, probe C={C:g} (train {probe.score(features_train[name], labels):.2f})", test,
                   probe.predict(features_test[name]), probe.predict_proba(features_test[name])[:, 1])
    start = time.perf_counter()
    predicted, p_swap = fine_tune(tokenizer, train, test, args.steps, args.lr)
    report(f"cross-encoder, fine-tuned {args.steps} steps, lr {args.lr:g}", test, predicted, p_swap)
    print(f"(fine-tuning took {time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
