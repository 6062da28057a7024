"""Independent answers to ps05_sbert_pooling, written from the exercise's instructions only.

Written before reading the hidden tests or tests/mutants/ps05_sbert_pooling.py. Each answer replaces whole
solution cells (by grade_id) of the reference notebook; cells it does not name keep the reference.
`correct` answers follow every sentence of the instructions (in some other style); `wrong` ones break one.
"""

ASSIGNMENT = "ps05_sbert_pooling"

CORRECT: dict[str, dict[str, str]] = {}
WRONG: dict[str, dict[str, str]] = {}


def correct(name, **cells):
    CORRECT[name] = cells


def wrong(name, **cells):
    WRONG[name] = cells


# ---------------------------------------------------------------- mean_pool
correct("mean_pool_einsum", mean_pool='''
def mean_pool(token_embeddings, attention_mask):
    mask = attention_mask.to(token_embeddings.dtype)
    return torch.einsum("bsd,bs->bd", token_embeddings, mask) / mask.sum(dim=1, keepdim=True)
''')
correct("mean_pool_sentence_transformers_clamp", mean_pool='''
def mean_pool(token_embeddings, attention_mask):
    expanded = attention_mask.unsqueeze(-1).expand(token_embeddings.size()).float()
    return torch.sum(token_embeddings * expanded, 1) / torch.clamp(expanded.sum(1), min=1e-9)
''')
correct("mean_pool_masked_fill", mean_pool='''
def mean_pool(token_embeddings, attention_mask):
    padding = (attention_mask == 0).unsqueeze(-1)
    total = token_embeddings.masked_fill(padding, 0.0).sum(dim=1)
    return total / attention_mask.sum(dim=1, keepdim=True).to(token_embeddings.dtype)
''')
correct("mean_pool_bmm", mean_pool='''
def mean_pool(token_embeddings, attention_mask):
    weights = attention_mask.to(token_embeddings.dtype).unsqueeze(1)      # (batch, 1, seq)
    summed = torch.bmm(weights, token_embeddings).squeeze(1)
    return summed / weights.sum(dim=2)
''')
correct("mean_pool_where_bool", mean_pool='''
def mean_pool(token_embeddings, attention_mask):
    real = attention_mask.bool()
    kept = torch.where(real.unsqueeze(-1), token_embeddings, torch.zeros_like(token_embeddings))
    return kept.sum(dim=1) / real.sum(dim=1, keepdim=True)
''')
wrong("mean_pool_ignores_mask", mean_pool='''
def mean_pool(token_embeddings, attention_mask):
    return token_embeddings.mean(dim=1)
''')
wrong("mean_pool_divides_by_seq_len", mean_pool='''
def mean_pool(token_embeddings, attention_mask):
    mask = attention_mask.unsqueeze(-1).float()
    return (token_embeddings * mask).sum(dim=1) / token_embeddings.shape[1]
''')
wrong("mean_pool_padding_leaks_into_sum", mean_pool='''
def mean_pool(token_embeddings, attention_mask):
    return token_embeddings.sum(dim=1) / attention_mask.sum(dim=1, keepdim=True)
''')
wrong("mean_pool_divides_by_whole_batch_count", mean_pool='''
def mean_pool(token_embeddings, attention_mask):
    mask = attention_mask.unsqueeze(-1).float()
    return (token_embeddings * mask).sum(dim=1) / mask.sum()
''')
wrong("mean_pool_loops_over_batch", mean_pool='''
def mean_pool(token_embeddings, attention_mask):
    rows = []
    for b in range(token_embeddings.shape[0]):
        rows.append(token_embeddings[b][attention_mask[b].bool()].mean(dim=0))
    return torch.stack(rows)
''')
wrong("mean_pool_zeroes_padding_in_place", mean_pool='''
def mean_pool(token_embeddings, attention_mask):
    token_embeddings.mul_(attention_mask.unsqueeze(-1))
    return token_embeddings.sum(dim=1) / attention_mask.sum(dim=1, keepdim=True)
''')
wrong("mean_pool_keeps_seq_axis", mean_pool='''
def mean_pool(token_embeddings, attention_mask):
    mask = attention_mask.unsqueeze(-1).float()
    return (token_embeddings * mask).sum(dim=1, keepdim=True) / mask.sum(dim=1, keepdim=True)
''')
wrong("mean_pool_returns_numpy", mean_pool='''
def mean_pool(token_embeddings, attention_mask):
    mask = attention_mask.unsqueeze(-1).float()
    return ((token_embeddings * mask).sum(dim=1) / mask.sum(dim=1)).numpy()
''')

