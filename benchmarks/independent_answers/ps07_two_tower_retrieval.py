"""Independent answers to ps07_two_tower_retrieval, written from the exercise's instructions only.

Written before reading the hidden tests or tests/mutants/ps07_two_tower_retrieval.py. Each answer replaces whole
solution cells (by grade_id) of the reference notebook; cells it does not name keep the reference.
"""

ASSIGNMENT = "ps07_two_tower_retrieval"

CORRECT: dict[str, dict[str, str]] = {}
WRONG: dict[str, dict[str, str]] = {}


def correct(name, **cells):
    CORRECT[name] = cells


def wrong(name, **cells):
    WRONG[name] = cells


# ---------------------------------------------------------------- in_batch_loss
LOSS = '''
def in_batch_loss(scores, temperature=0.05, weights=None, mask=None):
    size = scores.shape[0]
    eye = torch.eye(size, dtype=torch.bool)
    logits = LOGITS
    if weights is not None:
        WEIGHTS
    if mask is not None:
        MASK
    return RESULT
'''
LOSS_GOOD = {
    "LOGITS": "scores / temperature",
    "WEIGHTS": "logits = logits + torch.log(torch.where(eye, torch.ones_like(weights), weights))",
    "MASK": "logits = logits.masked_fill(mask & ~eye, float('-inf'))",
    "RESULT": "F.cross_entropy(logits, torch.arange(size))",
}


def loss(**changes):
    source = LOSS
    for key, value in {**LOSS_GOOD, **changes}.items():
        source = source.replace(key, value)
    return source


correct("in_batch_log_weights_cross_entropy", in_batch_loss=loss())
correct("in_batch_explicit_exp_sums", in_batch_loss='''
def in_batch_loss(scores, temperature=0.05, weights=None, mask=None):
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
''')
correct("in_batch_logsumexp_rows", in_batch_loss='''
def in_batch_loss(scores, temperature=0.05, weights=None, mask=None):
    size = scores.shape[0]
    logits = scores / temperature
    if weights is not None:
        log_w = torch.log(weights.clone())
        log_w = log_w.masked_fill(torch.eye(size, dtype=torch.bool), 0.0)
        logits = logits + log_w
    if mask is not None:
        logits = torch.where(mask, torch.full_like(logits, -float("inf")), logits)
    return (torch.logsumexp(logits, dim=1) - logits.diagonal()).mean()
''')
correct("in_batch_loop_over_rows", in_batch_loss='''
def in_batch_loss(scores, temperature=0.05, weights=None, mask=None):
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
''')
wrong("in_batch_softmax_over_queries", in_batch_loss=loss(RESULT="F.cross_entropy(logits.T, torch.arange(size))"))
wrong("in_batch_multiplies_by_temperature", in_batch_loss=loss(LOGITS="scores * temperature"))
wrong("in_batch_reweights_the_positive", in_batch_loss=loss(WEIGHTS="logits = logits + torch.log(weights)"))
wrong("in_batch_weights_scale_logits", in_batch_loss=loss(
    WEIGHTS="logits = logits * torch.where(eye, torch.ones_like(weights), weights)"))
wrong("in_batch_ignores_mask", in_batch_loss=loss(MASK="pass"))
wrong("in_batch_mask_inverted", in_batch_loss=loss(MASK="logits = logits.masked_fill(~mask & ~eye, float('-inf'))"))
wrong("in_batch_masked_scores_set_to_zero", in_batch_loss=loss(MASK="logits = logits.masked_fill(mask, 0.0)"))
wrong("in_batch_masks_caller_scores_in_place", in_batch_loss=loss(
    LOGITS="scores",
    MASK="logits.masked_fill_(mask, float('-inf'))",
    RESULT="F.cross_entropy(logits / temperature, torch.arange(size))"))
