"""Independent answers to ps07_two_tower_retrieval, written from the exercise's instructions only.

Written before reading the hidden tests or the project's mutants (tests/mutants/). `@alternative` = a
correct answer in another style, `@mutant` = a plausible wrong answer (the mistake in its name); `breaks` is
left empty: benchmarks/fidelity.py only counts who loses points.
"""
import numpy as np
import torch
import torch.nn.functional as F

from llmcourse.authoring.mutation import alternative, mutant


@alternative("in_batch_loss")
def right_in_batch_log_weights_cross_entropy(scores, temperature=0.05, weights=None, mask=None):
    size = scores.shape[0]
    eye = torch.eye(size, dtype=torch.bool)
    logits = scores / temperature
    if weights is not None:
        logits = logits + torch.log(torch.where(eye, torch.ones_like(weights), weights))
    if mask is not None:
        logits = logits.masked_fill(mask & ~eye, float('-inf'))
    return F.cross_entropy(logits, torch.arange(size))


@alternative("in_batch_loss")
def right_in_batch_explicit_exp_sums(scores, temperature=0.05, weights=None, mask=None):
    size = scores.shape[0]
    eye = torch.eye(size, dtype=scores.dtype)
    shifted = scores / temperature
    shifted = shifted - shifted.max(dim=1, keepdim=True).values.detach()
    w = torch.ones_like(scores) if weights is None else weights.to(scores.dtype)
    if mask is not None:
        w = w * (~mask).to(scores.dtype)
    w = w * (1 - eye) + eye
    exp = torch.exp(shifted)
    positive = exp.diagonal()
    denominator = (w * exp).sum(dim=1)
    return -(torch.log(positive / denominator)).mean()


@alternative("in_batch_loss")
def right_in_batch_logsumexp_rows(scores, temperature=0.05, weights=None, mask=None):
    size = scores.shape[0]
    logits = scores / temperature
    if weights is not None:
        log_w = torch.log(weights.clone())
        log_w = log_w.masked_fill(torch.eye(size, dtype=torch.bool), 0.0)
        logits = logits + log_w
    if mask is not None:
        logits = torch.where(mask, torch.full_like(logits, -float("inf")), logits)
    return (torch.logsumexp(logits, dim=1) - logits.diagonal()).mean()


@alternative("in_batch_loss")
def right_in_batch_loop_over_rows(scores, temperature=0.05, weights=None, mask=None):
    size = scores.shape[0]
    losses = []
    for i in range(size):
        row = scores[i] / temperature
        terms = [row[i]]
        for j in range(size):
            if j == i or (mask is not None and bool(mask[i, j])):
                continue
            w = 1.0 if weights is None else weights[i, j]
            terms.append(row[j] + torch.log(torch.as_tensor(w, dtype=row.dtype)))
        losses.append(torch.logsumexp(torch.stack(terms), dim=0) - row[i])
    return torch.stack(losses).mean()


@alternative("self_adversarial_weights")
def right_self_adversarial_no_grad_masked_softmax(scores, alpha=1.0):
    size = scores.shape[0]
    with torch.no_grad():
        logits = (alpha * scores).masked_fill(torch.eye(size, dtype=torch.bool), float("-inf"))
        return (size - 1) * torch.softmax(logits, dim=1)


@alternative("self_adversarial_weights")
def right_self_adversarial_explicit_exp(scores, alpha=1.0):
    s = scores.detach()
    size = s.shape[0]
    off = 1.0 - torch.eye(size, dtype=s.dtype)
    e = torch.exp(alpha * (s - s.max(dim=1, keepdim=True).values)) * off
    return (size - 1) * e / e.sum(dim=1, keepdim=True)


@alternative("self_adversarial_weights")
def right_self_adversarial_loop_rows(scores, alpha=1.0):
    size = scores.shape[0]
    weights = torch.zeros(size, size, dtype=scores.dtype)
    for i in range(size):
        others = [j for j in range(size) if j != i]
        row = torch.softmax(alpha * scores[i, others].detach(), dim=0) * (size - 1)
        weights[i, others] = row
    return weights


