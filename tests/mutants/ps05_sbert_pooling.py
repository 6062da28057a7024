"""Plausible wrong answers to ps05 (SBERT pooling, cosine matrix, triplet loss, pair features, STS evaluation);
each graded test cell must catch them. Each mutant is named for its mistake; `breaks` lists the cells that must
lose points. At the end: correct alternatives (other styles, library calls) that must keep full marks."""
import numpy as np
import torch
import torch.nn.functional as F
from scipy.stats import pearsonr, spearmanr

from llmcourse.authoring.mutation import alternative, mutant


# --- Part 1: mean_pool ---------------------------------------------------------------------------------------------
@mutant("mean_pool", breaks=["test_mean_pool"])
def mean_divides_by_padded_length(token_embeddings, attention_mask):
    mask = attention_mask.unsqueeze(-1).to(token_embeddings.dtype)
    return (token_embeddings * mask).sum(dim=1) / token_embeddings.shape[1]


@mutant("mean_pool", breaks=["test_mean_pool"])
def mean_ignores_mask(token_embeddings, attention_mask):
    return token_embeddings.mean(dim=1)


@mutant("mean_pool", breaks=["test_mean_pool"])
def mean_sums_padding_divides_by_real_length(token_embeddings, attention_mask):
    mask = attention_mask.unsqueeze(-1).to(token_embeddings.dtype)
    return token_embeddings.sum(dim=1) / mask.sum(dim=1)


@mutant("mean_pool", breaks=["test_mean_pool"])
def mean_over_feature_axis(token_embeddings, attention_mask):
    mask = attention_mask.to(token_embeddings.dtype)
    return (token_embeddings.mean(dim=2) * mask)


# --- Part 2: max_pool ----------------------------------------------------------------------------------------------
@mutant("max_pool", breaks=["test_max_pool"])
def max_over_padding(token_embeddings, attention_mask):
    return token_embeddings.max(dim=1).values


@mutant("max_pool", breaks=["test_max_pool"])
def max_with_padding_multiplied_to_zero(token_embeddings, attention_mask):
    mask = attention_mask.unsqueeze(-1).to(token_embeddings.dtype)
    return (token_embeddings * mask).max(dim=1).values


@mutant("max_pool", breaks=["test_max_pool"])
def max_pool_returns_mean(token_embeddings, attention_mask):
    mask = attention_mask.unsqueeze(-1).to(token_embeddings.dtype)
    return (token_embeddings * mask).sum(dim=1) / mask.sum(dim=1)


@mutant("max_pool", breaks=["test_max_pool"])
def max_over_feature_axis(token_embeddings, attention_mask):
    padding = attention_mask.unsqueeze(-1) == 0
    return token_embeddings.masked_fill(padding, float("-inf")).max(dim=2).values


# --- Part 3: cls_pool ----------------------------------------------------------------------------------------------
@mutant("cls_pool", breaks=["test_cls_pool"])
def cls_takes_last_position(token_embeddings, attention_mask):
    return token_embeddings[:, -1]


@mutant("cls_pool", breaks=["test_cls_pool"])
def cls_takes_first_sentence(token_embeddings, attention_mask):
    return token_embeddings[0]


@mutant("cls_pool", breaks=["test_cls_pool"])
def cls_takes_last_real_token(token_embeddings, attention_mask):
    last = attention_mask.sum(dim=1) - 1
    return token_embeddings[torch.arange(token_embeddings.shape[0]), last]


@mutant("cls_pool", breaks=["test_cls_pool"])
def cls_takes_second_token(token_embeddings, attention_mask):
    return token_embeddings[:, 1]


# --- Part 4: cosine_similarity_matrix ------------------------------------------------------------------------------
@mutant("cosine_similarity_matrix", breaks=["test_cosine_matrix"])
def cosine_without_normalising(a, b):
    return a @ b.T


@mutant("cosine_similarity_matrix", breaks=["test_cosine_matrix"])
def cosine_normalising_columns(a, b):
    return F.normalize(a, dim=0) @ F.normalize(b, dim=0).T


