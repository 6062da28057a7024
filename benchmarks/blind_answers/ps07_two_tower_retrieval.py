"""Blind answers to ps07, written from the released notebook's instructions only (never from its tests, mutants or
solutions): `@alternative` = a correct answer in another style, `@mutant` = a plausible wrong answer (the mistake in
its name). benchmarks/fidelity.py --answers benchmarks/blind_answers grades them."""
import numpy as np
import torch
import torch.nn.functional as F

from llmcourse.authoring.mutation import alternative, mutant


# ---------------------------------------------------------------- in_batch_loss

def _loss_logits(scores, temperature, weights, mask):
    logits = scores / temperature
    B = scores.shape[0]
    eye = torch.eye(B, dtype=torch.bool, device=scores.device)
    if weights is not None:
        logw = torch.log(weights.to(logits.dtype)).masked_fill(eye, 0.0)
        logits = logits + logw
    if mask is not None:
        logits = logits.masked_fill(mask.bool() & ~eye, float("-inf"))
    return logits


@alternative("in_batch_loss")
def right_cross_entropy_log_weights(scores, temperature=0.05, weights=None, mask=None):
    logits = _loss_logits(scores, temperature, weights, mask)
    return F.cross_entropy(logits, torch.arange(scores.shape[0], device=scores.device))


@alternative("in_batch_loss")
def right_explicit_logsumexp(scores, temperature=0.05, weights=None, mask=None):
    B = scores.shape[0]
    x = scores / temperature
    eye = torch.eye(B, dtype=torch.bool, device=scores.device)
    w = torch.ones_like(x) if weights is None else weights.to(x.dtype)
    w = torch.where(eye, torch.ones_like(x), w)
    if mask is not None:
        w = torch.where(mask.bool() & ~eye, torch.zeros_like(x), w)
    m = x.max(dim=1, keepdim=True).values.detach()
    denom = (w * torch.exp(x - m)).sum(dim=1)
    pos = x.diagonal() - m.squeeze(1)
    return (torch.log(denom) - pos).mean()


@alternative("in_batch_loss")
def right_row_loop(scores, temperature=0.05, weights=None, mask=None):
    B = scores.shape[0]
    losses = []
    for i in range(B):
        terms = []
        for j in range(B):
            logit = scores[i, j] / temperature
            if j != i:
                if mask is not None and bool(mask[i, j]):
                    continue
                if weights is not None:
                    wij = float(weights[i, j])
                    if wij == 0.0:
                        continue
                    logit = logit + float(np.log(wij))
            terms.append(logit)
        losses.append(torch.logsumexp(torch.stack(terms), dim=0) - scores[i, i] / temperature)
    return torch.stack(losses).mean()


@mutant("in_batch_loss", breaks=[])
def wrong_in_batch_loss_columns(scores, temperature=0.05, weights=None, mask=None):
    logits = _loss_logits(scores, temperature, weights, mask)
    return F.cross_entropy(logits.T, torch.arange(scores.shape[0]))


@mutant("in_batch_loss", breaks=[])
def wrong_temperature_multiplied(scores, temperature=0.05, weights=None, mask=None):
    logits = _loss_logits(scores * temperature * temperature, temperature, weights, mask)
    return F.cross_entropy(logits, torch.arange(scores.shape[0]))


@mutant("in_batch_loss", breaks=[])
def wrong_weights_multiply_logits(scores, temperature=0.05, weights=None, mask=None):
    B = scores.shape[0]
    eye = torch.eye(B, dtype=torch.bool)
    logits = scores / temperature
    if weights is not None:
        logits = logits * weights.masked_fill(eye, 1.0)
    if mask is not None:
        logits = logits.masked_fill(mask & ~eye, float("-inf"))
    return F.cross_entropy(logits, torch.arange(B))


@mutant("in_batch_loss", breaks=[])
def wrong_mask_ignored_with_weights(scores, temperature=0.05, weights=None, mask=None):
    if weights is not None:
        mask = None
    logits = _loss_logits(scores, temperature, weights, mask)
    return F.cross_entropy(logits, torch.arange(scores.shape[0]))


@mutant("in_batch_loss", breaks=[])
def wrong_positive_removed_from_denominator(scores, temperature=0.05, weights=None, mask=None):
    logits = _loss_logits(scores, temperature, weights, mask)
    B = scores.shape[0]
    eye = torch.eye(B, dtype=torch.bool)
    neg = torch.logsumexp(logits.masked_fill(eye, float("-inf")), dim=1)
    return (neg - logits.diagonal()).mean()


# ---------------------------------------------------------------- self_adversarial_weights

