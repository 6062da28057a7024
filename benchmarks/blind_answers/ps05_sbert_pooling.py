"""Blind answers to ps05, written from the released notebook's instructions only (never from its tests, mutants or
solutions): `@alternative` = a correct answer in another style, `@mutant` = a plausible wrong answer (the mistake in
its name). benchmarks/fidelity.py --answers benchmarks/blind_answers grades them."""
import numpy as np
import torch
import torch.nn.functional as F
from scipy.stats import spearmanr, rankdata

from llmcourse.authoring.mutation import alternative, mutant


# ---------------------------------------------------------------- Part 1: mean_pool
@alternative("mean_pool")
def right_mean_pool_multiply_sum(token_embeddings, attention_mask):
    m = attention_mask.unsqueeze(-1).to(token_embeddings.dtype)
    x = torch.where(m.bool(), token_embeddings, torch.zeros_like(token_embeddings))
    return (x * m).sum(dim=1) / m.sum(dim=1).clamp(min=1e-9)


@alternative("mean_pool")
def right_mean_pool_einsum(token_embeddings, attention_mask):
    keep = attention_mask.bool()
    x = token_embeddings.masked_fill(~keep.unsqueeze(-1), 0.0)
    w = keep.to(token_embeddings.dtype)
    return torch.einsum("bsd,bs->bd", x, w) / w.sum(dim=1, keepdim=True)


@alternative("mean_pool")
def right_mean_pool_bmm_float64(token_embeddings, attention_mask):
    keep = attention_mask.bool()
    x = torch.where(keep.unsqueeze(-1), token_embeddings.double(), torch.zeros((), dtype=torch.float64))
    w = keep.double()
    out = torch.bmm(w.unsqueeze(1), x).squeeze(1) / w.sum(dim=1, keepdim=True)
    return out.to(token_embeddings.dtype)


@mutant("mean_pool", breaks=[])
def wrong_mean_pool_ignores_mask(token_embeddings, attention_mask):
    return token_embeddings.mean(dim=1)


@mutant("mean_pool", breaks=[])
def wrong_mean_pool_divides_by_padded_length(token_embeddings, attention_mask):
    m = attention_mask.unsqueeze(-1).to(token_embeddings.dtype)
    return (token_embeddings * m).sum(dim=1) / token_embeddings.shape[1]


@mutant("mean_pool", breaks=[])
def wrong_mean_pool_unmasked_sum_masked_count(token_embeddings, attention_mask):
    m = attention_mask.unsqueeze(-1).to(token_embeddings.dtype)
    return token_embeddings.sum(dim=1) / m.sum(dim=1)


@mutant("mean_pool", breaks=[])
def wrong_mean_pool_divides_by_whole_batch_count(token_embeddings, attention_mask):
    m = attention_mask.unsqueeze(-1).to(token_embeddings.dtype)
    return (token_embeddings * m).sum(dim=1) / m.sum()


@mutant("mean_pool", breaks=[])
def wrong_mean_pool_in_place_on_input(token_embeddings, attention_mask):
    token_embeddings.mul_(attention_mask.unsqueeze(-1).to(token_embeddings.dtype))
    return token_embeddings.sum(dim=1) / attention_mask.sum(dim=1, keepdim=True).to(token_embeddings.dtype)


# ---------------------------------------------------------------- Part 2: max_pool
@alternative("max_pool")
def right_max_pool_masked_fill(token_embeddings, attention_mask):
    pad = ~attention_mask.bool().unsqueeze(-1)
    return token_embeddings.masked_fill(pad, float("-inf")).max(dim=1).values


@alternative("max_pool")
def right_max_pool_where_amax(token_embeddings, attention_mask):
    keep = attention_mask.bool().unsqueeze(-1)
    low = torch.full_like(token_embeddings, torch.finfo(token_embeddings.dtype).min)
    return torch.amax(torch.where(keep, token_embeddings, low), dim=1)


@alternative("max_pool")
def right_max_pool_per_sentence_loop(token_embeddings, attention_mask):
    rows = []
    keep = attention_mask.bool()
    for b in range(token_embeddings.shape[0]):
        rows.append(token_embeddings[b][keep[b]].max(dim=0).values)
    return torch.stack(rows)


@mutant("max_pool", breaks=[])
def wrong_max_pool_ignores_mask(token_embeddings, attention_mask):
    return token_embeddings.max(dim=1).values


@mutant("max_pool", breaks=[])
def wrong_max_pool_zero_fills_padding(token_embeddings, attention_mask):
    m = attention_mask.unsqueeze(-1).to(token_embeddings.dtype)
    return (token_embeddings * m).max(dim=1).values


@mutant("max_pool", breaks=[])
def wrong_max_pool_returns_values_and_indices(token_embeddings, attention_mask):
    pad = ~attention_mask.bool().unsqueeze(-1)
    return torch.max(token_embeddings.masked_fill(pad, float("-inf")), dim=1)