@mutant("cosine_similarity_matrix", breaks=["test_cosine_matrix"])
def cosine_normalising_only_a(a, b):
    return F.normalize(a, dim=1) @ b.T


@mutant("cosine_similarity_matrix", breaks=["test_cosine_matrix"])
def euclidean_distance_instead_of_cosine(a, b):
    return torch.cdist(F.normalize(a, dim=1), F.normalize(b, dim=1))


# --- Part 5: triplet_loss ------------------------------------------------------------------------------------------
@mutant("triplet_loss", breaks=["test_triplet_loss"])
def triplet_without_clamp(anchor, positive, negative, epsilon=1.0):
    return ((anchor - positive).norm(dim=1) - (anchor - negative).norm(dim=1) + epsilon).mean()


@mutant("triplet_loss", breaks=["test_triplet_loss"])
def triplet_with_similarity_instead_of_distance(anchor, positive, negative, epsilon=1.0):
    s_pos = F.cosine_similarity(anchor, positive, dim=1)
    s_neg = F.cosine_similarity(anchor, negative, dim=1)
    return torch.clamp(s_pos - s_neg + epsilon, min=0).mean()


@mutant("triplet_loss", breaks=["test_triplet_loss"])
def triplet_positive_and_negative_swapped(anchor, positive, negative, epsilon=1.0):
    return torch.clamp((anchor - negative).norm(dim=1) - (anchor - positive).norm(dim=1) + epsilon, min=0).mean()


@mutant("triplet_loss", breaks=["test_triplet_loss"])
def triplet_without_margin(anchor, positive, negative, epsilon=1.0):
    return torch.clamp((anchor - positive).norm(dim=1) - (anchor - negative).norm(dim=1), min=0).mean()


@mutant("triplet_loss", breaks=["test_triplet_loss"])
def triplet_squared_distances(anchor, positive, negative, epsilon=1.0):
    d_pos = ((anchor - positive) ** 2).sum(dim=1)
    d_neg = ((anchor - negative) ** 2).sum(dim=1)
    return torch.clamp(d_pos - d_neg + epsilon, min=0).mean()


@mutant("triplet_loss", breaks=["test_triplet_loss"])
def triplet_sum_over_batch(anchor, positive, negative, epsilon=1.0):
    d_pos, d_neg = (anchor - positive).norm(dim=1), (anchor - negative).norm(dim=1)
    return torch.clamp(d_pos - d_neg + epsilon, min=0).sum()


@mutant("triplet_loss", breaks=["test_triplet_loss"])
def triplet_margin_hard_coded_to_one(anchor, positive, negative, epsilon=1.0):
    d_pos, d_neg = (anchor - positive).norm(dim=1), (anchor - negative).norm(dim=1)
    return torch.clamp(d_pos - d_neg + 1.0, min=0).mean()


# --- Part 6: pair_features -----------------------------------------------------------------------------------------
@mutant("pair_features", breaks=["test_pair_features"])
def features_signed_difference(u, v):
    return torch.cat([u, v, u - v], dim=-1)


@mutant("pair_features", breaks=["test_pair_features"])
def features_concatenated_along_batch(u, v):
    return torch.cat([u, v, (u - v).abs()], dim=0)


@mutant("pair_features", breaks=["test_pair_features"])
def features_in_wrong_order(u, v):
    return torch.cat([u, (u - v).abs(), v], dim=-1)


@mutant("pair_features", breaks=["test_pair_features"])
def features_with_product_instead_of_difference(u, v):
    return torch.cat([u, v, u * v], dim=-1)


# --- Part 7: sts_spearman ------------------------------------------------------------------------------------------
@mutant("sts_spearman", breaks=["test_sts_spearman"])
def spearman_not_times_100(emb_1, emb_2, gold):
    return float(spearmanr(F.cosine_similarity(emb_1, emb_2, dim=1).numpy(), np.asarray(gold, float)).statistic)


@mutant("sts_spearman", breaks=["test_sts_spearman"])
def spearman_of_euclidean_distance(emb_1, emb_2, gold):
    distances = (emb_1 - emb_2).norm(dim=1).numpy()
    return float(spearmanr(distances, np.asarray(gold, float)).statistic * 100)


