"""Blind answers to ps04, written from the released notebook's instructions only (never from its tests, mutants or
solutions): `@alternative` = a correct answer in another style, `@mutant` = a plausible wrong answer (the mistake in
its name). benchmarks/fidelity.py --answers benchmarks/blind_answers grades them."""
import random

import numpy as np
import torch
import torch.nn.functional as F

from llmcourse.authoring.mutation import alternative, mutant


# ---------------------------------------------------------------- 1. segment_ids

@alternative("segment_ids")
def right_exclusive_cumsum(input_ids, sep_id, pad_id):
    is_sep = (input_ids == sep_id).long()
    before = torch.cumsum(is_sep, dim=1) - is_sep  # [SEP]s strictly before this token
    has_pair = is_sep.sum(dim=1, keepdim=True) >= 2
    seg = (before == 1) & has_pair & (input_ids != pad_id)
    return seg.long()


@alternative("segment_ids")
def right_python_loops(input_ids, sep_id, pad_id):
    rows = input_ids.tolist()
    out = []
    for row in rows:
        pair = row.count(sep_id) >= 2
        seen, seg = 0, []
        for tok in row:
            seg.append(1 if (pair and seen == 1 and tok != pad_id) else 0)
            if tok == sep_id:
                seen += 1
        out.append(seg)
    return torch.tensor(out, dtype=torch.long).reshape(input_ids.shape)


@alternative("segment_ids")
def right_shifted_cumsum_where(input_ids, sep_id, pad_id):
    is_sep = input_ids.eq(sep_id).to(torch.int64)
    shifted = torch.cat([torch.zeros_like(is_sep[:, :1]), is_sep[:, :-1]], dim=1)
    count = shifted.cumsum(dim=-1)
    total = is_sep.sum(dim=-1, keepdim=True)
    ones = torch.ones_like(input_ids, dtype=torch.long)
    return torch.where((count == 1) & (total >= 2) & input_ids.ne(pad_id), ones, torch.zeros_like(ones))


@mutant("segment_ids", breaks=[])
def wrong_sep_counted_inclusive(input_ids, sep_id, pad_id):
    count = torch.cumsum((input_ids == sep_id).long(), dim=1)
    has_pair = (input_ids == sep_id).sum(dim=1, keepdim=True) >= 2
    return ((count == 1) & has_pair & (input_ids != pad_id)).long()


@mutant("segment_ids", breaks=[])
def wrong_padding_gets_segment_one(input_ids, sep_id, pad_id):
    is_sep = (input_ids == sep_id).long()
    before = torch.cumsum(is_sep, dim=1) - is_sep
    has_pair = is_sep.sum(dim=1, keepdim=True) >= 2
    return (before.clamp(max=1) * has_pair).long()


@mutant("segment_ids", breaks=[])
def wrong_pad_id_ignored_uses_zero(input_ids, sep_id, pad_id):
    is_sep = (input_ids == sep_id).long()
    before = torch.cumsum(is_sep, dim=1) - is_sep
    has_pair = is_sep.sum(dim=1, keepdim=True) >= 2
    return (before.clamp(max=1) * has_pair * (input_ids != 0)).long()


@mutant("segment_ids", breaks=[])
def wrong_returns_bool(input_ids, sep_id, pad_id):
    is_sep = (input_ids == sep_id).long()
    before = torch.cumsum(is_sep, dim=1) - is_sep
    has_pair = is_sep.sum(dim=1, keepdim=True) >= 2
    return (before == 1) & has_pair & (input_ids != pad_id)


@mutant("segment_ids", breaks=[])
def wrong_single_sep_row_not_all_zero(input_ids, sep_id, pad_id):
    is_sep = (input_ids == sep_id).long()
    before = torch.cumsum(is_sep, dim=1) - is_sep
    return ((before == 1) & (input_ids != pad_id)).long()


@mutant("segment_ids", breaks=[])
def wrong_cumsum_over_batch_axis(input_ids, sep_id, pad_id):
    is_sep = (input_ids == sep_id).long()
    before = torch.cumsum(is_sep, dim=0) - is_sep
    has_pair = is_sep.sum(dim=1, keepdim=True) >= 2
    return ((before == 1) & has_pair & (input_ids != pad_id)).long()


# ---------------------------------------------------------------- 2. input_representation

