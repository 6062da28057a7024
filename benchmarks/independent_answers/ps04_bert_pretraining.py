"""Independent answers to ps04, written from the exercise's instructions only (see ps01_word2vec_cosine.py)."""
import random

import numpy as np
import torch
import torch.nn.functional as F

from llmcourse.authoring.mutation import alternative, mutant


# --- segment_ids -------------------------------------------------------------------------------------------------------
@alternative("segment_ids")
def right_segments_row_loop_pairs_only(input_ids, sep_id, pad_id):
    """A row loop for the current wording: a row with one [SEP] stays all 0."""
    out = torch.zeros_like(input_ids, dtype=torch.long)
    for r, row in enumerate(input_ids.tolist()):
        seen = 0
        for c, token in enumerate(row):
            if token != pad_id and seen >= 1 and row.count(sep_id) >= 2:
                out[r, c] = 1
            if token == sep_id:
                seen += 1
    return out


# Right under the earlier wording ("a row with only one [SEP] is a single sentence: all 0", read as a padded
# sentence); the instructions now say that tokens after a lone [SEP] are 0 too (the blind answers read it so, and the
# reference did not): this answer gives them 1.
@mutant("segment_ids", breaks=[])
def wrong_segments_row_loop_b_after_lone_sep(input_ids, sep_id, pad_id):
    out = torch.zeros_like(input_ids, dtype=torch.long)
    for r, row in enumerate(input_ids.tolist()):
        seen = 0
        for c, token in enumerate(row):
            if token != pad_id and seen >= 1:
                out[r, c] = 1
            if token == sep_id:
                seen += 1
    return out


# Right under the earlier wording ("a row with only one [SEP] is a single sentence: all 0", read as a padded
# sentence); the instructions now say that tokens after a lone [SEP] are 0 too (the blind answers read it so, and the
# reference did not): this answer gives them 1.
@mutant("segment_ids", breaks=[])
def wrong_segments_shifted_cumsum_b_after_lone_sep(input_ids, sep_id, pad_id):
    is_sep = (input_ids == sep_id).to(torch.long)
    before = torch.cat([torch.zeros_like(is_sep[:, :1]), is_sep[:, :-1]], dim=1).cumsum(dim=1)
    return ((before > 0) & (input_ids != pad_id)).long()


@mutant("segment_ids", breaks=[])
def wrong_segments_first_sep_in_b(input_ids, sep_id, pad_id):
    seg = ((input_ids == sep_id).long().cumsum(-1) >= 1).long()
    return torch.where(input_ids == pad_id, 0, seg)


@mutant("segment_ids", breaks=[])
def wrong_segments_padding_not_zeroed(input_ids, sep_id, pad_id):
    is_sep = (input_ids == sep_id).long()
    return ((is_sep.cumsum(-1) - is_sep) >= 1).long()


@mutant("segment_ids", breaks=[])
def wrong_segments_pad_is_zero(input_ids, sep_id, pad_id):
    is_sep = (input_ids == sep_id).long()
    seg = ((is_sep.cumsum(-1) - is_sep) >= 1).long()
    return torch.where(input_ids == 0, 0, seg)


@mutant("segment_ids", breaks=[])
def wrong_segments_bool(input_ids, sep_id, pad_id):
    is_sep = (input_ids == sep_id).long()
    return ((is_sep.cumsum(-1) - is_sep) >= 1) & (input_ids != pad_id)


@mutant("segment_ids", breaks=[])
def wrong_segments_int32(input_ids, sep_id, pad_id):
    is_sep = (input_ids == sep_id).int()
    return (((is_sep.cumsum(-1) - is_sep) >= 1) & (input_ids != pad_id)).int()


# First written as a wrong answer, then reclassified as right for every input the instructions described (at most
# two [SEP]); wrong again now that tokens after a lone [SEP] must be 0.
@mutant("segment_ids", breaks=[])
def wrong_segments_counts_seps_before_b_after_lone_sep(input_ids, sep_id, pad_id):
    is_sep = (input_ids == sep_id).long()
    return torch.where(input_ids == pad_id, 0, is_sep.cumsum(-1) - is_sep)


