"""Plausible wrong implementations of ps07's graded functions, each named for its mistake."""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from llmcourse.mutation import mutant

LOSS = ["test_in_batch_loss"]
WEIGHTED = ["test_in_batch_loss_weighted_masked"]


def _reference_logits(scores, temperature, weights, mask):
    batch = scores.shape[0]
    logits = scores / temperature
    diagonal = torch.eye(batch, dtype=torch.bool)
    if weights is not None:
        logits = logits + torch.where(diagonal, torch.zeros_like(logits), torch.log(weights.detach()))
    if mask is not None:
        logits = logits.masked_fill(mask & ~diagonal, float("-inf"))
    return logits


# ---- in_batch_loss -------------------------------------------------------------------------------------------
@mutant("in_batch_loss", breaks=LOSS + WEIGHTED)
def loss_softmax_over_columns(scores, temperature=0.05, weights=None, mask=None):
    logits = _reference_logits(scores, temperature, weights, mask)
    return F.cross_entropy(logits.T, torch.arange(scores.shape[0]))


@mutant("in_batch_loss", breaks=LOSS + WEIGHTED)
def loss_without_temperature(scores, temperature=0.05, weights=None, mask=None):
    return F.cross_entropy(_reference_logits(scores, 1.0, weights, mask), torch.arange(scores.shape[0]))


@mutant("in_batch_loss", breaks=LOSS)
def loss_positive_left_out_of_denominator(scores, temperature=0.05, weights=None, mask=None):
    logits = _reference_logits(scores, temperature, weights, mask)
    diagonal = torch.eye(scores.shape[0], dtype=torch.bool)
    negatives = torch.logsumexp(logits.masked_fill(diagonal, float("-inf")), dim=1)
    return (negatives - logits.diagonal()).mean()


@mutant("in_batch_loss", breaks=LOSS)
def loss_summed_not_averaged(scores, temperature=0.05, weights=None, mask=None):
    logits = _reference_logits(scores, temperature, weights, mask)
    return F.cross_entropy(logits, torch.arange(scores.shape[0]), reduction="sum")


@mutant("in_batch_loss", breaks=LOSS)
def loss_through_numpy(scores, temperature=0.05, weights=None, mask=None):
    logits = _reference_logits(scores, temperature, weights, mask).detach()
    return torch.tensor(float(F.cross_entropy(logits, torch.arange(scores.shape[0]))))


@mutant("in_batch_loss", breaks=WEIGHTED)
def loss_ignores_weights(scores, temperature=0.05, weights=None, mask=None):
    return F.cross_entropy(_reference_logits(scores, temperature, None, mask), torch.arange(scores.shape[0]))


@mutant("in_batch_loss", breaks=WEIGHTED)
def loss_ignores_mask(scores, temperature=0.05, weights=None, mask=None):
    return F.cross_entropy(_reference_logits(scores, temperature, weights, None), torch.arange(scores.shape[0]))


@mutant("in_batch_loss", breaks=WEIGHTED)
def loss_multiplies_logits_by_weights(scores, temperature=0.05, weights=None, mask=None):
    logits = scores / temperature
    if weights is not None:
        logits = logits * torch.where(torch.eye(scores.shape[0], dtype=torch.bool), torch.ones_like(weights), weights)
    if mask is not None:
        logits = logits.masked_fill(mask, float("-inf"))
    return F.cross_entropy(logits, torch.arange(scores.shape[0]))


# ---- self_adversarial_weights --------------------------------------------------------------------------------
WEIGHTS = ["test_self_adversarial_weights"]


def _off_diagonal_softmax(values, dim=1):
    diagonal = torch.eye(values.shape[0], dtype=torch.bool)
    return torch.softmax(values.masked_fill(diagonal, float("-inf")), dim=dim)


@mutant("self_adversarial_weights", breaks=WEIGHTS)
def weights_not_detached(scores, alpha=1.0):
    return (scores.shape[0] - 1) * _off_diagonal_softmax(alpha * scores)


@mutant("self_adversarial_weights", breaks=WEIGHTS)
def weights_count_positive_as_negative(scores, alpha=1.0):
    return (scores.shape[0] - 1) * torch.softmax(alpha * scores.detach(), dim=1)


@mutant("self_adversarial_weights", breaks=WEIGHTS)
def weights_rows_sum_to_one(scores, alpha=1.0):
    return _off_diagonal_softmax(alpha * scores.detach())


@mutant("self_adversarial_weights", breaks=WEIGHTS)
def weights_favour_easy_negatives(scores, alpha=1.0):
    return (scores.shape[0] - 1) * _off_diagonal_softmax(-alpha * scores.detach())


@mutant("self_adversarial_weights", breaks=WEIGHTS)
def weights_softmax_over_columns(scores, alpha=1.0):
    return (scores.shape[0] - 1) * _off_diagonal_softmax(alpha * scores.detach(), dim=0)


# ---- accidental_hit_mask -------------------------------------------------------------------------------------
MASK = ["test_accidental_hit_mask"]


