"""Independent answers to ps05_sbert_pooling, written from the exercise's instructions only.

Written before reading the hidden tests or the project's mutants (tests/mutants/). `@alternative` = a
correct answer in another style, `@mutant` = a plausible wrong answer (the mistake in its name); `breaks` is
left empty: benchmarks/fidelity.py only counts who loses points.
"""
import numpy as np
import torch
import torch.nn.functional as F
from scipy.stats import spearmanr

from llmcourse.authoring.mutation import alternative, mutant


@alternative("mean_pool")
def right_mean_pool_einsum(token_embeddings, attention_mask):
    mask = attention_mask.to(token_embeddings.dtype)
    return torch.einsum("bsd,bs->bd", token_embeddings, mask) / mask.sum(dim=1, keepdim=True)


@alternative("mean_pool")
def right_mean_pool_sentence_transformers_clamp(token_embeddings, attention_mask):
    expanded = attention_mask.unsqueeze(-1).expand(token_embeddings.size()).float()
    return torch.sum(token_embeddings * expanded, 1) / torch.clamp(expanded.sum(1), min=1e-9)


@alternative("mean_pool")
def right_mean_pool_masked_fill(token_embeddings, attention_mask):
    padding = (attention_mask == 0).unsqueeze(-1)
    total = token_embeddings.masked_fill(padding, 0.0).sum(dim=1)
    return total / attention_mask.sum(dim=1, keepdim=True).to(token_embeddings.dtype)


@alternative("mean_pool")
def right_mean_pool_bmm(token_embeddings, attention_mask):
    weights = attention_mask.to(token_embeddings.dtype).unsqueeze(1)      # (batch, 1, seq)
    summed = torch.bmm(weights, token_embeddings).squeeze(1)
    return summed / weights.sum(dim=2)


@alternative("mean_pool")
def right_mean_pool_where_bool(token_embeddings, attention_mask):
    real = attention_mask.bool()
    kept = torch.where(real.unsqueeze(-1), token_embeddings, torch.zeros_like(token_embeddings))
    return kept.sum(dim=1) / real.sum(dim=1, keepdim=True)


@alternative("max_pool")
def right_max_pool_where_finfo_min(token_embeddings, attention_mask):
    lowest = torch.finfo(token_embeddings.dtype).min
    real = attention_mask.bool().unsqueeze(-1)
    return torch.where(real, token_embeddings, torch.full_like(token_embeddings, lowest)).amax(dim=1)


@alternative("max_pool")
def right_max_pool_sentence_transformers_minus_1e9(token_embeddings, attention_mask):
    values = token_embeddings.clone()
    expanded = attention_mask.unsqueeze(-1).expand(values.size())
    values[expanded == 0] = -1e9
    return torch.max(values, 1)[0]


@alternative("max_pool")
def right_max_pool_loop_allowed(token_embeddings, attention_mask):
    rows = [token_embeddings[b][attention_mask[b] == 1].max(dim=0).values
            for b in range(token_embeddings.shape[0])]
    return torch.stack(rows)


@alternative("max_pool")
def right_max_pool_masked_fill_float_inf(token_embeddings, attention_mask):
    filled = token_embeddings.masked_fill(~attention_mask.bool()[:, :, None], float("-inf"))
    return filled.max(dim=1).values


@alternative("cls_pool")
def right_cls_pool_select(token_embeddings, attention_mask):
    return token_embeddings.select(1, 0)


@alternative("cls_pool")
def right_cls_pool_explicit_slices(token_embeddings, attention_mask):
    return token_embeddings[:, 0, :].clone()


@alternative("cosine_similarity_matrix")
def right_cosine_broadcast_F_cosine_similarity(a, b):
    return F.cosine_similarity(a.unsqueeze(1), b.unsqueeze(0), dim=-1)


@alternative("cosine_similarity_matrix")
def right_cosine_divide_by_norms(a, b):
    return (a @ b.T) / (a.norm(dim=1)[:, None] * b.norm(dim=1)[None, :])


