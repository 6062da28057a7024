"""Plausible wrong solutions of ps08 (the decoder), each named for its mistake. Every graded test cell of
solutions/ps08_decoder_gpt must catch at least three of them (tests/test_assignments.py). At the end, correct
alternatives written differently (`@alternative`): tests/test_assignments.py checks that each keeps full marks."""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from llmcourse.authoring.mutation import alternative, mutant
from llmcourse.transformer import attention, merge_heads, split_heads

# ---- additive causal mask ---------------------------------------------------------------------------------------


def _additive(n, diagonal=1, fill=float("-inf"), dtype=torch.float32):
    forbidden = torch.triu(torch.ones(n, n, dtype=torch.bool), diagonal=diagonal)
    return torch.zeros(n, n, dtype=dtype).masked_fill(forbidden, fill)


@mutant("additive_causal_mask", breaks=["test_additive_causal_mask"])
def mask_lets_the_future_in_by_one(n):
    return _additive(n, diagonal=2)


@mutant("additive_causal_mask", breaks=["test_additive_causal_mask"])
def mask_hides_the_diagonal(n):
    return _additive(n, diagonal=0)


@mutant("additive_causal_mask", breaks=["test_additive_causal_mask"])
def mask_transposed_hides_the_past(n):
    return _additive(n).T.contiguous()


@mutant("additive_causal_mask", breaks=["test_additive_causal_mask"])
def mask_with_minus_1e9(n):
    return _additive(n, fill=-1e9)


@mutant("additive_causal_mask", breaks=["test_additive_causal_mask"])
def mask_boolean_instead_of_additive(n):
    return torch.tril(torch.ones(n, n, dtype=torch.bool))


@mutant("additive_causal_mask", breaks=["test_additive_causal_mask"])
def mask_in_float64(n):
    return _additive(n, dtype=torch.float64)


# ---- next-token targets -------------------------------------------------------------------------------------------


@mutant("next_token_targets", breaks=["test_next_token_targets"])
def targets_not_shifted(ids, pad_id):
    targets = ids[:, :-1].clone()
    targets[targets == pad_id] = -100
    return ids[:, :-1].clone(), targets


@mutant("next_token_targets", breaks=["test_next_token_targets"])
def targets_shifted_the_wrong_way(ids, pad_id):
    targets = ids[:, :-1].clone()
    targets[targets == pad_id] = -100
    return ids[:, 1:].clone(), targets


@mutant("next_token_targets", breaks=["test_next_token_targets"])
def targets_keep_padding(ids, pad_id):
    return ids[:, :-1].clone(), ids[:, 1:].clone()


@mutant("next_token_targets", breaks=["test_next_token_targets"])
def targets_ignore_where_the_input_is_padding(ids, pad_id):
    targets = ids[:, 1:].clone()
    targets[ids[:, :-1] == pad_id] = -100          # one position too late
    return ids[:, :-1].clone(), targets


@mutant("next_token_targets", breaks=["test_next_token_targets"])
def targets_assume_pad_id_zero(ids, pad_id):
    targets = ids[:, 1:].clone()
    targets[targets == 0] = -100
    return ids[:, :-1].clone(), targets


@mutant("next_token_targets", breaks=["test_next_token_targets"])
def targets_change_ids_in_place(ids, pad_id):
    ids[ids == pad_id] = -100
    return ids[:, :-1].masked_fill(ids[:, :-1] == -100, pad_id), ids[:, 1:]


@mutant("next_token_targets", breaks=["test_next_token_targets"])
def targets_promoted_to_float_by_where(ids, pad_id):
    following = ids[:, 1:]
    return ids[:, :-1].clone(), torch.where(following == pad_id, -100.0, following)   # a float scalar: float32


# ---- next-token loss ----------------------------------------------------------------------------------------------


def _log_probs(logits):
    return logits - torch.logsumexp(logits, dim=-1, keepdim=True)


@mutant("next_token_loss", breaks=["test_next_token_loss"])
def loss_counts_padding_in_the_mean(logits, targets):
    keep = targets != -100
    if not keep.any():
        raise ValueError("nothing to predict")
    picked = _log_probs(logits)[keep].gather(-1, targets[keep][:, None])[:, 0]
    return -picked.sum() / targets.numel()