@mutant("accidental_hit_mask", breaks=MASK)
def mask_includes_diagonal(product_ids):
    ids = torch.as_tensor(product_ids)
    return ids[:, None] == ids[None, :]


@mutant("accidental_hit_mask", breaks=MASK)
def mask_as_float(product_ids):
    ids = torch.as_tensor(product_ids)
    return ((ids[:, None] == ids[None, :]) & ~torch.eye(len(ids), dtype=torch.bool)).float()


@mutant("accidental_hit_mask", breaks=MASK)
def mask_upper_triangle_only(product_ids):
    ids = torch.as_tensor(product_ids)
    return torch.triu(ids[:, None] == ids[None, :], diagonal=1)


@mutant("accidental_hit_mask", breaks=MASK)
def mask_only_next_neighbour(product_ids):
    ids = torch.as_tensor(product_ids)
    mask = torch.zeros(len(ids), len(ids), dtype=torch.bool)
    for i in range(len(ids) - 1):
        if ids[i] == ids[i + 1]:
            mask[i, i + 1] = mask[i + 1, i] = True
    return mask


# ---- recall_at_k and mean_reciprocal_rank --------------------------------------------------------------------
RECALL = ["test_recall_at_k"]
MRR = ["test_mrr"]


def _recall(order, relevant, k, denominator=None):
    return float(np.mean([len(set(order[q][:k].tolist()) & set(rel)) / (denominator or len(rel))
                          for q, rel in enumerate(relevant)]))


@mutant("recall_at_k", breaks=RECALL)
def recall_divides_by_k(scores, relevant, k):
    return _recall(np.argsort(-np.asarray(scores), axis=1, kind="stable"), relevant, k, denominator=k)


@mutant("recall_at_k", breaks=RECALL)
def recall_top_k_plus_one(scores, relevant, k):
    return _recall(np.argsort(-np.asarray(scores), axis=1, kind="stable"), relevant, k + 1)


@mutant("recall_at_k", breaks=RECALL)
def recall_ascending_scores(scores, relevant, k):
    return _recall(np.argsort(np.asarray(scores), axis=1, kind="stable"), relevant, k)


@mutant("recall_at_k", breaks=RECALL)
def recall_ties_to_higher_index(scores, relevant, k):
    return _recall(np.argsort(np.asarray(scores), axis=1, kind="stable")[:, ::-1], relevant, k)


def _mrr(order, relevant, start=1, pick=min):
    values = []
    for q, rel in enumerate(relevant):
        ranks = [r for r, p in enumerate(order[q].tolist(), start=start) if p in rel]
        values.append(np.float64(1.0) / np.float64(pick(ranks)))
    return float(np.mean(values))


@mutant("mean_reciprocal_rank", breaks=MRR)
def mrr_ranks_from_zero(scores, relevant):
    return _mrr(np.argsort(-np.asarray(scores), axis=1, kind="stable"), relevant, start=0)


@mutant("mean_reciprocal_rank", breaks=MRR)
def mrr_ranks_from_two(scores, relevant):
    return _mrr(np.argsort(-np.asarray(scores), axis=1, kind="stable"), relevant, start=2)


@mutant("mean_reciprocal_rank", breaks=MRR)
def mrr_last_relevant(scores, relevant):
    return _mrr(np.argsort(-np.asarray(scores), axis=1, kind="stable"), relevant, pick=max)


@mutant("mean_reciprocal_rank", breaks=MRR)
def mrr_ties_to_higher_index(scores, relevant):
    return _mrr(np.argsort(np.asarray(scores), axis=1, kind="stable")[:, ::-1], relevant)


# ---- semantic_dedup ------------------------------------------------------------------------------------------
DEDUP = ["test_semantic_dedup"]


def _unit(embeddings):
    vectors = np.asarray(embeddings, dtype=float)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


@mutant("semantic_dedup", breaks=DEDUP)
def dedup_without_normalising(embeddings, threshold):
    vectors = np.asarray(embeddings, dtype=float)
    kept = []
    for i in range(len(vectors)):
        if all(vectors[i] @ vectors[j] < threshold for j in kept):
            kept.append(i)
    return kept


@mutant("semantic_dedup", breaks=DEDUP)
def dedup_against_every_earlier_suggestion(embeddings, threshold):
    vectors = _unit(embeddings)
    return [i for i in range(len(vectors)) if all(vectors[i] @ vectors[j] < threshold for j in range(i))]


@mutant("semantic_dedup", breaks=DEDUP)
def dedup_strict_threshold(embeddings, threshold):
    vectors = _unit(embeddings)
    kept = []
    for i in range(len(vectors)):
        if all(vectors[i] @ vectors[j] <= threshold for j in kept):
            kept.append(i)
    return kept


@mutant("semantic_dedup", breaks=DEDUP)
def dedup_keeps_the_last_duplicate(embeddings, threshold):
    vectors = _unit(embeddings)
    kept = []
    for i in reversed(range(len(vectors))):
        if all(vectors[i] @ vectors[j] < threshold for j in kept):
            kept.append(i)
    return sorted(kept)