@alternative("cosine_similarity_matrix")
def right_cosine_sentence_transformers_util(a, b):
    from sentence_transformers import util
    return util.cos_sim(a, b)


@alternative("cosine_similarity_matrix")
def right_cosine_einsum(a, b):
    a_unit = a / a.norm(dim=1, keepdim=True)
    b_unit = b / b.norm(dim=1, keepdim=True)
    return torch.einsum("nd,md->nm", a_unit, b_unit)


@alternative("cosine_similarity_matrix")
def right_cosine_sklearn(a, b):
    from sklearn.metrics.pairwise import cosine_similarity
    return torch.from_numpy(cosine_similarity(a.detach().numpy(), b.detach().numpy()))


@alternative("triplet_loss")
def right_triplet_torch_module(anchor, positive, negative, epsilon=1.0):
    return torch.nn.TripletMarginLoss(margin=epsilon)(anchor, positive, negative)


@alternative("triplet_loss")
def right_triplet_functional(anchor, positive, negative, epsilon=1.0):
    return F.triplet_margin_loss(anchor, positive, negative, margin=epsilon)


@alternative("triplet_loss")
def right_triplet_pairwise_distance_clamp(anchor, positive, negative, epsilon=1.0):
    gap = F.pairwise_distance(anchor, positive) - F.pairwise_distance(anchor, negative) + epsilon
    return torch.clamp(gap, min=0).mean()


@alternative("triplet_loss")
def right_triplet_sqrt_of_squares_maximum(anchor, positive, negative, epsilon=1.0):
    d_pos = ((anchor - positive) ** 2).sum(dim=1).sqrt()
    d_neg = ((anchor - negative) ** 2).sum(dim=1).sqrt()
    losses = torch.maximum(d_pos - d_neg + epsilon, torch.zeros_like(d_pos))
    return losses.sum() / len(losses)


@alternative("triplet_loss")
def right_triplet_linalg_norm_relu(anchor, positive, negative, epsilon=1.0):
    d_pos = torch.linalg.vector_norm(anchor - positive, dim=-1)
    d_neg = torch.linalg.vector_norm(anchor - negative, dim=-1)
    return F.relu(d_pos - d_neg + epsilon).mean()


@alternative("pair_features")
def right_pair_features_hstack(u, v):
    return torch.hstack([u, v, torch.abs(u - v)])


@alternative("pair_features")
def right_pair_features_v_minus_u(u, v):
    return torch.cat((u, v, (v - u).abs()), dim=-1)


@alternative("sts_spearman")
def right_sts_normalise_then_dot(emb_1, emb_2, gold):
    cosines = (F.normalize(emb_1, dim=1) * F.normalize(emb_2, dim=1)).sum(dim=1)
    return float(spearmanr(cosines.numpy(), np.asarray(gold))[0] * 100)


@alternative("sts_spearman")
def right_sts_statistic_attribute(emb_1, emb_2, gold):
    cosines = F.cosine_similarity(emb_1, emb_2, dim=1).detach().numpy()
    return float(100 * spearmanr(cosines, gold).statistic)


@alternative("sts_spearman")
def right_sts_numpy_cosines(emb_1, emb_2, gold):
    x, y = emb_1.detach().numpy(), emb_2.detach().numpy()
    cosines = (x * y).sum(axis=1) / (np.linalg.norm(x, axis=1) * np.linalg.norm(y, axis=1))
    return float(spearmanr(cosines, list(gold)).correlation) * 100


@alternative("sts_spearman")
def right_sts_ranks_then_pearson(emb_1, emb_2, gold):
    from scipy.stats import rankdata
    cosines = F.cosine_similarity(emb_1, emb_2).numpy()
    return float(np.corrcoef(rankdata(cosines), rankdata(gold))[0, 1] * 100)


@alternative("sts_spearman")
def right_sts_sentence_transformers_pairwise(emb_1, emb_2, gold):
    from sentence_transformers import util
    cosines = util.pairwise_cos_sim(emb_1, emb_2)
    return float(spearmanr(cosines.numpy(), gold)[0]) * 100.0