@mutant("next_token_loss", breaks=["test_next_token_loss"])
def loss_summed_not_averaged(logits, targets):
    keep = targets != -100
    if not keep.any():
        raise ValueError("nothing to predict")
    return -_log_probs(logits)[keep].gather(-1, targets[keep][:, None]).sum()


@mutant("next_token_loss", breaks=["test_next_token_loss"])
def loss_shifts_again(logits, targets):
    return F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), targets[:, 1:].reshape(-1))


@mutant("next_token_loss", breaks=["test_next_token_loss"])
def loss_with_naive_log_softmax(logits, targets):
    keep = targets != -100
    if not keep.any():
        raise ValueError("nothing to predict")
    probabilities = torch.exp(logits) / torch.exp(logits).sum(-1, keepdim=True)
    return -torch.log(probabilities[keep].gather(-1, targets[keep][:, None])).mean()


@mutant("next_token_loss", breaks=["test_next_token_loss"])
def loss_returns_a_float(logits, targets):
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1)).item()


@mutant("next_token_loss", breaks=["test_next_token_loss"])
def loss_nan_when_everything_is_padding(logits, targets):
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))


@mutant("next_token_loss", breaks=["test_next_token_loss"])
def loss_zeroes_the_callers_padding_targets(logits, targets):
    keep = targets != -100
    if not bool(keep.any()):
        raise ValueError("every target is padding")
    targets[~keep] = 0                                         # so gather accepts them: changes the caller's targets
    picked = _log_probs(logits).gather(-1, targets[..., None])[..., 0]
    return -(picked * keep).sum() / keep.sum()


# ---- tied-head logits ---------------------------------------------------------------------------------------------


@mutant("tied_logits", breaks=["test_tied_logits"])
def tied_logits_without_final_layer_norm(hidden, token_embedding, gamma, beta):
    return hidden @ token_embedding.T


@mutant("tied_logits", breaks=["test_tied_logits"])
def tied_logits_return_probabilities(hidden, token_embedding, gamma, beta):
    normalised = F.layer_norm(hidden, hidden.shape[-1:], gamma, beta, 1e-5)
    return torch.softmax(normalised @ token_embedding.T, dim=-1)


@mutant("tied_logits", breaks=["test_tied_logits"])
def tied_logits_with_unbiased_variance(hidden, token_embedding, gamma, beta):
    mu = hidden.mean(-1, keepdim=True)
    normalised = gamma * (hidden - mu) / torch.sqrt(hidden.var(-1, keepdim=True) + 1e-5) + beta
    return normalised @ token_embedding.T


@mutant("tied_logits", breaks=["test_tied_logits"])
def tied_logits_with_a_new_untied_head(hidden, token_embedding, gamma, beta):
    head = torch.nn.Linear(hidden.shape[-1], token_embedding.shape[0], bias=False).to(hidden.dtype)
    return head(F.layer_norm(hidden, hidden.shape[-1:], gamma, beta, 1e-5))


@mutant("tied_logits", breaks=["test_tied_logits"])
def tied_logits_normalise_in_place(hidden, token_embedding, gamma, beta):
    hidden.sub_(hidden.mean(-1, keepdim=True))
    return F.layer_norm(hidden, hidden.shape[-1:], gamma, beta, 1e-5) @ token_embedding.T


# ---- sampling -----------------------------------------------------------------------------------------------------


def _checked(temperature, top_k):
    if temperature < 0 or (top_k is not None and top_k < 1):
        raise ValueError("bad temperature or top_k")


def _top_k(scaled, top_k, extra=0):
    if top_k is None or top_k + extra >= scaled.shape[-1]:
        return scaled
    kth = torch.topk(scaled, top_k + extra).values[-1]
    return scaled.masked_fill(scaled < kth, float("-inf"))


@mutant("sample_next_token", breaks=["test_sample_next_token"])
def temperature_applied_after_the_softmax(logits, temperature, top_k, generator):
    _checked(temperature, top_k)
    if temperature == 0:
        return int(torch.argmax(logits))
    probabilities = torch.softmax(_top_k(logits, top_k), dim=-1) / temperature
    return int(torch.multinomial(probabilities, 1, generator=generator))


@mutant("sample_next_token", breaks=["test_sample_next_token"])
def temperature_multiplies_the_logits(logits, temperature, top_k, generator):
    _checked(temperature, top_k)
    if temperature == 0:
        return int(torch.argmax(logits))
    probabilities = torch.softmax(_top_k(logits * temperature, top_k), dim=-1)
    return int(torch.multinomial(probabilities, 1, generator=generator))