@mutant("segment_ids", breaks=[])
def wrong_segments_zeroes_pad_in_place(input_ids, sep_id, pad_id):
    input_ids[input_ids == pad_id] = 0
    is_sep = (input_ids == sep_id).long()
    return torch.where(input_ids == 0, 0, ((is_sep.cumsum(-1) - is_sep) >= 1).long())


# --- input_representation ----------------------------------------------------------------------------------------------
@alternative("input_representation")
def right_input_embedding_function(input_ids, token_type_ids, word_embeddings, position_embeddings, type_embeddings,
                                   ln_weight, ln_bias, eps=1e-12):
    seq_len = input_ids.size(1)
    x = F.embedding(input_ids, word_embeddings) + F.embedding(token_type_ids, type_embeddings)
    x = x + position_embeddings[:seq_len].unsqueeze(0)
    mu = x.mean(-1, keepdim=True)
    var = x.var(-1, unbiased=False, keepdim=True)
    return (x - mu) / (var + eps).sqrt() * ln_weight + ln_bias


@alternative("input_representation")
def right_input_index_select(input_ids, token_type_ids, word_embeddings, position_embeddings, type_embeddings,
                             ln_weight, ln_bias, eps=1e-12):
    b, n = input_ids.shape
    x = word_embeddings.index_select(0, input_ids.reshape(-1)).reshape(b, n, -1)
    x = x + type_embeddings.index_select(0, token_type_ids.reshape(-1)).reshape(b, n, -1)
    x = x + position_embeddings[torch.arange(n)]
    centred = x - x.mean(dim=2, keepdim=True)
    return ln_weight * centred * torch.rsqrt((centred ** 2).mean(dim=2, keepdim=True) + eps) + ln_bias


def _ln(x, w, b, eps, unbiased=False, outside=False):
    mu = x.mean(-1, keepdim=True)
    var = x.var(-1, unbiased=unbiased, keepdim=True)
    return w * (x - mu) / ((var.sqrt() + eps) if outside else torch.sqrt(var + eps)) + b


@mutant("input_representation", breaks=[])
def wrong_input_positions_from_one(input_ids, token_type_ids, word_embeddings, position_embeddings, type_embeddings,
                                   ln_weight, ln_bias, eps=1e-12):
    n = input_ids.shape[1]
    x = word_embeddings[input_ids] + type_embeddings[token_type_ids] + position_embeddings[1:n + 1]
    return _ln(x, ln_weight, ln_bias, eps)


@mutant("input_representation", breaks=[])
def wrong_input_unbiased_variance(input_ids, token_type_ids, word_embeddings, position_embeddings, type_embeddings,
                                  ln_weight, ln_bias, eps=1e-12):
    n = input_ids.shape[1]
    x = word_embeddings[input_ids] + type_embeddings[token_type_ids] + position_embeddings[:n]
    return _ln(x, ln_weight, ln_bias, eps, unbiased=True)


@mutant("input_representation", breaks=[])
def wrong_input_eps_outside_sqrt(input_ids, token_type_ids, word_embeddings, position_embeddings, type_embeddings,
                                 ln_weight, ln_bias, eps=1e-12):
    n = input_ids.shape[1]
    x = word_embeddings[input_ids] + type_embeddings[token_type_ids] + position_embeddings[:n]
    return _ln(x, ln_weight, ln_bias, eps, outside=True)


@mutant("input_representation", breaks=[])
def wrong_input_fixed_eps(input_ids, token_type_ids, word_embeddings, position_embeddings, type_embeddings,
                          ln_weight, ln_bias, eps=1e-12):
    n = input_ids.shape[1]
    x = word_embeddings[input_ids] + type_embeddings[token_type_ids] + position_embeddings[:n]
    return _ln(x, ln_weight, ln_bias, 1e-12)


@mutant("input_representation", breaks=[])
def wrong_input_library_layer_norm(input_ids, token_type_ids, word_embeddings, position_embeddings, type_embeddings,
                                   ln_weight, ln_bias, eps=1e-12):
    n = input_ids.shape[1]
    x = word_embeddings[input_ids] + type_embeddings[token_type_ids] + position_embeddings[:n]
    return F.layer_norm(x, x.shape[-1:], ln_weight, ln_bias, eps)