wrong("in_batch_returns_python_float", in_batch_loss=loss(RESULT="F.cross_entropy(logits, torch.arange(size)).item()"))
wrong("in_batch_detached", in_batch_loss=loss(RESULT="F.cross_entropy(logits, torch.arange(size)).detach()"))
wrong("in_batch_sums_over_batch", in_batch_loss=loss(
    RESULT="F.cross_entropy(logits, torch.arange(size), reduction='sum')"))
wrong("in_batch_temperature_fixed", in_batch_loss=loss(LOGITS="scores / 0.05"))

# ---------------------------------------------------------------- self_adversarial_weights
correct("self_adversarial_no_grad_masked_softmax", self_adversarial_weights='''
def self_adversarial_weights(scores, alpha=1.0):
    size = scores.shape[0]
    with torch.no_grad():
        logits = (alpha * scores).masked_fill(torch.eye(size, dtype=torch.bool), float("-inf"))
        return (size - 1) * torch.softmax(logits, dim=1)
''')
correct("self_adversarial_explicit_exp", self_adversarial_weights='''
def self_adversarial_weights(scores, alpha=1.0):
    s = scores.detach()
    size = s.shape[0]
    off = 1.0 - torch.eye(size, dtype=s.dtype)
    e = torch.exp(alpha * (s - s.max(dim=1, keepdim=True).values)) * off
    return (size - 1) * e / e.sum(dim=1, keepdim=True)
''')
correct("self_adversarial_loop_rows", self_adversarial_weights='''
def self_adversarial_weights(scores, alpha=1.0):
    size = scores.shape[0]
    weights = torch.zeros(size, size, dtype=scores.dtype)
    for i in range(size):
        others = [j for j in range(size) if j != i]
        row = torch.softmax(alpha * scores[i, others].detach(), dim=0) * (size - 1)
        weights[i, others] = row
    return weights
''')
SAW = '''
def self_adversarial_weights(scores, alpha=1.0):
    size = scores.shape[0]
    eye = torch.eye(size, dtype=torch.bool)
    logits = LOGITS
    weights = FACTOR * torch.softmax(logits.masked_fill(eye, float("-inf")), dim=DIM)
    return DETACH
'''


def saw(logits="alpha * scores", factor="(size - 1)", dim="1", detach="weights.detach()"):
    return (SAW.replace("LOGITS", logits).replace("FACTOR", factor).replace("DIM", dim)
            .replace("DETACH", detach))


wrong("self_adversarial_not_detached", self_adversarial_weights=saw(detach="weights"))
wrong("self_adversarial_softmax_over_columns", self_adversarial_weights=saw(dim="0"))
wrong("self_adversarial_without_factor", self_adversarial_weights=saw(factor="1"))
wrong("self_adversarial_factor_b", self_adversarial_weights=saw(factor="size"))
wrong("self_adversarial_ignores_alpha", self_adversarial_weights=saw(logits="scores"))
wrong("self_adversarial_easier_negatives_heavier", self_adversarial_weights=saw(logits="-alpha * scores"))
wrong("self_adversarial_diagonal_in_softmax", self_adversarial_weights='''
def self_adversarial_weights(scores, alpha=1.0):
    size = scores.shape[0]
    weights = (size - 1) * torch.softmax(alpha * scores.detach(), dim=1)
    return weights * (1 - torch.eye(size))
''')
wrong("self_adversarial_fills_caller_diagonal", self_adversarial_weights='''
def self_adversarial_weights(scores, alpha=1.0):
    size = scores.shape[0]
    with torch.no_grad():
        scores.fill_diagonal_(float("-inf"))
        return (size - 1) * torch.softmax(alpha * scores, dim=1)
''')