@alternative("self_adversarial_weights")
def right_masked_softmax(scores, alpha=1.0):
    s = scores.detach()
    B = s.shape[0]
    eye = torch.eye(B, dtype=torch.bool, device=s.device)
    logits = (alpha * s).masked_fill(eye, float("-inf"))
    w = torch.softmax(logits, dim=1) * (B - 1)
    return w.masked_fill(eye, 0.0)


@alternative("self_adversarial_weights")
def right_explicit_exp(scores, alpha=1.0):
    s = scores.detach().clone()
    B = s.shape[0]
    off = 1.0 - torch.eye(B, dtype=s.dtype, device=s.device)
    x = alpha * s
    x = x - x.max(dim=1, keepdim=True).values
    e = torch.exp(x) * off
    return (B - 1) * e / e.sum(dim=1, keepdim=True)


@alternative("self_adversarial_weights")
def right_row_loop_numpy(scores, alpha=1.0):
    s = scores.detach().cpu().numpy().astype(np.float64)
    B = s.shape[0]
    out = np.zeros((B, B))
    for i in range(B):
        js = [j for j in range(B) if j != i]
        vals = np.array([alpha * s[i, j] for j in js])
        vals = np.exp(vals - vals.max())
        vals = (B - 1) * vals / vals.sum()
        for j, v in zip(js, vals):
            out[i, j] = v
    return torch.tensor(out, dtype=scores.dtype)


@mutant("self_adversarial_weights", breaks=[])
def wrong_not_detached(scores, alpha=1.0):
    B = scores.shape[0]
    eye = torch.eye(B, dtype=torch.bool)
    w = torch.softmax((alpha * scores).masked_fill(eye, float("-inf")), dim=1) * (B - 1)
    return w.masked_fill(eye, 0.0)


@mutant("self_adversarial_weights", breaks=[])
def wrong_softmax_includes_positive(scores, alpha=1.0):
    s = scores.detach()
    B = s.shape[0]
    eye = torch.eye(B, dtype=torch.bool)
    w = torch.softmax(alpha * s, dim=1) * (B - 1)
    return w.masked_fill(eye, 0.0)


@mutant("self_adversarial_weights", breaks=[])
def wrong_softmax_over_columns(scores, alpha=1.0):
    s = scores.detach()
    B = s.shape[0]
    eye = torch.eye(B, dtype=torch.bool)
    w = torch.softmax((alpha * s).masked_fill(eye, float("-inf")), dim=0) * (B - 1)
    return w.masked_fill(eye, 0.0)


@mutant("self_adversarial_weights", breaks=[])
def wrong_scaled_by_B(scores, alpha=1.0):
    s = scores.detach()
    B = s.shape[0]
    eye = torch.eye(B, dtype=torch.bool)
    w = torch.softmax((alpha * s).masked_fill(eye, float("-inf")), dim=1) * B
    return w.masked_fill(eye, 0.0)


@mutant("self_adversarial_weights", breaks=[])
def wrong_easier_negatives_heavier(scores, alpha=1.0):
    s = scores.detach()
    B = s.shape[0]
    eye = torch.eye(B, dtype=torch.bool)
    w = torch.softmax((-alpha * s).masked_fill(eye, float("-inf")), dim=1) * (B - 1)
    return w.masked_fill(eye, 0.0)


# ---------------------------------------------------------------- accidental_hit_mask

@alternative("accidental_hit_mask")
def right_broadcast_compare(product_ids):
    ids = torch.as_tensor(product_ids)
    same = ids[:, None] == ids[None, :]
    return same & ~torch.eye(len(ids), dtype=torch.bool)


@alternative("accidental_hit_mask")
def right_python_loops(product_ids):
    ids = [int(i) for i in product_ids]
    B = len(ids)
    out = torch.zeros(B, B, dtype=torch.bool)
    for i in range(B):
        for j in range(B):
            if i != j and ids[i] == ids[j]:
                out[i, j] = True
    return out


@alternative("accidental_hit_mask")
def right_numpy_equal_outer(product_ids):
    ids = np.asarray([int(i) for i in product_ids])
    m = np.equal.outer(ids, ids)
    np.fill_diagonal(m, False)
    return torch.from_numpy(m.astype(bool))


@mutant("accidental_hit_mask", breaks=[])
def wrong_diagonal_masked(product_ids):
    ids = torch.as_tensor(product_ids)
    return ids[:, None] == ids[None, :]


@mutant("accidental_hit_mask", breaks=[])
def wrong_float_mask(product_ids):
    ids = torch.as_tensor(product_ids)
    return ((ids[:, None] == ids[None, :]) & ~torch.eye(len(ids), dtype=torch.bool)).float()