@alternative("input_representation")
def right_indexing_manual_ln(input_ids, token_type_ids, word_embeddings, position_embeddings, type_embeddings,
                             ln_weight, ln_bias, eps=1e-12):
    L = input_ids.shape[1]
    x = word_embeddings[input_ids] + type_embeddings[token_type_ids] + position_embeddings[:L]
    mu = x.mean(dim=-1, keepdim=True)
    var = ((x - mu) ** 2).mean(dim=-1, keepdim=True)
    return ln_weight * (x - mu) / torch.sqrt(var + eps) + ln_bias


@alternative("input_representation")
def right_f_embedding_var_unbiased_false(input_ids, token_type_ids, word_embeddings, position_embeddings,
                                         type_embeddings, ln_weight, ln_bias, eps=1e-12):
    pos = torch.arange(input_ids.shape[1]).unsqueeze(0).expand_as(input_ids)
    x = (F.embedding(input_ids, word_embeddings) + F.embedding(token_type_ids, type_embeddings)
         + F.embedding(pos, position_embeddings))
    var, mu = torch.var_mean(x, dim=-1, unbiased=False, keepdim=True)
    return (x - mu) * torch.rsqrt(var + eps) * ln_weight + ln_bias


@alternative("input_representation")
def right_index_select_second_moment(input_ids, token_type_ids, word_embeddings, position_embeddings,
                                     type_embeddings, ln_weight, ln_bias, eps=1e-12):
    B, L = input_ids.shape
    H = word_embeddings.shape[1]
    tok = word_embeddings.index_select(0, input_ids.reshape(-1)).reshape(B, L, H)
    seg = type_embeddings.index_select(0, token_type_ids.reshape(-1)).reshape(B, L, H)
    pos = position_embeddings.index_select(0, torch.arange(L)).unsqueeze(0)
    x = tok + seg + pos
    mu = x.sum(dim=2, keepdim=True) / H
    centred = x - mu
    var = (centred * centred).sum(dim=2, keepdim=True) / H
    return centred / (var + eps).sqrt() * ln_weight.view(1, 1, H) + ln_bias.view(1, 1, H)


@mutant("input_representation", breaks=[])
def wrong_unbiased_variance(input_ids, token_type_ids, word_embeddings, position_embeddings, type_embeddings,
                            ln_weight, ln_bias, eps=1e-12):
    L = input_ids.shape[1]
    x = word_embeddings[input_ids] + type_embeddings[token_type_ids] + position_embeddings[:L]
    mu = x.mean(dim=-1, keepdim=True)
    var = x.var(dim=-1, keepdim=True)  # unbiased (divides by H - 1)
    return ln_weight * (x - mu) / torch.sqrt(var + eps) + ln_bias


@mutant("input_representation", breaks=[])
def wrong_positions_from_one(input_ids, token_type_ids, word_embeddings, position_embeddings, type_embeddings,
                             ln_weight, ln_bias, eps=1e-12):
    L = input_ids.shape[1]
    x = word_embeddings[input_ids] + type_embeddings[token_type_ids] + position_embeddings[1:L + 1]
    mu = x.mean(dim=-1, keepdim=True)
    var = ((x - mu) ** 2).mean(dim=-1, keepdim=True)
    return ln_weight * (x - mu) / torch.sqrt(var + eps) + ln_bias


@mutant("input_representation", breaks=[])
def wrong_eps_ignored_default_1e5(input_ids, token_type_ids, word_embeddings, position_embeddings,
                                  type_embeddings, ln_weight, ln_bias, eps=1e-12):
    L = input_ids.shape[1]
    x = word_embeddings[input_ids] + type_embeddings[token_type_ids] + position_embeddings[:L]
    mu = x.mean(dim=-1, keepdim=True)
    var = ((x - mu) ** 2).mean(dim=-1, keepdim=True)
    return ln_weight * (x - mu) / torch.sqrt(var + 1e-5) + ln_bias


@mutant("input_representation", breaks=[])
def wrong_eps_added_to_std(input_ids, token_type_ids, word_embeddings, position_embeddings, type_embeddings,
                           ln_weight, ln_bias, eps=1e-12):
    L = input_ids.shape[1]
    x = word_embeddings[input_ids] + type_embeddings[token_type_ids] + position_embeddings[:L]
    mu = x.mean(dim=-1, keepdim=True)
    std = ((x - mu) ** 2).mean(dim=-1, keepdim=True).sqrt()
    return ln_weight * (x - mu) / (std + eps) + ln_bias