# ---------------------------------------------------------------- accidental_hit_mask
correct("accidental_hit_fill_diagonal", accidental_hit_mask='''
def accidental_hit_mask(product_ids):
    ids = torch.as_tensor(product_ids)
    same = ids.unsqueeze(0) == ids.unsqueeze(1)
    return same.fill_diagonal_(False)
''')
correct("accidental_hit_double_loop", accidental_hit_mask='''
def accidental_hit_mask(product_ids):
    ids = [int(x) for x in product_ids]
    size = len(ids)
    mask = torch.zeros(size, size, dtype=torch.bool)
    for i in range(size):
        for j in range(size):
            mask[i, j] = i != j and ids[i] == ids[j]
    return mask
''')
correct("accidental_hit_numpy_outer", accidental_hit_mask='''
def accidental_hit_mask(product_ids):
    ids = np.asarray(product_ids)
    same = np.equal.outer(ids, ids)
    np.fill_diagonal(same, False)
    return torch.from_numpy(same)
''')
wrong("accidental_hit_keeps_diagonal", accidental_hit_mask='''
def accidental_hit_mask(product_ids):
    ids = torch.as_tensor(product_ids)
    return ids[:, None] == ids[None, :]
''')
wrong("accidental_hit_returns_long", accidental_hit_mask='''
def accidental_hit_mask(product_ids):
    ids = torch.as_tensor(product_ids)
    return ((ids[:, None] == ids[None, :]) & ~torch.eye(len(ids), dtype=torch.bool)).long()
''')
wrong("accidental_hit_inverted", accidental_hit_mask='''
def accidental_hit_mask(product_ids):
    ids = torch.as_tensor(product_ids)
    return (ids[:, None] != ids[None, :])
''')
wrong("accidental_hit_upper_triangle_only", accidental_hit_mask='''
def accidental_hit_mask(product_ids):
    ids = torch.as_tensor(product_ids)
    return torch.triu(ids[:, None] == ids[None, :], diagonal=1)
''')
wrong("accidental_hit_returns_numpy", accidental_hit_mask='''
def accidental_hit_mask(product_ids):
    ids = np.asarray(product_ids)
    return np.equal.outer(ids, ids) & ~np.eye(len(ids), dtype=bool)
''')

# ---------------------------------------------------------------- recall_at_k, mean_reciprocal_rank
GOOD_RECALL = '''
def recall_at_k(scores, relevant, k):
    values = []
    for row, wanted in zip(scores, relevant):
        top = np.argsort(-row, kind="stable")[:k]
        values.append(len(set(top.tolist()) & set(wanted)) / len(wanted))
    return float(np.mean(values))
'''
GOOD_MRR = '''
def mean_reciprocal_rank(scores, relevant):
    values = []
    for row, wanted in zip(scores, relevant):
        order = np.argsort(-row, kind="stable")
        rank = next(position for position, j in enumerate(order, start=1) if j in wanted)
        values.append(1.0 / rank)
    return float(np.mean(values))
'''


def metrics(recall=GOOD_RECALL, mrr=GOOD_MRR):
    return recall + "\n" + mrr


correct("metrics_loops_stable_argsort", recall_and_mrr=metrics())
correct("metrics_vectorised", recall_and_mrr=metrics(recall='''
def recall_at_k(scores, relevant, k):
    top = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    return float(np.mean([np.isin(list(rel), row).sum() / len(rel) for row, rel in zip(top, relevant)]))
''', mrr='''
def mean_reciprocal_rank(scores, relevant):
    order = np.argsort(-scores, axis=1, kind="stable")
    hits = [np.flatnonzero(np.isin(row, list(rel)))[0] + 1 for row, rel in zip(order, relevant)]
    return float(np.mean(1.0 / np.array(hits)))
'''))
correct("metrics_sorted_key_ties_lower_index", recall_and_mrr=metrics(recall='''
def recall_at_k(scores, relevant, k):
    total = 0.0
    for q in range(len(scores)):
        ranking = sorted(range(len(scores[q])), key=lambda j: (-scores[q][j], j))
        total += len(set(ranking[:k]) & relevant[q]) / len(relevant[q])
    return total / len(scores)
''', mrr='''
def mean_reciprocal_rank(scores, relevant):
    total = 0.0
    for q in range(len(scores)):
        ranking = sorted(range(len(scores[q])), key=lambda j: (-scores[q][j], j))
        total += 1 / (min(ranking.index(j) for j in relevant[q]) + 1)
    return total / len(scores)
'''))
correct("metrics_torch_stable_sort", recall_and_mrr=metrics(recall='''
def recall_at_k(scores, relevant, k):
    order = torch.sort(torch.as_tensor(scores), dim=1, descending=True, stable=True).indices[:, :k]
    return sum(len(set(order[q].tolist()) & set(relevant[q])) / len(relevant[q])
               for q in range(len(relevant))) / len(relevant)
''', mrr='''
def mean_reciprocal_rank(scores, relevant):
    order = torch.sort(torch.as_tensor(scores), dim=1, descending=True, stable=True).indices
    ranks = [1 + [j in relevant[q] for j in order[q].tolist()].index(True) for q in range(len(relevant))]
    return sum(1 / r for r in ranks) / len(ranks)
'''))
wrong("recall_ties_to_higher_index", recall_and_mrr=metrics(recall=GOOD_RECALL.replace(
    'np.argsort(-row, kind="stable")[:k]', 'np.argsort(row, kind="stable")[::-1][:k]')))
