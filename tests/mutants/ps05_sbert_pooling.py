"""Plausible wrong answers to ps05 (SBERT pooling, cosine matrix, triplet loss, pair features, STS evaluation);
each graded test cell must catch them. Each mutant is named for its mistake; `breaks` lists the cells that must
lose points."""
import numpy as np
import torch
import torch.nn.functional as F
from scipy.stats import pearsonr, spearmanr

from llmcourse.mutation import mutant


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
