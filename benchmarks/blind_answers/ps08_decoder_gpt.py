"""Blind answers to ps08, written from the released notebook's instructions only (never from its tests, mutants or
solutions): `@alternative` = a correct answer in another style, `@mutant` = a plausible wrong answer (the mistake in
its name). benchmarks/fidelity.py --answers benchmarks/blind_answers grades them."""
import math

import numpy as np
import torch
import torch.nn.functional as F

from llmcourse.authoring.mutation import alternative, mutant
from llmcourse.transformer import merge_heads, split_heads


# ---------------------------------------------------------------- additive_causal_mask

@alternative("additive_causal_mask")
def right_triu_of_full(n):
    return torch.triu(torch.full((n, n), float("-inf"), dtype=torch.float32), diagonal=1)


@alternative("additive_causal_mask")
def right_masked_fill_bool(n):
    future = torch.ones(n, n, dtype=torch.bool).triu(1)
    return torch.zeros(n, n, dtype=torch.float32).masked_fill(future, float("-inf"))


@alternative("additive_causal_mask")
def right_python_loops(n):
    m = torch.zeros(n, n, dtype=torch.float32)
    for i in range(n):
        for j in range(n):
            if j > i:
                m[i, j] = float("-inf")
    return m


@mutant("additive_causal_mask", breaks=[])
def wrong_hides_diagonal(n):
    past = torch.ones(n, n, dtype=torch.bool).tril(-1)
    return torch.zeros(n, n, dtype=torch.float32).masked_fill(~past, float("-inf"))


@mutant("additive_causal_mask", breaks=[])
def wrong_large_negative_not_inf(n):
    future = torch.ones(n, n, dtype=torch.bool).triu(1)
    return torch.zeros(n, n, dtype=torch.float32).masked_fill(future, -1e9)


@mutant("additive_causal_mask", breaks=[])
def wrong_float64_dtype(n):
    return torch.triu(torch.full((n, n), float("-inf"), dtype=torch.float64), diagonal=1)


@mutant("additive_causal_mask", breaks=[])
def wrong_transposed_allows_future(n):
    return torch.tril(torch.full((n, n), float("-inf"), dtype=torch.float32), diagonal=-1)


# ---------------------------------------------------------------- next_token_targets

@alternative("next_token_targets")
def right_clone_and_index(ids, pad_id):
    inputs = ids[:, :-1].clone()
    targets = ids[:, 1:].clone()
    targets[targets == pad_id] = -100
    return inputs, targets


@alternative("next_token_targets")
def right_where(ids, pad_id):
    shifted = ids[:, 1:]
    targets = torch.where(shifted == pad_id, torch.full_like(shifted, -100), shifted)
    return ids[:, :-1].clone().long(), targets.long()


@alternative("next_token_targets")
def right_narrow_masked_fill(ids, pad_id):
    T = ids.shape[1]
    inputs = ids.narrow(1, 0, T - 1).contiguous().clone()
    nxt = ids.narrow(1, 1, T - 1)
    return (inputs, nxt.masked_fill(nxt.eq(pad_id), -100))


@mutant("next_token_targets", breaks=[])
def wrong_targets_view_modifies_ids(ids, pad_id):
    inputs = ids[:, :-1].clone()
    targets = ids[:, 1:]
    targets[targets == pad_id] = -100
    return inputs, targets


@mutant("next_token_targets", breaks=[])
def wrong_mask_where_input_is_pad(ids, pad_id):
    inputs = ids[:, :-1].clone()
    targets = ids[:, 1:].masked_fill(inputs == pad_id, -100)
    return inputs, targets


@mutant("next_token_targets", breaks=[])
def wrong_inputs_and_targets_swapped(ids, pad_id):
    inputs = ids[:, 1:].clone()
    targets = ids[:, :-1].masked_fill(ids[:, :-1] == pad_id, -100)
    return inputs, targets