@mutant("sample_next_token", breaks=["test_sample_next_token"])
def top_k_keeps_k_plus_one(logits, temperature, top_k, generator):
    _checked(temperature, top_k)
    if temperature == 0:
        return int(torch.argmax(logits))
    probabilities = torch.softmax(_top_k(logits / temperature, top_k, extra=1), dim=-1)
    return int(torch.multinomial(probabilities, 1, generator=generator))


@mutant("sample_next_token", breaks=["test_sample_next_token"])
def top_k_drops_ties(logits, temperature, top_k, generator):
    _checked(temperature, top_k)
    if temperature == 0:
        return int(torch.argmax(logits))
    scaled = logits / temperature
    if top_k is not None and top_k < scaled.shape[-1]:
        keep = torch.zeros_like(scaled, dtype=torch.bool)
        keep[torch.topk(scaled, top_k).indices] = True       # exactly k tokens, ties at the k-th dropped
        scaled = scaled.masked_fill(~keep, float("-inf"))
    return int(torch.multinomial(torch.softmax(scaled, -1), 1, generator=generator))


@mutant("sample_next_token", breaks=["test_sample_next_token"])
def sample_with_the_global_generator(logits, temperature, top_k, generator):
    _checked(temperature, top_k)
    if temperature == 0:
        return int(torch.argmax(logits))
    return int(torch.multinomial(torch.softmax(_top_k(logits / temperature, top_k), -1), 1))


@mutant("sample_next_token", breaks=["test_sample_next_token"])
def sample_returns_a_tensor(logits, temperature, top_k, generator):
    _checked(temperature, top_k)
    if temperature == 0:
        return torch.argmax(logits)
    return torch.multinomial(torch.softmax(_top_k(logits / temperature, top_k), -1), 1, generator=generator)


@mutant("sample_next_token", breaks=["test_sample_next_token"])
def sample_divides_logits_in_place(logits, temperature, top_k, generator):
    _checked(temperature, top_k)
    if temperature == 0:
        return int(torch.argmax(logits))
    logits /= temperature
    return int(torch.multinomial(torch.softmax(_top_k(logits, top_k), -1), 1, generator=generator))


@mutant("sample_next_token", breaks=["test_sample_next_token"])
def top_k_never_keeps_the_whole_vocabulary(logits, temperature, top_k, generator):
    _checked(temperature, top_k)
    if temperature == 0:
        return int(torch.argmax(logits))
    k = min(top_k or logits.shape[-1], logits.shape[-1] - 1)   # "at most V - 1" drops the smallest token
    kth = torch.topk(logits / temperature, k).values[-1]
    scaled = (logits / temperature).masked_fill(logits / temperature < kth, float("-inf"))
    return int(torch.multinomial(torch.softmax(scaled, -1), 1, generator=generator))


@mutant("sample_next_token", breaks=["test_sample_next_token"])
def sample_accepts_a_negative_temperature(logits, temperature, top_k, generator):
    if temperature == 0:
        return int(torch.argmax(logits))
    probabilities = torch.softmax(_top_k(logits / temperature, top_k), -1)
    return int(torch.multinomial(probabilities, 1, generator=generator))


@mutant("sample_next_token", breaks=["test_sample_next_token"])
def greedy_samples_from_a_one_hot(logits, temperature, top_k, generator):
    _checked(temperature, top_k)
    if temperature == 0:                                       # right token, but a random number is drawn
        return int(torch.multinomial(F.one_hot(torch.argmax(logits), len(logits)).float(), 1, generator=generator))
    return int(torch.multinomial(torch.softmax(_top_k(logits / temperature, top_k), -1), 1, generator=generator))


@mutant("sample_next_token", breaks=["test_sample_next_token"])
def greedy_picks_the_last_of_tied_maxima(logits, temperature, top_k, generator):
    _checked(temperature, top_k)
    if temperature == 0:
        return len(logits) - 1 - int(torch.argmax(logits.flip(0)))
    return int(torch.multinomial(torch.softmax(_top_k(logits / temperature, top_k), -1), 1, generator=generator))


# ---- KV-cache step ------------------------------------------------------------------------------------------------


def _project(x_new, W_q, W_k, W_v, num_heads):
    return (split_heads(x_new @ W, num_heads) for W in (W_q, W_k, W_v))


