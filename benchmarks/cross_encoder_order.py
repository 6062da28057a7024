#!/usr/bin/env python3
"""Bi-encoder against cross-encoder on the course NLI set's order pairs (role swaps and negation traps); print NLI
test accuracy on the 120 order test pairs and the probabilities each model gives a role swap.

    .venv/bin/python benchmarks/cross_encoder_order.py [--seeds 3] [--epochs 5]

Lecture 05 quotes its output (training does not fit the lecture's 30 s budget). Four models, all MiniLM with the
lower five layers frozen (their output is computed once and cached) and a linear head on 3 labels:
- bi-encoder: each sentence alone, MEAN pooling, head on [u, v, |u - v|] (SBERT's classification objective);
- cross-encoder: one input "[CLS] premise [SEP] hypothesis [SEP]", MEAN pooling over the pair, head on that vector;
each either with the top layer frozen too ("frozen": only the head learns) or fine-tuned ("top layer"). Training:
the 360 order pairs of the NLI training split, batches of 16, AdamW (top layer `--top-lr` 1e-4, head `--head-lr` 1e-3 by default), dropout on; the
seed sets the batch order, the dropout masks and the head's start. One torch thread.
"""
from __future__ import annotations

import argparse
import copy

import numpy as np
import torch
import torch.nn.functional as F

from llmcourse.datasets.nli_course import LABELS, label_ids, load_kinds, load_nli
from llmcourse.models import load_encoder
from llmcourse import pooling

SWAPS = [("The dog is chasing the cat.", "The cat is chasing the dog."),
         ("The dog is chasing the cat.", "The dog is chasing the cat."),
         ("The boy is carrying the man.", "The man is carrying the boy."),
         ("The boy is carrying the man.", "The boy is carrying the man.")]


def order_pairs(split):
    return [t for t, kind in zip(load_nli(split), load_kinds(split)) if kind == "order"]


def cache_top_inputs(tokenizer, encoder, texts, batch_size=32):
    return pooling.cache_top_inputs(tokenizer, encoder, texts, batch_size)


pooled = pooling.pool_top_layer   # (top, cache, keys) -> mean-pooled top-layer output of texts or pairs


def logits(kind, top, head, cache, pairs):
    if kind == "cross-encoder":
        return head(pooled(top, cache, [(p, h) for p, h, *_ in pairs]))
    u = F.normalize(pooled(top, cache, [p for p, *_ in pairs]), dim=1)
    v = F.normalize(pooled(top, cache, [h for _, h, *_ in pairs]), dim=1)
    return head(torch.cat([u, v, (u - v).abs()], dim=1))


def train(kind, fine_tune, seed, base_top, cache, pairs, epochs, batch_size=16, head_lr=1e-3, top_lr=1e-4):
    torch.manual_seed(seed)
    top = copy.deepcopy(base_top).train(fine_tune).requires_grad_(fine_tune)
    head = torch.nn.Linear(384 if kind == "cross-encoder" else 3 * 384, len(LABELS))
    groups = [{"params": head.parameters(), "lr": head_lr}] + ([{"params": top.parameters(), "lr": top_lr}]
                                                             if fine_tune else [])
    optimiser = torch.optim.AdamW(groups)
    generator = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        order = torch.randperm(len(pairs), generator=generator).tolist()
        for start in range(0, len(order), batch_size):
            batch = [pairs[i] for i in order[start:start + batch_size]]
            loss = F.cross_entropy(logits(kind, top, head, cache, batch), torch.tensor(label_ids(batch)))
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
    return top.eval(), head


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--head-lr", type=float, default=1e-3)
    parser.add_argument("--top-lr", type=float, default=1e-4)
    args = parser.parse_args()
    torch.set_num_threads(1)
    tokenizer, encoder = load_encoder()
    train_pairs, test_pairs = order_pairs("train"), order_pairs("test")
    every = train_pairs + test_pairs + [(a, b, "entailment") for a, b in SWAPS]
    sentences = sorted({s for p, h, _ in every for s in (p, h)}, key=len)
    cache = cache_top_inputs(tokenizer, encoder, sentences)
    cache.update(cache_top_inputs(tokenizer, encoder, sorted({(p, h) for p, h, _ in every}, key=str)))
    base_top = encoder.encoder.layer[-1]
    with torch.no_grad():
        u, v = (F.normalize(pooled(base_top.eval(), cache, [pair[i] for pair in SWAPS]), dim=1) for i in (0, 1))
    print("bi-encoder cosine:", ", ".join(f"{a!r} / {b!r} {c:.4f}" for (a, b), c in
                                          zip(SWAPS[::2], (u * v).sum(dim=1)[::2].tolist())))
    y_test = torch.tensor(label_ids(test_pairs))
    print(f"{len(train_pairs)} order training pairs, {len(test_pairs)} order test pairs; labels {LABELS}")
    for kind in ("bi-encoder", "cross-encoder"):
        for fine_tune in (False, True):
            accuracy, swap_probabilities = [], []
            for seed in range(args.seeds):
                top, head = train(kind, fine_tune, seed, base_top, cache, train_pairs, args.epochs,
                                  head_lr=args.head_lr, top_lr=args.top_lr)
                with torch.no_grad():
                    accuracy.append(float((logits(kind, top, head, cache, test_pairs).argmax(1) == y_test).float().mean()))
                    swap_probabilities.append(F.softmax(logits(kind, top, head, cache, SWAPS), dim=1))
            mean_probabilities = torch.stack(swap_probabilities).mean(dim=0)
            name = f"{kind}, {'top layer' if fine_tune else 'frozen'}"
            print(f"{name:<26} order test accuracy {100 * np.mean(accuracy):.1f} +- {100 * np.std(accuracy, ddof=1):.1f} "
                  f"({args.seeds} seeds)")
            for (a, b), probabilities in zip(SWAPS, mean_probabilities.tolist()):
                print(f"    P(entailment, neutral, contradiction | {a!r}, {b!r}) = "
                      + ", ".join(f"{p:.2f}" for p in probabilities))


if __name__ == "__main__":
    main()