@mutant("accidental_hit_mask", breaks=[])
def wrong_only_later_duplicates(product_ids):
    ids = torch.as_tensor(product_ids)
    same = ids[:, None] == ids[None, :]
    return torch.triu(same, diagonal=1)


@mutant("accidental_hit_mask", breaks=[])
def wrong_whole_row_of_duplicated_product(product_ids):
    ids = torch.as_tensor(product_ids)
    same = ids[:, None] == ids[None, :]
    dup = (same.sum(dim=1) > 1)
    return dup[:, None] & ~torch.eye(len(ids), dtype=torch.bool)


# ---------------------------------------------------------------- recall_at_k

def _order(row):
    return np.argsort(-np.asarray(row), kind="stable")


@alternative("recall_at_k")
def right_argsort_stable(scores, relevant, k):
    scores = np.asarray(scores)
    vals = []
    for q in range(scores.shape[0]):
        top = set(int(j) for j in _order(scores[q])[:k])
        vals.append(len(top & set(relevant[q])) / len(relevant[q]))
    return float(np.mean(vals))


@alternative("recall_at_k")
def right_sorted_key(scores, relevant, k):
    total = 0.0
    for q, row in enumerate(scores):
        ranked = sorted(range(len(row)), key=lambda j: (-float(row[j]), j))
        rel = set(relevant[q])
        total += sum(1 for j in ranked[:k] if j in rel) / len(rel)
    return total / len(scores)


@alternative("recall_at_k")
def right_lexsort(scores, relevant, k):
    scores = np.asarray(scores, dtype=float)
    Q, N = scores.shape
    out = np.zeros(Q)
    idx = np.arange(N)
    for q in range(Q):
        order = np.lexsort((idx, -scores[q]))
        hits = np.isin(order[:k], list(relevant[q]))
        out[q] = hits.sum() / len(relevant[q])
    return float(out.mean())


@mutant("recall_at_k", breaks=[])
def wrong_precision_divides_by_k(scores, relevant, k):
    vals = []
    for q in range(len(scores)):
        top = set(_order(scores[q])[:k].tolist())
        vals.append(len(top & set(relevant[q])) / k)
    return float(np.mean(vals))


@mutant("recall_at_k", breaks=[])
def wrong_top_k_plus_one(scores, relevant, k):
    vals = []
    for q in range(len(scores)):
        top = set(_order(scores[q])[:k + 1].tolist())
        vals.append(len(top & set(relevant[q])) / len(relevant[q]))
    return float(np.mean(vals))


@mutant("recall_at_k", breaks=[])
def wrong_ties_to_higher_index(scores, relevant, k):
    vals = []
    for q in range(len(scores)):
        order = np.argsort(np.asarray(scores[q]), kind="stable")[::-1]
        top = set(order[:k].tolist())
        vals.append(len(top & set(relevant[q])) / len(relevant[q]))
    return float(np.mean(vals))


@mutant("recall_at_k", breaks=[])
def wrong_hit_rate_not_fraction(scores, relevant, k):
    vals = []
    for q in range(len(scores)):
        top = set(_order(scores[q])[:k].tolist())
        vals.append(1.0 if top & set(relevant[q]) else 0.0)
    return float(np.mean(vals))


@mutant("recall_at_k", breaks=[])
def wrong_ascending_rank(scores, relevant, k):
    vals = []
    for q in range(len(scores)):
        order = np.argsort(np.asarray(scores[q]), kind="stable")
        top = set(order[:k].tolist())
        vals.append(len(top & set(relevant[q])) / len(relevant[q]))
    return float(np.mean(vals))


# ---------------------------------------------------------------- mean_reciprocal_rank

@alternative("mean_reciprocal_rank")
def right_enumerate_from_one(scores, relevant):
    rr = []
    for q, row in enumerate(np.asarray(scores)):
        rel = set(relevant[q])
        r = 0.0
        for rank, j in enumerate(_order(row), start=1):
            if int(j) in rel:
                r = 1.0 / rank
                break
        rr.append(r)
    return float(np.mean(rr))


@alternative("mean_reciprocal_rank")
def right_min_position(scores, relevant):
    scores = np.asarray(scores)
    total = 0.0
    for q in range(scores.shape[0]):
        order = _order(scores[q])
        positions = np.nonzero(np.isin(order, list(relevant[q])))[0]
        total += 1.0 / (positions.min() + 1) if len(positions) else 0.0
    return float(total / scores.shape[0])


@alternative("mean_reciprocal_rank")
def right_count_better(scores, relevant):
    # rank of product j = 1 + #products ranked strictly before it (higher score, or equal score and lower index)
    scores = np.asarray(scores, dtype=float)
    out = []
    for q in range(scores.shape[0]):
        row = scores[q]
        ranks = []
        for j in relevant[q]:
            before = sum(1 for i in range(len(row)) if row[i] > row[j] or (row[i] == row[j] and i < j))
            ranks.append(before + 1)
        out.append(1.0 / min(ranks) if ranks else 0.0)
    return float(np.mean(out))