# ---------------------------------------------------------------- max_pool
correct("max_pool_where_finfo_min", max_pool='''
def max_pool(token_embeddings, attention_mask):
    lowest = torch.finfo(token_embeddings.dtype).min
    real = attention_mask.bool().unsqueeze(-1)
    return torch.where(real, token_embeddings, torch.full_like(token_embeddings, lowest)).amax(dim=1)
''')
correct("max_pool_sentence_transformers_minus_1e9", max_pool='''
def max_pool(token_embeddings, attention_mask):
    values = token_embeddings.clone()
    expanded = attention_mask.unsqueeze(-1).expand(values.size())
    values[expanded == 0] = -1e9
    return torch.max(values, 1)[0]
''')
correct("max_pool_loop_allowed", max_pool='''
def max_pool(token_embeddings, attention_mask):
    rows = [token_embeddings[b][attention_mask[b] == 1].max(dim=0).values
            for b in range(token_embeddings.shape[0])]
    return torch.stack(rows)
''')
correct("max_pool_masked_fill_float_inf", max_pool='''
def max_pool(token_embeddings, attention_mask):
    filled = token_embeddings.masked_fill(~attention_mask.bool()[:, :, None], float("-inf"))
    return filled.max(dim=1).values
''')
wrong("max_pool_fills_padding_with_zero", max_pool='''
def max_pool(token_embeddings, attention_mask):
    return (token_embeddings * attention_mask.unsqueeze(-1)).max(dim=1).values
''')
wrong("max_pool_ignores_mask", max_pool='''
def max_pool(token_embeddings, attention_mask):
    return token_embeddings.max(dim=1).values
''')
wrong("max_pool_masks_caller_tensor_in_place", max_pool='''
def max_pool(token_embeddings, attention_mask):
    token_embeddings.masked_fill_(attention_mask.unsqueeze(-1) == 0, float("-inf"))
    return token_embeddings.max(dim=1).values
''')
wrong("max_pool_over_feature_axis", max_pool='''
def max_pool(token_embeddings, attention_mask):
    filled = token_embeddings.masked_fill(attention_mask.unsqueeze(-1) == 0, float("-inf"))
    return filled.max(dim=2).values
''')
wrong("max_pool_returns_values_and_indices", max_pool='''
def max_pool(token_embeddings, attention_mask):
    filled = token_embeddings.masked_fill(attention_mask.unsqueeze(-1) == 0, float("-inf"))
    return filled.max(dim=1)
''')

# ---------------------------------------------------------------- cls_pool
correct("cls_pool_select", cls_pool='''
def cls_pool(token_embeddings, attention_mask):
    return token_embeddings.select(1, 0)
''')
correct("cls_pool_explicit_slices", cls_pool='''
def cls_pool(token_embeddings, attention_mask):
    return token_embeddings[:, 0, :].clone()
''')
wrong("cls_pool_last_position", cls_pool='''
def cls_pool(token_embeddings, attention_mask):
    return token_embeddings[:, -1]
''')
wrong("cls_pool_first_sentence", cls_pool='''
def cls_pool(token_embeddings, attention_mask):
    return token_embeddings[0]
''')
wrong("cls_pool_last_real_token", cls_pool='''
def cls_pool(token_embeddings, attention_mask):
    last = attention_mask.sum(dim=1) - 1
    return token_embeddings[torch.arange(token_embeddings.shape[0]), last]
''')
wrong("cls_pool_skips_cls", cls_pool='''
def cls_pool(token_embeddings, attention_mask):
    return token_embeddings[:, 1]
''')
wrong("cls_pool_keeps_seq_axis", cls_pool='''
def cls_pool(token_embeddings, attention_mask):
    return token_embeddings[:, :1]
''')