@mutant("input_representation", breaks=[])
def wrong_normalise_over_sequence_axis(input_ids, token_type_ids, word_embeddings, position_embeddings,
                                       type_embeddings, ln_weight, ln_bias, eps=1e-12):
    L = input_ids.shape[1]
    x = word_embeddings[input_ids] + type_embeddings[token_type_ids] + position_embeddings[:L]
    mu = x.mean(dim=1, keepdim=True)
    var = ((x - mu) ** 2).mean(dim=1, keepdim=True)
    return ln_weight * (x - mu) / torch.sqrt(var + eps) + ln_bias


@mutant("input_representation", breaks=[])
def wrong_segment_embedding_forgotten(input_ids, token_type_ids, word_embeddings, position_embeddings,
                                      type_embeddings, ln_weight, ln_bias, eps=1e-12):
    L = input_ids.shape[1]
    x = word_embeddings[input_ids] + position_embeddings[:L] + type_embeddings[0]
    mu = x.mean(dim=-1, keepdim=True)
    var = ((x - mu) ** 2).mean(dim=-1, keepdim=True)
    return ln_weight * (x - mu) / torch.sqrt(var + eps) + ln_bias


# ---------------------------------------------------------------- 3. bert_parameter_count

@alternative("bert_parameter_count")
def right_itemised(vocab_size, hidden, layers, heads, intermediate=None, max_positions=512, type_vocab=2):
    H = hidden
    inter = 4 * H if intermediate is None else intermediate
    embeddings = vocab_size * H + max_positions * H + type_vocab * H + 2 * H
    attention = 4 * (H * H + H) + 2 * H
    ffn = H * inter + inter + inter * H + H + 2 * H
    pooler = H * H + H
    return int(embeddings + layers * (attention + ffn) + pooler)


@alternative("bert_parameter_count")
def right_closed_form(vocab_size, hidden, layers, heads, intermediate=None, max_positions=512, type_vocab=2):
    I = intermediate if intermediate is not None else 4 * hidden
    per_layer = 4 * hidden * hidden + 2 * hidden * I + I + 9 * hidden
    return (vocab_size + max_positions + type_vocab + 2) * hidden + layers * per_layer + hidden * hidden + hidden


@alternative("bert_parameter_count")
def right_shape_list(vocab_size, hidden, layers, heads, intermediate=None, max_positions=512, type_vocab=2):
    H, I = hidden, (intermediate or 4 * hidden)
    shapes = [(vocab_size, H), (max_positions, H), (type_vocab, H), (H,), (H,)]
    layer = [(H, H), (H,)] * 4 + [(H,), (H,)] + [(I, H), (I,), (H, I), (H,)] + [(H,), (H,)]
    shapes += layer * layers + [(H, H), (H,)]
    return sum(int(np.prod(s)) for s in shapes)


@mutant("bert_parameter_count", breaks=[])
def wrong_no_pooler(vocab_size, hidden, layers, heads, intermediate=None, max_positions=512, type_vocab=2):
    H = hidden
    inter = 4 * H if intermediate is None else intermediate
    embeddings = (vocab_size + max_positions + type_vocab) * H + 2 * H
    per_layer = 4 * (H * H + H) + 2 * H + 2 * H * inter + inter + H + 2 * H
    return embeddings + layers * per_layer


@mutant("bert_parameter_count", breaks=[])
def wrong_intermediate_always_4h(vocab_size, hidden, layers, heads, intermediate=None, max_positions=512,
                                 type_vocab=2):
    H = hidden
    inter = 4 * H
    embeddings = (vocab_size + max_positions + type_vocab) * H + 2 * H
    per_layer = 4 * (H * H + H) + 2 * H + 2 * H * inter + inter + H + 2 * H
    return embeddings + layers * per_layer + H * H + H


@mutant("bert_parameter_count", breaks=[])
def wrong_max_positions_hardcoded_512(vocab_size, hidden, layers, heads, intermediate=None, max_positions=512,
                                      type_vocab=2):
    H = hidden
    inter = 4 * H if intermediate is None else intermediate
    embeddings = (vocab_size + 512 + type_vocab) * H + 2 * H
    per_layer = 4 * (H * H + H) + 2 * H + 2 * H * inter + inter + H + 2 * H
    return embeddings + layers * per_layer + H * H + H