wrong("recall_ascending", recall_and_mrr=metrics(recall=GOOD_RECALL.replace(
    'np.argsort(-row, kind="stable")[:k]', 'np.argsort(row, kind="stable")[:k]')))
wrong("recall_divides_by_k", recall_and_mrr=metrics(recall=GOOD_RECALL.replace("/ len(wanted)", "/ k")))
wrong("recall_hit_rate", recall_and_mrr=metrics(recall=GOOD_RECALL.replace(
    "len(set(top.tolist()) & set(wanted)) / len(wanted)", "float(bool(set(top.tolist()) & set(wanted)))")))
wrong("recall_unstable_sort", recall_and_mrr=metrics(recall=GOOD_RECALL.replace(
    'np.argsort(-row, kind="stable")', "np.argsort(-row)")))
wrong("recall_top_k_plus_one", recall_and_mrr=metrics(recall=GOOD_RECALL.replace("[:k]", "[:k + 1]")))
wrong("recall_torch_topk_ties", recall_and_mrr=metrics(recall='''
def recall_at_k(scores, relevant, k):
    top = torch.topk(torch.as_tensor(scores), k, dim=1).indices
    return float(np.mean([len(set(t.tolist()) & set(r)) / len(r) for t, r in zip(top, relevant)]))
'''))
wrong("recall_negates_scores_in_place", recall_and_mrr=metrics(recall='''
def recall_at_k(scores, relevant, k):
    scores *= -1
    top = np.argsort(scores, axis=1, kind="stable")[:, :k]
    return float(np.mean([len(set(t.tolist()) & set(r)) / len(r) for t, r in zip(top, relevant)]))
'''))
wrong("mrr_averages_over_all_relevant", recall_and_mrr=metrics(mrr='''
def mean_reciprocal_rank(scores, relevant):
    values = []
    for row, wanted in zip(scores, relevant):
        order = list(np.argsort(-row, kind="stable"))
        values.append(np.mean([1.0 / (order.index(j) + 1) for j in wanted]))
    return float(np.mean(values))
'''))
wrong("mrr_ties_to_higher_index", recall_and_mrr=metrics(mrr=GOOD_MRR.replace(
    'np.argsort(-row, kind="stable")', 'np.argsort(row, kind="stable")[::-1]')))
wrong("mrr_unstable_sort", recall_and_mrr=metrics(mrr=GOOD_MRR.replace(
    'np.argsort(-row, kind="stable")', "np.argsort(-row)")))
wrong("mrr_ranks_start_at_zero", recall_and_mrr=metrics(mrr=GOOD_MRR.replace(
    "enumerate(order, start=1)", "enumerate(order, start=0)").replace("1.0 / rank", "1.0 / max(rank, 1)")))
