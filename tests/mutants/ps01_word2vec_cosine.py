"""Plausible wrong answers to ps01 (cosine similarity and word2vec); each graded test cell must catch them.

Each mutant is named for the mistake it makes; `breaks` lists the test cells that must lose points.
"""
import math

import numpy as np
import torch
import torch.nn.functional as F

from llmcourse.authoring.mutation import alternative, mutant


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


# --- issue 15: inputs changed in place, loops, exact types, ties, whitespace -----------------------------------------
@mutant("cosine_similarity", breaks=["test_cosine_vectors"])
def cosine_normalises_the_callers_arrays(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)  # the same arrays when given float arrays
    if not a.any() or not b.any():
        raise ValueError("zero vector")
    a /= np.linalg.norm(a)
    b /= np.linalg.norm(b)
    return float(a @ b)


@mutant("cosine_similarity", breaks=["test_cosine_vectors"])
def cosine_zero_division_error_not_value_error(a, b):
    dot = sum(x * y for x, y in zip(a, b))
    return float(dot / (math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))))


@mutant("cosine_similarity_matrix", breaks=["test_cosine_matrix"])
def matrix_with_python_loops(A, B):
    A, B = np.asarray(A, float), np.asarray(B, float)
    if not np.all(np.linalg.norm(A, axis=1)) or not np.all(np.linalg.norm(B, axis=1)):
        raise ValueError("a row is all zeros")
    S = np.zeros((len(A), len(B)))
    for i in range(len(A)):
        for j in range(len(B)):
            S[i, j] = _cos(A[i], B[j])
    return S


@mutant("cosine_similarity_matrix", breaks=["test_cosine_matrix"])
def matrix_returns_a_tensor(A, B):
    A, B = torch.as_tensor(np.asarray(A, float)), torch.as_tensor(np.asarray(B, float))
    if (A.norm(dim=1) == 0).any() or (B.norm(dim=1) == 0).any():
        raise ValueError("zero row")
    return F.normalize(A, dim=1) @ F.normalize(B, dim=1).T


@mutant("cosine_similarity_matrix", breaks=["test_cosine_matrix"])
def matrix_rejects_rows_with_a_zero_entry(A, B):
    A, B = np.asarray(A, float), np.asarray(B, float)
    if (A == 0).any() or (B == 0).any():
        raise ValueError("zero")
    return (A / np.linalg.norm(A, axis=1, keepdims=True)) @ (B / np.linalg.norm(B, axis=1, keepdims=True)).T


@mutant("cosine_similarity_matrix", breaks=["test_cosine_matrix"])
def matrix_normalises_the_callers_arrays(A, B):
    A, B = np.asarray(A, dtype=float), np.asarray(B, dtype=float)
    norms_a, norms_b = np.linalg.norm(A, axis=1, keepdims=True), np.linalg.norm(B, axis=1, keepdims=True)
    if (norms_a == 0).any() or (norms_b == 0).any():
        raise ValueError("zero row")
    A /= norms_a
    B /= norms_b
    return A @ B.T


@mutant("recommend", breaks=["test_recommend"])
def recommend_last_of_tied_wins(liked, candidates):
    best, best_score = None, -np.inf
    for title, vector in candidates.items():
        score = _cos(liked, vector)
        if score >= best_score:
            best, best_score = title, score
    return best


@mutant("recommend", breaks=["test_recommend"])
def recommend_ties_to_the_first_title_by_name(liked, candidates):
    """Sorts the titles first (found by the blind answers: the tie test's titles were in alphabetical order)."""
    return max(sorted(candidates), key=lambda title: _cos(liked, candidates[title]))


@mutant("recommend", breaks=["test_recommend"])
def recommend_best_score_starts_at_zero(liked, candidates):
    best, best_score = None, 0.0
    for title, vector in candidates.items():
        score = _cos(liked, vector)
        if score > best_score:
            best, best_score = title, score
    return best


@mutant("negative_sampling_loss", breaks=["test_negative_sampling_loss"])
def loss_returns_a_python_float(u_centre, v_context, v_negatives):
    positive, negative = _scores(u_centre, v_context, v_negatives)
    return float(-(F.logsigmoid(positive) + F.logsigmoid(-negative).sum(-1)).mean())


@mutant("negative_sampling_loss", breaks=["test_negative_sampling_loss"])
def loss_unsqueezes_the_callers_tensor(u_centre, v_context, v_negatives):
    positive = (u_centre * v_context).sum(-1)
    u_centre.unsqueeze_(-1)
    negative = torch.bmm(v_negatives, u_centre).squeeze(-1)
    u_centre.squeeze_(-1)
    u_centre.detach_()
    return -(F.logsigmoid(positive) + F.logsigmoid(-negative).sum(-1)).mean()