@mutant("bert_parameter_count", breaks=[])
def wrong_one_layernorm_per_layer(vocab_size, hidden, layers, heads, intermediate=None, max_positions=512,
                                  type_vocab=2):
    H = hidden
    inter = 4 * H if intermediate is None else intermediate
    embeddings = (vocab_size + max_positions + type_vocab) * H + 2 * H
    per_layer = 4 * (H * H + H) + 2 * H * inter + inter + H + 2 * H
    return embeddings + layers * per_layer + H * H + H


@mutant("bert_parameter_count", breaks=[])
def wrong_type_vocab_ignored(vocab_size, hidden, layers, heads, intermediate=None, max_positions=512,
                             type_vocab=2):
    H = hidden
    inter = 4 * H if intermediate is None else intermediate
    embeddings = (vocab_size + max_positions + 2) * H + 2 * H
    per_layer = 4 * (H * H + H) + 2 * H + 2 * H * inter + inter + H + 2 * H
    return embeddings + layers * per_layer + H * H + H


@mutant("bert_parameter_count", breaks=[])
def wrong_returns_float(vocab_size, hidden, layers, heads, intermediate=None, max_positions=512, type_vocab=2):
    H = hidden
    inter = 4.0 * H if intermediate is None else float(intermediate)
    embeddings = (vocab_size + max_positions + type_vocab) * H + 2 * H
    per_layer = 4 * (H * H + H) + 2 * H + 2 * H * inter + inter + H + 2 * H
    return embeddings + layers * per_layer + H * H + H


# ---------------------------------------------------------------- 4. mask_tokens

@alternative("mask_tokens")
def right_per_row_randperm(input_ids, special_ids, mask_id, vocab_size, mlm_probability=0.15, seed=0):
    g = torch.Generator().manual_seed(seed)
    masked = input_ids.clone()
    labels = torch.full_like(input_ids, -100)
    allowed = torch.arange(vocab_size)
    allowed = allowed[~torch.isin(allowed, torch.as_tensor(list(special_ids), dtype=torch.long))]
    special = torch.as_tensor(list(special_ids), dtype=input_ids.dtype)
    for b in range(input_ids.shape[0]):
        cand = torch.nonzero(~torch.isin(input_ids[b], special)).flatten()
        m = len(cand)
        n = max(1, round(mlm_probability * m)) if m > 0 else 0
        if n == 0:
            continue
        pos = cand[torch.randperm(m, generator=g)[:n]]
        labels[b, pos] = input_ids[b, pos]
        u = torch.rand(n, generator=g)
        rnd = allowed[torch.randint(len(allowed), (n,), generator=g)]
        to_mask = u < 0.8
        to_rand = (u >= 0.8) & (u < 0.9)
        masked[b, pos[to_mask]] = mask_id
        masked[b, pos[to_rand]] = rnd[to_rand]
    return masked, labels


@alternative("mask_tokens")
def right_vectorised_scores(input_ids, special_ids, mask_id, vocab_size, mlm_probability=0.15, seed=0):
    g = torch.Generator().manual_seed(seed)
    special = torch.tensor(sorted(set(int(s) for s in special_ids)), dtype=torch.long)
    cand = ~torch.isin(input_ids, special)
    m = cand.sum(dim=1)
    n = torch.tensor([max(1, round(mlm_probability * int(c))) if int(c) > 0 else 0 for c in m])
    scores = torch.rand(input_ids.shape, generator=g)
    scores = torch.where(cand, scores, torch.full_like(scores, 2.0))  # non-candidates sort last
    order = scores.argsort(dim=1)
    rank = torch.empty_like(order)
    rank.scatter_(1, order, torch.arange(input_ids.shape[1]).expand_as(order).contiguous())
    chosen = cand & (rank < n[:, None])
    u = torch.rand(input_ids.shape, generator=g)
    allowed = torch.arange(vocab_size)
    allowed = allowed[~torch.isin(allowed, torch.as_tensor(list(special_ids), dtype=torch.long))]
    rnd = allowed[torch.randint(len(allowed), input_ids.shape, generator=g)]
    masked = torch.where(chosen & (u < 0.8), torch.full_like(input_ids, mask_id), input_ids)
    masked = torch.where(chosen & (u >= 0.8) & (u < 0.9), rnd, masked)
    labels = torch.where(chosen, input_ids, torch.full_like(input_ids, -100))
    return masked.long(), labels.long()