@mutant("input_representation", breaks=[])
def wrong_input_no_segments(input_ids, token_type_ids, word_embeddings, position_embeddings, type_embeddings,
                            ln_weight, ln_bias, eps=1e-12):
    n = input_ids.shape[1]
    x = word_embeddings[input_ids] + type_embeddings[0] + position_embeddings[:n]
    return _ln(x, ln_weight, ln_bias, eps)


@mutant("input_representation", breaks=[])
def wrong_input_positions_by_id(input_ids, token_type_ids, word_embeddings, position_embeddings, type_embeddings,
                                ln_weight, ln_bias, eps=1e-12):
    x = word_embeddings[input_ids] + type_embeddings[token_type_ids] + position_embeddings[token_type_ids]
    return _ln(x, ln_weight, ln_bias, eps)


@mutant("input_representation", breaks=[])
def wrong_input_no_layer_norm_bias(input_ids, token_type_ids, word_embeddings, position_embeddings, type_embeddings,
                                   ln_weight, ln_bias, eps=1e-12):
    n = input_ids.shape[1]
    x = word_embeddings[input_ids] + type_embeddings[token_type_ids] + position_embeddings[:n]
    return _ln(x, ln_weight, 0.0, eps)


# --- bert_parameter_count ----------------------------------------------------------------------------------------------
@alternative("bert_parameter_count")
def right_count_by_parts(vocab_size, hidden, layers, heads, intermediate=None, max_positions=512, type_vocab=2):
    intermediate = intermediate or 4 * hidden
    linear = lambda i, o: i * o + o  # noqa: E731
    layer_norm = 2 * hidden
    embeddings = vocab_size * hidden + max_positions * hidden + type_vocab * hidden + layer_norm
    layer = 4 * linear(hidden, hidden) + layer_norm + linear(hidden, intermediate) + linear(intermediate, hidden) \
        + layer_norm
    return embeddings + layers * layer + linear(hidden, hidden)


@mutant("bert_parameter_count", breaks=[])
def wrong_count_no_pooler(vocab_size, hidden, layers, heads, intermediate=None, max_positions=512, type_vocab=2):
    H, I = hidden, intermediate or 4 * hidden
    return (vocab_size + max_positions + type_vocab) * H + 2 * H + layers * (4 * (H * H + H) + 2 * H
                                                                              + 2 * H * I + I + H + 2 * H)


@mutant("bert_parameter_count", breaks=[])
def wrong_count_fixed_type_vocab(vocab_size, hidden, layers, heads, intermediate=None, max_positions=512,
                                 type_vocab=2):
    H, I = hidden, intermediate or 4 * hidden
    return (vocab_size + max_positions + 2) * H + 2 * H + layers * (4 * (H * H + H) + 2 * H + 2 * H * I + I + H
                                                                    + 2 * H) + H * H + H


@mutant("bert_parameter_count", breaks=[])
def wrong_count_fixed_positions(vocab_size, hidden, layers, heads, intermediate=None, max_positions=512,
                                type_vocab=2):
    H, I = hidden, intermediate or 4 * hidden
    return (vocab_size + 512 + type_vocab) * H + 2 * H + layers * (4 * (H * H + H) + 2 * H + 2 * H * I + I + H
                                                                   + 2 * H) + H * H + H


@mutant("bert_parameter_count", breaks=[])
def wrong_count_intermediate_3072(vocab_size, hidden, layers, heads, intermediate=None, max_positions=512,
                                  type_vocab=2):
    H, I = hidden, intermediate or 3072
    return (vocab_size + max_positions + type_vocab) * H + 2 * H + layers * (4 * (H * H + H) + 2 * H
                                                                              + 2 * H * I + I + H + 2 * H) + H * H + H


@mutant("bert_parameter_count", breaks=[])
def wrong_count_no_biases(vocab_size, hidden, layers, heads, intermediate=None, max_positions=512, type_vocab=2):
    H, I = hidden, intermediate or 4 * hidden
    return (vocab_size + max_positions + type_vocab) * H + 2 * H + layers * (4 * H * H + 2 * H + 2 * H * I
                                                                              + 2 * H) + H * H