@mutant("kv_cache_step", breaks=["test_kv_cache_step"])
def cache_drops_the_newest_key(x_new, cache, W_q, W_k, W_v, W_o, num_heads):
    q, k, v = _project(x_new, W_q, W_k, W_v, num_heads)
    if cache is None:
        heads, _ = attention(q, k, v)
        return merge_heads(heads) @ W_o, (k, v)
    heads, _ = attention(q, cache[0], cache[1])                   # attends before appending
    return merge_heads(heads) @ W_o, (torch.cat([cache[0], k], 2), torch.cat([cache[1], v], 2))


@mutant("kv_cache_step", breaks=["test_kv_cache_step"])
def cache_prepends_the_new_key(x_new, cache, W_q, W_k, W_v, W_o, num_heads):
    q, k, v = _project(x_new, W_q, W_k, W_v, num_heads)
    if cache is not None:
        k, v = torch.cat([k, cache[0]], 2), torch.cat([v, cache[1]], 2)
    heads, _ = attention(q, k, v)
    return merge_heads(heads) @ W_o, (k, v)


@mutant("kv_cache_step", breaks=["test_kv_cache_step"])
def cache_step_scaled_by_sqrt_d_model(x_new, cache, W_q, W_k, W_v, W_o, num_heads):
    q, k, v = _project(x_new, W_q, W_k, W_v, num_heads)
    if cache is not None:
        k, v = torch.cat([cache[0], k], 2), torch.cat([cache[1], v], 2)
    d_model = x_new.shape[-1]
    weights = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(d_model), -1)
    return merge_heads(weights @ v) @ W_o, (k, v)


@mutant("kv_cache_step", breaks=["test_kv_cache_step"])
def cache_step_forgets_w_o(x_new, cache, W_q, W_k, W_v, W_o, num_heads):
    q, k, v = _project(x_new, W_q, W_k, W_v, num_heads)
    if cache is not None:
        k, v = torch.cat([cache[0], k], 2), torch.cat([cache[1], v], 2)
    heads, _ = attention(q, k, v)
    return merge_heads(heads), (k, v)


@mutant("kv_cache_step", breaks=["test_kv_cache_step"])
def cache_step_with_a_causal_mask_of_the_wrong_size(x_new, cache, W_q, W_k, W_v, W_o, num_heads):
    q, k, v = _project(x_new, W_q, W_k, W_v, num_heads)
    if cache is not None:
        k, v = torch.cat([cache[0], k], 2), torch.cat([cache[1], v], 2)
    n = k.shape[2]
    heads, _ = attention(q, k, v, torch.tril(torch.ones(n, n, dtype=torch.bool))[:1])   # row 0: only key 0
    return merge_heads(heads) @ W_o, (k, v)


@mutant("kv_cache_step", breaks=["test_kv_cache_step"])
def cache_stores_keys_unsplit(x_new, cache, W_q, W_k, W_v, W_o, num_heads):
    q, k, v = _project(x_new, W_q, W_k, W_v, num_heads)
    if cache is not None:
        k, v = torch.cat([cache[0], k], 2), torch.cat([cache[1], v], 2)
    heads, _ = attention(q, k, v)
    return merge_heads(heads) @ W_o, (merge_heads(k), merge_heads(v))


@mutant("kv_cache_step", breaks=["test_kv_cache_step"])
def cache_step_squeezes_x_new_in_place(x_new, cache, W_q, W_k, W_v, W_o, num_heads):
    x = x_new.squeeze_(1)                                      # changes the caller's x_new to (batch, d_model)
    q, k, v = _project(x[:, None], W_q, W_k, W_v, num_heads)
    if cache is not None:
        k, v = torch.cat([cache[0], k], 2), torch.cat([cache[1], v], 2)
    heads, _ = attention(q, k, v)
    return merge_heads(heads) @ W_o, (k, v)


@mutant("kv_cache_step", breaks=["test_kv_cache_step"])
def cache_step_applies_weights_transposed(x_new, cache, W_q, W_k, W_v, W_o, num_heads):
    q, k, v = (split_heads(x_new @ W.T, num_heads) for W in (W_q, W_k, W_v))   # W @ x, columns as tokens
    if cache is not None:
        k, v = torch.cat([cache[0], k], 2), torch.cat([cache[1], v], 2)
    heads, _ = attention(q, k, v)
    return merge_heads(heads) @ W_o.T, (k, v)