@alternative("mask_tokens")
def right_python_lists_rejection(input_ids, special_ids, mask_id, vocab_size, mlm_probability=0.15, seed=0):
    g = torch.Generator().manual_seed(seed)
    special = set(int(s) for s in special_ids)
    rows = input_ids.tolist()
    out_ids, out_labels = [], []
    for row in rows:
        cand = [i for i, t in enumerate(row) if t not in special]
        n = max(1, round(mlm_probability * len(cand))) if cand else 0
        new, lab = list(row), [-100] * len(row)
        if n:
            picks = torch.randperm(len(cand), generator=g)[:n].tolist()
            for p in picks:
                j = cand[p]
                lab[j] = row[j]
                u = torch.rand(1, generator=g).item()
                if u < 0.8:
                    new[j] = mask_id
                elif u < 0.9:
                    r = int(torch.randint(vocab_size, (1,), generator=g))
                    while r in special:
                        r = int(torch.randint(vocab_size, (1,), generator=g))
                    new[j] = r
        out_ids.append(new)
        out_labels.append(lab)
    shape = input_ids.shape
    return (torch.tensor(out_ids, dtype=torch.long).reshape(shape),
            torch.tensor(out_labels, dtype=torch.long).reshape(shape))


@mutant("mask_tokens", breaks=[])
def wrong_no_max_one_for_short_rows(input_ids, special_ids, mask_id, vocab_size, mlm_probability=0.15, seed=0):
    g = torch.Generator().manual_seed(seed)
    masked = input_ids.clone()
    original = input_ids.clone()
    labels = torch.full_like(input_ids, -100)
    allowed = torch.arange(vocab_size)
    allowed = allowed[~torch.isin(allowed, torch.as_tensor(list(special_ids), dtype=torch.long))]
    special = torch.as_tensor(list(special_ids), dtype=input_ids.dtype)
    for b in range(input_ids.shape[0]):
        cand = torch.nonzero(~torch.isin(original[b], special)).flatten()
        m = len(cand)
        n = round(mlm_probability * m)
        if n == 0:
            continue
        pos = cand[torch.randperm(m, generator=g)[:n]]
        u = torch.rand(n, generator=g)
        rnd = allowed[torch.randint(len(allowed), (n,), generator=g)]
        to_mask = u < 0.8
        to_rand = (u >= 0.8) & (u < 0.9)
        masked[b, pos[to_mask]] = mask_id
        masked[b, pos[to_rand]] = rnd[to_rand]
        labels[b, pos] = original[b, pos]
    return masked, labels


@mutant("mask_tokens", breaks=[])
def wrong_random_replacement_may_be_special(input_ids, special_ids, mask_id, vocab_size, mlm_probability=0.15, seed=0):
    g = torch.Generator().manual_seed(seed)
    masked = input_ids.clone()
    original = input_ids.clone()
    labels = torch.full_like(input_ids, -100)
    allowed = torch.arange(vocab_size)
    special = torch.as_tensor(list(special_ids), dtype=input_ids.dtype)
    for b in range(input_ids.shape[0]):
        cand = torch.nonzero(~torch.isin(original[b], special)).flatten()
        m = len(cand)
        n = max(1, round(mlm_probability * m)) if m > 0 else 0
        if n == 0:
            continue
        pos = cand[torch.randperm(m, generator=g)[:n]]
        u = torch.rand(n, generator=g)
        rnd = allowed[torch.randint(len(allowed), (n,), generator=g)]
        to_mask = u < 0.8
        to_rand = (u >= 0.8) & (u < 0.9)
        masked[b, pos[to_mask]] = mask_id
        masked[b, pos[to_rand]] = rnd[to_rand]
        labels[b, pos] = original[b, pos]
    return masked, labels