@alternative("accidental_hit_mask")
def right_accidental_hit_fill_diagonal(product_ids):
    ids = torch.as_tensor(product_ids)
    same = ids.unsqueeze(0) == ids.unsqueeze(1)
    return same.fill_diagonal_(False)


@alternative("accidental_hit_mask")
def right_accidental_hit_double_loop(product_ids):
    ids = [int(x) for x in product_ids]
    size = len(ids)
    mask = torch.zeros(size, size, dtype=torch.bool)
    for i in range(size):
        for j in range(size):
            mask[i, j] = i != j and ids[i] == ids[j]
    return mask


@alternative("accidental_hit_mask")
def right_accidental_hit_numpy_outer(product_ids):
    ids = np.asarray(product_ids)
    same = np.equal.outer(ids, ids)
    np.fill_diagonal(same, False)
    return torch.from_numpy(same)


@alternative("recall_at_k")
def right_metrics_loops_stable_argsort_recall(scores, relevant, k):
    values = []
    for row, wanted in zip(scores, relevant):
        top = np.argsort(-row, kind="stable")[:k]
        values.append(len(set(top.tolist()) & set(wanted)) / len(wanted))
    return float(np.mean(values))


@alternative("mean_reciprocal_rank")
def right_metrics_loops_stable_argsort_mrr(scores, relevant):
    values = []
    for row, wanted in zip(scores, relevant):
        order = np.argsort(-row, kind="stable")
        rank = next(position for position, j in enumerate(order, start=1) if j in wanted)
        values.append(1.0 / rank)
    return float(np.mean(values))


@alternative("recall_at_k")
def right_metrics_vectorised_recall(scores, relevant, k):
    top = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    return float(np.mean([np.isin(list(rel), row).sum() / len(rel) for row, rel in zip(top, relevant)]))


@alternative("mean_reciprocal_rank")
def right_metrics_vectorised_mrr(scores, relevant):
    order = np.argsort(-scores, axis=1, kind="stable")
    hits = [np.flatnonzero(np.isin(row, list(rel)))[0] + 1 for row, rel in zip(order, relevant)]
    return float(np.mean(1.0 / np.array(hits)))


@alternative("recall_at_k")
def right_metrics_sorted_key_ties_lower_index_recall(scores, relevant, k):
    total = 0.0
    for q in range(len(scores)):
        ranking = sorted(range(len(scores[q])), key=lambda j: (-scores[q][j], j))
        total += len(set(ranking[:k]) & relevant[q]) / len(relevant[q])
    return total / len(scores)


@alternative("mean_reciprocal_rank")
def right_metrics_sorted_key_ties_lower_index_mrr(scores, relevant):
    total = 0.0
    for q in range(len(scores)):
        ranking = sorted(range(len(scores[q])), key=lambda j: (-scores[q][j], j))
        total += 1 / (min(ranking.index(j) for j in relevant[q]) + 1)
    return total / len(scores)


@alternative("recall_at_k")
def right_metrics_torch_stable_sort_recall(scores, relevant, k):
    order = torch.sort(torch.as_tensor(scores), dim=1, descending=True, stable=True).indices[:, :k]
    return sum(len(set(order[q].tolist()) & set(relevant[q])) / len(relevant[q])
               for q in range(len(relevant))) / len(relevant)


@alternative("mean_reciprocal_rank")
def right_metrics_torch_stable_sort_mrr(scores, relevant):
    order = torch.sort(torch.as_tensor(scores), dim=1, descending=True, stable=True).indices
    ranks = [1 + [j in relevant[q] for j in order[q].tolist()].index(True) for q in range(len(relevant))]
    return sum(1 / r for r in ranks) / len(ranks)


@alternative("semantic_dedup")
def right_dedup_torch_loop(embeddings, threshold):
    vectors = torch.as_tensor(embeddings, dtype=torch.float64)
    vectors = vectors / vectors.norm(dim=1, keepdim=True)
    kept = []
    for i in range(len(vectors)):
        if all(float(vectors[i] @ vectors[j]) < threshold for j in kept):
            kept.append(i)
    return kept