# ---- correct alternatives: each keeps full marks ------------------------------------------------------------------


@alternative("additive_causal_mask")
def mask_with_triu_of_minus_infinity(n):
    return torch.triu(torch.full((n, n), float("-inf")), diagonal=1)


@alternative("additive_causal_mask")
def mask_with_where(n):
    j, i = torch.meshgrid(torch.arange(n), torch.arange(n), indexing="xy")
    return torch.where(j <= i, torch.tensor(0.0), torch.tensor(float("-inf")))


@alternative("next_token_targets")
def targets_with_where(ids, pad_id):
    following = ids[:, 1:]
    return ids[:, :-1].clone(), torch.where(following == pad_id, torch.full_like(following, -100), following)


@alternative("next_token_loss")
def loss_with_cross_entropy(logits, targets):
    if bool((targets == -100).all()):
        raise ValueError("every target is padding")
    return F.cross_entropy(logits.transpose(1, 2), targets, ignore_index=-100)


@alternative("next_token_loss")
def loss_with_log_softmax_and_mask(logits, targets):
    keep = targets != -100
    if keep.sum() == 0:
        raise ValueError("every target is padding")
    picked = F.log_softmax(logits, dim=-1).gather(-1, targets.clamp(min=0)[..., None])[..., 0]
    return -(picked * keep).sum() / keep.sum()


@alternative("next_token_loss")
def loss_with_logsumexp(logits, targets):
    keep = targets != -100
    if not bool(keep.any()):
        raise ValueError("every target is padding")
    picked = logits.gather(-1, targets.clamp(min=0)[..., None])[..., 0]
    return (torch.logsumexp(logits, dim=-1) - picked)[keep].mean()


@alternative("tied_logits")
def tied_logits_with_linear(hidden, token_embedding, gamma, beta):
    mu = hidden.mean(-1, keepdim=True)
    var = ((hidden - mu) ** 2).mean(-1, keepdim=True)
    return F.linear(gamma * (hidden - mu) / torch.sqrt(var + 1e-5) + beta, token_embedding)


@alternative("tied_logits")
def tied_logits_with_layer_norm(hidden, token_embedding, gamma, beta):
    return F.layer_norm(hidden, hidden.shape[-1:], gamma, beta, eps=1e-5) @ token_embedding.T


@alternative("sample_next_token")
def sample_with_sort(logits, temperature, top_k, generator):
    if temperature < 0 or (top_k is not None and top_k <= 0):
        raise ValueError("temperature must be >= 0 and top_k >= 1")
    if temperature == 0:
        return int(logits.argmax().item())
    scaled = logits.div(temperature)
    if top_k is not None and top_k < len(scaled):
        threshold = scaled.sort(descending=True).values[top_k - 1]
        scaled = torch.where(scaled >= threshold, scaled, torch.tensor(float("-inf"), dtype=scaled.dtype))
    return torch.multinomial(scaled.softmax(-1), num_samples=1, generator=generator).item()


@alternative("kv_cache_step")
def kv_step_with_einsum(x_new, cache, W_q, W_k, W_v, W_o, num_heads):
    batch, _, d_model = x_new.shape
    d_k = d_model // num_heads
    q, k, v = ((x_new @ W).view(batch, 1, num_heads, d_k).permute(0, 2, 1, 3) for W in (W_q, W_k, W_v))
    if cache:
        k, v = torch.cat((cache[0], k), dim=-2), torch.cat((cache[1], v), dim=-2)
    weights = torch.einsum("bhqd,bhkd->bhqk", q, k).div(d_k ** 0.5).softmax(-1)
    out = torch.einsum("bhqk,bhkd->bhqd", weights, v).permute(0, 2, 1, 3).reshape(batch, 1, d_model)
    return out @ W_o, (k, v)


@alternative("kv_cache_step")
def kv_step_with_the_lecture_helpers(x_new, cache, W_q, W_k, W_v, W_o, num_heads):
    q, k, v = (split_heads(x_new @ W, num_heads) for W in (W_q, W_k, W_v))
    if cache is not None:
        k, v = torch.cat((cache[0], k), dim=2), torch.cat((cache[1], v), dim=2)
    heads, _ = attention(q, k, v)
    return merge_heads(heads) @ W_o, (k, v)