@mutant("bert_parameter_count", breaks=[])
def wrong_count_returns_float(vocab_size, hidden, layers, heads, intermediate=None, max_positions=512,
                              type_vocab=2):
    H = hidden
    I = intermediate if intermediate else 4.0 * H
    return (vocab_size + max_positions + type_vocab) * H + 2 * H + layers * (4 * (H * H + H) + 2 * H
                                                                              + 2 * H * I + I + H + 2 * H) + H * H + H


# --- mask_tokens -------------------------------------------------------------------------------------------------------
def _choose_and_corrupt(input_ids, special_ids, mask_id, vocab_size, p, g, *, n_rule=None, replacement_high=None,
                        bernoulli=False):
    special = torch.tensor(list(special_ids))
    ordinary = torch.tensor([i for i in range(vocab_size) if i not in set(special_ids)])
    masked, labels = input_ids.clone(), torch.full_like(input_ids, -100)
    for r in range(input_ids.shape[0]):
        candidates = torch.nonzero(~torch.isin(input_ids[r], special)).flatten()
        if len(candidates) == 0:
            continue
        if bernoulli:
            chosen = candidates[torch.rand(len(candidates), generator=g) < p]
        else:
            n = n_rule(len(candidates)) if n_rule else max(1, round(p * len(candidates)))
            chosen = candidates[torch.randperm(len(candidates), generator=g)[:n]]
        labels[r, chosen] = input_ids[r, chosen]
        u = torch.rand(len(chosen), generator=g)
        masked[r, chosen[u < 0.8]] = mask_id
        rnd = chosen[(u >= 0.8) & (u < 0.9)]
        if replacement_high is not None:
            masked[r, rnd] = torch.randint(0, replacement_high(vocab_size), (len(rnd),), generator=g)
        else:
            masked[r, rnd] = ordinary[torch.randint(len(ordinary), (len(rnd),), generator=g)]
    return masked, labels


@alternative("mask_tokens")
def right_mask_tokens_random_keys(input_ids, special_ids, mask_id, vocab_size, mlm_probability=0.15, seed=0):
    g = torch.Generator().manual_seed(seed)
    is_candidate = ~torch.isin(input_ids, torch.tensor(list(special_ids)))
    masked, labels = input_ids.clone(), torch.full_like(input_ids, -100)
    for r in range(input_ids.shape[0]):
        count = int(is_candidate[r].sum())
        if count == 0:
            continue
        n = max(1, round(mlm_probability * count))
        keys = torch.rand(input_ids.shape[1], generator=g).masked_fill(~is_candidate[r], 2.0)
        chosen = torch.argsort(keys)[:n]
        labels[r, chosen] = input_ids[r, chosen]
        for position in chosen.tolist():
            u = torch.rand(1, generator=g).item()
            if u < 0.8:
                masked[r, position] = mask_id
            elif u < 0.9:
                while True:  # rejection sampling: uniform over the ordinary ids
                    candidate = int(torch.randint(0, vocab_size, (1,), generator=g))
                    if candidate not in special_ids:
                        break
                masked[r, position] = candidate
    return masked, labels


@alternative("mask_tokens")
def right_mask_tokens_multinomial(input_ids, special_ids, mask_id, vocab_size, mlm_probability=0.15, seed=0):
    g = torch.Generator().manual_seed(seed)
    special = set(int(s) for s in special_ids)
    allowed = torch.ones(vocab_size)
    allowed[[s for s in special if s < vocab_size]] = 0
    masked, labels = input_ids.clone(), torch.full_like(input_ids, -100)
    for r in range(len(input_ids)):
        weights = torch.tensor([0.0 if int(t) in special else 1.0 for t in input_ids[r]])
        count = int(weights.sum())
        if count == 0:
            continue
        n = max(1, round(mlm_probability * count))
        chosen = torch.multinomial(weights, n, replacement=False, generator=g)
        labels[r, chosen] = input_ids[r, chosen]
        u = torch.rand(n, generator=g)
        masked[r, chosen[u < 0.8]] = mask_id
        swap = chosen[(u >= 0.8) & (u < 0.9)]
        if len(swap):
            masked[r, swap] = torch.multinomial(allowed, len(swap), replacement=True, generator=g)
    return masked, labels


