"""Independent answers to ps01, written from the exercise's instructions only (not from its tests or mutants):
`@alternative` = a correct answer written in another style, `@mutant` = a plausible wrong answer (the mistake in
its name). benchmarks/fidelity.py grades them; `breaks` is left empty: it only counts who loses points."""
import math
import re

import numpy as np
import torch
import torch.nn.functional as F

from llmcourse.authoring.mutation import alternative, mutant


# --- cosine_similarity ---------------------------------------------------------------------------------------------
@alternative("cosine_similarity")
def right_cosine_pure_python(a, b):
    a, b = [float(x) for x in a], [float(x) for x in b]
    norm_a, norm_b = math.sqrt(sum(x * x for x in a)), math.sqrt(sum(y * y for y in b))
    if norm_a == 0 or norm_b == 0:
        raise ValueError("zero vector")
    return sum(x * y for x, y in zip(a, b)) / (norm_a * norm_b)


@alternative("cosine_similarity")
def right_cosine_in_torch(a, b):
    a, b = torch.as_tensor(np.asarray(a, dtype=float)), torch.as_tensor(np.asarray(b, dtype=float))
    if a.norm() == 0 or b.norm() == 0:
        raise ValueError("a zero vector has no direction")
    return float(a @ b / (a.norm() * b.norm()))


@alternative("cosine_similarity")
def right_cosine_float32(a, b):
    a, b = np.asarray(a, dtype=np.float32), np.asarray(b, dtype=np.float32)
    if not a.any() or not b.any():
        raise ValueError("zero vector")
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


@mutant("cosine_similarity", breaks=[])
def wrong_cosine_returns_tensor(a, b):
    a, b = torch.tensor(a, dtype=torch.float64), torch.tensor(b, dtype=torch.float64)
    if a.norm() == 0 or b.norm() == 0:
        raise ValueError("zero vector")
    return a @ b / (a.norm() * b.norm())


@mutant("cosine_similarity", breaks=[])
def wrong_cosine_no_zero_check(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    with np.errstate(all="ignore"):
        return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


@mutant("cosine_similarity", breaks=[])
def wrong_cosine_zero_check_first_only(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    if np.linalg.norm(a) == 0:
        raise ValueError("zero vector")
    with np.errstate(all="ignore"):
        return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


@mutant("cosine_similarity", breaks=[])
def wrong_cosine_zero_division_error(a, b):
    dot = sum(x * y for x, y in zip(a, b))
    return float(dot / (math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))))


