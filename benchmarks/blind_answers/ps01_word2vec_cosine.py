"""Blind answers to ps01, written from the released notebook's instructions only (never from its tests, mutants or
solutions): `@alternative` = a correct answer in another style, `@mutant` = a plausible wrong answer (the mistake in
its name). benchmarks/fidelity.py --answers benchmarks/blind_answers grades them."""
import math

import numpy as np
import torch
import torch.nn.functional as F

from llmcourse.authoring.mutation import alternative, mutant


# ---------------------------------------------------------------- Part 1: cosine_similarity

@alternative("cosine_similarity")
def right_numpy_float64(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    if na == 0 or nb == 0:
        raise ValueError("cosine similarity is undefined for a zero vector")
    return float(np.dot(a, b) / (na * nb))


@alternative("cosine_similarity")
def right_pure_python(a, b):
    a, b = [float(v) for v in a], [float(v) for v in b]
    dot = 0.0
    sa = 0.0
    sb = 0.0
    for x, y in zip(a, b):
        dot += x * y
        sa += x * x
        sb += y * y
    if sa == 0.0 or sb == 0.0:
        raise ValueError("zero vector: the angle is undefined")
    return dot / (math.sqrt(sa) * math.sqrt(sb))


@alternative("cosine_similarity")
def right_torch(a, b):
    ta = torch.as_tensor(np.array(a, dtype=np.float64))
    tb = torch.as_tensor(np.array(b, dtype=np.float64))
    if not bool(ta.any()) or not bool(tb.any()):
        raise ValueError("a zero vector has no direction")
    return (ta @ tb / (torch.linalg.vector_norm(ta) * torch.linalg.vector_norm(tb))).item()


@mutant("cosine_similarity", breaks=[])
def wrong_no_zero_check(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    with np.errstate(all="ignore"):
        return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


@mutant("cosine_similarity", breaks=[])
def wrong_zero_check_only_first_vector(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if np.linalg.norm(a) == 0:
        raise ValueError("zero vector")
    with np.errstate(all="ignore"):
        return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


@mutant("cosine_similarity", breaks=[])
def wrong_returns_zero_for_zero_vector(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    if na == 0 or nb == 0:
        return 0.0
    return float(np.dot(a, b) / (na * nb))


@mutant("cosine_similarity", breaks=[])
def wrong_returns_0d_array(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    if na == 0 or nb == 0:
        raise ValueError("zero vector")
    return np.array(np.dot(a, b) / (na * nb))


@mutant("cosine_similarity", breaks=[])
def wrong_normalises_input_in_place(a, b):
    a = np.asarray(a)
    b = np.asarray(b)
    if a.dtype.kind != "f":
        a = a.astype(np.float64)
    if b.dtype.kind != "f":
        b = b.astype(np.float64)
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    if na == 0 or nb == 0:
        raise ValueError("zero vector")
    a /= na          # changes the caller's float array
    b /= nb
    return float(np.dot(a, b))


@mutant("cosine_similarity", breaks=[])
def wrong_absolute_value(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    if na == 0 or nb == 0:
        raise ValueError("zero vector")
    return float(abs(np.dot(a, b)) / (na * nb))


# ---------------------------------------------------------------- Part 2: cosine_similarity_matrix

@alternative("cosine_similarity_matrix")
def right_numpy_normalise_rows(A, B):
    A = np.asarray(A, dtype=np.float64)
    B = np.asarray(B, dtype=np.float64)
    na = np.linalg.norm(A, axis=1, keepdims=True)
    nb = np.linalg.norm(B, axis=1, keepdims=True)
    if np.any(na == 0) or np.any(nb == 0):
        raise ValueError("a row is all zeros: its cosine is undefined")
    return (A / na) @ (B / nb).T


@alternative("cosine_similarity_matrix")
def right_torch_normalize(A, B):
    tA = torch.as_tensor(np.array(A, dtype=np.float64))
    tB = torch.as_tensor(np.array(B, dtype=np.float64))
    if bool((tA == 0).all(dim=1).any()) or bool((tB == 0).all(dim=1).any()):
        raise ValueError("zero row")
    return (F.normalize(tA, dim=1) @ F.normalize(tB, dim=1).T).numpy()


@alternative("cosine_similarity_matrix")
def right_einsum_sqrt(A, B):
    A = np.array(A, dtype=np.float64)
    B = np.array(B, dtype=np.float64)
    na = np.sqrt(np.einsum("ij,ij->i", A, A))
    nb = np.sqrt(np.einsum("ij,ij->i", B, B))
    if not (np.all(na > 0) and np.all(nb > 0)):
        raise ValueError("all-zero row")
    return np.einsum("id,jd->ij", A / na[:, None], B / nb[:, None])


@mutant("cosine_similarity_matrix", breaks=[])
def wrong_normalise_axis0(A, B):
    A = np.asarray(A, dtype=np.float64)
    B = np.asarray(B, dtype=np.float64)
    na = np.linalg.norm(A, axis=0, keepdims=True)
    nb = np.linalg.norm(B, axis=0, keepdims=True)
    if np.any(np.linalg.norm(A, axis=1) == 0) or np.any(np.linalg.norm(B, axis=1) == 0):
        raise ValueError("zero row")
    with np.errstate(all="ignore"):
        return (A / na) @ (B / nb).T


@mutant("cosine_similarity_matrix", breaks=[])
def wrong_python_loop(A, B):
    A = np.asarray(A, dtype=np.float64)
    B = np.asarray(B, dtype=np.float64)
    out = np.zeros((A.shape[0], B.shape[0]))
    for i in range(A.shape[0]):
        for j in range(B.shape[0]):
            na, nb = np.linalg.norm(A[i]), np.linalg.norm(B[j])
            if na == 0 or nb == 0:
                raise ValueError("zero row")
            out[i, j] = A[i] @ B[j] / (na * nb)
    return out


@mutant("cosine_similarity_matrix", breaks=[])
def wrong_rejects_any_zero_entry(A, B):
    A = np.asarray(A, dtype=np.float64)
    B = np.asarray(B, dtype=np.float64)
    if np.any(A == 0) or np.any(B == 0):
        raise ValueError("zero entry")
    na = np.linalg.norm(A, axis=1, keepdims=True)
    nb = np.linalg.norm(B, axis=1, keepdims=True)
    return (A / na) @ (B / nb).T


@mutant("cosine_similarity_matrix", breaks=[])
def wrong_checks_only_A_for_zero_rows(A, B):
    A = np.asarray(A, dtype=np.float64)
    B = np.asarray(B, dtype=np.float64)
    na = np.linalg.norm(A, axis=1, keepdims=True)
    nb = np.linalg.norm(B, axis=1, keepdims=True)
    if np.any(na == 0):
        raise ValueError("zero row")
    with np.errstate(all="ignore"):
        return (A / na) @ (B / nb).T


@mutant("cosine_similarity_matrix", breaks=[])
def wrong_returns_tensor(A, B):
    tA = torch.as_tensor(np.array(A, dtype=np.float64))
    tB = torch.as_tensor(np.array(B, dtype=np.float64))
    if bool((tA == 0).all(dim=1).any()) or bool((tB == 0).all(dim=1).any()):
        raise ValueError("zero row")
    return F.normalize(tA, dim=1) @ F.normalize(tB, dim=1).T


@mutant("cosine_similarity_matrix", breaks=[])
def wrong_normalises_only_A(A, B):
    A = np.asarray(A, dtype=np.float64)
    B = np.asarray(B, dtype=np.float64)
    na = np.linalg.norm(A, axis=1, keepdims=True)
    nb = np.linalg.norm(B, axis=1, keepdims=True)
    if np.any(na == 0) or np.any(nb == 0):
        raise ValueError("zero row")
    return (A / na) @ B.T


# ---------------------------------------------------------------- Part 3: recommend

@alternative("recommend")
def right_loop_strict_greater(liked, candidates):
    best_title, best_cos = None, None
    for title, vector in candidates.items():
        c = cosine_similarity(liked, vector)
        if best_cos is None or c > best_cos:
            best_title, best_cos = title, c
    return best_title


@alternative("recommend")
def right_max_key(liked, candidates):
    # max returns the first maximal element: ties go to the earlier dict entry
    return max(candidates, key=lambda title: cosine_similarity(liked, candidates[title]))


@alternative("recommend")
def right_stable_sort(liked, candidates):
    scored = [(title, cosine_similarity(liked, v)) for title, v in candidates.items()]
    return sorted(scored, key=lambda tc: -tc[1])[0][0]


@mutant("recommend", breaks=[])
def wrong_ties_last_wins(liked, candidates):
    best_title, best_cos = None, -math.inf
    for title, vector in candidates.items():
        c = cosine_similarity(liked, vector)
        if c >= best_cos:
            best_title, best_cos = title, c
    return best_title


@mutant("recommend", breaks=[])
def wrong_picks_lowest_cosine(liked, candidates):
    return min(candidates, key=lambda title: cosine_similarity(liked, candidates[title]))


@mutant("recommend", breaks=[])
def wrong_euclidean_distance(liked, candidates):
    liked = np.asarray(liked, dtype=np.float64)
    return min(candidates, key=lambda t: float(np.linalg.norm(liked - np.asarray(candidates[t], dtype=np.float64))))


@mutant("recommend", breaks=[])
def wrong_dot_product_not_cosine(liked, candidates):
    liked = np.asarray(liked, dtype=np.float64)
    return max(candidates, key=lambda t: float(liked @ np.asarray(candidates[t], dtype=np.float64)))


@mutant("recommend", breaks=[])
def wrong_ties_broken_alphabetically(liked, candidates):
    return max(sorted(candidates), key=lambda title: cosine_similarity(liked, candidates[title]))


# ---------------------------------------------------------------- Part 4: skipgram_pairs

@alternative("skipgram_pairs")
def right_nested_loops(tokens, window):
    pairs = []
    n = len(tokens)
    for i in range(n):
        for j in range(max(0, i - window), min(n, i + window + 1)):
            if j != i:
                pairs.append((tokens[i], tokens[j]))
    return pairs


@alternative("skipgram_pairs")
def right_comprehension(tokens, window):
    n = len(tokens)
    return [(tokens[i], tokens[j]) for i in range(n) for j in range(i - window, i + window + 1)
            if 0 <= j < n and j != i]


@alternative("skipgram_pairs")
def right_offsets(tokens, window):
    tokens = list(tokens)
    pairs = []
    for i, centre in enumerate(tokens):
        for offset in range(-window, window + 1):
            j = i + offset
            if offset == 0 or j < 0 or j >= len(tokens):
                continue
            pairs.append(tuple([centre, tokens[j]]))
    return pairs


@mutant("skipgram_pairs", breaks=[])
def wrong_window_off_by_one_right_end(tokens, window):
    n = len(tokens)
    return [(tokens[i], tokens[j]) for i in range(n) for j in range(max(0, i - window), min(n, i + window))
            if j != i]


@mutant("skipgram_pairs", breaks=[])
def wrong_skips_equal_words_not_positions(tokens, window):
    n = len(tokens)
    return [(tokens[i], tokens[j]) for i in range(n) for j in range(max(0, i - window), min(n, i + window + 1))
            if tokens[j] != tokens[i]]


@mutant("skipgram_pairs", breaks=[])
def wrong_negative_index_wraps(tokens, window):
    n = len(tokens)
    pairs = []
    for i in range(n):
        for j in range(i - window, min(n, i + window + 1)):   # forgot max(0, ...): tokens[-1] is the last word
            if j != i:
                pairs.append((tokens[i], tokens[j]))
    return pairs


@mutant("skipgram_pairs", breaks=[])
def wrong_contexts_ordered_by_distance(tokens, window):
    n = len(tokens)
    pairs = []
    for i in range(n):
        for d in range(1, window + 1):
            if i - d >= 0:
                pairs.append((tokens[i], tokens[i - d]))
            if i + d < n:
                pairs.append((tokens[i], tokens[i + d]))
    return pairs


@mutant("skipgram_pairs", breaks=[])
def wrong_returns_lists_not_tuples(tokens, window):
    n = len(tokens)
    return [[tokens[i], tokens[j]] for i in range(n) for j in range(max(0, i - window), min(n, i + window + 1))
            if j != i]


@mutant("skipgram_pairs", breaks=[])
def wrong_context_centre_swapped(tokens, window):
    n = len(tokens)
    return [(tokens[j], tokens[i]) for i in range(n) for j in range(max(0, i - window), min(n, i + window + 1))
            if j != i]


# ---------------------------------------------------------------- Part 5: negative_sampling_loss

@alternative("negative_sampling_loss")
def right_einsum(u_centre, v_context, v_negatives):
    pos = (u_centre * v_context).sum(dim=-1)
    neg = torch.einsum("bd,bkd->bk", u_centre, v_negatives)
    loss = -F.logsigmoid(pos) - F.logsigmoid(-neg).sum(dim=-1)
    return loss.mean()


@alternative("negative_sampling_loss")
def right_bmm(u_centre, v_context, v_negatives):
    pos = torch.bmm(v_context.unsqueeze(1), u_centre.unsqueeze(2)).reshape(-1)
    neg = torch.bmm(v_negatives, u_centre.unsqueeze(2)).squeeze(2)
    return -(F.logsigmoid(pos).mean() + F.logsigmoid(-neg).sum(dim=1).mean())


@alternative("negative_sampling_loss")
def right_loop_over_negatives(u_centre, v_context, v_negatives):
    total = -F.logsigmoid((u_centre * v_context).sum(-1))
    for i in range(v_negatives.shape[1]):
        total = total - F.logsigmoid(-(u_centre * v_negatives[:, i, :]).sum(-1))
    return total.sum() / u_centre.shape[0]


@mutant("negative_sampling_loss", breaks=[])
def wrong_sum_over_batch(u_centre, v_context, v_negatives):
    pos = (u_centre * v_context).sum(dim=-1)
    neg = torch.einsum("bd,bkd->bk", u_centre, v_negatives)
    return (-F.logsigmoid(pos) - F.logsigmoid(-neg).sum(dim=-1)).sum()


@mutant("negative_sampling_loss", breaks=[])
def wrong_unstable_log_sigmoid(u_centre, v_context, v_negatives):
    pos = (u_centre * v_context).sum(dim=-1)
    neg = torch.einsum("bd,bkd->bk", u_centre, v_negatives)
    return (-torch.log(torch.sigmoid(pos)) - torch.log(torch.sigmoid(-neg)).sum(dim=-1)).mean()


@mutant("negative_sampling_loss", breaks=[])
def wrong_mean_over_negatives(u_centre, v_context, v_negatives):
    pos = (u_centre * v_context).sum(dim=-1)
    neg = torch.einsum("bd,bkd->bk", u_centre, v_negatives)
    return (-F.logsigmoid(pos) - F.logsigmoid(-neg).mean(dim=-1)).mean()


@mutant("negative_sampling_loss", breaks=[])
def wrong_negative_sign_not_flipped(u_centre, v_context, v_negatives):
    pos = (u_centre * v_context).sum(dim=-1)
    neg = torch.einsum("bd,bkd->bk", u_centre, v_negatives)
    return (-F.logsigmoid(pos) - F.logsigmoid(neg).sum(dim=-1)).mean()


@mutant("negative_sampling_loss", breaks=[])
def wrong_detached_no_gradient(u_centre, v_context, v_negatives):
    with torch.no_grad():
        pos = (u_centre * v_context).sum(dim=-1)
        neg = torch.einsum("bd,bkd->bk", u_centre, v_negatives)
        return (-F.logsigmoid(pos) - F.logsigmoid(-neg).sum(dim=-1)).mean()


@mutant("negative_sampling_loss", breaks=[])
def wrong_returns_python_float(u_centre, v_context, v_negatives):
    pos = (u_centre * v_context).sum(dim=-1)
    neg = torch.einsum("bd,bkd->bk", u_centre, v_negatives)
    return (-F.logsigmoid(pos) - F.logsigmoid(-neg).sum(dim=-1)).mean().item()


# ---------------------------------------------------------------- Part 6: sentence_embedding

@alternative("sentence_embedding")
def right_list_mean(sentence, word_vectors):
    found = [word_vectors[w] for w in sentence.lower().split() if w in word_vectors]
    if not found:
        raise ValueError("no word of the sentence is in the vocabulary")
    return np.mean(np.stack(found), axis=0)


@alternative("sentence_embedding")
def right_running_sum(sentence, word_vectors):
    total, count = None, 0
    for word in sentence.lower().split():
        vector = word_vectors.get(word)
        if vector is None:
            continue
        vector = np.asarray(vector, dtype=np.float64)
        total = vector.copy() if total is None else total + vector
        count += 1
    if count == 0:
        raise ValueError("empty average: every word is out of vocabulary")
    return total / count


@alternative("sentence_embedding")
def right_vstack_sum(sentence, word_vectors):
    words = [w for w in sentence.lower().split() if w in word_vectors]
    if len(words) == 0:
        raise ValueError("no known word")
    M = np.vstack([np.asarray(word_vectors[w], dtype=np.float64) for w in words])
    return M.sum(axis=0) / M.shape[0]


@mutant("sentence_embedding", breaks=[])
def wrong_no_lowercase(sentence, word_vectors):
    found = [word_vectors[w] for w in sentence.split() if w in word_vectors]
    if not found:
        raise ValueError("no known word")
    return np.mean(np.stack(found), axis=0)


@mutant("sentence_embedding", breaks=[])
def wrong_split_on_single_space(sentence, word_vectors):
    found = [word_vectors[w] for w in sentence.lower().split(" ") if w in word_vectors]
    if not found:
        raise ValueError("no known word")
    return np.mean(np.stack(found), axis=0)


@mutant("sentence_embedding", breaks=[])
def wrong_divides_by_all_words(sentence, word_vectors):
    words = sentence.lower().split()
    found = [word_vectors[w] for w in words if w in word_vectors]
    if not found:
        raise ValueError("no known word")
    return np.sum(np.stack(found), axis=0) / len(words)


@mutant("sentence_embedding", breaks=[])
def wrong_accumulates_into_dict_vector(sentence, word_vectors):
    total, count = None, 0
    for word in sentence.lower().split():
        if word in word_vectors:
            if total is None:
                total = word_vectors[word]          # no copy: += below changes the dict's own vector
            else:
                total += word_vectors[word]
            count += 1
    if count == 0:
        raise ValueError("no known word")
    return total / count


@mutant("sentence_embedding", breaks=[])
def wrong_deduplicates_words(sentence, word_vectors):
    found = [word_vectors[w] for w in set(sentence.lower().split()) if w in word_vectors]
    if not found:
        raise ValueError("no known word")
    return np.mean(np.stack(found), axis=0)


@mutant("sentence_embedding", breaks=[])
def wrong_no_empty_check_returns_nan(sentence, word_vectors):
    found = [word_vectors[w] for w in sentence.lower().split() if w in word_vectors]
    if not found:
        dim = len(next(iter(word_vectors.values())))
        return np.full(dim, np.nan)
    return np.mean(np.stack(found), axis=0)