@mutant("next_token_targets", breaks=[])
def wrong_returns_list(ids, pad_id):
    inputs = ids[:, :-1].clone()
    targets = ids[:, 1:].masked_fill(ids[:, 1:] == pad_id, -100)
    return [inputs, targets]


@mutant("next_token_targets", breaks=[])
def wrong_inputs_padding_also_minus_100(ids, pad_id):
    inputs = ids[:, :-1].masked_fill(ids[:, :-1] == pad_id, -100)
    targets = ids[:, 1:].masked_fill(ids[:, 1:] == pad_id, -100)
    return inputs, targets


# ---------------------------------------------------------------- next_token_loss

@alternative("next_token_loss")
def right_flat_cross_entropy(logits, targets):
    if not bool((targets != -100).any()):
        raise ValueError("every target is -100: nothing to predict")
    V = logits.shape[-1]
    return F.cross_entropy(logits.reshape(-1, V), targets.reshape(-1), ignore_index=-100)


@alternative("next_token_loss")
def right_logsumexp_gather(logits, targets):
    keep = targets != -100
    count = int(keep.sum())
    if count == 0:
        raise ValueError("no target to predict")
    safe = torch.where(keep, targets, torch.zeros_like(targets))
    picked = logits.gather(-1, safe.unsqueeze(-1)).squeeze(-1)
    nll = torch.logsumexp(logits, dim=-1) - picked
    return (nll * keep.to(nll.dtype)).sum() / count


@alternative("next_token_loss")
def right_channels_second(logits, targets):
    if (targets == -100).all():
        raise ValueError("nothing to predict")
    return F.cross_entropy(logits.transpose(1, 2), targets, ignore_index=-100)


@mutant("next_token_loss", breaks=[])
def wrong_padding_counted(logits, targets):
    if not bool((targets != -100).any()):
        raise ValueError("nothing")
    V = logits.shape[-1]
    return F.cross_entropy(logits.reshape(-1, V), targets.clamp(min=0).reshape(-1))


@mutant("next_token_loss", breaks=[])
def wrong_shifts_again(logits, targets):
    if not bool((targets[:, 1:] != -100).any()):
        raise ValueError("nothing")
    V = logits.shape[-1]
    return F.cross_entropy(logits[:, :-1].reshape(-1, V), targets[:, 1:].reshape(-1), ignore_index=-100)


@mutant("next_token_loss", breaks=[])
def wrong_mean_over_all_positions(logits, targets):
    keep = targets != -100
    if not bool(keep.any()):
        raise ValueError("nothing")
    V = logits.shape[-1]
    total = F.cross_entropy(logits.reshape(-1, V), targets.reshape(-1), ignore_index=-100, reduction="sum")
    return total / targets.numel()


@mutant("next_token_loss", breaks=[])
def wrong_no_value_error(logits, targets):
    V = logits.shape[-1]
    return F.cross_entropy(logits.reshape(-1, V), targets.reshape(-1), ignore_index=-100)


@mutant("next_token_loss", breaks=[])
def wrong_returns_float(logits, targets):
    if not bool((targets != -100).any()):
        raise ValueError("nothing")
    V = logits.shape[-1]
    return float(F.cross_entropy(logits.reshape(-1, V), targets.reshape(-1), ignore_index=-100))


# ---------------------------------------------------------------- tied_logits

@alternative("tied_logits")
def right_f_layer_norm(hidden, token_embedding, gamma, beta):
    d = hidden.shape[-1]
    return F.layer_norm(hidden, (d,), gamma, beta, 1e-5) @ token_embedding.T


@alternative("tied_logits")
def right_manual_layer_norm(hidden, token_embedding, gamma, beta):
    mu = hidden.mean(dim=-1, keepdim=True)
    var = ((hidden - mu) ** 2).mean(dim=-1, keepdim=True)
    normed = (hidden - mu) / torch.sqrt(var + 1e-5) * gamma + beta
    return torch.matmul(normed, token_embedding.transpose(0, 1))