@mutant("cosine_similarity", breaks=[])
def wrong_cosine_absolute(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    if not a.any() or not b.any():
        raise ValueError("zero vector")
    return float(abs(a @ b) / (np.linalg.norm(a) * np.linalg.norm(b)))


@mutant("cosine_similarity", breaks=[])
def wrong_cosine_normalises_caller_arrays_in_place(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if not a.any() or not b.any():
        raise ValueError("zero vector")
    a /= np.linalg.norm(a)
    b /= np.linalg.norm(b)
    return float(a @ b)


@mutant("cosine_similarity", breaks=[])
def wrong_cosine_dot_only(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    if not a.any() or not b.any():
        raise ValueError("zero vector")
    return float(a @ b)


# --- cosine_similarity_matrix ------------------------------------------------------------------------------------------
@alternative("cosine_similarity_matrix")
def right_matrix_in_torch(A, B):
    A, B = torch.as_tensor(np.asarray(A, float)), torch.as_tensor(np.asarray(B, float))
    if (A.norm(dim=1) == 0).any() or (B.norm(dim=1) == 0).any():
        raise ValueError("zero row")
    return (F.normalize(A, dim=1) @ F.normalize(B, dim=1).T).numpy()


@alternative("cosine_similarity_matrix")
def right_matrix_sklearn(A, B):
    from sklearn.metrics.pairwise import cosine_similarity as sk_cosine

    A, B = np.asarray(A, float), np.asarray(B, float)
    if not np.all(np.any(A != 0, axis=1)) or not np.all(np.any(B != 0, axis=1)):
        raise ValueError("a row is all zeros")
    return sk_cosine(A, B)


@alternative("cosine_similarity_matrix")
def right_matrix_einsum(A, B):
    A, B = np.asarray(A, float), np.asarray(B, float)
    na, nb = np.sqrt(np.einsum("ij,ij->i", A, A)), np.sqrt(np.einsum("ij,ij->i", B, B))
    if np.any(na == 0) or np.any(nb == 0):
        raise ValueError("zero row")
    return np.einsum("id,jd->ij", A, B) / np.outer(na, nb)


@mutant("cosine_similarity_matrix", breaks=[])
def wrong_matrix_double_loop(A, B):
    A, B = np.asarray(A, float), np.asarray(B, float)
    S = np.zeros((len(A), len(B)))
    for i in range(len(A)):
        for j in range(len(B)):
            na, nb = np.linalg.norm(A[i]), np.linalg.norm(B[j])
            if na == 0 or nb == 0:
                raise ValueError("zero row")
            S[i, j] = A[i] @ B[j] / (na * nb)
    return S


@mutant("cosine_similarity_matrix", breaks=[])
def wrong_matrix_loop_over_rows(A, B):
    A, B = np.asarray(A, float), np.asarray(B, float)
    if (np.linalg.norm(A, axis=1) == 0).any() or (np.linalg.norm(B, axis=1) == 0).any():
        raise ValueError("zero row")
    Bn = B / np.linalg.norm(B, axis=1, keepdims=True)
    rows = []
    for a in A:
        rows.append(Bn @ (a / np.linalg.norm(a)))
    return np.array(rows)


@mutant("cosine_similarity_matrix", breaks=[])
def wrong_matrix_columns_normalised(A, B):
    A, B = np.asarray(A, float), np.asarray(B, float)
    na, nb = np.linalg.norm(A, axis=0, keepdims=True), np.linalg.norm(B, axis=0, keepdims=True)
    if (na == 0).any() or (nb == 0).any():
        raise ValueError("zero")
    return (A / na) @ (B / nb).T


@mutant("cosine_similarity_matrix", breaks=[])
def wrong_matrix_returns_tensor(A, B):
    A, B = torch.as_tensor(np.asarray(A, float)), torch.as_tensor(np.asarray(B, float))
    if (A.norm(dim=1) == 0).any() or (B.norm(dim=1) == 0).any():
        raise ValueError("zero row")
    return F.normalize(A, dim=1) @ F.normalize(B, dim=1).T


@mutant("cosine_similarity_matrix", breaks=[])
def wrong_matrix_rejects_zero_entries(A, B):
    A, B = np.asarray(A, float), np.asarray(B, float)
    if (A == 0).any() or (B == 0).any():
        raise ValueError("zero")
    return (A / np.linalg.norm(A, axis=1, keepdims=True)) @ (B / np.linalg.norm(B, axis=1, keepdims=True)).T


@mutant("cosine_similarity_matrix", breaks=[])
def wrong_matrix_checks_only_a(A, B):
    A, B = np.asarray(A, float), np.asarray(B, float)
    if (np.linalg.norm(A, axis=1) == 0).any():
        raise ValueError("zero row")
    with np.errstate(all="ignore"):
        return (A / np.linalg.norm(A, axis=1, keepdims=True)) @ (B / np.linalg.norm(B, axis=1, keepdims=True)).T


@mutant("cosine_similarity_matrix", breaks=[])
def wrong_matrix_no_zero_check(A, B):
    A, B = np.asarray(A, float), np.asarray(B, float)
    with np.errstate(all="ignore"):
        return (A / np.linalg.norm(A, axis=1, keepdims=True)) @ (B / np.linalg.norm(B, axis=1, keepdims=True)).T


@mutant("cosine_similarity_matrix", breaks=[])
def wrong_matrix_transposed(A, B):
    A, B = np.asarray(A, float), np.asarray(B, float)
    if (np.linalg.norm(A, axis=1) == 0).any() or (np.linalg.norm(B, axis=1) == 0).any():
        raise ValueError("zero row")
    return (B / np.linalg.norm(B, axis=1, keepdims=True)) @ (A / np.linalg.norm(A, axis=1, keepdims=True)).T


# --- recommend ---------------------------------------------------------------------------------------------------
@alternative("recommend")
def right_recommend_max_key(liked, candidates):
    return max(candidates, key=lambda title: cosine_similarity(liked, candidates[title]))


@alternative("recommend")
def right_recommend_argmax(liked, candidates):
    titles = list(candidates)
    return titles[int(np.argmax([cosine_similarity(liked, candidates[t]) for t in titles]))]


@mutant("recommend", breaks=[])
def wrong_recommend_returns_vector(liked, candidates):
    return candidates[max(candidates, key=lambda t: cosine_similarity(liked, candidates[t]))]


@mutant("recommend", breaks=[])
def wrong_recommend_dot_product(liked, candidates):
    return max(candidates, key=lambda t: float(np.dot(liked, candidates[t])))


@mutant("recommend", breaks=[])
def wrong_recommend_last_tie_wins(liked, candidates):
    best, best_score = None, -2.0
    for title, vector in candidates.items():
        score = cosine_similarity(liked, vector)
        if score >= best_score:
            best, best_score = title, score
    return best


@mutant("recommend", breaks=[])
def wrong_recommend_starts_at_zero(liked, candidates):
    best, best_score = None, 0.0
    for title, vector in candidates.items():
        score = cosine_similarity(liked, vector)
        if score > best_score:
            best, best_score = title, score
    return best


@mutant("recommend", breaks=[])
def wrong_recommend_smallest(liked, candidates):
    return min(candidates, key=lambda t: cosine_similarity(liked, candidates[t]))


@mutant("recommend", breaks=[])
def wrong_recommend_euclidean(liked, candidates):
    return min(candidates, key=lambda t: float(np.linalg.norm(np.subtract(liked, candidates[t]))))


# --- skipgram_pairs ---------------------------------------------------------------------------------------------------
@alternative("skipgram_pairs")
def right_skipgram_comprehension(tokens, window):
    return [(tokens[i], tokens[j]) for i in range(len(tokens))
            for j in range(i - window, i + window + 1) if 0 <= j < len(tokens) and j != i]


@alternative("skipgram_pairs")
def right_skipgram_slices(tokens, window):
    pairs = []
    for i, centre in enumerate(tokens):
        start = max(0, i - window)
        for offset, context in enumerate(tokens[start:i + window + 1]):
            if start + offset != i:
                pairs.append((centre, context))
    return pairs


@mutant("skipgram_pairs", breaks=[])
def wrong_skipgram_window_exclusive(tokens, window):
    return [(tokens[i], tokens[j]) for i in range(len(tokens))
            for j in range(max(0, i - window), min(len(tokens), i + window)) if j != i]


@mutant("skipgram_pairs", breaks=[])
def wrong_skipgram_skips_same_word(tokens, window):
    return [(tokens[i], tokens[j]) for i in range(len(tokens))
            for j in range(max(0, i - window), min(len(tokens), i + window + 1)) if tokens[j] != tokens[i]]


@mutant("skipgram_pairs", breaks=[])
def wrong_skipgram_lists_not_tuples(tokens, window):
    return [[tokens[i], tokens[j]] for i in range(len(tokens))
            for j in range(max(0, i - window), min(len(tokens), i + window + 1)) if j != i]


@mutant("skipgram_pairs", breaks=[])
def wrong_skipgram_right_context_first(tokens, window):
    pairs = []
    for i in range(len(tokens)):
        right = [j for j in range(i + 1, min(len(tokens), i + window + 1))]
        left = [j for j in range(max(0, i - window), i)]
        pairs += [(tokens[i], tokens[j]) for j in right + left]
    return pairs


@mutant("skipgram_pairs", breaks=[])
def wrong_skipgram_context_centre_order(tokens, window):
    return [(tokens[j], tokens[i]) for i in range(len(tokens))
            for j in range(max(0, i - window), min(len(tokens), i + window + 1)) if j != i]


# --- negative_sampling_loss ----------------------------------------------------------------------------------------
@alternative("negative_sampling_loss")
def right_nsl_einsum(u_centre, v_context, v_negatives):
    positive = torch.einsum("bd,bd->b", u_centre, v_context)
    negative = torch.einsum("bkd,bd->bk", v_negatives, u_centre)
    return (-F.logsigmoid(positive) - F.logsigmoid(-negative).sum(dim=1)).mean()


@alternative("negative_sampling_loss")
def right_nsl_matmul(u_centre, v_context, v_negatives):
    loss = -F.logsigmoid(torch.sum(u_centre * v_context, dim=1))
    loss = loss - F.logsigmoid(-(v_negatives @ u_centre.unsqueeze(2)).squeeze(2)).sum(1)
    return torch.mean(loss)


@mutant("negative_sampling_loss", breaks=[])
def wrong_nsl_log_of_sigmoid(u_centre, v_context, v_negatives):
    positive = (u_centre * v_context).sum(-1)
    negative = torch.einsum("bkd,bd->bk", v_negatives, u_centre)
    return -(torch.log(torch.sigmoid(positive)) + torch.log(torch.sigmoid(-negative)).sum(-1)).mean()


@mutant("negative_sampling_loss", breaks=[])
def wrong_nsl_sum_over_batch(u_centre, v_context, v_negatives):
    positive = (u_centre * v_context).sum(-1)
    negative = torch.einsum("bkd,bd->bk", v_negatives, u_centre)
    return -(F.logsigmoid(positive) + F.logsigmoid(-negative).sum(-1)).sum()


@mutant("negative_sampling_loss", breaks=[])
def wrong_nsl_returns_float(u_centre, v_context, v_negatives):
    positive = (u_centre * v_context).sum(-1)
    negative = torch.einsum("bkd,bd->bk", v_negatives, u_centre)
    return float(-(F.logsigmoid(positive) + F.logsigmoid(-negative).sum(-1)).mean())


@mutant("negative_sampling_loss", breaks=[])
def wrong_nsl_mean_over_negatives(u_centre, v_context, v_negatives):
    positive = (u_centre * v_context).sum(-1)
    negative = torch.einsum("bkd,bd->bk", v_negatives, u_centre)
    return -(F.logsigmoid(positive) + F.logsigmoid(-negative).mean(-1)).mean()


@mutant("negative_sampling_loss", breaks=[])
def wrong_nsl_negative_sign(u_centre, v_context, v_negatives):
    positive = (u_centre * v_context).sum(-1)
    negative = torch.einsum("bkd,bd->bk", v_negatives, u_centre)
    return -(F.logsigmoid(positive) + F.logsigmoid(negative).sum(-1)).mean()


@mutant("negative_sampling_loss", breaks=[])
def wrong_nsl_numpy_inside(u_centre, v_context, v_negatives):
    u, v, n = u_centre.detach().numpy(), v_context.detach().numpy(), v_negatives.detach().numpy()
    positive = torch.tensor((u * v).sum(-1))
    negative = torch.tensor(np.einsum("bkd,bd->bk", n, u))
    return -(F.logsigmoid(positive) + F.logsigmoid(-negative).sum(-1)).mean()


# --- sentence_embedding -----------------------------------------------------------------------------------------------
@alternative("sentence_embedding")
def right_sentence_sum_and_count(sentence, word_vectors):
    total, count = None, 0
    for word in sentence.lower().split():
        if word in word_vectors:
            vector = np.asarray(word_vectors[word], dtype=float)
            total = vector.copy() if total is None else total + vector
            count += 1
    if count == 0:
        raise ValueError("no known word")
    return total / count


@alternative("sentence_embedding")
def right_sentence_regex_split(sentence, word_vectors):
    words = [w for w in re.split(r"\s+", sentence.strip().lower()) if w]
    found = [word_vectors[w] for w in words if w in word_vectors]
    if len(found) == 0:
        raise ValueError("no word found")
    return np.stack(found).mean(axis=0)


@mutant("sentence_embedding", breaks=[])
def wrong_sentence_split_on_space(sentence, word_vectors):
    found = [word_vectors[w] for w in sentence.lower().split(" ") if w in word_vectors]
    if not found:
        raise ValueError("none")
    return np.mean(found, axis=0)


@mutant("sentence_embedding", breaks=[])
def wrong_sentence_not_lower_cased(sentence, word_vectors):
    found = [word_vectors[w] for w in sentence.split() if w in word_vectors]
    if not found:
        raise ValueError("none")
    return np.mean(found, axis=0)


@mutant("sentence_embedding", breaks=[])
def wrong_sentence_unknown_as_zero(sentence, word_vectors):
    words = sentence.lower().split()
    d = len(next(iter(word_vectors.values())))
    found = [word_vectors.get(w, np.zeros(d)) for w in words]
    if not any(w in word_vectors for w in words):
        raise ValueError("none")
    return np.mean(found, axis=0)


@mutant("sentence_embedding", breaks=[])
def wrong_sentence_returns_list(sentence, word_vectors):
    found = [word_vectors[w] for w in sentence.lower().split() if w in word_vectors]
    if not found:
        raise ValueError("none")
    return list(np.mean(found, axis=0))


@mutant("sentence_embedding", breaks=[])
def wrong_sentence_unique_words(sentence, word_vectors):
    found = [word_vectors[w] for w in set(sentence.lower().split()) if w in word_vectors]
    if not found:
        raise ValueError("none")
    return np.mean(found, axis=0)


@mutant("sentence_embedding", breaks=[])
def wrong_sentence_accumulates_into_dict_vector(sentence, word_vectors):
    words = [w for w in sentence.lower().split() if w in word_vectors]
    if not words:
        raise ValueError("none")
    total = word_vectors[words[0]]
    for w in words[1:]:
        total += word_vectors[w]
    return total / len(words)


@mutant("sentence_embedding", breaks=[])
def wrong_sentence_zero_vector_when_empty(sentence, word_vectors):
    found = [word_vectors[w] for w in sentence.lower().split() if w in word_vectors]
    if not found:
        return np.zeros(len(next(iter(word_vectors.values()))))
    return np.mean(found, axis=0)


@mutant("sentence_embedding", breaks=[])
def wrong_sentence_returns_tensor(sentence, word_vectors):
    found = [torch.as_tensor(word_vectors[w]) for w in sentence.lower().split() if w in word_vectors]
    if not found:
        raise ValueError("none")
    return torch.stack(found).mean(0)