@alternative("semantic_dedup")
def right_dedup_numpy_matrix_then_greedy(embeddings, threshold):
    x = np.asarray(embeddings, dtype=float)
    x = x / np.linalg.norm(x, axis=1, keepdims=True)
    similarity = x @ x.T
    kept = []
    for i in range(len(x)):
        if not kept or similarity[i, kept].max() < threshold:
            kept.append(i)
    return kept


@alternative("semantic_dedup")
def right_dedup_sklearn_cosine(embeddings, threshold):
    from sklearn.metrics.pairwise import cosine_similarity
    similarity = cosine_similarity(np.asarray(embeddings))
    kept = []
    for i in range(similarity.shape[0]):
        if any(similarity[i, j] >= threshold for j in kept):
            continue
        kept.append(i)
    return kept


@alternative("semantic_dedup")
def right_dedup_F_cosine_similarity(embeddings, threshold):
    vectors = torch.as_tensor(embeddings).float()
    kept = []
    for i, vector in enumerate(vectors):
        if kept and F.cosine_similarity(vector[None], vectors[kept]).max().item() >= threshold:
            continue
        kept.append(i)
    return kept


@mutant("in_batch_loss", breaks=[])
def wrong_in_batch_softmax_over_queries(scores, temperature=0.05, weights=None, mask=None):
    size = scores.shape[0]
    eye = torch.eye(size, dtype=torch.bool)
    logits = scores / temperature
    if weights is not None:
        logits = logits + torch.log(torch.where(eye, torch.ones_like(weights), weights))
    if mask is not None:
        logits = logits.masked_fill(mask & ~eye, float('-inf'))
    return F.cross_entropy(logits.T, torch.arange(size))


@mutant("in_batch_loss", breaks=[])
def wrong_in_batch_multiplies_by_temperature(scores, temperature=0.05, weights=None, mask=None):
    size = scores.shape[0]
    eye = torch.eye(size, dtype=torch.bool)
    logits = scores * temperature
    if weights is not None:
        logits = logits + torch.log(torch.where(eye, torch.ones_like(weights), weights))
    if mask is not None:
        logits = logits.masked_fill(mask & ~eye, float('-inf'))
    return F.cross_entropy(logits, torch.arange(size))


@mutant("in_batch_loss", breaks=[])
def wrong_in_batch_reweights_the_positive(scores, temperature=0.05, weights=None, mask=None):
    size = scores.shape[0]
    eye = torch.eye(size, dtype=torch.bool)
    logits = scores / temperature
    if weights is not None:
        logits = logits + torch.log(weights)
    if mask is not None:
        logits = logits.masked_fill(mask & ~eye, float('-inf'))
    return F.cross_entropy(logits, torch.arange(size))


@mutant("in_batch_loss", breaks=[])
def wrong_in_batch_weights_scale_logits(scores, temperature=0.05, weights=None, mask=None):
    size = scores.shape[0]
    eye = torch.eye(size, dtype=torch.bool)
    logits = scores / temperature
    if weights is not None:
        logits = logits * torch.where(eye, torch.ones_like(weights), weights)
    if mask is not None:
        logits = logits.masked_fill(mask & ~eye, float('-inf'))
    return F.cross_entropy(logits, torch.arange(size))


@mutant("in_batch_loss", breaks=[])
def wrong_in_batch_ignores_mask(scores, temperature=0.05, weights=None, mask=None):
    size = scores.shape[0]
    eye = torch.eye(size, dtype=torch.bool)
    logits = scores / temperature
    if weights is not None:
        logits = logits + torch.log(torch.where(eye, torch.ones_like(weights), weights))
    if mask is not None:
        pass
    return F.cross_entropy(logits, torch.arange(size))


@mutant("in_batch_loss", breaks=[])
def wrong_in_batch_mask_inverted(scores, temperature=0.05, weights=None, mask=None):
    size = scores.shape[0]
    eye = torch.eye(size, dtype=torch.bool)
    logits = scores / temperature
    if weights is not None:
        logits = logits + torch.log(torch.where(eye, torch.ones_like(weights), weights))
    if mask is not None:
        logits = logits.masked_fill(~mask & ~eye, float('-inf'))
    return F.cross_entropy(logits, torch.arange(size))