@mutant("mask_tokens", breaks=[])
def wrong_labels_hold_corrupted_id(input_ids, special_ids, mask_id, vocab_size, mlm_probability=0.15, seed=0):
    g = torch.Generator().manual_seed(seed)
    masked = input_ids.clone()
    original = input_ids.clone()
    labels = torch.full_like(input_ids, -100)
    allowed = torch.arange(vocab_size)
    allowed = allowed[~torch.isin(allowed, torch.as_tensor(list(special_ids), dtype=torch.long))]
    special = torch.as_tensor(list(special_ids), dtype=input_ids.dtype)
    for b in range(input_ids.shape[0]):
        cand = torch.nonzero(~torch.isin(original[b], special)).flatten()
        m = len(cand)
        n = max(1, round(mlm_probability * m)) if m > 0 else 0
        if n == 0:
            continue
        pos = cand[torch.randperm(m, generator=g)[:n]]
        u = torch.rand(n, generator=g)
        rnd = allowed[torch.randint(len(allowed), (n,), generator=g)]
        to_mask = u < 0.8
        to_rand = (u >= 0.8) & (u < 0.9)
        masked[b, pos[to_mask]] = mask_id
        masked[b, pos[to_rand]] = rnd[to_rand]
        labels[b, pos] = masked[b, pos]
    return masked, labels


@mutant("mask_tokens", breaks=[])
def wrong_modifies_input_in_place(input_ids, special_ids, mask_id, vocab_size, mlm_probability=0.15, seed=0):
    g = torch.Generator().manual_seed(seed)
    masked = input_ids
    original = input_ids.clone()
    labels = torch.full_like(input_ids, -100)
    allowed = torch.arange(vocab_size)
    allowed = allowed[~torch.isin(allowed, torch.as_tensor(list(special_ids), dtype=torch.long))]
    special = torch.as_tensor(list(special_ids), dtype=input_ids.dtype)
    for b in range(input_ids.shape[0]):
        cand = torch.nonzero(~torch.isin(original[b], special)).flatten()
        m = len(cand)
        n = max(1, round(mlm_probability * m)) if m > 0 else 0
        if n == 0:
            continue
        pos = cand[torch.randperm(m, generator=g)[:n]]
        u = torch.rand(n, generator=g)
        rnd = allowed[torch.randint(len(allowed), (n,), generator=g)]
        to_mask = u < 0.8
        to_rand = (u >= 0.8) & (u < 0.9)
        masked[b, pos[to_mask]] = mask_id
        masked[b, pos[to_rand]] = rnd[to_rand]
        labels[b, pos] = original[b, pos]
    return masked, labels


@mutant("mask_tokens", breaks=[])
def wrong_global_random_state(input_ids, special_ids, mask_id, vocab_size, mlm_probability=0.15, seed=0):
    g = None  # draws from torch's global generator
    masked = input_ids.clone()
    original = input_ids.clone()
    labels = torch.full_like(input_ids, -100)
    allowed = torch.arange(vocab_size)
    allowed = allowed[~torch.isin(allowed, torch.as_tensor(list(special_ids), dtype=torch.long))]
    special = torch.as_tensor(list(special_ids), dtype=input_ids.dtype)
    for b in range(input_ids.shape[0]):
        cand = torch.nonzero(~torch.isin(original[b], special)).flatten()
        m = len(cand)
        n = max(1, round(mlm_probability * m)) if m > 0 else 0
        if n == 0:
            continue
        pos = cand[torch.randperm(m, generator=g)[:n]]
        u = torch.rand(n, generator=g)
        rnd = allowed[torch.randint(len(allowed), (n,), generator=g)]
        to_mask = u < 0.8
        to_rand = (u >= 0.8) & (u < 0.9)
        masked[b, pos[to_mask]] = mask_id
        masked[b, pos[to_rand]] = rnd[to_rand]
        labels[b, pos] = original[b, pos]
    return masked, labels


@mutant("mask_tokens", breaks=[])
def wrong_bernoulli_per_token_not_exact_n(input_ids, special_ids, mask_id, vocab_size, mlm_probability=0.15,
                                          seed=0):
    g = torch.Generator().manual_seed(seed)
    special = torch.as_tensor(list(special_ids), dtype=torch.long)
    cand = ~torch.isin(input_ids, special)
    chosen = cand & (torch.rand(input_ids.shape, generator=g) < mlm_probability)
    u = torch.rand(input_ids.shape, generator=g)
    allowed = torch.arange(vocab_size)
    allowed = allowed[~torch.isin(allowed, torch.as_tensor(list(special_ids), dtype=torch.long))]
    rnd = allowed[torch.randint(len(allowed), input_ids.shape, generator=g)]
    masked = torch.where(chosen & (u < 0.8), torch.full_like(input_ids, mask_id), input_ids)
    masked = torch.where(chosen & (u >= 0.8) & (u < 0.9), rnd, masked)
    labels = torch.where(chosen, input_ids, torch.full_like(input_ids, -100))
    return masked, labels