wrong("mrr_rank_of_lowest_index_relevant", recall_and_mrr=metrics(mrr='''
def mean_reciprocal_rank(scores, relevant):
    values = []
    for row, wanted in zip(scores, relevant):
        order = list(np.argsort(-row, kind="stable"))
        values.append(1.0 / (order.index(min(wanted)) + 1))
    return float(np.mean(values))
'''))
wrong("mrr_sums_over_queries", recall_and_mrr=metrics(mrr=GOOD_MRR.replace(
    "float(np.mean(values))", "float(np.sum(values))")))

# ---------------------------------------------------------------- semantic_dedup
DEDUP = '''
def semantic_dedup(embeddings, threshold):
    vectors = torch.as_tensor(embeddings, dtype=torch.float64)
    vectors = NORMALISE
    kept = []
    for i in range(len(vectors)):
        if all(float(vectors[i] @ vectors[j]) COMPARE threshold for j in AGAINST):
            kept.append(i)
    return RESULT
'''


def dedup(normalise="vectors / vectors.norm(dim=1, keepdim=True)", compare="<", against="kept",
          result="kept"):
    return (DEDUP.replace("NORMALISE", normalise).replace("COMPARE", compare).replace("AGAINST", against)
            .replace("RESULT", result))


correct("dedup_torch_loop", semantic_dedup=dedup())
correct("dedup_numpy_matrix_then_greedy", semantic_dedup='''
def semantic_dedup(embeddings, threshold):
    x = np.asarray(embeddings, dtype=float)
    x = x / np.linalg.norm(x, axis=1, keepdims=True)
    similarity = x @ x.T
    kept = []
    for i in range(len(x)):
        if not kept or similarity[i, kept].max() < threshold:
            kept.append(i)
    return kept
''')
correct("dedup_sklearn_cosine", semantic_dedup='''
def semantic_dedup(embeddings, threshold):
    from sklearn.metrics.pairwise import cosine_similarity
    similarity = cosine_similarity(np.asarray(embeddings))
    kept = []
    for i in range(similarity.shape[0]):
        if any(similarity[i, j] >= threshold for j in kept):
            continue
        kept.append(i)
    return kept
''')
correct("dedup_F_cosine_similarity", semantic_dedup='''
def semantic_dedup(embeddings, threshold):
    vectors = torch.as_tensor(embeddings).float()
    kept = []
    for i, vector in enumerate(vectors):
        if kept and F.cosine_similarity(vector[None], vectors[kept]).max().item() >= threshold:
            continue
        kept.append(i)
    return kept
''')
wrong("dedup_strictly_greater", semantic_dedup=dedup(compare="<="))
wrong("dedup_compares_with_dropped_too", semantic_dedup=dedup(against="range(i)"))
wrong("dedup_without_normalising", semantic_dedup=dedup(normalise="vectors"))
wrong("dedup_compares_with_last_kept_only", semantic_dedup=dedup(against="kept[-1:]"))
wrong("dedup_compares_with_first_only", semantic_dedup=dedup(against="kept[:1]"))
wrong("dedup_returns_dropped", semantic_dedup=dedup(result="[i for i in range(len(vectors)) if i not in kept]"))
wrong("dedup_returns_tensor", semantic_dedup=dedup(result="torch.tensor(kept)"))
wrong("dedup_normalises_caller_array_in_place", semantic_dedup='''
def semantic_dedup(embeddings, threshold):
    embeddings /= np.linalg.norm(np.asarray(embeddings), axis=1, keepdims=True)
    kept = []
    for i in range(len(embeddings)):
        if all(float(embeddings[i] @ embeddings[j]) < threshold for j in kept):
            kept.append(i)
    return kept
''')
wrong("dedup_returns_numpy_ints", semantic_dedup='''
def semantic_dedup(embeddings, threshold):
    x = np.asarray(embeddings, dtype=float)
    x = x / np.linalg.norm(x, axis=1, keepdims=True)
    kept = []
    for i in np.arange(len(x)):
        if all(x[i] @ x[j] < threshold for j in kept):
            kept.append(i)
    return kept
''')