@mutant("in_batch_loss", breaks=[])
def wrong_in_batch_masked_scores_set_to_zero(scores, temperature=0.05, weights=None, mask=None):
    size = scores.shape[0]
    eye = torch.eye(size, dtype=torch.bool)
    logits = scores / temperature
    if weights is not None:
        logits = logits + torch.log(torch.where(eye, torch.ones_like(weights), weights))
    if mask is not None:
        logits = logits.masked_fill(mask, 0.0)
    return F.cross_entropy(logits, torch.arange(size))


@mutant("in_batch_loss", breaks=[])
def wrong_in_batch_masks_caller_scores_in_place(scores, temperature=0.05, weights=None, mask=None):
    size = scores.shape[0]
    eye = torch.eye(size, dtype=torch.bool)
    logits = scores
    if weights is not None:
        logits = logits + torch.log(torch.where(eye, torch.ones_like(weights), weights))
    if mask is not None:
        logits.masked_fill_(mask, float('-inf'))
    return F.cross_entropy(logits / temperature, torch.arange(size))


@mutant("in_batch_loss", breaks=[])
def wrong_in_batch_returns_python_float(scores, temperature=0.05, weights=None, mask=None):
    size = scores.shape[0]
    eye = torch.eye(size, dtype=torch.bool)
    logits = scores / temperature
    if weights is not None:
        logits = logits + torch.log(torch.where(eye, torch.ones_like(weights), weights))
    if mask is not None:
        logits = logits.masked_fill(mask & ~eye, float('-inf'))
    return F.cross_entropy(logits, torch.arange(size)).item()


@mutant("in_batch_loss", breaks=[])
def wrong_in_batch_detached(scores, temperature=0.05, weights=None, mask=None):
    size = scores.shape[0]
    eye = torch.eye(size, dtype=torch.bool)
    logits = scores / temperature
    if weights is not None:
        logits = logits + torch.log(torch.where(eye, torch.ones_like(weights), weights))
    if mask is not None:
        logits = logits.masked_fill(mask & ~eye, float('-inf'))
    return F.cross_entropy(logits, torch.arange(size)).detach()


@mutant("in_batch_loss", breaks=[])
def wrong_in_batch_sums_over_batch(scores, temperature=0.05, weights=None, mask=None):
    size = scores.shape[0]
    eye = torch.eye(size, dtype=torch.bool)
    logits = scores / temperature
    if weights is not None:
        logits = logits + torch.log(torch.where(eye, torch.ones_like(weights), weights))
    if mask is not None:
        logits = logits.masked_fill(mask & ~eye, float('-inf'))
    return F.cross_entropy(logits, torch.arange(size), reduction='sum')


@mutant("in_batch_loss", breaks=[])
def wrong_in_batch_temperature_fixed(scores, temperature=0.05, weights=None, mask=None):
    size = scores.shape[0]
    eye = torch.eye(size, dtype=torch.bool)
    logits = scores / 0.05
    if weights is not None:
        logits = logits + torch.log(torch.where(eye, torch.ones_like(weights), weights))
    if mask is not None:
        logits = logits.masked_fill(mask & ~eye, float('-inf'))
    return F.cross_entropy(logits, torch.arange(size))


@mutant("self_adversarial_weights", breaks=[])
def wrong_self_adversarial_not_detached(scores, alpha=1.0):
    size = scores.shape[0]
    eye = torch.eye(size, dtype=torch.bool)
    logits = alpha * scores
    weights = (size - 1) * torch.softmax(logits.masked_fill(eye, float("-inf")), dim=1)
    return weights


@mutant("self_adversarial_weights", breaks=[])
def wrong_self_adversarial_softmax_over_columns(scores, alpha=1.0):
    size = scores.shape[0]
    eye = torch.eye(size, dtype=torch.bool)
    logits = alpha * scores
    weights = (size - 1) * torch.softmax(logits.masked_fill(eye, float("-inf")), dim=0)
    return weights.detach()