# ---------------------------------------------------------------- 5. make_nsp_pairs

@alternative("make_nsp_pairs")
def right_index_loops(documents, seed=0):
    rng = random.Random(seed)
    pairs = []
    for d, doc in enumerate(documents):
        for i in range(len(doc) - 1):
            if rng.random() < 0.5:
                pairs.append((doc[i], doc[i + 1], 0))
            else:
                others = [documents[j] for j in range(len(documents)) if j != d]
                other = rng.choice(others)
                pairs.append((doc[i], rng.choice(other), 1))
    return pairs


@alternative("make_nsp_pairs")
def right_zip_pairs(documents, seed=0):
    rng = random.Random(seed)
    result = []
    for d, doc in enumerate(documents):
        others = documents[:d] + documents[d + 1:]
        for a, nxt in zip(doc, doc[1:]):
            is_next = rng.random() < 0.5
            if is_next:
                result.append((a, nxt, int(not is_next)))
            else:
                b = rng.choice(rng.choice(others))
                result.append((a, b, int(not is_next)))
    return result


@alternative("make_nsp_pairs")
def right_randrange_equivalent(documents, seed=0):
    # random.Random.choice(seq) is seq[_randbelow(len(seq))], and randrange(n) is _randbelow(n): same draws.
    rng = random.Random(seed)
    out = []
    for d in range(len(documents)):
        doc = documents[d]
        i = 0
        while i < len(doc) - 1:
            r = rng.random()
            if r < 0.5:
                out.append((doc[i], doc[i + 1], 0))
            else:
                others = [x for j, x in enumerate(documents) if j != d]
                other = others[rng.randrange(len(others))]
                out.append((doc[i], other[rng.randrange(len(other))], 1))
            i += 1
    return out


@mutant("make_nsp_pairs", breaks=[])
def wrong_labels_swapped(documents, seed=0):
    rng = random.Random(seed)
    pairs = []
    for d, doc in enumerate(documents):
        for i in range(len(doc) - 1):
            if rng.random() < 0.5:
                pairs.append((doc[i], doc[i + 1], 1))
            else:
                others = [documents[j] for j in range(len(documents)) if j != d]
                pairs.append((doc[i], rng.choice(rng.choice(others)), 0))
    return pairs


@mutant("make_nsp_pairs", breaks=[])
def wrong_random_document_may_be_same(documents, seed=0):
    rng = random.Random(seed)
    pairs = []
    for d, doc in enumerate(documents):
        for i in range(len(doc) - 1):
            if rng.random() < 0.5:
                pairs.append((doc[i], doc[i + 1], 0))
            else:
                pairs.append((doc[i], rng.choice(rng.choice(documents)), 1))
    return pairs


@mutant("make_nsp_pairs", breaks=[])
def wrong_new_generator_per_document(documents, seed=0):
    pairs = []
    for d, doc in enumerate(documents):
        rng = random.Random(seed)
        for i in range(len(doc) - 1):
            if rng.random() < 0.5:
                pairs.append((doc[i], doc[i + 1], 0))
            else:
                others = [documents[j] for j in range(len(documents)) if j != d]
                pairs.append((doc[i], rng.choice(rng.choice(others)), 1))
    return pairs


@mutant("make_nsp_pairs", breaks=[])
def wrong_bool_labels(documents, seed=0):
    rng = random.Random(seed)
    pairs = []
    for d, doc in enumerate(documents):
        for i in range(len(doc) - 1):
            is_not_next = rng.random() >= 0.5
            if not is_not_next:
                pairs.append((doc[i], doc[i + 1], is_not_next))
            else:
                others = [documents[j] for j in range(len(documents)) if j != d]
                pairs.append((doc[i], rng.choice(rng.choice(others)), is_not_next))
    return pairs


@mutant("make_nsp_pairs", breaks=[])
def wrong_flat_sentence_pool_for_random_b(documents, seed=0):
    rng = random.Random(seed)
    pairs = []
    for d, doc in enumerate(documents):
        for i in range(len(doc) - 1):
            if rng.random() < 0.5:
                pairs.append((doc[i], doc[i + 1], 0))
            else:
                pool = [s for j, other in enumerate(documents) if j != d for s in other]
                pairs.append((doc[i], rng.choice(pool), 1))
    return pairs