@alternative("tied_logits")
def right_einsum_var_mean(hidden, token_embedding, gamma, beta):
    var, mu = torch.var_mean(hidden, dim=-1, keepdim=True, unbiased=False)
    normed = (hidden - mu) * torch.rsqrt(var + 1e-5) * gamma + beta
    return torch.einsum("btd,vd->btv", normed, token_embedding)


@mutant("tied_logits", breaks=[])
def wrong_unbiased_variance(hidden, token_embedding, gamma, beta):
    mu = hidden.mean(dim=-1, keepdim=True)
    var = hidden.var(dim=-1, keepdim=True, unbiased=True)
    return ((hidden - mu) / torch.sqrt(var + 1e-5) * gamma + beta) @ token_embedding.T


@mutant("tied_logits", breaks=[])
def wrong_no_final_layernorm(hidden, token_embedding, gamma, beta):
    return (hidden * gamma + beta) @ token_embedding.T


@mutant("tied_logits", breaks=[])
def wrong_gamma_beta_ignored(hidden, token_embedding, gamma, beta):
    d = hidden.shape[-1]
    return F.layer_norm(hidden, (d,), eps=1e-5) @ token_embedding.T


@mutant("tied_logits", breaks=[])
def wrong_returns_probabilities(hidden, token_embedding, gamma, beta):
    d = hidden.shape[-1]
    return torch.softmax(F.layer_norm(hidden, (d,), gamma, beta, 1e-5) @ token_embedding.T, dim=-1)


# ---------------------------------------------------------------- sample_next_token

def _validate(temperature, top_k):
    if temperature < 0:
        raise ValueError("temperature must be >= 0")
    if top_k is not None and top_k < 1:
        raise ValueError("top_k must be None or >= 1")


@alternative("sample_next_token")
def right_topk_masked_fill(logits, temperature, top_k, generator):
    _validate(temperature, top_k)
    if temperature == 0:
        return int(torch.argmax(logits))
    scaled = logits / temperature
    if top_k is not None and top_k < scaled.shape[0]:
        kth = torch.topk(scaled, top_k).values[-1]
        scaled = scaled.masked_fill(scaled < kth, float("-inf"))
    probabilities = torch.softmax(scaled, dim=-1)
    return int(torch.multinomial(probabilities, 1, generator=generator).item())


@alternative("sample_next_token")
def right_sort_where(logits, temperature, top_k, generator):
    if not temperature >= 0:
        raise ValueError(f"bad temperature {temperature}")
    if top_k is not None and not top_k >= 1:
        raise ValueError(f"bad top_k {top_k}")
    if temperature == 0:
        return int(logits.argmax().item())
    scaled = torch.div(logits, temperature)
    V = scaled.numel()
    if top_k is not None and top_k < V:
        threshold = torch.sort(scaled, descending=True).values[top_k - 1]
        scaled = torch.where(scaled >= threshold, scaled, torch.full_like(scaled, float("-inf")))
    probabilities = F.softmax(scaled, dim=0)
    draw = torch.multinomial(probabilities, 1, generator=generator)
    return int(draw[0])


@alternative("sample_next_token")
def right_kthvalue(logits, temperature, top_k, generator):
    _validate(temperature, top_k)
    if temperature == 0:
        best = logits.max()
        return int(torch.nonzero(logits == best)[0, 0])
    scaled = logits.clone() / temperature
    V = scaled.shape[0]
    if top_k is not None and top_k < V:
        kth_largest = torch.kthvalue(scaled, V - top_k + 1).values
        scaled[scaled < kth_largest] = float("-inf")
    probabilities = torch.softmax(scaled, -1)
    return int(torch.multinomial(probabilities, 1, generator=generator))