@mutant("self_adversarial_weights", breaks=[])
def wrong_self_adversarial_without_factor(scores, alpha=1.0):
    size = scores.shape[0]
    eye = torch.eye(size, dtype=torch.bool)
    logits = alpha * scores
    weights = 1 * torch.softmax(logits.masked_fill(eye, float("-inf")), dim=1)
    return weights.detach()


@mutant("self_adversarial_weights", breaks=[])
def wrong_self_adversarial_factor_b(scores, alpha=1.0):
    size = scores.shape[0]
    eye = torch.eye(size, dtype=torch.bool)
    logits = alpha * scores
    weights = size * torch.softmax(logits.masked_fill(eye, float("-inf")), dim=1)
    return weights.detach()


@mutant("self_adversarial_weights", breaks=[])
def wrong_self_adversarial_ignores_alpha(scores, alpha=1.0):
    size = scores.shape[0]
    eye = torch.eye(size, dtype=torch.bool)
    logits = scores
    weights = (size - 1) * torch.softmax(logits.masked_fill(eye, float("-inf")), dim=1)
    return weights.detach()


@mutant("self_adversarial_weights", breaks=[])
def wrong_self_adversarial_easier_negatives_heavier(scores, alpha=1.0):
    size = scores.shape[0]
    eye = torch.eye(size, dtype=torch.bool)
    logits = -alpha * scores
    weights = (size - 1) * torch.softmax(logits.masked_fill(eye, float("-inf")), dim=1)
    return weights.detach()


@mutant("self_adversarial_weights", breaks=[])
def wrong_self_adversarial_diagonal_in_softmax(scores, alpha=1.0):
    size = scores.shape[0]
    weights = (size - 1) * torch.softmax(alpha * scores.detach(), dim=1)
    return weights * (1 - torch.eye(size))


@mutant("self_adversarial_weights", breaks=[])
def wrong_self_adversarial_fills_caller_diagonal(scores, alpha=1.0):
    size = scores.shape[0]
    with torch.no_grad():
        scores.fill_diagonal_(float("-inf"))
        return (size - 1) * torch.softmax(alpha * scores, dim=1)


@mutant("accidental_hit_mask", breaks=[])
def wrong_accidental_hit_keeps_diagonal(product_ids):
    ids = torch.as_tensor(product_ids)
    return ids[:, None] == ids[None, :]


@mutant("accidental_hit_mask", breaks=[])
def wrong_accidental_hit_returns_long(product_ids):
    ids = torch.as_tensor(product_ids)
    return ((ids[:, None] == ids[None, :]) & ~torch.eye(len(ids), dtype=torch.bool)).long()


@mutant("accidental_hit_mask", breaks=[])
def wrong_accidental_hit_inverted(product_ids):
    ids = torch.as_tensor(product_ids)
    return (ids[:, None] != ids[None, :])


@mutant("accidental_hit_mask", breaks=[])
def wrong_accidental_hit_upper_triangle_only(product_ids):
    ids = torch.as_tensor(product_ids)
    return torch.triu(ids[:, None] == ids[None, :], diagonal=1)


@mutant("accidental_hit_mask", breaks=[])
def wrong_accidental_hit_returns_numpy(product_ids):
    ids = np.asarray(product_ids)
    return np.equal.outer(ids, ids) & ~np.eye(len(ids), dtype=bool)


@mutant("recall_at_k", breaks=[])
def wrong_recall_ties_to_higher_index(scores, relevant, k):
    values = []
    for row, wanted in zip(scores, relevant):
        top = np.argsort(row, kind="stable")[::-1][:k]
        values.append(len(set(top.tolist()) & set(wanted)) / len(wanted))
    return float(np.mean(values))


@mutant("recall_at_k", breaks=[])
def wrong_recall_ascending(scores, relevant, k):
    values = []
    for row, wanted in zip(scores, relevant):
        top = np.argsort(row, kind="stable")[:k]
        values.append(len(set(top.tolist()) & set(wanted)) / len(wanted))
    return float(np.mean(values))