@mutant("sts_spearman", breaks=["test_sts_spearman"])
def pearson_instead_of_spearman(emb_1, emb_2, gold):
    return float(pearsonr(F.cosine_similarity(emb_1, emb_2, dim=1).numpy(), np.asarray(gold, float)).statistic * 100)


@mutant("sts_spearman", breaks=["test_sts_spearman"])
def spearman_of_dot_product(emb_1, emb_2, gold):
    return float(spearmanr((emb_1 * emb_2).sum(dim=1).numpy(), np.asarray(gold, float)).statistic * 100)


# --- rules the instructions state: no loops, inputs unchanged, exact types, bool masks --------------------------
@mutant("mean_pool", breaks=["test_mean_pool"])
def mean_loops_over_the_batch(token_embeddings, attention_mask):
    rows = []
    for b in range(token_embeddings.shape[0]):
        rows.append(token_embeddings[b][attention_mask[b].bool()].mean(dim=0))
    return torch.stack(rows)


@mutant("mean_pool", breaks=["test_mean_pool"])
def mean_zeroes_padding_of_the_callers_tensor(token_embeddings, attention_mask):
    token_embeddings.mul_(attention_mask.unsqueeze(-1))
    return token_embeddings.sum(dim=1) / attention_mask.sum(dim=1, keepdim=True)


@mutant("mean_pool", breaks=["test_mean_pool"])
def mean_returns_numpy(token_embeddings, attention_mask):
    mask = attention_mask.unsqueeze(-1).to(token_embeddings.dtype)
    return ((token_embeddings * mask).sum(dim=1) / mask.sum(dim=1)).numpy()


@mutant("mean_pool", breaks=["test_mean_pool"])
def mean_fails_on_bool_mask(token_embeddings, attention_mask):
    summed = (token_embeddings * attention_mask.unsqueeze(-1)).sum(dim=1)
    return summed / (attention_mask.shape[1] - (1 - attention_mask).sum(dim=1, keepdim=True))


@mutant("max_pool", breaks=["test_max_pool"])
def max_fills_the_callers_tensor(token_embeddings, attention_mask):
    token_embeddings.masked_fill_(attention_mask.unsqueeze(-1) == 0, float("-inf"))
    return token_embeddings.max(dim=1).values


@mutant("max_pool", breaks=["test_max_pool"])
def max_returns_values_and_indices(token_embeddings, attention_mask):
    return token_embeddings.masked_fill(attention_mask.unsqueeze(-1) == 0, float("-inf")).max(dim=1)


@mutant("max_pool", breaks=["test_max_pool"])
def max_mask_arithmetic_fails_on_bool_mask(token_embeddings, attention_mask):
    return (token_embeddings + (attention_mask.unsqueeze(-1) - 1) * 1e9).max(dim=1).values


@mutant("cls_pool", breaks=["test_cls_pool"])
def cls_keeps_the_token_axis(token_embeddings, attention_mask):
    return token_embeddings[:, :1]


@mutant("cls_pool", breaks=["test_cls_pool"])
def cls_returns_numpy(token_embeddings, attention_mask):
    return token_embeddings[:, 0].numpy()


@mutant("cosine_similarity_matrix", breaks=["test_cosine_matrix"])
def cosine_normalises_the_callers_tensors(a, b):
    a /= a.norm(dim=1, keepdim=True)
    b /= b.norm(dim=1, keepdim=True)
    return a @ b.T


@mutant("cosine_similarity_matrix", breaks=["test_cosine_matrix"])
def cosine_returns_numpy(a, b):
    return (F.normalize(a, dim=1) @ F.normalize(b, dim=1).T).numpy()


@mutant("cosine_similarity_matrix", breaks=["test_cosine_matrix"])
def cosine_loops_over_rows(a, b):
    rows = []
    for row in a:
        rows.append(F.cosine_similarity(row[None, :], b, dim=1))
    return torch.stack(rows)


@mutant("cosine_similarity_matrix", breaks=["test_cosine_matrix"])
def cosine_matrix_transposed(a, b):
    return F.normalize(b, dim=1) @ F.normalize(a, dim=1).T