@mutant("make_nsp_pairs", breaks=[])
def wrong_threshold_inverted(documents, seed=0):
    rng = random.Random(seed)
    pairs = []
    for d, doc in enumerate(documents):
        for i in range(len(doc) - 1):
            if rng.random() >= 0.5:
                pairs.append((doc[i], doc[i + 1], 0))
            else:
                others = [documents[j] for j in range(len(documents)) if j != d]
                pairs.append((doc[i], rng.choice(rng.choice(others)), 1))
    return pairs


# ---------------------------------------------------------------- 6. masked_lm_loss

@alternative("masked_lm_loss")
def right_gather_logsumexp(logits, labels):
    chosen = labels != -100
    safe = labels.clamp(min=0)
    picked = logits.gather(-1, safe.unsqueeze(-1)).squeeze(-1)
    nll = torch.logsumexp(logits, dim=-1) - picked
    return torch.where(chosen, nll, torch.zeros_like(nll)).sum() / chosen.sum()


@alternative("masked_lm_loss")
def right_boolean_select(logits, labels):
    chosen = labels != -100
    z = logits[chosen]  # (|C|, V)
    y = labels[chosen]
    logp = z - torch.logsumexp(z, dim=1, keepdim=True)
    return -logp[torch.arange(len(y)), y].mean()


@alternative("masked_lm_loss")
def right_one_hot_flat(logits, labels):
    V = logits.shape[-1]
    z = logits.reshape(-1, V)
    y = labels.reshape(-1)
    keep = y.ne(-100)
    z, y = z[keep], y[keep]
    m = z.max(dim=1, keepdim=True).values
    lse = m.squeeze(1) + torch.log(torch.exp(z - m).sum(dim=1))
    onehot = torch.zeros_like(z).scatter_(1, y.unsqueeze(1), 1.0)
    return (lse - (onehot * z).sum(dim=1)).sum() / keep.sum()


@mutant("masked_lm_loss", breaks=[])
def wrong_average_over_all_positions(logits, labels):
    chosen = labels != -100
    picked = logits.gather(-1, labels.clamp(min=0).unsqueeze(-1)).squeeze(-1)
    nll = torch.logsumexp(logits, dim=-1) - picked
    return (nll * chosen).sum() / labels.numel()


@mutant("masked_lm_loss", breaks=[])
def wrong_mean_per_sentence_then_batch(logits, labels):
    chosen = (labels != -100).float()
    picked = logits.gather(-1, labels.clamp(min=0).unsqueeze(-1)).squeeze(-1)
    nll = torch.logsumexp(logits, dim=-1) - picked
    per_row = (nll * chosen).sum(dim=1) / chosen.sum(dim=1).clamp(min=1)
    return per_row.mean()


@mutant("masked_lm_loss", breaks=[])
def wrong_returns_python_float(logits, labels):
    chosen = labels != -100
    z, y = logits[chosen], labels[chosen]
    logp = z - torch.logsumexp(z, dim=1, keepdim=True)
    return float(-logp[torch.arange(len(y)), y].mean())


@mutant("masked_lm_loss", breaks=[])
def wrong_sum_not_mean(logits, labels):
    chosen = labels != -100
    z, y = logits[chosen], labels[chosen]
    logp = z - torch.logsumexp(z, dim=1, keepdim=True)
    return -logp[torch.arange(len(y)), y].sum()


@mutant("masked_lm_loss", breaks=[])
def wrong_softmax_over_sequence_axis(logits, labels):
    chosen = labels != -100
    logp = logits - torch.logsumexp(logits, dim=1, keepdim=True)
    picked = logp.gather(-1, labels.clamp(min=0).unsqueeze(-1)).squeeze(-1)
    return -(picked * chosen).sum() / chosen.sum()


@mutant("masked_lm_loss", breaks=[])
def wrong_ignored_label_treated_as_class_zero(logits, labels):
    y = labels.clamp(min=0)
    logp = logits - torch.logsumexp(logits, dim=-1, keepdim=True)
    picked = logp.gather(-1, y.unsqueeze(-1)).squeeze(-1)
    n = (labels != -100).sum()
    return -picked.sum() / n