@mutant("recall_at_k", breaks=[])
def wrong_recall_divides_by_k(scores, relevant, k):
    values = []
    for row, wanted in zip(scores, relevant):
        top = np.argsort(-row, kind="stable")[:k]
        values.append(len(set(top.tolist()) & set(wanted)) / k)
    return float(np.mean(values))


@mutant("recall_at_k", breaks=[])
def wrong_recall_hit_rate(scores, relevant, k):
    values = []
    for row, wanted in zip(scores, relevant):
        top = np.argsort(-row, kind="stable")[:k]
        values.append(float(bool(set(top.tolist()) & set(wanted))))
    return float(np.mean(values))


@mutant("recall_at_k", breaks=[])
def wrong_recall_unstable_sort(scores, relevant, k):
    values = []
    for row, wanted in zip(scores, relevant):
        top = np.argsort(-row)[:k]
        values.append(len(set(top.tolist()) & set(wanted)) / len(wanted))
    return float(np.mean(values))


@mutant("recall_at_k", breaks=[])
def wrong_recall_top_k_plus_one(scores, relevant, k):
    values = []
    for row, wanted in zip(scores, relevant):
        top = np.argsort(-row, kind="stable")[:k + 1]
        values.append(len(set(top.tolist()) & set(wanted)) / len(wanted))
    return float(np.mean(values))


@mutant("recall_at_k", breaks=[])
def wrong_recall_torch_topk_ties(scores, relevant, k):
    top = torch.topk(torch.as_tensor(scores), k, dim=1).indices
    return float(np.mean([len(set(t.tolist()) & set(r)) / len(r) for t, r in zip(top, relevant)]))


@mutant("recall_at_k", breaks=[])
def wrong_recall_negates_scores_in_place(scores, relevant, k):
    scores *= -1
    top = np.argsort(scores, axis=1, kind="stable")[:, :k]
    return float(np.mean([len(set(t.tolist()) & set(r)) / len(r) for t, r in zip(top, relevant)]))


@mutant("mean_reciprocal_rank", breaks=[])
def wrong_mrr_averages_over_all_relevant(scores, relevant):
    values = []
    for row, wanted in zip(scores, relevant):
        order = list(np.argsort(-row, kind="stable"))
        values.append(np.mean([1.0 / (order.index(j) + 1) for j in wanted]))
    return float(np.mean(values))


@mutant("mean_reciprocal_rank", breaks=[])
def wrong_mrr_ties_to_higher_index(scores, relevant):
    values = []
    for row, wanted in zip(scores, relevant):
        order = np.argsort(row, kind="stable")[::-1]
        rank = next(position for position, j in enumerate(order, start=1) if j in wanted)
        values.append(1.0 / rank)
    return float(np.mean(values))


@mutant("mean_reciprocal_rank", breaks=[])
def wrong_mrr_unstable_sort(scores, relevant):
    values = []
    for row, wanted in zip(scores, relevant):
        order = np.argsort(-row)
        rank = next(position for position, j in enumerate(order, start=1) if j in wanted)
        values.append(1.0 / rank)
    return float(np.mean(values))


@mutant("mean_reciprocal_rank", breaks=[])
def wrong_mrr_ranks_start_at_zero(scores, relevant):
    values = []
    for row, wanted in zip(scores, relevant):
        order = np.argsort(-row, kind="stable")
        rank = next(position for position, j in enumerate(order, start=0) if j in wanted)
        values.append(1.0 / max(rank, 1))
    return float(np.mean(values))


@mutant("mean_reciprocal_rank", breaks=[])
def wrong_mrr_rank_of_lowest_index_relevant(scores, relevant):
    values = []
    for row, wanted in zip(scores, relevant):
        order = list(np.argsort(-row, kind="stable"))
        values.append(1.0 / (order.index(min(wanted)) + 1))
    return float(np.mean(values))


@mutant("mean_reciprocal_rank", breaks=[])
def wrong_mrr_sums_over_queries(scores, relevant):
    values = []
    for row, wanted in zip(scores, relevant):
        order = np.argsort(-row, kind="stable")
        rank = next(position for position, j in enumerate(order, start=1) if j in wanted)
        values.append(1.0 / rank)
    return float(np.sum(values))