@mutant("mean_reciprocal_rank", breaks=[])
def wrong_rank_off_by_one(scores, relevant):
    rr = []
    for q, row in enumerate(scores):
        for rank, j in enumerate(_order(row), start=2):
            if int(j) in relevant[q]:
                rr.append(1.0 / rank)
                break
        else:
            rr.append(0.0)
    return float(np.mean(rr))


@mutant("mean_reciprocal_rank", breaks=[])
def wrong_last_relevant(scores, relevant):
    rr = []
    for q, row in enumerate(scores):
        order = list(_order(row))
        rank = max(order.index(j) for j in relevant[q]) + 1
        rr.append(1.0 / rank)
    return float(np.mean(rr))


@mutant("mean_reciprocal_rank", breaks=[])
def wrong_mean_over_all_relevant(scores, relevant):
    rr = []
    for q, row in enumerate(scores):
        order = list(_order(row))
        rr.append(np.mean([1.0 / (order.index(j) + 1) for j in relevant[q]]))
    return float(np.mean(rr))


@mutant("mean_reciprocal_rank", breaks=[])
def wrong_mrr_ties_to_higher_index(scores, relevant):
    rr = []
    for q, row in enumerate(scores):
        order = np.argsort(np.asarray(row), kind="stable")[::-1]
        for rank, j in enumerate(order, start=1):
            if int(j) in relevant[q]:
                rr.append(1.0 / rank)
                break
    return float(np.mean(rr))


# ---------------------------------------------------------------- semantic_dedup

@alternative("semantic_dedup")
def right_greedy_loop(embeddings, threshold):
    X = np.asarray(embeddings, dtype=float)
    X = X / np.linalg.norm(X, axis=1, keepdims=True)
    kept = []
    for i in range(len(X)):
        if all(float(X[i] @ X[j]) < threshold for j in kept):
            kept.append(int(i))
    return kept


@alternative("semantic_dedup")
def right_similarity_matrix(embeddings, threshold):
    X = np.array(embeddings, dtype=float, copy=True)
    norms = np.sqrt((X * X).sum(axis=1))
    S = (X @ X.T) / np.outer(norms, norms)
    kept = []
    for i in range(S.shape[0]):
        if not kept or S[i, kept].max() < threshold:
            kept.append(i)
    return [int(i) for i in kept]


@alternative("semantic_dedup")
def right_torch_cosine(embeddings, threshold):
    X = F.normalize(torch.as_tensor(np.asarray(embeddings), dtype=torch.float64), dim=1)
    kept = []
    for i in range(X.shape[0]):
        if kept:
            sims = X[kept] @ X[i]
            if bool((sims >= threshold).any()):
                continue
        kept.append(i)
    return kept


@mutant("semantic_dedup", breaks=[])
def wrong_raw_dot_product(embeddings, threshold):
    X = np.asarray(embeddings, dtype=float)
    kept = []
    for i in range(len(X)):
        if all(float(X[i] @ X[j]) < threshold for j in kept):
            kept.append(i)
    return kept


@mutant("semantic_dedup", breaks=[])
def wrong_compares_with_dropped_too(embeddings, threshold):
    X = np.asarray(embeddings, dtype=float)
    X = X / np.linalg.norm(X, axis=1, keepdims=True)
    kept = []
    for i in range(len(X)):
        if all(float(X[i] @ X[j]) < threshold for j in range(i)):
            kept.append(i)
    return kept


@mutant("semantic_dedup", breaks=[])
def wrong_strict_greater(embeddings, threshold):
    X = np.asarray(embeddings, dtype=float)
    X = X / np.linalg.norm(X, axis=1, keepdims=True)
    kept = []
    for i in range(len(X)):
        if all(float(X[i] @ X[j]) <= threshold for j in kept):
            kept.append(i)
    return kept


@mutant("semantic_dedup", breaks=[])
def wrong_numpy_integers(embeddings, threshold):
    X = np.asarray(embeddings, dtype=float)
    X = X / np.linalg.norm(X, axis=1, keepdims=True)
    kept = []
    for i in np.arange(len(X)):
        if all(float(X[i] @ X[j]) < threshold for j in kept):
            kept.append(i)
    return kept


@mutant("semantic_dedup", breaks=[])
def wrong_normalises_in_place(embeddings, threshold):
    X = embeddings
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    kept = []
    for i in range(len(X)):
        if all(float(X[i] @ X[j]) < threshold for j in kept):
            kept.append(i)
    return kept