@mutant("mean_pool", breaks=[])
def wrong_mean_pool_ignores_mask(token_embeddings, attention_mask):
    return token_embeddings.mean(dim=1)


@mutant("mean_pool", breaks=[])
def wrong_mean_pool_divides_by_seq_len(token_embeddings, attention_mask):
    mask = attention_mask.unsqueeze(-1).float()
    return (token_embeddings * mask).sum(dim=1) / token_embeddings.shape[1]


@mutant("mean_pool", breaks=[])
def wrong_mean_pool_padding_leaks_into_sum(token_embeddings, attention_mask):
    return token_embeddings.sum(dim=1) / attention_mask.sum(dim=1, keepdim=True)


@mutant("mean_pool", breaks=[])
def wrong_mean_pool_divides_by_whole_batch_count(token_embeddings, attention_mask):
    mask = attention_mask.unsqueeze(-1).float()
    return (token_embeddings * mask).sum(dim=1) / mask.sum()


@mutant("mean_pool", breaks=[])
def wrong_mean_pool_loops_over_batch(token_embeddings, attention_mask):
    rows = []
    for b in range(token_embeddings.shape[0]):
        rows.append(token_embeddings[b][attention_mask[b].bool()].mean(dim=0))
    return torch.stack(rows)


@mutant("mean_pool", breaks=[])
def wrong_mean_pool_zeroes_padding_in_place(token_embeddings, attention_mask):
    token_embeddings.mul_(attention_mask.unsqueeze(-1))
    return token_embeddings.sum(dim=1) / attention_mask.sum(dim=1, keepdim=True)


@mutant("mean_pool", breaks=[])
def wrong_mean_pool_keeps_seq_axis(token_embeddings, attention_mask):
    mask = attention_mask.unsqueeze(-1).float()
    return (token_embeddings * mask).sum(dim=1, keepdim=True) / mask.sum(dim=1, keepdim=True)


@mutant("mean_pool", breaks=[])
def wrong_mean_pool_returns_numpy(token_embeddings, attention_mask):
    mask = attention_mask.unsqueeze(-1).float()
    return ((token_embeddings * mask).sum(dim=1) / mask.sum(dim=1)).numpy()


@mutant("max_pool", breaks=[])
def wrong_max_pool_fills_padding_with_zero(token_embeddings, attention_mask):
    return (token_embeddings * attention_mask.unsqueeze(-1)).max(dim=1).values


@mutant("max_pool", breaks=[])
def wrong_max_pool_ignores_mask(token_embeddings, attention_mask):
    return token_embeddings.max(dim=1).values


@mutant("max_pool", breaks=[])
def wrong_max_pool_masks_caller_tensor_in_place(token_embeddings, attention_mask):
    token_embeddings.masked_fill_(attention_mask.unsqueeze(-1) == 0, float("-inf"))
    return token_embeddings.max(dim=1).values


@mutant("max_pool", breaks=[])
def wrong_max_pool_over_feature_axis(token_embeddings, attention_mask):
    filled = token_embeddings.masked_fill(attention_mask.unsqueeze(-1) == 0, float("-inf"))
    return filled.max(dim=2).values


@mutant("max_pool", breaks=[])
def wrong_max_pool_returns_values_and_indices(token_embeddings, attention_mask):
    filled = token_embeddings.masked_fill(attention_mask.unsqueeze(-1) == 0, float("-inf"))
    return filled.max(dim=1)


@mutant("cls_pool", breaks=[])
def wrong_cls_pool_last_position(token_embeddings, attention_mask):
    return token_embeddings[:, -1]


@mutant("cls_pool", breaks=[])
def wrong_cls_pool_first_sentence(token_embeddings, attention_mask):
    return token_embeddings[0]


@mutant("cls_pool", breaks=[])
def wrong_cls_pool_last_real_token(token_embeddings, attention_mask):
    last = attention_mask.sum(dim=1) - 1
    return token_embeddings[torch.arange(token_embeddings.shape[0]), last]