@mutant("max_pool", breaks=[])
def wrong_max_pool_bitwise_not_on_int_mask(token_embeddings, attention_mask):
    return token_embeddings.masked_fill(~attention_mask.unsqueeze(-1), float("-inf")).max(dim=1).values


@mutant("max_pool", breaks=[])
def wrong_max_pool_masked_fill_in_place(token_embeddings, attention_mask):
    token_embeddings.masked_fill_(~attention_mask.bool().unsqueeze(-1), float("-inf"))
    return token_embeddings.max(dim=1).values


# ---------------------------------------------------------------- Part 3: cls_pool
@alternative("cls_pool")
def right_cls_pool_index(token_embeddings, attention_mask):
    return token_embeddings[:, 0]


@alternative("cls_pool")
def right_cls_pool_select_clone(token_embeddings, attention_mask):
    return token_embeddings.select(1, 0).clone()


@alternative("cls_pool")
def right_cls_pool_narrow(token_embeddings, attention_mask):
    return token_embeddings.narrow(1, 0, 1).squeeze(1)


@mutant("cls_pool", breaks=[])
def wrong_cls_pool_first_sentence(token_embeddings, attention_mask):
    return token_embeddings[0]


@mutant("cls_pool", breaks=[])
def wrong_cls_pool_last_position(token_embeddings, attention_mask):
    return token_embeddings[:, -1]


@mutant("cls_pool", breaks=[])
def wrong_cls_pool_last_real_token(token_embeddings, attention_mask):
    last = attention_mask.long().sum(dim=1) - 1
    return token_embeddings[torch.arange(token_embeddings.shape[0]), last]


@mutant("cls_pool", breaks=[])
def wrong_cls_pool_keeps_token_axis(token_embeddings, attention_mask):
    return token_embeddings[:, :1]


# ---------------------------------------------------------------- Part 4: cosine_similarity_matrix
@alternative("cosine_similarity_matrix")
def right_cosine_normalize_matmul(a, b):
    return F.normalize(a, dim=1) @ F.normalize(b, dim=1).T


@alternative("cosine_similarity_matrix")
def right_cosine_broadcast_F_cosine(a, b):
    return F.cosine_similarity(a.unsqueeze(1), b.unsqueeze(0), dim=-1)


@alternative("cosine_similarity_matrix")
def right_cosine_outer_norms_float64(a, b):
    a64, b64 = a.double(), b.double()
    dots = a64 @ b64.T
    norms = torch.outer(a64.norm(dim=1), b64.norm(dim=1)).clamp(min=1e-12)
    return (dots / norms).to(a.dtype)


@mutant("cosine_similarity_matrix", breaks=[])
def wrong_cosine_plain_dot_product(a, b):
    return a @ b.T


@mutant("cosine_similarity_matrix", breaks=[])
def wrong_cosine_normalizes_columns(a, b):
    return F.normalize(a, dim=0) @ F.normalize(b, dim=0).T


@mutant("cosine_similarity_matrix", breaks=[])
def wrong_cosine_normalizes_only_a(a, b):
    return F.normalize(a, dim=1) @ b.T


@mutant("cosine_similarity_matrix", breaks=[])
def wrong_cosine_transposed_result(a, b):
    return F.normalize(b, dim=1) @ F.normalize(a, dim=1).T


@mutant("cosine_similarity_matrix", breaks=[])
def wrong_cosine_divides_by_squared_norms(a, b):
    return (a @ b.T) / torch.outer((a * a).sum(1), (b * b).sum(1))


# ---------------------------------------------------------------- Part 5: triplet_loss
@alternative("triplet_loss")
def right_triplet_norms(anchor, positive, negative, epsilon=1.0):
    d_p = (anchor - positive).norm(dim=1)
    d_n = (anchor - negative).norm(dim=1)
    return torch.clamp(d_p - d_n + epsilon, min=0).mean()


@alternative("triplet_loss")
def right_triplet_torch_module(anchor, positive, negative, epsilon=1.0):
    return torch.nn.TripletMarginLoss(margin=epsilon)(anchor, positive, negative)


@alternative("triplet_loss")
def right_triplet_sqrt_relu(anchor, positive, negative, epsilon=1.0):
    d_p = ((anchor - positive) ** 2).sum(dim=-1).sqrt()
    d_n = ((anchor - negative) ** 2).sum(dim=-1).sqrt()
    return F.relu(d_p - d_n + epsilon).sum() / anchor.shape[0]


@mutant("triplet_loss", breaks=[])
def wrong_triplet_margin_sign(anchor, positive, negative, epsilon=1.0):
    d_p = (anchor - positive).norm(dim=1)
    d_n = (anchor - negative).norm(dim=1)
    return torch.clamp(d_p - d_n - epsilon, min=0).mean()


@mutant("triplet_loss", breaks=[])
def wrong_triplet_squared_distances(anchor, positive, negative, epsilon=1.0):
    d_p = ((anchor - positive) ** 2).sum(dim=1)
    d_n = ((anchor - negative) ** 2).sum(dim=1)
    return torch.clamp(d_p - d_n + epsilon, min=0).mean()