@mutant("mask_tokens", breaks=[])
def wrong_mask_tokens_global_seed(input_ids, special_ids, mask_id, vocab_size, mlm_probability=0.15, seed=0):
    torch.manual_seed(seed)
    return _choose_and_corrupt(input_ids, special_ids, mask_id, vocab_size, mlm_probability, None)


@mutant("mask_tokens", breaks=[])
def wrong_mask_tokens_floor(input_ids, special_ids, mask_id, vocab_size, mlm_probability=0.15, seed=0):
    g = torch.Generator().manual_seed(seed)
    return _choose_and_corrupt(input_ids, special_ids, mask_id, vocab_size, mlm_probability, g,
                               n_rule=lambda c: max(1, int(mlm_probability * c)))


@mutant("mask_tokens", breaks=[])
def wrong_mask_tokens_bernoulli_count(input_ids, special_ids, mask_id, vocab_size, mlm_probability=0.15, seed=0):
    g = torch.Generator().manual_seed(seed)
    return _choose_and_corrupt(input_ids, special_ids, mask_id, vocab_size, mlm_probability, g, bernoulli=True)


@mutant("mask_tokens", breaks=[])
def wrong_mask_tokens_last_id_never_drawn(input_ids, special_ids, mask_id, vocab_size, mlm_probability=0.15, seed=0):
    g = torch.Generator().manual_seed(seed)
    special = torch.tensor(list(special_ids))
    ordinary = torch.tensor([i for i in range(vocab_size - 1) if i not in set(special_ids)])
    masked, labels = input_ids.clone(), torch.full_like(input_ids, -100)
    for r in range(input_ids.shape[0]):
        candidates = torch.nonzero(~torch.isin(input_ids[r], special)).flatten()
        if len(candidates) == 0:
            continue
        n = max(1, round(mlm_probability * len(candidates)))
        chosen = candidates[torch.randperm(len(candidates), generator=g)[:n]]
        labels[r, chosen] = input_ids[r, chosen]
        u = torch.rand(n, generator=g)
        masked[r, chosen[u < 0.8]] = mask_id
        rnd = chosen[(u >= 0.8) & (u < 0.9)]
        masked[r, rnd] = ordinary[torch.randint(len(ordinary), (len(rnd),), generator=g)]
    return masked, labels


@mutant("mask_tokens", breaks=[])
def wrong_mask_tokens_replacement_may_be_special(input_ids, special_ids, mask_id, vocab_size, mlm_probability=0.15,
                                                 seed=0):
    g = torch.Generator().manual_seed(seed)
    return _choose_and_corrupt(input_ids, special_ids, mask_id, vocab_size, mlm_probability, g,
                               replacement_high=lambda v: v)


@mutant("mask_tokens", breaks=[])
def wrong_mask_tokens_in_place(input_ids, special_ids, mask_id, vocab_size, mlm_probability=0.15, seed=0):
    g = torch.Generator().manual_seed(seed)
    original = input_ids.clone()
    masked, labels = _choose_and_corrupt(original, special_ids, mask_id, vocab_size, mlm_probability, g)
    input_ids.copy_(masked)
    return input_ids, labels


@mutant("mask_tokens", breaks=[])
def wrong_mask_tokens_whole_batch_fraction(input_ids, special_ids, mask_id, vocab_size, mlm_probability=0.15,
                                           seed=0):
    g = torch.Generator().manual_seed(seed)
    return _choose_and_corrupt(input_ids, special_ids, mask_id, vocab_size, mlm_probability, g,
                               n_rule=lambda c: max(1, round(mlm_probability * input_ids.shape[1])))