@mutant("cls_pool", breaks=[])
def wrong_cls_pool_skips_cls(token_embeddings, attention_mask):
    return token_embeddings[:, 1]


@mutant("cls_pool", breaks=[])
def wrong_cls_pool_keeps_seq_axis(token_embeddings, attention_mask):
    return token_embeddings[:, :1]


@mutant("cosine_similarity_matrix", breaks=[])
def wrong_cosine_without_normalising(a, b):
    return a @ b.T


@mutant("cosine_similarity_matrix", breaks=[])
def wrong_cosine_normalises_columns(a, b):
    return F.normalize(a, dim=0) @ F.normalize(b, dim=0).T


@mutant("cosine_similarity_matrix", breaks=[])
def wrong_cosine_normalises_only_a(a, b):
    return F.normalize(a, dim=1) @ b.T


@mutant("cosine_similarity_matrix", breaks=[])
def wrong_cosine_transposed(a, b):
    return F.normalize(b, dim=1) @ F.normalize(a, dim=1).T


@mutant("cosine_similarity_matrix", breaks=[])
def wrong_cosine_rowwise_only(a, b):
    return F.cosine_similarity(a, b, dim=1)


@mutant("cosine_similarity_matrix", breaks=[])
def wrong_cosine_frobenius_norms(a, b):
    return (a @ b.T) / (a.norm() * b.norm())


@mutant("cosine_similarity_matrix", breaks=[])
def wrong_cosine_normalises_inputs_in_place(a, b):
    a /= a.norm(dim=1, keepdim=True)
    b /= b.norm(dim=1, keepdim=True)
    return a @ b.T


@mutant("cosine_similarity_matrix", breaks=[])
def wrong_cosine_returns_numpy(a, b):
    return (F.normalize(a, dim=1) @ F.normalize(b, dim=1).T).numpy()


@mutant("triplet_loss", breaks=[])
def wrong_triplet_squared_distances(anchor, positive, negative, epsilon=1.0):
    d_pos = ((anchor - positive) ** 2).sum(dim=1)
    d_neg = ((anchor - negative) ** 2).sum(dim=1)
    return F.relu(d_pos - d_neg + epsilon).mean()


@mutant("triplet_loss", breaks=[])
def wrong_triplet_sum_over_batch(anchor, positive, negative, epsilon=1.0):
    d_pos = (anchor - positive).norm(dim=1)
    d_neg = (anchor - negative).norm(dim=1)
    return F.relu(d_pos - d_neg + epsilon).sum()


@mutant("triplet_loss", breaks=[])
def wrong_triplet_uses_cosine_similarity(anchor, positive, negative, epsilon=1.0):
    s_pos = F.cosine_similarity(anchor, positive)
    s_neg = F.cosine_similarity(anchor, negative)
    return F.relu(s_pos - s_neg + epsilon).mean()


@mutant("triplet_loss", breaks=[])
def wrong_triplet_no_hinge(anchor, positive, negative, epsilon=1.0):
    d_pos = (anchor - positive).norm(dim=1)
    d_neg = (anchor - negative).norm(dim=1)
    return (d_pos - d_neg + epsilon).mean()


@mutant("triplet_loss", breaks=[])
def wrong_triplet_positive_negative_swapped(anchor, positive, negative, epsilon=1.0):
    d_pos = (anchor - positive).norm(dim=1)
    d_neg = (anchor - negative).norm(dim=1)
    return F.relu(d_neg - d_pos + epsilon).mean()


@mutant("triplet_loss", breaks=[])
def wrong_triplet_margin_fixed_at_one(anchor, positive, negative, epsilon=1.0):
    d_pos = (anchor - positive).norm(dim=1)
    d_neg = (anchor - negative).norm(dim=1)
    return F.relu(d_pos - d_neg + 1.0).mean()