@mutant("triplet_loss", breaks=["test_triplet_loss"])
def triplet_returns_python_float(anchor, positive, negative, epsilon=1.0):
    d_pos, d_neg = (anchor - positive).norm(dim=1), (anchor - negative).norm(dim=1)
    return torch.clamp(d_pos - d_neg + epsilon, min=0).mean().item()


@mutant("triplet_loss", breaks=["test_triplet_loss"])
def triplet_detached_from_the_graph(anchor, positive, negative, epsilon=1.0):
    d_pos, d_neg = (anchor - positive).norm(dim=1), (anchor - negative).norm(dim=1)
    return torch.clamp(d_pos - d_neg + epsilon, min=0).mean().detach()


@mutant("triplet_loss", breaks=["test_triplet_loss"])
def triplet_per_triplet_not_mean(anchor, positive, negative, epsilon=1.0):
    d_pos, d_neg = (anchor - positive).norm(dim=1), (anchor - negative).norm(dim=1)
    return torch.clamp(d_pos - d_neg + epsilon, min=0)


@mutant("triplet_loss", breaks=["test_triplet_loss"])
def triplet_margin_outside_the_max(anchor, positive, negative, epsilon=1.0):
    d_pos, d_neg = (anchor - positive).norm(dim=1), (anchor - negative).norm(dim=1)
    return (torch.clamp(d_pos - d_neg, min=0) + epsilon).mean()


@mutant("pair_features", breaks=["test_pair_features"])
def features_subtract_in_place_from_u(u, v):
    difference = u.sub_(v).abs()
    return torch.cat([u + v, v, difference], dim=-1)


@mutant("pair_features", breaks=["test_pair_features"])
def features_stacked_not_concatenated(u, v):
    return torch.stack([u, v, (u - v).abs()], dim=1)


@mutant("sts_spearman", breaks=["test_sts_spearman"])
def spearman_returns_numpy_float(emb_1, emb_2, gold):
    return spearmanr(F.cosine_similarity(emb_1, emb_2, dim=1).numpy(), gold).statistic * 100


@mutant("sts_spearman", breaks=["test_sts_spearman"])
def spearman_returns_tensor(emb_1, emb_2, gold):
    return torch.tensor(spearmanr(F.cosine_similarity(emb_1, emb_2, dim=1).numpy(), gold).statistic * 100)


@mutant("sts_spearman", breaks=["test_sts_spearman"])
def spearman_normalises_the_callers_tensors(emb_1, emb_2, gold):
    emb_1 /= emb_1.norm(dim=1, keepdim=True)
    emb_2 /= emb_2.norm(dim=1, keepdim=True)
    return float(spearmanr((emb_1 * emb_2).sum(dim=1).numpy(), gold).statistic * 100)


# --- correct alternatives: each must keep full marks ----------------------------------------------------------------
@alternative("mean_pool")
def mean_pool_with_einsum(token_embeddings, attention_mask):
    mask = attention_mask.to(token_embeddings.dtype)
    return torch.einsum("bsd,bs->bd", token_embeddings, mask) / mask.sum(dim=1, keepdim=True)


@alternative("mean_pool")
def mean_pool_as_sentence_transformers(token_embeddings, attention_mask):
    expanded = attention_mask.unsqueeze(-1).expand(token_embeddings.size()).float()
    return torch.sum(token_embeddings * expanded, 1) / torch.clamp(expanded.sum(1), min=1e-9)


@alternative("mean_pool")
def mean_pool_with_bmm_in_float64(token_embeddings, attention_mask):
    weights = attention_mask.double().unsqueeze(1)
    summed = torch.bmm(weights, token_embeddings.double()).squeeze(1)
    return (summed / weights.sum(dim=2)).to(token_embeddings.dtype)


@alternative("mean_pool")
def mean_pool_with_where(token_embeddings, attention_mask):
    real = attention_mask.bool().unsqueeze(-1)
    kept = torch.where(real, token_embeddings, torch.zeros_like(token_embeddings))
    return kept.sum(dim=1) / real.sum(dim=1)


