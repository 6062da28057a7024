"""Plausible wrong implementations of ps07's graded functions, each named for its mistake; at the end, correct
alternatives written differently (loops, library calls, torch instead of NumPy) that must keep full marks."""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from llmcourse.authoring.mutation import alternative, mutant

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


# ---- what the instructions state and the tests now see -----------------------------------------------------------
@mutant("in_batch_loss", breaks=LOSS)
def loss_returns_python_float(scores, temperature=0.05, weights=None, mask=None):
    return F.cross_entropy(_reference_logits(scores, temperature, weights, mask), torch.arange(len(scores))).item()


@mutant("in_batch_loss", breaks=LOSS)
def loss_detached_from_the_graph(scores, temperature=0.05, weights=None, mask=None):
    logits = _reference_logits(scores, temperature, weights, mask)
    return F.cross_entropy(logits, torch.arange(len(scores))).detach()


@mutant("in_batch_loss", breaks=WEIGHTED)
def loss_masks_the_callers_scores(scores, temperature=0.05, weights=None, mask=None):
    if mask is not None:
        scores.masked_fill_(mask, float("-inf"))
    return F.cross_entropy(_reference_logits(scores, temperature, weights, None), torch.arange(len(scores)))


@mutant("self_adversarial_weights", breaks=WEIGHTS)
def weights_fill_the_callers_diagonal(scores, alpha=1.0):
    with torch.no_grad():
        scores.fill_diagonal_(float("-inf"))
        return (len(scores) - 1) * torch.softmax(alpha * scores, dim=1)


@mutant("accidental_hit_mask", breaks=MASK)
def hits_as_integers(product_ids):
    ids = torch.as_tensor(product_ids)
    return ((ids[:, None] == ids[None, :]) & ~torch.eye(len(ids), dtype=torch.bool)).long()


@mutant("accidental_hit_mask", breaks=MASK)
def hits_as_numpy(product_ids):
    ids = np.asarray(product_ids)
    return np.equal.outer(ids, ids) & ~np.eye(len(ids), dtype=bool)


@mutant("recall_at_k", breaks=RECALL)
def recall_default_unstable_sort(scores, relevant, k):
    return _recall(np.argsort(-np.asarray(scores), axis=1), relevant, k)


@mutant("recall_at_k", breaks=RECALL)
def recall_with_torch_topk(scores, relevant, k):
    top = torch.topk(torch.as_tensor(scores), k, dim=1).indices.numpy()
    return _recall(top, relevant, k)


@mutant("recall_at_k", breaks=RECALL)
def recall_negates_the_callers_scores(scores, relevant, k):
    scores *= -1
    return _recall(np.argsort(scores, axis=1, kind="stable"), relevant, k)


@mutant("mean_reciprocal_rank", breaks=MRR)
def mrr_default_unstable_sort(scores, relevant):
    order = np.argsort(-np.asarray(scores), axis=1)
    return float(np.mean([1 / (1 + min(order[q].tolist().index(p) for p in rel)) for q, rel in enumerate(relevant)]))


@mutant("mean_reciprocal_rank", breaks=MRR)
def mrr_sorts_the_callers_rows(scores, relevant):
    scores.sort(axis=1)
    return 1.0


@mutant("semantic_dedup", breaks=DEDUP)
def dedup_normalises_the_callers_array(embeddings, threshold):
    embeddings /= np.linalg.norm(embeddings, axis=1, keepdims=True)
    kept = []
    for i in range(len(embeddings)):
        if all(embeddings[i] @ embeddings[j] < threshold for j in kept):
            kept.append(i)
    return kept


@mutant("semantic_dedup", breaks=DEDUP)
def dedup_returns_numpy_integers(embeddings, threshold):
    vectors = _unit(embeddings)
    kept = []
    for i in np.arange(len(vectors)):
        if all(vectors[i] @ vectors[j] < threshold for j in kept):
            kept.append(i)
    return kept


# ---- correct alternatives: each keeps full marks ------------------------------------------------------------------
@alternative("in_batch_loss")
def loss_with_explicit_exponentials(scores, temperature=0.05, weights=None, mask=None):
    size = scores.shape[0]
    eye = torch.eye(size, dtype=scores.dtype)
    shifted = scores / temperature
    shifted = shifted - shifted.max(dim=1, keepdim=True).values.detach()
    w = torch.ones_like(scores) if weights is None else weights.to(scores.dtype)
    if mask is not None:
        w = w * (~mask).to(scores.dtype)
    w = w * (1 - eye) + eye
    exp = torch.exp(shifted)
    return -(torch.log(exp.diagonal() / (w * exp).sum(dim=1))).mean()


@alternative("in_batch_loss")
def loss_with_logsumexp(scores, temperature=0.05, weights=None, mask=None):
    size = scores.shape[0]
    logits = scores / temperature
    if weights is not None:
        logits = logits + torch.log(weights.clone()).masked_fill(torch.eye(size, dtype=torch.bool), 0.0)
    if mask is not None:
        logits = torch.where(mask, torch.full_like(logits, -float("inf")), logits)
    return (torch.logsumexp(logits, dim=1) - logits.diagonal()).mean()