@mutant("triplet_loss", breaks=[])
def wrong_triplet_norm_of_whole_batch(anchor, positive, negative, epsilon=1.0):
    return F.relu((anchor - positive).norm() - (anchor - negative).norm() + epsilon)


@mutant("triplet_loss", breaks=[])
def wrong_triplet_returns_python_float(anchor, positive, negative, epsilon=1.0):
    d_pos = (anchor - positive).norm(dim=1)
    d_neg = (anchor - negative).norm(dim=1)
    return F.relu(d_pos - d_neg + epsilon).mean().item()


@mutant("triplet_loss", breaks=[])
def wrong_triplet_no_mean(anchor, positive, negative, epsilon=1.0):
    d_pos = (anchor - positive).norm(dim=1)
    d_neg = (anchor - negative).norm(dim=1)
    return F.relu(d_pos - d_neg + epsilon)


@mutant("triplet_loss", breaks=[])
def wrong_triplet_margin_outside_hinge(anchor, positive, negative, epsilon=1.0):
    d_pos = (anchor - positive).norm(dim=1)
    d_neg = (anchor - negative).norm(dim=1)
    return (F.relu(d_pos - d_neg) + epsilon).mean()


@mutant("pair_features", breaks=[])
def wrong_pair_features_no_abs(u, v):
    return torch.cat([u, v, u - v], dim=1)


@mutant("pair_features", breaks=[])
def wrong_pair_features_concatenates_batches(u, v):
    return torch.cat([u, v, (u - v).abs()], dim=0)


@mutant("pair_features", breaks=[])
def wrong_pair_features_difference_first(u, v):
    return torch.cat([(u - v).abs(), u, v], dim=1)


@mutant("pair_features", breaks=[])
def wrong_pair_features_product_instead(u, v):
    return torch.cat([u, v, u * v], dim=1)


@mutant("pair_features", breaks=[])
def wrong_pair_features_stacked(u, v):
    return torch.stack([u, v, (u - v).abs()], dim=1)


@mutant("pair_features", breaks=[])
def wrong_pair_features_difference_of_abs(u, v):
    return torch.cat([u, v, u.abs() - v.abs()], dim=1)


@mutant("sts_spearman", breaks=[])
def wrong_sts_forgets_times_100(emb_1, emb_2, gold):
    return float(spearmanr(F.cosine_similarity(emb_1, emb_2).numpy(), gold)[0])


@mutant("sts_spearman", breaks=[])
def wrong_sts_pearson_instead(emb_1, emb_2, gold):
    from scipy.stats import pearsonr
    return float(pearsonr(F.cosine_similarity(emb_1, emb_2).numpy(), gold)[0] * 100)


@mutant("sts_spearman", breaks=[])
def wrong_sts_dot_product_not_cosine(emb_1, emb_2, gold):
    dots = (emb_1 * emb_2).sum(dim=1)
    return float(spearmanr(dots.numpy(), gold)[0] * 100)


@mutant("sts_spearman", breaks=[])
def wrong_sts_euclidean_distance(emb_1, emb_2, gold):
    distances = (emb_1 - emb_2).norm(dim=1)
    return float(spearmanr(distances.numpy(), gold)[0] * 100)


@mutant("sts_spearman", breaks=[])
def wrong_sts_returns_numpy_float(emb_1, emb_2, gold):
    return spearmanr(F.cosine_similarity(emb_1, emb_2).numpy(), gold)[0] * 100


@mutant("sts_spearman", breaks=[])
def wrong_sts_returns_tensor(emb_1, emb_2, gold):
    return torch.tensor(spearmanr(F.cosine_similarity(emb_1, emb_2).numpy(), gold)[0] * 100)


@mutant("sts_spearman", breaks=[])
def wrong_sts_normalises_in_place(emb_1, emb_2, gold):
    emb_1 /= emb_1.norm(dim=1, keepdim=True)
    emb_2 /= emb_2.norm(dim=1, keepdim=True)
    return float(spearmanr((emb_1 * emb_2).sum(dim=1).numpy(), gold)[0] * 100)