@mutant("triplet_loss", breaks=[])
def wrong_triplet_hinge_after_mean(anchor, positive, negative, epsilon=1.0):
    d_p = (anchor - positive).norm(dim=1)
    d_n = (anchor - negative).norm(dim=1)
    return torch.clamp((d_p - d_n + epsilon).mean(), min=0)


@mutant("triplet_loss", breaks=[])
def wrong_triplet_ignores_epsilon(anchor, positive, negative, epsilon=1.0):
    return torch.nn.TripletMarginLoss(margin=1.0)(anchor, positive, negative)


@mutant("triplet_loss", breaks=[])
def wrong_triplet_detached_float(anchor, positive, negative, epsilon=1.0):
    d_p = (anchor - positive).norm(dim=1)
    d_n = (anchor - negative).norm(dim=1)
    return torch.tensor(torch.clamp(d_p - d_n + epsilon, min=0).mean().item())


# ---------------------------------------------------------------- Part 6: pair_features
@alternative("pair_features")
def right_pair_features_cat(u, v):
    return torch.cat([u, v, torch.abs(u - v)], dim=-1)


@alternative("pair_features")
def right_pair_features_hstack(u, v):
    return torch.hstack((u, v, (v - u).abs()))


@alternative("pair_features")
def right_pair_features_preallocated(u, v):
    d = u.shape[1]
    out = torch.empty(u.shape[0], 3 * d, dtype=u.dtype)
    out[:, :d] = u
    out[:, d:2 * d] = v
    out[:, 2 * d:] = (u - v).abs()
    return out


@mutant("pair_features", breaks=[])
def wrong_pair_features_signed_difference(u, v):
    return torch.cat([u, v, u - v], dim=-1)


@mutant("pair_features", breaks=[])
def wrong_pair_features_batch_axis(u, v):
    return torch.cat([u, v, (u - v).abs()], dim=0)


@mutant("pair_features", breaks=[])
def wrong_pair_features_order_diff_first(u, v):
    return torch.cat([(u - v).abs(), u, v], dim=-1)


@mutant("pair_features", breaks=[])
def wrong_pair_features_product_instead_of_diff(u, v):
    return torch.cat([u, v, u * v], dim=-1)


@mutant("pair_features", breaks=[])
def wrong_pair_features_interleaved(u, v):
    return torch.stack([u, v, (u - v).abs()], dim=-1).reshape(u.shape[0], -1)


# ---------------------------------------------------------------- Part 7: sts_spearman
@alternative("sts_spearman")
def right_sts_spearman_F_cosine(emb_1, emb_2, gold):
    cos = F.cosine_similarity(emb_1, emb_2, dim=1)
    return float(spearmanr(cos.detach().cpu().numpy(), np.asarray(gold)).correlation * 100)


@alternative("sts_spearman")
def right_sts_spearman_manual_cosine_float64(emb_1, emb_2, gold):
    a = emb_1.detach().double()
    b = emb_2.detach().double()
    cos = (a * b).sum(dim=1) / (a.norm(dim=1) * b.norm(dim=1))
    rho, _ = spearmanr(cos.numpy(), list(gold))
    return float(100.0 * rho)


@alternative("sts_spearman")
def right_sts_spearman_normalize_rows(emb_1, emb_2, gold):
    cos = (F.normalize(emb_1, dim=1) * F.normalize(emb_2, dim=1)).sum(dim=1)
    res = spearmanr(np.asarray(gold, dtype=float), cos.detach().numpy())
    return float(res[0]) * 100


@mutant("sts_spearman", breaks=[])
def wrong_sts_spearman_not_times_100(emb_1, emb_2, gold):
    cos = F.cosine_similarity(emb_1, emb_2, dim=1)
    return float(spearmanr(cos.detach().numpy(), np.asarray(gold)).correlation)


@mutant("sts_spearman", breaks=[])
def wrong_sts_spearman_dot_product(emb_1, emb_2, gold):
    dots = (emb_1 * emb_2).sum(dim=1)
    return float(spearmanr(dots.detach().numpy(), np.asarray(gold)).correlation * 100)


@mutant("sts_spearman", breaks=[])
def wrong_sts_spearman_euclidean_distance(emb_1, emb_2, gold):
    dist = (emb_1 - emb_2).norm(dim=1)
    return float(spearmanr(dist.detach().numpy(), np.asarray(gold)).correlation * 100)


@mutant("sts_spearman", breaks=[])
def wrong_sts_spearman_returns_numpy(emb_1, emb_2, gold):
    cos = F.cosine_similarity(emb_1, emb_2, dim=1)
    return spearmanr(cos.detach().numpy(), np.asarray(gold)).correlation * 100


@mutant("sts_spearman", breaks=[])
def wrong_sts_spearman_pearson(emb_1, emb_2, gold):
    cos = F.cosine_similarity(emb_1, emb_2, dim=1).detach().double().numpy()
    return float(np.corrcoef(cos, np.asarray(gold, dtype=float))[0, 1] * 100)