@alternative("in_batch_loss")
def loss_with_a_loop_over_rows(scores, temperature=0.05, weights=None, mask=None):
    losses = []
    for i in range(scores.shape[0]):
        row = scores[i] / temperature
        terms = [row[i]]
        for j in range(scores.shape[0]):
            if j == i or (mask is not None and bool(mask[i, j])):
                continue
            w = 1.0 if weights is None else weights[i, j]
            terms.append(row[j] + torch.log(torch.as_tensor(w, dtype=row.dtype)))
        losses.append(torch.logsumexp(torch.stack(terms), dim=0) - row[i])
    return torch.stack(losses).mean()


@alternative("self_adversarial_weights")
def weights_under_no_grad(scores, alpha=1.0):
    size = scores.shape[0]
    with torch.no_grad():
        logits = (alpha * scores).masked_fill(torch.eye(size, dtype=torch.bool), float("-inf"))
        return (size - 1) * torch.softmax(logits, dim=1)


@alternative("self_adversarial_weights")
def weights_with_a_loop_over_rows(scores, alpha=1.0):
    size = scores.shape[0]
    weights = torch.zeros(size, size, dtype=scores.dtype)
    for i in range(size):
        others = [j for j in range(size) if j != i]
        weights[i, others] = torch.softmax(alpha * scores[i, others].detach(), dim=0) * (size - 1)
    return weights


@alternative("accidental_hit_mask")
def hits_with_fill_diagonal(product_ids):
    ids = torch.as_tensor(product_ids)
    return (ids.unsqueeze(0) == ids.unsqueeze(1)).fill_diagonal_(False)


@alternative("accidental_hit_mask")
def hits_with_a_double_loop(product_ids):
    ids = [int(x) for x in product_ids]
    mask = torch.zeros(len(ids), len(ids), dtype=torch.bool)
    for i in range(len(ids)):
        for j in range(len(ids)):
            mask[i, j] = i != j and ids[i] == ids[j]
    return mask


@alternative("accidental_hit_mask")
def hits_from_numpy(product_ids):
    ids = np.asarray(product_ids)
    same = np.equal.outer(ids, ids)
    np.fill_diagonal(same, False)
    return torch.from_numpy(same)


@alternative("recall_at_k")
def recall_sorted_by_score_then_index(scores, relevant, k):
    total = 0.0
    for q in range(len(scores)):
        ranking = sorted(range(len(scores[q])), key=lambda j: (-scores[q][j], j))
        total += len(set(ranking[:k]) & relevant[q]) / len(relevant[q])
    return total / len(scores)


@alternative("recall_at_k")
def recall_with_torch_stable_sort(scores, relevant, k):
    order = torch.sort(torch.as_tensor(scores), dim=1, descending=True, stable=True).indices[:, :k]
    return sum(len(set(order[q].tolist()) & set(relevant[q])) / len(relevant[q])
               for q in range(len(relevant))) / len(relevant)


@alternative("mean_reciprocal_rank")
def mrr_with_a_loop_and_stable_argsort(scores, relevant):
    values = []
    for row, wanted in zip(scores, relevant):
        for rank, j in enumerate(np.argsort(-row, kind="stable"), start=1):
            if j in wanted:
                values.append(1.0 / rank)
                break
    return float(np.mean(values))


@alternative("mean_reciprocal_rank")
def mrr_vectorised_with_isin(scores, relevant):
    order = np.argsort(-scores, axis=1, kind="stable")
    hits = [np.flatnonzero(np.isin(row, list(rel)))[0] + 1 for row, rel in zip(order, relevant)]
    return float(np.mean(1.0 / np.array(hits)))


@alternative("semantic_dedup")
def dedup_in_torch(embeddings, threshold):
    vectors = F.normalize(torch.as_tensor(embeddings, dtype=torch.float64), dim=1)
    kept = []
    for i in range(len(vectors)):
        if all(float(vectors[i] @ vectors[j]) < threshold for j in kept):
            kept.append(i)
    return kept


@alternative("semantic_dedup")
def dedup_with_sklearn_matrix(embeddings, threshold):
    from sklearn.metrics.pairwise import cosine_similarity

    similarity = cosine_similarity(embeddings)
    kept = []
    for i in range(similarity.shape[0]):
        if not kept or similarity[i, kept].max() < threshold:
            kept.append(i)
    return kept


@alternative("semantic_dedup")
def dedup_in_float32(embeddings, threshold):
    vectors = torch.as_tensor(embeddings).float()
    kept = []
    for i, vector in enumerate(vectors):
        if kept and F.cosine_similarity(vector[None], vectors[kept]).max().item() >= threshold:
            continue
        kept.append(i)
    return kept