@mutant("mask_tokens", breaks=[])
def wrong_mask_tokens_global_rand_for_u(input_ids, special_ids, mask_id, vocab_size, mlm_probability=0.15, seed=0):
    g = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    special = torch.tensor(list(special_ids))
    ordinary = torch.tensor([i for i in range(vocab_size) if i not in set(special_ids)])
    masked, labels = input_ids.clone(), torch.full_like(input_ids, -100)
    for r in range(input_ids.shape[0]):
        candidates = torch.nonzero(~torch.isin(input_ids[r], special)).flatten()
        if len(candidates) == 0:
            continue
        n = max(1, round(mlm_probability * len(candidates)))
        chosen = candidates[torch.randperm(len(candidates), generator=g)[:n]]
        labels[r, chosen] = input_ids[r, chosen]
        u = torch.rand(n)
        masked[r, chosen[u < 0.8]] = mask_id
        rnd = chosen[(u >= 0.8) & (u < 0.9)]
        masked[r, rnd] = ordinary[torch.randint(len(ordinary), (len(rnd),), generator=g)]
    return masked, labels


@mutant("mask_tokens", breaks=[])
def wrong_mask_tokens_labels_zero(input_ids, special_ids, mask_id, vocab_size, mlm_probability=0.15, seed=0):
    g = torch.Generator().manual_seed(seed)
    masked, labels = _choose_and_corrupt(input_ids, special_ids, mask_id, vocab_size, mlm_probability, g)
    return masked, labels.masked_fill(labels == -100, 0)


# --- make_nsp_pairs ----------------------------------------------------------------------------------------------------
@alternative("make_nsp_pairs")
def right_nsp_randrange(documents, seed=0):
    rng = random.Random(seed)
    pairs = []
    for d, document in enumerate(documents):
        for i, sentence in enumerate(document[:-1]):
            if rng.random() < 0.5:
                pairs.append((sentence, document[i + 1], 0))
            else:
                others = [doc for e, doc in enumerate(documents) if e != d]
                other = others[rng.randrange(len(others))]
                pairs.append((sentence, other[rng.randrange(len(other))], 1))
    return pairs


@mutant("make_nsp_pairs", breaks=[])
def wrong_nsp_labels_swapped(documents, seed=0):
    rng = random.Random(seed)
    pairs = []
    for d, document in enumerate(documents):
        for i in range(len(document) - 1):
            if rng.random() < 0.5:
                pairs.append((document[i], document[i + 1], 1))
            else:
                other = rng.choice([e for e in range(len(documents)) if e != d])
                pairs.append((document[i], rng.choice(documents[other]), 0))
    return pairs


@mutant("make_nsp_pairs", breaks=[])
def wrong_nsp_any_document(documents, seed=0):
    rng = random.Random(seed)
    pairs = []
    for document in documents:
        for i in range(len(document) - 1):
            if rng.random() < 0.5:
                pairs.append((document[i], document[i + 1], 0))
            else:
                pairs.append((document[i], rng.choice(rng.choice(documents)), 1))
    return pairs


@mutant("make_nsp_pairs", breaks=[])
def wrong_nsp_global_random(documents, seed=0):
    random.seed(seed)
    pairs = []
    for d, document in enumerate(documents):
        for i in range(len(document) - 1):
            if random.random() < 0.5:
                pairs.append((document[i], document[i + 1], 0))
            else:
                other = random.choice([e for e in range(len(documents)) if e != d])
                pairs.append((document[i], random.choice(documents[other]), 1))
    return pairs


@mutant("make_nsp_pairs", breaks=[])
def wrong_nsp_generator_per_document(documents, seed=0):
    pairs = []
    for d, document in enumerate(documents):
        rng = random.Random(seed)
        for i in range(len(document) - 1):
            if rng.random() < 0.5:
                pairs.append((document[i], document[i + 1], 0))
            else:
                other = rng.choice([e for e in range(len(documents)) if e != d])
                pairs.append((document[i], rng.choice(documents[other]), 1))
    return pairs


@mutant("make_nsp_pairs", breaks=[])
def wrong_nsp_bool_labels(documents, seed=0):
    rng = random.Random(seed)
    pairs = []
    for d, document in enumerate(documents):
        for i in range(len(document) - 1):
            if rng.random() < 0.5:
                pairs.append((document[i], document[i + 1], False))
            else:
                other = rng.choice([e for e in range(len(documents)) if e != d])
                pairs.append((document[i], rng.choice(documents[other]), True))
    return pairs


