"""Plausible wrong answers to ps01 (cosine similarity and word2vec); each graded test cell must catch them.

Each mutant is named for the mistake it makes; `breaks` lists the test cells that must lose points.
"""
import numpy as np
import torch
import torch.nn.functional as F

from llmcourse.mutation import mutant


# --- Part 1: cosine_similarity -----------------------------------------------------------------------------------
@mutant("cosine_similarity", breaks=["test_cosine_vectors"])
def cosine_without_normalising(a, b):
    return float(np.dot(np.asarray(a, float), np.asarray(b, float)))


@mutant("cosine_similarity", breaks=["test_cosine_vectors"])
def cosine_normalising_only_first_vector(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    if np.linalg.norm(a) == 0 or np.linalg.norm(b) == 0:
        raise ValueError("zero vector")
    return float(a @ b / np.linalg.norm(a))


@mutant("cosine_similarity", breaks=["test_cosine_vectors"])
def cosine_zero_vector_returns_zero(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    denominator = np.linalg.norm(a) * np.linalg.norm(b)
    return 0.0 if denominator == 0 else float(a @ b / denominator)


@mutant("cosine_similarity", breaks=["test_cosine_vectors"])
def cosine_checks_only_first_vector_for_zero(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    if np.linalg.norm(a) == 0:
        raise ValueError("zero vector")
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


@mutant("cosine_similarity", breaks=["test_cosine_vectors"])
def cosine_with_l1_norms(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    if not a.any() or not b.any():
        raise ValueError("zero vector")
    return float(a @ b / (np.abs(a).sum() * np.abs(b).sum()))


@mutant("cosine_similarity", breaks=["test_cosine_vectors"])
def cosine_absolute_value(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    if not a.any() or not b.any():
        raise ValueError("zero vector")
    return float(abs(a @ b) / (np.linalg.norm(a) * np.linalg.norm(b)))


@mutant("cosine_similarity", breaks=["test_cosine_vectors"])
def cosine_returns_numpy_array(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    if not a.any() or not b.any():
        raise ValueError("zero vector")
    return np.array([a @ b / (np.linalg.norm(a) * np.linalg.norm(b))])


# --- Part 2: cosine_similarity_matrix ----------------------------------------------------------------------------
@mutant("cosine_similarity_matrix", breaks=["test_cosine_matrix"])
def matrix_without_normalising(A, B):
    return np.asarray(A, float) @ np.asarray(B, float).T


@mutant("cosine_similarity_matrix", breaks=["test_cosine_matrix"])
def matrix_normalises_columns_not_rows(A, B):
    A, B = np.asarray(A, float), np.asarray(B, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        result = (A / np.linalg.norm(A, axis=0, keepdims=True)) @ (B / np.linalg.norm(B, axis=0, keepdims=True)).T
    if not np.isfinite(result).all():
        raise ValueError("zero column")
    return result


@mutant("cosine_similarity_matrix", breaks=["test_cosine_matrix"])
def matrix_transposed_result(A, B):
    A, B = np.asarray(A, float), np.asarray(B, float)
    na, nb = np.linalg.norm(A, axis=1, keepdims=True), np.linalg.norm(B, axis=1, keepdims=True)
    if (na == 0).any() or (nb == 0).any():
        raise ValueError("zero row")
    return (B / nb) @ (A / na).T


@mutant("cosine_similarity_matrix", breaks=["test_cosine_matrix"])
def matrix_zero_row_gives_nan_not_error(A, B):
    A, B = np.asarray(A, float), np.asarray(B, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (A / np.linalg.norm(A, axis=1, keepdims=True)) @ (B / np.linalg.norm(B, axis=1, keepdims=True)).T


@mutant("cosine_similarity_matrix", breaks=["test_cosine_matrix"])
def matrix_normalises_only_A(A, B):
    A, B = np.asarray(A, float), np.asarray(B, float)
    na, nb = np.linalg.norm(A, axis=1, keepdims=True), np.linalg.norm(B, axis=1, keepdims=True)
    if (na == 0).any() or (nb == 0).any():
        raise ValueError("zero row")
    return (A / na) @ B.T


@mutant("cosine_similarity_matrix", breaks=["test_cosine_matrix"])
def matrix_checks_only_A_for_zero_rows(A, B):
    A, B = np.asarray(A, float), np.asarray(B, float)
    na = np.linalg.norm(A, axis=1, keepdims=True)
    if (na == 0).any():
        raise ValueError("zero row")
    with np.errstate(divide="ignore", invalid="ignore"):
        return (A / na) @ (B / np.linalg.norm(B, axis=1, keepdims=True)).T


# --- Part 3: recommend -------------------------------------------------------------------------------------------
def _cos(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


@mutant("recommend", breaks=["test_recommend"])
def recommend_least_similar(liked, candidates):
    return min(candidates, key=lambda title: _cos(liked, candidates[title]))


@mutant("recommend", breaks=["test_recommend"])
def recommend_by_euclidean_distance(liked, candidates):
    return min(candidates, key=lambda t: float(np.linalg.norm(np.asarray(liked, float) - np.asarray(candidates[t], float))))


@mutant("recommend", breaks=["test_recommend"])
def recommend_by_dot_product(liked, candidates):
    return max(candidates, key=lambda t: float(np.asarray(liked, float) @ np.asarray(candidates[t], float)))


@mutant("recommend", breaks=["test_recommend"])
def recommend_returns_the_vector(liked, candidates):
    best = max(candidates, key=lambda title: _cos(liked, candidates[title]))
    return candidates[best]


# --- Part 4: skipgram_pairs --------------------------------------------------------------------------------------
@mutant("skipgram_pairs", breaks=["test_skipgram_pairs"])
def pairs_window_off_by_one_too_small(tokens, window):
    return [(tokens[i], tokens[j]) for i in range(len(tokens))
            for j in range(max(0, i - window + 1), min(len(tokens), i + window)) if j != i]


@mutant("skipgram_pairs", breaks=["test_skipgram_pairs"])
def pairs_window_off_by_one_too_large(tokens, window):
    return [(tokens[i], tokens[j]) for i in range(len(tokens))
            for j in range(max(0, i - window - 1), min(len(tokens), i + window + 2)) if j != i]


@mutant("skipgram_pairs", breaks=["test_skipgram_pairs"])
def pairs_centre_paired_with_itself(tokens, window):
    return [(tokens[i], tokens[j]) for i in range(len(tokens))
            for j in range(max(0, i - window), min(len(tokens), i + window + 1))]


@mutant("skipgram_pairs", breaks=["test_skipgram_pairs"])
def pairs_skip_equal_words_not_positions(tokens, window):
    return [(tokens[i], tokens[j]) for i in range(len(tokens))
            for j in range(max(0, i - window), min(len(tokens), i + window + 1)) if tokens[j] != tokens[i]]


@mutant("skipgram_pairs", breaks=["test_skipgram_pairs"])
def pairs_only_right_context(tokens, window):
    return [(tokens[i], tokens[j]) for i in range(len(tokens))
            for j in range(i + 1, min(len(tokens), i + window + 1))]


@mutant("skipgram_pairs", breaks=["test_skipgram_pairs"])
def pairs_context_centre_swapped(tokens, window):
    return [(tokens[j], tokens[i]) for i in range(len(tokens))
            for j in range(max(0, i - window), min(len(tokens), i + window + 1)) if j != i]


# --- Part 5: negative_sampling_loss ------------------------------------------------------------------------------
def _scores(u, v, n):
    return (u * v).sum(-1), torch.bmm(n, u.unsqueeze(-1)).squeeze(-1)


@mutant("negative_sampling_loss", breaks=["test_negative_sampling_loss"])
def loss_sign_error(u_centre, v_context, v_negatives):
    pos, neg = _scores(u_centre, v_context, v_negatives)
    return (F.logsigmoid(pos) + F.logsigmoid(-neg).sum(-1)).mean()


@mutant("negative_sampling_loss", breaks=["test_negative_sampling_loss"])
def loss_positives_and_negatives_swapped(u_centre, v_context, v_negatives):
    pos, neg = _scores(u_centre, v_context, v_negatives)
    return -(F.logsigmoid(-pos) + F.logsigmoid(neg).sum(-1)).mean()


@mutant("negative_sampling_loss", breaks=["test_negative_sampling_loss"])
def loss_negative_scores_not_negated(u_centre, v_context, v_negatives):
    pos, neg = _scores(u_centre, v_context, v_negatives)
    return -(F.logsigmoid(pos) + F.logsigmoid(neg).sum(-1)).mean()


@mutant("negative_sampling_loss", breaks=["test_negative_sampling_loss"])
def loss_mean_over_negatives_not_sum(u_centre, v_context, v_negatives):
    pos, neg = _scores(u_centre, v_context, v_negatives)
    return -(F.logsigmoid(pos) + F.logsigmoid(-neg).mean(-1)).mean()


@mutant("negative_sampling_loss", breaks=["test_negative_sampling_loss"])
def loss_sum_over_batch_not_mean(u_centre, v_context, v_negatives):
    pos, neg = _scores(u_centre, v_context, v_negatives)
    return -(F.logsigmoid(pos) + F.logsigmoid(-neg).sum(-1)).sum()


@mutant("negative_sampling_loss", breaks=["test_negative_sampling_loss"])
def loss_without_negatives(u_centre, v_context, v_negatives):
    pos, _ = _scores(u_centre, v_context, v_negatives)
    return -F.logsigmoid(pos).mean()


@mutant("negative_sampling_loss", breaks=["test_negative_sampling_loss"])
def loss_log_of_sigmoid_unstable(u_centre, v_context, v_negatives):
    pos, neg = _scores(u_centre, v_context, v_negatives)
    return -(torch.log(torch.sigmoid(pos)) + torch.log(torch.sigmoid(-neg)).sum(-1)).mean()


@mutant("negative_sampling_loss", breaks=["test_negative_sampling_loss"])
def loss_detached_from_graph(u_centre, v_context, v_negatives):
    pos, neg = _scores(u_centre, v_context, v_negatives)
    return torch.tensor((-(F.logsigmoid(pos) + F.logsigmoid(-neg).sum(-1)).mean()).detach().item())


# --- Part 6: sentence_embedding ----------------------------------------------------------------------------------
@mutant("sentence_embedding", breaks=["test_sentence_embedding"])
def sentence_oov_counted_as_zero_vector(sentence, word_vectors):
    words = sentence.lower().split()
    found = [word_vectors[w] for w in words if w in word_vectors]
    if not found:
        raise ValueError("no known word")
    return np.sum(found, axis=0) / len(words)


@mutant("sentence_embedding", breaks=["test_sentence_embedding"])
def sentence_sum_not_mean(sentence, word_vectors):
    found = [word_vectors[w] for w in sentence.lower().split() if w in word_vectors]
    if not found:
        raise ValueError("no known word")
    return np.sum(found, axis=0)


@mutant("sentence_embedding", breaks=["test_sentence_embedding"])
def sentence_not_lower_cased(sentence, word_vectors):
    found = [word_vectors[w] for w in sentence.split() if w in word_vectors]
    if not found:
        raise ValueError("no known word")
    return np.mean(found, axis=0)


@mutant("sentence_embedding", breaks=["test_sentence_embedding"])
def sentence_unique_words_only(sentence, word_vectors):
    found = [word_vectors[w] for w in dict.fromkeys(sentence.lower().split()) if w in word_vectors]
    if not found:
        raise ValueError("no known word")
    return np.mean(found, axis=0)


@mutant("sentence_embedding", breaks=["test_sentence_embedding"])
def sentence_all_unknown_returns_zeros(sentence, word_vectors):
    found = [word_vectors[w] for w in sentence.lower().split() if w in word_vectors]
    if not found:
        return np.zeros(len(next(iter(word_vectors.values()))))
    return np.mean(found, axis=0)


@mutant("sentence_embedding", breaks=["test_sentence_embedding"])
def sentence_does_not_skip_unknown_words(sentence, word_vectors):
    return np.mean([word_vectors[w] for w in sentence.lower().split()], axis=0)  # KeyError on an unknown word