@mutant("sample_next_token", breaks=[])
def wrong_temperature_after_softmax(logits, temperature, top_k, generator):
    _validate(temperature, top_k)
    if temperature == 0:
        return int(torch.argmax(logits))
    scaled = logits.clone()
    if top_k is not None and top_k < scaled.shape[0]:
        kth = torch.topk(scaled, top_k).values[-1]
        scaled = scaled.masked_fill(scaled < kth, float("-inf"))
    probabilities = torch.softmax(scaled, dim=-1) / temperature
    return int(torch.multinomial(probabilities, 1, generator=generator))


@mutant("sample_next_token", breaks=[])
def wrong_top_k_drops_ties(logits, temperature, top_k, generator):
    _validate(temperature, top_k)
    if temperature == 0:
        return int(torch.argmax(logits))
    scaled = logits / temperature
    if top_k is not None and top_k < scaled.shape[0]:
        idx = torch.topk(scaled, top_k).indices
        keep = torch.zeros_like(scaled, dtype=torch.bool)
        keep[idx] = True
        scaled = scaled.masked_fill(~keep, float("-inf"))
    return int(torch.multinomial(torch.softmax(scaled, -1), 1, generator=generator))


@mutant("sample_next_token", breaks=[])
def wrong_top_k_keeps_k_plus_one(logits, temperature, top_k, generator):
    _validate(temperature, top_k)
    if temperature == 0:
        return int(torch.argmax(logits))
    scaled = logits / temperature
    if top_k is not None and top_k < scaled.shape[0]:
        values = torch.sort(scaled, descending=True).values
        kth = values[min(top_k, len(values) - 1)]
        scaled = scaled.masked_fill(scaled < kth, float("-inf"))
    return int(torch.multinomial(torch.softmax(scaled, -1), 1, generator=generator))


@mutant("sample_next_token", breaks=[])
def wrong_global_random_state(logits, temperature, top_k, generator):
    _validate(temperature, top_k)
    if temperature == 0:
        return int(torch.argmax(logits))
    scaled = logits / temperature
    if top_k is not None and top_k < scaled.shape[0]:
        kth = torch.topk(scaled, top_k).values[-1]
        scaled = scaled.masked_fill(scaled < kth, float("-inf"))
    torch.manual_seed(int(generator.initial_seed()))
    return int(torch.multinomial(torch.softmax(scaled, -1), 1))


@mutant("sample_next_token", breaks=[])
def wrong_no_top_k_validation(logits, temperature, top_k, generator):
    if temperature < 0:
        raise ValueError("temperature must be >= 0")
    if temperature == 0:
        return int(torch.argmax(logits))
    scaled = logits / temperature
    if top_k and top_k < scaled.shape[0]:
        kth = torch.topk(scaled, top_k).values[-1]
        scaled = scaled.masked_fill(scaled < kth, float("-inf"))
    return int(torch.multinomial(torch.softmax(scaled, -1), 1, generator=generator))


# ---------------------------------------------------------------- kv_cache_step

@alternative("kv_cache_step")
def right_split_merge_heads(x_new, cache, W_q, W_k, W_v, W_o, num_heads):
    q = split_heads(x_new @ W_q, num_heads)
    k = split_heads(x_new @ W_k, num_heads)
    v = split_heads(x_new @ W_v, num_heads)
    if cache is not None:
        k = torch.cat([cache[0], k], dim=2)
        v = torch.cat([cache[1], v], dim=2)
    d_k = q.shape[-1]
    weights = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(d_k), dim=-1)
    out = merge_heads(weights @ v) @ W_o
    return out, (k, v)