@mutant("make_nsp_pairs", breaks=[])
def wrong_nsp_sentence_before_document(documents, seed=0):
    rng = random.Random(seed)
    pairs = []
    for d, document in enumerate(documents):
        for i in range(len(document) - 1):
            if rng.random() < 0.5:
                pairs.append((document[i], document[i + 1], 0))
            else:
                others = [e for e in range(len(documents)) if e != d]
                j = rng.random()
                other = documents[rng.choice(others)]
                pairs.append((document[i], other[int(j * len(other))], 1))
    return pairs


@mutant("make_nsp_pairs", breaks=[])
def wrong_nsp_includes_last_sentence(documents, seed=0):
    rng = random.Random(seed)
    pairs = []
    for d, document in enumerate(documents):
        for i in range(len(document)):
            if i + 1 < len(document) and rng.random() < 0.5:
                pairs.append((document[i], document[i + 1], 0))
            else:
                other = rng.choice([e for e in range(len(documents)) if e != d])
                pairs.append((document[i], rng.choice(documents[other]), 1))
    return pairs


@mutant("make_nsp_pairs", breaks=[])
def wrong_nsp_threshold_reversed(documents, seed=0):
    rng = random.Random(seed)
    pairs = []
    for d, document in enumerate(documents):
        for i in range(len(document) - 1):
            if rng.random() >= 0.5:
                pairs.append((document[i], document[i + 1], 0))
            else:
                other = rng.choice([e for e in range(len(documents)) if e != d])
                pairs.append((document[i], rng.choice(documents[other]), 1))
    return pairs


# --- masked_lm_loss ----------------------------------------------------------------------------------------------------
@alternative("masked_lm_loss")
def right_mlm_gather(logits, labels):
    chosen = labels != -100
    log_probs = logits - torch.logsumexp(logits, dim=-1, keepdim=True)
    picked = log_probs.gather(-1, labels.clamp(min=0).unsqueeze(-1)).squeeze(-1)
    return -(picked * chosen).sum() / chosen.sum()


@alternative("masked_lm_loss")
def right_mlm_flatten(logits, labels):
    z, y = logits.reshape(-1, logits.shape[-1]), labels.reshape(-1)
    keep = y != -100
    z, y = z[keep], y[keep]
    return (torch.logsumexp(z, 1) - z[torch.arange(len(y)), y]).mean()


@mutant("masked_lm_loss", breaks=[])
def wrong_mlm_mean_per_sentence(logits, labels):
    log_probs = logits - torch.logsumexp(logits, -1, keepdim=True)
    losses = []
    for b in range(len(labels)):
        keep = labels[b] != -100
        if keep.any():
            losses.append(-log_probs[b][keep, labels[b][keep]].mean())
    return torch.stack(losses).mean()


@mutant("masked_lm_loss", breaks=[])
def wrong_mlm_cross_entropy(logits, labels):
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1), ignore_index=-100)


@mutant("masked_lm_loss", breaks=[])
def wrong_mlm_log_softmax_function(logits, labels):
    keep = labels != -100
    return -F.log_softmax(logits[keep], -1)[torch.arange(int(keep.sum())), labels[keep]].mean()


@mutant("masked_lm_loss", breaks=[])
def wrong_mlm_log_of_softmax(logits, labels):
    keep = labels != -100
    z = logits[keep]
    probs = torch.exp(z) / torch.exp(z).sum(-1, keepdim=True)
    return -torch.log(probs[torch.arange(len(z)), labels[keep]]).mean()


@mutant("masked_lm_loss", breaks=[])
def wrong_mlm_sum(logits, labels):
    keep = labels != -100
    z = logits[keep]
    return (torch.logsumexp(z, -1) - z[torch.arange(len(z)), labels[keep]]).sum()


@mutant("masked_lm_loss", breaks=[])
def wrong_mlm_divides_by_all_positions(logits, labels):
    keep = labels != -100
    z = logits[keep]
    return (torch.logsumexp(z, -1) - z[torch.arange(len(z)), labels[keep]]).sum() / labels.numel()


@mutant("masked_lm_loss", breaks=[])
def wrong_mlm_returns_float(logits, labels):
    keep = labels != -100
    z = logits[keep]
    return float((torch.logsumexp(z, -1) - z[torch.arange(len(z)), labels[keep]]).mean())