@mutant("semantic_dedup", breaks=[])
def wrong_dedup_strictly_greater(embeddings, threshold):
    vectors = torch.as_tensor(embeddings, dtype=torch.float64)
    vectors = vectors / vectors.norm(dim=1, keepdim=True)
    kept = []
    for i in range(len(vectors)):
        if all(float(vectors[i] @ vectors[j]) <= threshold for j in kept):
            kept.append(i)
    return kept


@mutant("semantic_dedup", breaks=[])
def wrong_dedup_compares_with_dropped_too(embeddings, threshold):
    vectors = torch.as_tensor(embeddings, dtype=torch.float64)
    vectors = vectors / vectors.norm(dim=1, keepdim=True)
    kept = []
    for i in range(len(vectors)):
        if all(float(vectors[i] @ vectors[j]) < threshold for j in range(i)):
            kept.append(i)
    return kept


@mutant("semantic_dedup", breaks=[])
def wrong_dedup_without_normalising(embeddings, threshold):
    vectors = torch.as_tensor(embeddings, dtype=torch.float64)
    vectors = vectors
    kept = []
    for i in range(len(vectors)):
        if all(float(vectors[i] @ vectors[j]) < threshold for j in kept):
            kept.append(i)
    return kept


@mutant("semantic_dedup", breaks=[])
def wrong_dedup_compares_with_last_kept_only(embeddings, threshold):
    vectors = torch.as_tensor(embeddings, dtype=torch.float64)
    vectors = vectors / vectors.norm(dim=1, keepdim=True)
    kept = []
    for i in range(len(vectors)):
        if all(float(vectors[i] @ vectors[j]) < threshold for j in kept[-1:]):
            kept.append(i)
    return kept


@mutant("semantic_dedup", breaks=[])
def wrong_dedup_compares_with_first_only(embeddings, threshold):
    vectors = torch.as_tensor(embeddings, dtype=torch.float64)
    vectors = vectors / vectors.norm(dim=1, keepdim=True)
    kept = []
    for i in range(len(vectors)):
        if all(float(vectors[i] @ vectors[j]) < threshold for j in kept[:1]):
            kept.append(i)
    return kept


@mutant("semantic_dedup", breaks=[])
def wrong_dedup_returns_dropped(embeddings, threshold):
    vectors = torch.as_tensor(embeddings, dtype=torch.float64)
    vectors = vectors / vectors.norm(dim=1, keepdim=True)
    kept = []
    for i in range(len(vectors)):
        if all(float(vectors[i] @ vectors[j]) < threshold for j in kept):
            kept.append(i)
    return [i for i in range(len(vectors)) if i not in kept]


@mutant("semantic_dedup", breaks=[])
def wrong_dedup_returns_tensor(embeddings, threshold):
    vectors = torch.as_tensor(embeddings, dtype=torch.float64)
    vectors = vectors / vectors.norm(dim=1, keepdim=True)
    kept = []
    for i in range(len(vectors)):
        if all(float(vectors[i] @ vectors[j]) < threshold for j in kept):
            kept.append(i)
    return torch.tensor(kept)


@mutant("semantic_dedup", breaks=[])
def wrong_dedup_normalises_caller_array_in_place(embeddings, threshold):
    embeddings /= np.linalg.norm(np.asarray(embeddings), axis=1, keepdims=True)
    kept = []
    for i in range(len(embeddings)):
        if all(float(embeddings[i] @ embeddings[j]) < threshold for j in kept):
            kept.append(i)
    return kept


@mutant("semantic_dedup", breaks=[])
def wrong_dedup_returns_numpy_ints(embeddings, threshold):
    x = np.asarray(embeddings, dtype=float)
    x = x / np.linalg.norm(x, axis=1, keepdims=True)
    kept = []
    for i in np.arange(len(x)):
        if all(x[i] @ x[j] < threshold for j in kept):
            kept.append(i)
    return kept