# ---------------------------------------------------------------- cosine_similarity_matrix
correct("cosine_broadcast_F_cosine_similarity", cosine_similarity_matrix='''
def cosine_similarity_matrix(a, b):
    return F.cosine_similarity(a.unsqueeze(1), b.unsqueeze(0), dim=-1)
''')
correct("cosine_divide_by_norms", cosine_similarity_matrix='''
def cosine_similarity_matrix(a, b):
    return (a @ b.T) / (a.norm(dim=1)[:, None] * b.norm(dim=1)[None, :])
''')
correct("cosine_sentence_transformers_util", cosine_similarity_matrix='''
def cosine_similarity_matrix(a, b):
    from sentence_transformers import util
    return util.cos_sim(a, b)
''')
correct("cosine_einsum", cosine_similarity_matrix='''
def cosine_similarity_matrix(a, b):
    a_unit = a / a.norm(dim=1, keepdim=True)
    b_unit = b / b.norm(dim=1, keepdim=True)
    return torch.einsum("nd,md->nm", a_unit, b_unit)
''')
correct("cosine_sklearn", cosine_similarity_matrix='''
def cosine_similarity_matrix(a, b):
    from sklearn.metrics.pairwise import cosine_similarity
    return torch.from_numpy(cosine_similarity(a.detach().numpy(), b.detach().numpy()))
''')
wrong("cosine_without_normalising", cosine_similarity_matrix='''
def cosine_similarity_matrix(a, b):
    return a @ b.T
''')
wrong("cosine_normalises_columns", cosine_similarity_matrix='''
def cosine_similarity_matrix(a, b):
    return F.normalize(a, dim=0) @ F.normalize(b, dim=0).T
''')
wrong("cosine_normalises_only_a", cosine_similarity_matrix='''
def cosine_similarity_matrix(a, b):
    return F.normalize(a, dim=1) @ b.T
''')
wrong("cosine_transposed", cosine_similarity_matrix='''
def cosine_similarity_matrix(a, b):
    return F.normalize(b, dim=1) @ F.normalize(a, dim=1).T
''')
wrong("cosine_rowwise_only", cosine_similarity_matrix='''
def cosine_similarity_matrix(a, b):
    return F.cosine_similarity(a, b, dim=1)
''')
wrong("cosine_frobenius_norms", cosine_similarity_matrix='''
def cosine_similarity_matrix(a, b):
    return (a @ b.T) / (a.norm() * b.norm())
''')
wrong("cosine_normalises_inputs_in_place", cosine_similarity_matrix='''
def cosine_similarity_matrix(a, b):
    a /= a.norm(dim=1, keepdim=True)
    b /= b.norm(dim=1, keepdim=True)
    return a @ b.T
''')
wrong("cosine_returns_numpy", cosine_similarity_matrix='''
def cosine_similarity_matrix(a, b):
    return (F.normalize(a, dim=1) @ F.normalize(b, dim=1).T).numpy()
''')