@mutant("sentence_embedding", breaks=["test_sentence_embedding"])
def sentence_split_on_single_spaces(sentence, word_vectors):
    found = [word_vectors[w] for w in sentence.lower().split(" ") if w in word_vectors]
    if not found:
        raise ValueError("no known word")
    return np.mean(found, axis=0)


@mutant("sentence_embedding", breaks=["test_sentence_embedding"])
def sentence_returns_a_list(sentence, word_vectors):
    found = [word_vectors[w] for w in sentence.lower().split() if w in word_vectors]
    if not found:
        raise ValueError("no known word")
    return np.mean(found, axis=0).tolist()


@mutant("sentence_embedding", breaks=["test_sentence_embedding"])
def sentence_adds_into_the_first_word_vector(sentence, word_vectors):
    words = [w for w in sentence.lower().split() if w in word_vectors]
    if not words:
        raise ValueError("no known word")
    total = word_vectors[words[0]]
    for word in words[1:]:
        total += word_vectors[word]
    return total / len(words)


# --- correct answers written differently: each must get full marks ---------------------------------------------------
@alternative("cosine_similarity")
def cosine_with_the_math_module(a, b):
    norm_a, norm_b = math.sqrt(sum(x * x for x in a)), math.sqrt(sum(y * y for y in b))
    if norm_a == 0 or norm_b == 0:
        raise ValueError("a zero vector has no direction")
    return sum(x * y for x, y in zip(a, b)) / norm_a / norm_b


@alternative("cosine_similarity")
def cosine_in_torch_float32(a, b):
    a, b = torch.tensor(np.asarray(a), dtype=torch.float32), torch.tensor(np.asarray(b), dtype=torch.float32)
    if a.norm() == 0 or b.norm() == 0:
        raise ValueError("zero vector")
    return F.cosine_similarity(a, b, dim=0).item()


@alternative("cosine_similarity_matrix")
def matrix_in_torch_then_numpy(A, B):
    A, B = torch.as_tensor(np.asarray(A, float)), torch.as_tensor(np.asarray(B, float))
    if (A.norm(dim=1) == 0).any() or (B.norm(dim=1) == 0).any():
        raise ValueError("zero row")
    return (F.normalize(A, dim=1) @ F.normalize(B, dim=1).T).numpy()


@alternative("cosine_similarity_matrix")
def matrix_with_scikit_learn(A, B):
    from sklearn.metrics.pairwise import cosine_similarity as pairwise_cosine

    if not np.all(np.linalg.norm(A, axis=1)) or not np.all(np.linalg.norm(B, axis=1)):
        raise ValueError("a row is all zeros")
    return pairwise_cosine(np.asarray(A, float), np.asarray(B, float))


@alternative("cosine_similarity_matrix")
def matrix_with_a_comprehension(A, B):
    A, B = np.asarray(A, float), np.asarray(B, float)
    if not np.all(np.linalg.norm(A, axis=1)) or not np.all(np.linalg.norm(B, axis=1)):
        raise ValueError("a row is all zeros")
    return np.array([[_cos(a, b) for b in B] for a in A])


@alternative("recommend")
def recommend_with_max_and_a_key(liked, candidates):
    return max(candidates, key=lambda title: _cos(liked, candidates[title]))


@alternative("skipgram_pairs")
def pairs_in_one_comprehension(tokens, window):
    return [(tokens[i], tokens[j]) for i in range(len(tokens))
            for j in range(i - window, i + window + 1) if 0 <= j < len(tokens) and j != i]


@alternative("negative_sampling_loss")
def loss_with_einsum(u_centre, v_context, v_negatives):
    positive = torch.einsum("bd,bd->b", u_centre, v_context)
    negative = torch.einsum("bkd,bd->bk", v_negatives, u_centre)
    return torch.mean(-F.logsigmoid(positive) - F.logsigmoid(-negative).sum(dim=1))


@alternative("sentence_embedding")
def sentence_sum_and_count(sentence, word_vectors):
    total, count = 0.0, 0
    for word in sentence.lower().split():
        if word in word_vectors:
            total, count = total + np.asarray(word_vectors[word], dtype=float), count + 1
    if count == 0:
        raise ValueError("no word of the sentence is in the vocabulary")
    return total / count