def _heads(x, h):
    b, t, d = x.shape
    return x.reshape(b, t, h, d // h).permute(0, 2, 1, 3)


@alternative("kv_cache_step")
def right_einsum_manual_heads(x_new, cache, W_q, W_k, W_v, W_o, num_heads):
    b, _, d = x_new.shape
    d_k = d // num_heads
    q = _heads(torch.matmul(x_new, W_q), num_heads)
    k_new = _heads(torch.matmul(x_new, W_k), num_heads)
    v_new = _heads(torch.matmul(x_new, W_v), num_heads)
    K = k_new if cache is None else torch.cat((cache[0], k_new), dim=-2)
    V = v_new if cache is None else torch.cat((cache[1], v_new), dim=-2)
    s = torch.einsum("bhqd,bhkd->bhqk", q, K) / d_k ** 0.5
    p = s.softmax(dim=-1)
    o = torch.einsum("bhqk,bhkd->bhqd", p, V)
    o = o.permute(0, 2, 1, 3).reshape(b, 1, d)
    return o @ W_o, (K, V)


@alternative("kv_cache_step")
def right_sdpa(x_new, cache, W_q, W_k, W_v, W_o, num_heads):
    b, _, d = x_new.shape
    q, k, v = (_heads(x_new @ W, num_heads) for W in (W_q, W_k, W_v))
    if cache is not None:
        K_old, V_old = cache
        k = torch.cat([K_old, k], 2)
        v = torch.cat([V_old, v], 2)
    o = F.scaled_dot_product_attention(q, k, v)
    return o.transpose(1, 2).reshape(b, 1, d) @ W_o, (k, v)


@mutant("kv_cache_step", breaks=[])
def wrong_scale_sqrt_d_model(x_new, cache, W_q, W_k, W_v, W_o, num_heads):
    q, k, v = (split_heads(x_new @ W, num_heads) for W in (W_q, W_k, W_v))
    if cache is not None:
        k, v = torch.cat([cache[0], k], 2), torch.cat([cache[1], v], 2)
    w = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(x_new.shape[-1]), -1)
    return merge_heads(w @ v) @ W_o, (k, v)


@mutant("kv_cache_step", breaks=[])
def wrong_new_key_prepended(x_new, cache, W_q, W_k, W_v, W_o, num_heads):
    q, k, v = (split_heads(x_new @ W, num_heads) for W in (W_q, W_k, W_v))
    if cache is not None:
        k, v = torch.cat([k, cache[0]], 2), torch.cat([v, cache[1]], 2)
    w = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1]), -1)
    return merge_heads(w @ v) @ W_o, (k, v)


@mutant("kv_cache_step", breaks=[])
def wrong_no_output_projection(x_new, cache, W_q, W_k, W_v, W_o, num_heads):
    q, k, v = (split_heads(x_new @ W, num_heads) for W in (W_q, W_k, W_v))
    if cache is not None:
        k, v = torch.cat([cache[0], k], 2), torch.cat([cache[1], v], 2)
    w = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1]), -1)
    return merge_heads(w @ v), (k, v)


@mutant("kv_cache_step", breaks=[])
def wrong_attends_before_append(x_new, cache, W_q, W_k, W_v, W_o, num_heads):
    q, k, v = (split_heads(x_new @ W, num_heads) for W in (W_q, W_k, W_v))
    if cache is None:
        K_att, V_att = k, v
        K, V = k, v
    else:
        K_att, V_att = cache
        K, V = torch.cat([cache[0], k], 2), torch.cat([cache[1], v], 2)
    w = torch.softmax(q @ K_att.transpose(-2, -1) / math.sqrt(q.shape[-1]), -1)
    return merge_heads(w @ V_att) @ W_o, (K, V)


@mutant("kv_cache_step", breaks=[])
def wrong_values_use_W_k(x_new, cache, W_q, W_k, W_v, W_o, num_heads):
    q, k, v = (split_heads(x_new @ W, num_heads) for W in (W_q, W_k, W_k))
    if cache is not None:
        k, v = torch.cat([cache[0], k], 2), torch.cat([cache[1], v], 2)
    w = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1]), -1)
    return merge_heads(w @ v) @ W_o, (k, v)