# ---------------------------------------------------------------- triplet_loss
correct("triplet_torch_module", triplet_loss='''
def triplet_loss(anchor, positive, negative, epsilon=1.0):
    return torch.nn.TripletMarginLoss(margin=epsilon)(anchor, positive, negative)
''')
correct("triplet_functional", triplet_loss='''
def triplet_loss(anchor, positive, negative, epsilon=1.0):
    return F.triplet_margin_loss(anchor, positive, negative, margin=epsilon)
''')
correct("triplet_pairwise_distance_clamp", triplet_loss='''
def triplet_loss(anchor, positive, negative, epsilon=1.0):
    gap = F.pairwise_distance(anchor, positive) - F.pairwise_distance(anchor, negative) + epsilon
    return torch.clamp(gap, min=0).mean()
''')
correct("triplet_sqrt_of_squares_maximum", triplet_loss='''
def triplet_loss(anchor, positive, negative, epsilon=1.0):
    d_pos = ((anchor - positive) ** 2).sum(dim=1).sqrt()
    d_neg = ((anchor - negative) ** 2).sum(dim=1).sqrt()
    losses = torch.maximum(d_pos - d_neg + epsilon, torch.zeros_like(d_pos))
    return losses.sum() / len(losses)
''')
correct("triplet_linalg_norm_relu", triplet_loss='''
def triplet_loss(anchor, positive, negative, epsilon=1.0):
    d_pos = torch.linalg.vector_norm(anchor - positive, dim=-1)
    d_neg = torch.linalg.vector_norm(anchor - negative, dim=-1)
    return F.relu(d_pos - d_neg + epsilon).mean()
''')
wrong("triplet_squared_distances", triplet_loss='''
def triplet_loss(anchor, positive, negative, epsilon=1.0):
    d_pos = ((anchor - positive) ** 2).sum(dim=1)
    d_neg = ((anchor - negative) ** 2).sum(dim=1)
    return F.relu(d_pos - d_neg + epsilon).mean()
''')
wrong("triplet_sum_over_batch", triplet_loss='''
def triplet_loss(anchor, positive, negative, epsilon=1.0):
    d_pos = (anchor - positive).norm(dim=1)
    d_neg = (anchor - negative).norm(dim=1)
    return F.relu(d_pos - d_neg + epsilon).sum()
''')
wrong("triplet_uses_cosine_similarity", triplet_loss='''
def triplet_loss(anchor, positive, negative, epsilon=1.0):
    s_pos = F.cosine_similarity(anchor, positive)
    s_neg = F.cosine_similarity(anchor, negative)
    return F.relu(s_pos - s_neg + epsilon).mean()
''')
wrong("triplet_no_hinge", triplet_loss='''
def triplet_loss(anchor, positive, negative, epsilon=1.0):
    d_pos = (anchor - positive).norm(dim=1)
    d_neg = (anchor - negative).norm(dim=1)
    return (d_pos - d_neg + epsilon).mean()
''')
wrong("triplet_positive_negative_swapped", triplet_loss='''
def triplet_loss(anchor, positive, negative, epsilon=1.0):
    d_pos = (anchor - positive).norm(dim=1)
    d_neg = (anchor - negative).norm(dim=1)
    return F.relu(d_neg - d_pos + epsilon).mean()
''')
wrong("triplet_margin_fixed_at_one", triplet_loss='''
def triplet_loss(anchor, positive, negative, epsilon=1.0):
    d_pos = (anchor - positive).norm(dim=1)
    d_neg = (anchor - negative).norm(dim=1)
    return F.relu(d_pos - d_neg + 1.0).mean()
''')
wrong("triplet_norm_of_whole_batch", triplet_loss='''
def triplet_loss(anchor, positive, negative, epsilon=1.0):
    return F.relu((anchor - positive).norm() - (anchor - negative).norm() + epsilon)
''')
wrong("triplet_returns_python_float", triplet_loss='''
def triplet_loss(anchor, positive, negative, epsilon=1.0):
    d_pos = (anchor - positive).norm(dim=1)
    d_neg = (anchor - negative).norm(dim=1)
    return F.relu(d_pos - d_neg + epsilon).mean().item()
''')
wrong("triplet_no_mean", triplet_loss='''
def triplet_loss(anchor, positive, negative, epsilon=1.0):
    d_pos = (anchor - positive).norm(dim=1)
    d_neg = (anchor - negative).norm(dim=1)
    return F.relu(d_pos - d_neg + epsilon)
''')
wrong("triplet_margin_outside_hinge", triplet_loss='''
def triplet_loss(anchor, positive, negative, epsilon=1.0):
    d_pos = (anchor - positive).norm(dim=1)
    d_neg = (anchor - negative).norm(dim=1)
    return (F.relu(d_pos - d_neg) + epsilon).mean()
''')

# ---------------------------------------------------------------- pair_features
correct("pair_features_hstack", pair_features='''
def pair_features(u, v):
    return torch.hstack([u, v, torch.abs(u - v)])
''')
correct("pair_features_v_minus_u", pair_features='''
def pair_features(u, v):
    return torch.cat((u, v, (v - u).abs()), dim=-1)
''')
wrong("pair_features_no_abs", pair_features='''
def pair_features(u, v):
    return torch.cat([u, v, u - v], dim=1)
''')
wrong("pair_features_concatenates_batches", pair_features='''
def pair_features(u, v):
    return torch.cat([u, v, (u - v).abs()], dim=0)
''')
wrong("pair_features_difference_first", pair_features='''
def pair_features(u, v):
    return torch.cat([(u - v).abs(), u, v], dim=1)
''')
wrong("pair_features_product_instead", pair_features='''
def pair_features(u, v):
    return torch.cat([u, v, u * v], dim=1)
''')
wrong("pair_features_stacked", pair_features='''
def pair_features(u, v):
    return torch.stack([u, v, (u - v).abs()], dim=1)
''')
wrong("pair_features_difference_of_abs", pair_features='''
def pair_features(u, v):
    return torch.cat([u, v, u.abs() - v.abs()], dim=1)
''')