@alternative("max_pool")
def max_pool_with_a_loop(token_embeddings, attention_mask):
    rows = []
    for b in range(token_embeddings.shape[0]):
        rows.append(token_embeddings[b][attention_mask[b].bool()].max(dim=0).values)
    return torch.stack(rows)


@alternative("max_pool")
def max_pool_as_sentence_transformers(token_embeddings, attention_mask):
    values = token_embeddings.clone()
    values[attention_mask.unsqueeze(-1).expand(values.size()) == 0] = -1e9
    return torch.max(values, 1)[0]


@alternative("max_pool")
def max_pool_with_where_and_amax(token_embeddings, attention_mask):
    lowest = torch.finfo(token_embeddings.dtype).min
    real = attention_mask.bool().unsqueeze(-1)
    return torch.where(real, token_embeddings, torch.full_like(token_embeddings, lowest)).amax(dim=1)


@alternative("cls_pool")
def cls_pool_with_select(token_embeddings, attention_mask):
    return token_embeddings.select(1, 0)


@alternative("cls_pool")
def cls_pool_with_a_loop(token_embeddings, attention_mask):
    return torch.stack([sentence[0] for sentence in token_embeddings])


@alternative("cosine_similarity_matrix")
def cosine_matrix_broadcast_cosine_similarity(a, b):
    return F.cosine_similarity(a.unsqueeze(1), b.unsqueeze(0), dim=-1)


@alternative("cosine_similarity_matrix")
def cosine_matrix_from_sentence_transformers(a, b):
    from sentence_transformers import util

    return util.cos_sim(a, b)


@alternative("cosine_similarity_matrix")
def cosine_matrix_from_sklearn(a, b):
    from sklearn.metrics.pairwise import cosine_similarity

    return torch.from_numpy(cosine_similarity(a.detach().numpy(), b.detach().numpy()))


@alternative("cosine_similarity_matrix")
def cosine_matrix_dividing_by_norms(a, b):
    return (a @ b.T) / (a.norm(dim=1)[:, None] * b.norm(dim=1)[None, :])


@alternative("triplet_loss")
def triplet_with_torch_module(anchor, positive, negative, epsilon=1.0):
    return torch.nn.TripletMarginLoss(margin=epsilon)(anchor, positive, negative)


@alternative("triplet_loss")
def triplet_with_functional(anchor, positive, negative, epsilon=1.0):
    return F.triplet_margin_loss(anchor, positive, negative, margin=epsilon)


@alternative("triplet_loss")
def triplet_with_pairwise_distance(anchor, positive, negative, epsilon=1.0):
    gap = F.pairwise_distance(anchor, positive) - F.pairwise_distance(anchor, negative) + epsilon
    return F.relu(gap).mean()


@alternative("triplet_loss")
def triplet_with_a_loop(anchor, positive, negative, epsilon=1.0):
    losses = [torch.clamp(torch.linalg.vector_norm(a - p) - torch.linalg.vector_norm(a - n) + epsilon, min=0)
              for a, p, n in zip(anchor, positive, negative)]
    return torch.stack(losses).sum() / len(losses)


@alternative("pair_features")
def pair_features_with_hstack(u, v):
    return torch.hstack([u, v, torch.abs(v - u)])


@alternative("sts_spearman")
def sts_with_numpy_cosines(emb_1, emb_2, gold):
    x, y = emb_1.detach().numpy(), emb_2.detach().numpy()
    cosines = (x * y).sum(axis=1) / (np.linalg.norm(x, axis=1) * np.linalg.norm(y, axis=1))
    return float(spearmanr(cosines, list(gold))[0]) * 100


@alternative("sts_spearman")
def sts_ranks_then_pearson(emb_1, emb_2, gold):
    from scipy.stats import rankdata

    cosines = F.cosine_similarity(emb_1, emb_2).numpy()
    return float(np.corrcoef(rankdata(cosines), rankdata(gold))[0, 1] * 100)


@alternative("sts_spearman")
def sts_with_sentence_transformers(emb_1, emb_2, gold):
    from sentence_transformers import util

    return float(spearmanr(util.pairwise_cos_sim(emb_1, emb_2).numpy(), gold).correlation) * 100.0
