#!/usr/bin/env python3
"""Fine-tune MiniLM's top layer with SBERT's three objectives on the course's NLI training set; print the course
STS cosine Spearman (x 100, MEAN pooling, all 300 pairs) before and after, per objective and seed.

    .venv/bin/python benchmarks/sbert_objectives.py [--seeds 3] [--epochs 1] [--lr 2e-5]

Lecture 05 quotes its output: fine-tuning does not fit the lecture's 30 s budget on one CPU thread. What is trained:
only the top transformer layer (encoder.layer[5]); the five layers below are frozen, so their output is computed once
per sentence and cached (the top layer's input), and every training step runs one layer forward and backward.
The objectives, each on pairs of the NLI training split (720 pairs; the STS pairs are only evaluated):
- classification: softmax(W [u, v, |u - v|]) + cross-entropy on the 3 NLI labels; the head W is thrown away;
- regression: MSE between cos(u, v) and a target carved from the NLI labels (entailment 1.0, neutral 0.5,
  contradiction 0.0): the course has no similarity-scored training pairs apart from the STS set we evaluate on;
- in-batch negatives (MultipleNegativesRankingLoss, scale 20): (premise, hypothesis) of the 240 entailment pairs
  as (anchor, positive), the other positives of the batch as negatives.
Batches of 16 pairs, AdamW at `--lr` (SBERT's 2e-5 by default), dropout on; the seed sets the batch order, the
dropout masks and the classification head's start. One torch thread.
"""
from __future__ import annotations

import argparse
import copy

import numpy as np
import torch
import torch.nn.functional as F

from llmcourse.datasets.nli_course import LABELS, label_ids, load_nli
from llmcourse.datasets.sts_course import load_sts
from llmcourse.models import load_encoder
from llmcourse.pooling import cache_top_inputs, mean_pool, pool_top_layer
from llmcourse.sts import spearman_x100

REGRESSION_TARGET = {"entailment": 1.0, "neutral": 0.5, "contradiction": 0.0}


def embed(top, cache, sentences):
    """Unit sentence vectors: the (trainable) top layer on the cached inputs, then mask-aware MEAN pooling."""
    return F.normalize(pool_top_layer(top, cache, sentences), dim=1)


def classification_loss(u, v, labels, head):
    return F.cross_entropy(head(torch.cat([u, v, (u - v).abs()], dim=1)), labels)


def regression_loss(u, v, target):
    return F.mse_loss(F.cosine_similarity(u, v, dim=1), target)


def in_batch_negatives_loss(anchors, positives, scale=20.0):
    scores = scale * anchors @ positives.T                      # unit vectors: cosines
    return F.cross_entropy(scores, torch.arange(len(anchors)))


def sts_spearman(top, cache, first, second, gold):
    top.eval()
    with torch.no_grad():
        u, v = embed(top, cache, first), embed(top, cache, second)
    return spearman_x100(F.cosine_similarity(u, v, dim=1).numpy(), gold)


def train(objective, seed, base_top, cache, train_pairs, epochs, lr, batch_size=16):
    torch.manual_seed(seed)                                     # head start and dropout masks
    top = copy.deepcopy(base_top).train()
    head = torch.nn.Linear(3 * 384, len(LABELS))
    params = list(top.parameters()) + (list(head.parameters()) if objective == "classification" else [])
    optimiser = torch.optim.AdamW(params, lr=lr)
    pairs = [t for t in train_pairs if objective != "in-batch negatives" or t[2] == "entailment"]
    generator = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        order = torch.randperm(len(pairs), generator=generator).tolist()
        for start in range(0, len(order), batch_size):
            batch = [pairs[i] for i in order[start:start + batch_size]]
            u = embed(top, cache, [p for p, _, _ in batch])
            v = embed(top, cache, [h for _, h, _ in batch])
            if objective == "classification":
                loss = classification_loss(u, v, torch.tensor(label_ids(batch)), head)
            elif objective == "regression":
                loss = regression_loss(u, v, torch.tensor([REGRESSION_TARGET[l] for *_, l in batch]))
            else:
                loss = in_batch_negatives_loss(u, v)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
    return top                                                  # the head is thrown away, as SBERT does


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--lr", type=float, default=2e-5)
    args = parser.parse_args()
    torch.set_num_threads(1)
    tokenizer, encoder = load_encoder()
    train_pairs = load_nli("train")
    first, second, gold = load_sts()
    sentences = sorted({s for p, h, _ in train_pairs for s in (p, h)} | set(first) | set(second), key=len)
    cache = cache_top_inputs(tokenizer, encoder, sentences)
    base_top = encoder.encoder.layer[-1]
    # the cached route must be the full encoder: MEAN pooling of the last layer
    check = sentences[:3] + sentences[-3:]
    inputs = tokenizer(check, padding=True, return_tensors="pt")
    with torch.no_grad():
        full = F.normalize(mean_pool(encoder(**inputs).last_hidden_state, inputs["attention_mask"]), dim=1)
        assert float((embed(base_top.eval(), cache, check) - full).abs().max()) < 1e-5
    before = sts_spearman(base_top, cache, first, second, gold)
    print(f"before: {before:.2f}")
    for objective in ("classification", "regression", "in-batch negatives"):
        after = [sts_spearman(train(objective, seed, base_top, cache, train_pairs, args.epochs, args.lr),
                              cache, first, second, gold) for seed in range(args.seeds)]
        print(f"{objective}: {np.mean(after):.2f} +- {np.std(after, ddof=1):.2f} ({len(after)} seeds: "
              + ", ".join(f"{a:.2f}" for a in after) + ")")


if __name__ == "__main__":
    main()