# ---------------------------------------------------------------- sts_spearman
correct("sts_normalise_then_dot", sts_spearman='''
def sts_spearman(emb_1, emb_2, gold):
    cosines = (F.normalize(emb_1, dim=1) * F.normalize(emb_2, dim=1)).sum(dim=1)
    return float(spearmanr(cosines.numpy(), np.asarray(gold))[0] * 100)
''')
correct("sts_statistic_attribute", sts_spearman='''
def sts_spearman(emb_1, emb_2, gold):
    cosines = F.cosine_similarity(emb_1, emb_2, dim=1).detach().numpy()
    return float(100 * spearmanr(cosines, gold).statistic)
''')
correct("sts_numpy_cosines", sts_spearman='''
def sts_spearman(emb_1, emb_2, gold):
    x, y = emb_1.detach().numpy(), emb_2.detach().numpy()
    cosines = (x * y).sum(axis=1) / (np.linalg.norm(x, axis=1) * np.linalg.norm(y, axis=1))
    return float(spearmanr(cosines, list(gold)).correlation) * 100
''')
correct("sts_ranks_then_pearson", sts_spearman='''
def sts_spearman(emb_1, emb_2, gold):
    from scipy.stats import rankdata
    cosines = F.cosine_similarity(emb_1, emb_2).numpy()
    return float(np.corrcoef(rankdata(cosines), rankdata(gold))[0, 1] * 100)
''')
correct("sts_sentence_transformers_pairwise", sts_spearman='''
def sts_spearman(emb_1, emb_2, gold):
    from sentence_transformers import util
    cosines = util.pairwise_cos_sim(emb_1, emb_2)
    return float(spearmanr(cosines.numpy(), gold)[0]) * 100.0
''')
wrong("sts_forgets_times_100", sts_spearman='''
def sts_spearman(emb_1, emb_2, gold):
    return float(spearmanr(F.cosine_similarity(emb_1, emb_2).numpy(), gold)[0])
''')
wrong("sts_pearson_instead", sts_spearman='''
def sts_spearman(emb_1, emb_2, gold):
    from scipy.stats import pearsonr
    return float(pearsonr(F.cosine_similarity(emb_1, emb_2).numpy(), gold)[0] * 100)
''')
wrong("sts_dot_product_not_cosine", sts_spearman='''
def sts_spearman(emb_1, emb_2, gold):
    dots = (emb_1 * emb_2).sum(dim=1)
    return float(spearmanr(dots.numpy(), gold)[0] * 100)
''')
wrong("sts_euclidean_distance", sts_spearman='''
def sts_spearman(emb_1, emb_2, gold):
    distances = (emb_1 - emb_2).norm(dim=1)
    return float(spearmanr(distances.numpy(), gold)[0] * 100)
''')
wrong("sts_returns_numpy_float", sts_spearman='''
def sts_spearman(emb_1, emb_2, gold):
    return spearmanr(F.cosine_similarity(emb_1, emb_2).numpy(), gold)[0] * 100
''')
wrong("sts_returns_tensor", sts_spearman='''
def sts_spearman(emb_1, emb_2, gold):
    return torch.tensor(spearmanr(F.cosine_similarity(emb_1, emb_2).numpy(), gold)[0] * 100)
''')
wrong("sts_normalises_in_place", sts_spearman='''
def sts_spearman(emb_1, emb_2, gold):
    emb_1 /= emb_1.norm(dim=1, keepdim=True)
    emb_2 /= emb_2.norm(dim=1, keepdim=True)
    return float(spearmanr((emb_1 * emb_2).sum(dim=1).numpy(), gold)[0] * 100)
''')
