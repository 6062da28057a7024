"""Blind answers to ps02, written from the released notebook's instructions only (never from its tests, mutants or
solutions): `@alternative` = a correct answer in another style, `@mutant` = a plausible wrong answer (the mistake in
its name). benchmarks/fidelity.py --answers benchmarks/blind_answers grades them."""
import math

import numpy as np
import torch
import torch.nn.functional as F

from llmcourse.authoring.mutation import alternative, mutant


# ---------------------------------------------------------------- 1. softmax

@alternative("softmax")
def right_amax_keepdim(x, dim=-1):
    shifted = x - x.amax(dim=dim, keepdim=True)
    e = torch.exp(shifted)
    return e / e.sum(dim=dim, keepdim=True)


@alternative("softmax")
def right_max_values(x, dim=-1):
    m = torch.max(x, dim=dim, keepdim=True).values
    e = (x - m).exp()
    return e / torch.sum(e, dim, keepdim=True)


@alternative("softmax")
def right_log_domain_normalisation(x, dim=-1):
    z = x - x.amax(dim=dim, keepdim=True)
    return torch.exp(z - torch.log(torch.exp(z).sum(dim=dim, keepdim=True)))


@alternative("softmax")
def right_movedim_last(x, dim=-1):
    y = x.movedim(dim, -1)
    y = y - y.max(-1, keepdim=True)[0]
    e = torch.exp(y)
    return (e / e.sum(-1, keepdim=True)).movedim(-1, dim)


@mutant("softmax", breaks=[])
def wrong_no_max_subtraction(x, dim=-1):
    e = torch.exp(x)
    return e / e.sum(dim=dim, keepdim=True)


@mutant("softmax", breaks=[])
def wrong_global_max_not_per_row(x, dim=-1):
    e = torch.exp(x - x.max())
    return e / e.sum(dim=dim, keepdim=True)


@mutant("softmax", breaks=[])
def wrong_ignores_dim_always_last(x, dim=-1):
    e = torch.exp(x - x.amax(dim=-1, keepdim=True))
    return e / e.sum(dim=-1, keepdim=True)


@mutant("softmax", breaks=[])
def wrong_subtracts_in_place(x, dim=-1):
    x -= x.amax(dim=dim, keepdim=True)      # changes the caller's tensor
    e = torch.exp(x)
    return e / e.sum(dim=dim, keepdim=True)


@mutant("softmax", breaks=[])
def wrong_max_without_keepdim(x, dim=-1):
    e = torch.exp(x - x.amax(dim=dim))     # without keepdim: broadcasts against the wrong axis
    return e / e.sum(dim=dim, keepdim=True)


# ---------------------------------------------------------------- 2. scaled_dot_product_attention

@alternative("scaled_dot_product_attention")
def right_masked_fill_where_rows(Q, K, V, mask=None):
    d_k = Q.shape[-1]
    scores = Q @ K.transpose(-2, -1) / math.sqrt(d_k)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = softmax(scores, dim=-1)
    if mask is not None:
        any_allowed = mask.expand(scores.shape).any(dim=-1, keepdim=True)
        weights = torch.where(any_allowed, weights, torch.zeros_like(weights))
    return weights @ V, weights


@alternative("scaled_dot_product_attention")
def right_torch_where_nan_to_num(Q, K, V, mask=None):
    scores = torch.matmul(Q, K.transpose(-1, -2)) / Q.shape[-1] ** 0.5
    if mask is not None:
        scores = torch.where(mask, scores, torch.full_like(scores, float("-inf")))
    weights = torch.nan_to_num(softmax(scores, -1), nan=0.0)
    return torch.matmul(weights, V), weights


@alternative("scaled_dot_product_attention")
def right_prescaled_q_einsum(Q, K, V, mask=None):
    q = Q / math.sqrt(Q.shape[-1])
    scores = torch.einsum("...qd,...kd->...qk", q, K)
    if mask is not None:
        scores = scores.masked_fill(mask.logical_not(), -math.inf)
    weights = softmax(scores)
    weights = weights.masked_fill(torch.isnan(weights), 0.0)
    out = torch.einsum("...qk,...kv->...qv", weights, V)
    return out, weights


@mutant("scaled_dot_product_attention", breaks=[])
def wrong_no_scaling(Q, K, V, mask=None):
    scores = Q @ K.transpose(-2, -1)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.nan_to_num(softmax(scores, dim=-1), nan=0.0)
    return weights @ V, weights


@mutant("scaled_dot_product_attention", breaks=[])
def wrong_scale_by_d_v(Q, K, V, mask=None):
    scores = Q @ K.transpose(-2, -1) / math.sqrt(V.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.nan_to_num(softmax(scores, dim=-1), nan=0.0)
    return weights @ V, weights


@mutant("scaled_dot_product_attention", breaks=[])
def wrong_mask_inverted(Q, K, V, mask=None):
    scores = Q @ K.transpose(-2, -1) / math.sqrt(Q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(mask, float("-inf"))      # True taken as "forbidden"
    weights = torch.nan_to_num(softmax(scores, dim=-1), nan=0.0)
    return weights @ V, weights


@mutant("scaled_dot_product_attention", breaks=[])
def wrong_fully_masked_rows_give_nan(Q, K, V, mask=None):
    scores = Q @ K.transpose(-2, -1) / math.sqrt(Q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = softmax(scores, dim=-1)
    return weights @ V, weights


@mutant("scaled_dot_product_attention", breaks=[])
def wrong_large_negative_fill_uniform_rows(Q, K, V, mask=None):
    scores = Q @ K.transpose(-2, -1) / math.sqrt(Q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, -1e9)             # fully masked rows become uniform, not zero
    weights = softmax(scores, dim=-1)
    return weights @ V, weights


@mutant("scaled_dot_product_attention", breaks=[])
def wrong_transposes_first_two_dims(Q, K, V, mask=None):
    scores = Q @ K.transpose(0, 1) / math.sqrt(Q.shape[-1])   # right only for 2-D K
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.nan_to_num(softmax(scores, dim=-1), nan=0.0)
    return weights @ V, weights



# ---------------------------------------------------------------- 3. ice0

@alternative("ice0")
def right_via_sdpa():
    Q, K, V = X_ICE @ W_Q_ICE, X_ICE @ W_K_ICE, X_ICE @ W_V_ICE
    Z, weights = scaled_dot_product_attention(Q, K, V)
    answer = int(torch.argmax(weights[1]).item()) + 1
    return weights, Z, answer


@alternative("ice0")
def right_by_hand():
    Q = X_ICE @ W_Q_ICE
    K = X_ICE @ W_K_ICE
    V = X_ICE @ W_V_ICE
    d_k = K.shape[1]                      # 3
    weights = softmax(Q @ K.T / math.sqrt(d_k), dim=1)
    Z = weights @ V
    answer = 1 if weights[1, 0] > weights[1, 1] else 2
    return weights, Z, answer


@mutant("ice0", breaks=[])
def wrong_slide_scale_2():
    Q, K, V = X_ICE @ W_Q_ICE, X_ICE @ W_K_ICE, X_ICE @ W_V_ICE
    weights = softmax(Q @ K.T / 2.0, dim=-1)
    Z = weights @ V
    return weights, Z, int(weights[1].argmax()) + 1


@mutant("ice0", breaks=[])
def wrong_ice_no_scaling():
    Q, K, V = X_ICE @ W_Q_ICE, X_ICE @ W_K_ICE, X_ICE @ W_V_ICE
    weights = softmax(Q @ K.T, dim=-1)
    Z = weights @ V
    return weights, Z, int(weights[1].argmax()) + 1


@mutant("ice0", breaks=[])
def wrong_answer_zero_based():
    Q, K, V = X_ICE @ W_Q_ICE, X_ICE @ W_K_ICE, X_ICE @ W_V_ICE
    Z, weights = scaled_dot_product_attention(Q, K, V)
    return weights, Z, int(weights[1].argmax())


@mutant("ice0", breaks=[])
def wrong_answer_is_tensor():
    Q, K, V = X_ICE @ W_Q_ICE, X_ICE @ W_K_ICE, X_ICE @ W_V_ICE
    Z, weights = scaled_dot_product_attention(Q, K, V)
    return weights, Z, weights[1].argmax() + 1


@mutant("ice0", breaks=[])
def wrong_returns_Z_first():
    Q, K, V = X_ICE @ W_Q_ICE, X_ICE @ W_K_ICE, X_ICE @ W_V_ICE
    Z, weights = scaled_dot_product_attention(Q, K, V)
    return Z, weights, int(weights[1].argmax()) + 1


@mutant("ice0", breaks=[])
def wrong_softmax_over_columns():
    Q, K, V = X_ICE @ W_Q_ICE, X_ICE @ W_K_ICE, X_ICE @ W_V_ICE
    weights = softmax(Q @ K.T / math.sqrt(3), dim=0)
    Z = weights @ V
    return weights, Z, int(weights[1].argmax()) + 1


# ---------------------------------------------------------------- 4. causal_mask

@alternative("causal_mask")
def right_tril(n):
    return torch.tril(torch.ones(n, n, dtype=torch.bool))


@alternative("causal_mask")
def right_arange_compare(n):
    idx = torch.arange(n)
    return idx[:, None] >= idx[None, :]


@alternative("causal_mask")
def right_loop(n):
    m = torch.zeros(n, n, dtype=torch.bool)
    for i in range(n):
        m[i, : i + 1] = True
    return m


@alternative("causal_mask")
def right_not_triu(n):
    return ~torch.triu(torch.ones(n, n, dtype=torch.bool), diagonal=1)


@mutant("causal_mask", breaks=[])
def wrong_upper_triangular(n):
    return torch.triu(torch.ones(n, n, dtype=torch.bool))


@mutant("causal_mask", breaks=[])
def wrong_excludes_diagonal(n):
    return torch.tril(torch.ones(n, n, dtype=torch.bool), diagonal=-1)


@mutant("causal_mask", breaks=[])
def wrong_float_mask(n):
    return torch.tril(torch.ones(n, n))


@mutant("causal_mask", breaks=[])
def wrong_long_mask(n):
    idx = torch.arange(n)
    return (idx[:, None] >= idx[None, :]).long()


@mutant("causal_mask", breaks=[])
def wrong_true_means_forbidden(n):
    return torch.triu(torch.ones(n, n, dtype=torch.bool), diagonal=1)


# ---------------------------------------------------------------- 5. multi_head_attention

@alternative("multi_head_attention")
def right_reshape_transpose(X, W_q, W_k, W_v, W_o, num_heads, mask=None):
    batch, n, d_model = X.shape
    d_k = d_model // num_heads

    def split(T):
        return T.reshape(batch, n, num_heads, d_k).transpose(1, 2)

    Q, K, V = split(X @ W_q), split(X @ W_k), split(X @ W_v)
    if mask is not None and mask.dim() == 3:       # (batch, n, n): one mask per sequence, shared by the heads
        mask = mask.unsqueeze(1)
    out, _ = scaled_dot_product_attention(Q, K, V, mask)
    return out.transpose(1, 2).reshape(batch, n, d_model) @ W_o


@alternative("multi_head_attention")
def right_loop_over_heads(X, W_q, W_k, W_v, W_o, num_heads, mask=None):
    d_model = X.shape[-1]
    d_k = d_model // num_heads
    Q, K, V = X @ W_q, X @ W_k, X @ W_v
    heads = []
    for h in range(num_heads):
        cols = slice(h * d_k, (h + 1) * d_k)
        out_h, _ = scaled_dot_product_attention(Q[..., cols], K[..., cols], V[..., cols], mask)
        heads.append(out_h)
    return torch.cat(heads, dim=-1) @ W_o


@alternative("multi_head_attention")
def right_unflatten_permute(X, W_q, W_k, W_v, W_o, num_heads, mask=None):
    d_k = X.shape[-1] // num_heads
    Q = torch.matmul(X, W_q).unflatten(-1, (num_heads, d_k)).permute(0, 2, 1, 3)
    K = torch.matmul(X, W_k).unflatten(-1, (num_heads, d_k)).permute(0, 2, 1, 3)
    V = torch.matmul(X, W_v).unflatten(-1, (num_heads, d_k)).permute(0, 2, 1, 3)
    if mask is not None and mask.dim() == 3:
        mask = mask[:, None]
    out = scaled_dot_product_attention(Q, K, V, mask)[0]
    return torch.matmul(out.permute(0, 2, 1, 3).flatten(-2), W_o)


@mutant("multi_head_attention", breaks=[])
def wrong_no_transpose_back_before_reshape(X, W_q, W_k, W_v, W_o, num_heads, mask=None):
    batch, n, d_model = X.shape
    d_k = d_model // num_heads
    split = lambda T: T.reshape(batch, n, num_heads, d_k).transpose(1, 2)
    out, _ = scaled_dot_product_attention(split(X @ W_q), split(X @ W_k), split(X @ W_v), mask)
    return out.reshape(batch, n, d_model) @ W_o


@mutant("multi_head_attention", breaks=[])
def wrong_split_by_reshape_without_transpose(X, W_q, W_k, W_v, W_o, num_heads, mask=None):
    batch, n, d_model = X.shape
    d_k = d_model // num_heads
    split = lambda T: T.reshape(batch, num_heads, n, d_k)
    out, _ = scaled_dot_product_attention(split(X @ W_q), split(X @ W_k), split(X @ W_v), mask)
    return out.reshape(batch, n, d_model) @ W_o


@mutant("multi_head_attention", breaks=[])
def wrong_scale_sqrt_d_model(X, W_q, W_k, W_v, W_o, num_heads, mask=None):
    batch, n, d_model = X.shape
    d_k = d_model // num_heads
    split = lambda T: T.reshape(batch, n, num_heads, d_k).transpose(1, 2)
    Q, K, V = split(X @ W_q), split(X @ W_k), split(X @ W_v)
    scores = Q @ K.transpose(-2, -1) / math.sqrt(d_model)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.nan_to_num(softmax(scores, -1), nan=0.0)
    return (weights @ V).transpose(1, 2).reshape(batch, n, d_model) @ W_o


@mutant("multi_head_attention", breaks=[])
def wrong_transposed_weights(X, W_q, W_k, W_v, W_o, num_heads, mask=None):
    batch, n, d_model = X.shape
    d_k = d_model // num_heads
    split = lambda T: T.reshape(batch, n, num_heads, d_k).transpose(1, 2)
    out, _ = scaled_dot_product_attention(split(X @ W_q.T), split(X @ W_k.T), split(X @ W_v.T), mask)
    return out.transpose(1, 2).reshape(batch, n, d_model) @ W_o.T



@mutant("multi_head_attention", breaks=[])
def wrong_interleaved_head_columns(X, W_q, W_k, W_v, W_o, num_heads, mask=None):
    batch, n, d_model = X.shape
    d_k = d_model // num_heads
    split = lambda T: T.reshape(batch, n, d_k, num_heads).permute(0, 3, 1, 2)   # head i gets columns i, i+h, ...
    out, _ = scaled_dot_product_attention(split(X @ W_q), split(X @ W_k), split(X @ W_v), mask)
    return out.permute(0, 2, 3, 1).reshape(batch, n, d_model) @ W_o


@mutant("multi_head_attention", breaks=[])
def wrong_mha_ignores_mask(X, W_q, W_k, W_v, W_o, num_heads, mask=None):
    batch, n, d_model = X.shape
    d_k = d_model // num_heads
    split = lambda T: T.reshape(batch, n, num_heads, d_k).transpose(1, 2)
    out, _ = scaled_dot_product_attention(split(X @ W_q), split(X @ W_k), split(X @ W_v))
    return out.transpose(1, 2).reshape(batch, n, d_model) @ W_o


# ---------------------------------------------------------------- 6. layer_norm

@alternative("layer_norm")
def right_manual_mean_var(x, gamma, beta, eps=1e-5):
    mu = x.mean(dim=-1, keepdim=True)
    var = ((x - mu) ** 2).mean(dim=-1, keepdim=True)
    return gamma * (x - mu) / torch.sqrt(var + eps) + beta


@alternative("layer_norm")
def right_var_unbiased_false_rsqrt(x, gamma, beta, eps=1e-5):
    mu = torch.mean(x, -1, keepdim=True)
    var = torch.var(x, dim=-1, unbiased=False, keepdim=True)
    return (x - mu) * torch.rsqrt(var + eps) * gamma + beta


@alternative("layer_norm")
def right_sum_over_d(x, gamma, beta, eps=1e-5):
    d = x.shape[-1]
    centred = x - x.sum(-1, keepdim=True) / d
    var = (centred * centred).sum(-1, keepdim=True) / d
    x_hat = centred / (var + eps).sqrt()
    return torch.addcmul(beta, gamma, x_hat)


@mutant("layer_norm", breaks=[])
def wrong_unbiased_variance(x, gamma, beta, eps=1e-5):
    mu = x.mean(dim=-1, keepdim=True)
    return gamma * (x - mu) / torch.sqrt(x.var(dim=-1, keepdim=True) + eps) + beta


@mutant("layer_norm", breaks=[])
def wrong_eps_outside_sqrt(x, gamma, beta, eps=1e-5):
    mu = x.mean(dim=-1, keepdim=True)
    var = ((x - mu) ** 2).mean(dim=-1, keepdim=True)
    return gamma * (x - mu) / (torch.sqrt(var) + eps) + beta


@mutant("layer_norm", breaks=[])
def wrong_normalise_over_dim0(x, gamma, beta, eps=1e-5):
    mu = x.mean(dim=0, keepdim=True)
    var = ((x - mu) ** 2).mean(dim=0, keepdim=True)
    return gamma * (x - mu) / torch.sqrt(var + eps) + beta


@mutant("layer_norm", breaks=[])
def wrong_ignores_eps_parameter(x, gamma, beta, eps=1e-5):
    mu = x.mean(dim=-1, keepdim=True)
    var = ((x - mu) ** 2).mean(dim=-1, keepdim=True)
    return gamma * (x - mu) / torch.sqrt(var + 1e-5) + beta


@mutant("layer_norm", breaks=[])
def wrong_gamma_beta_swapped(x, gamma, beta, eps=1e-5):
    mu = x.mean(dim=-1, keepdim=True)
    var = ((x - mu) ** 2).mean(dim=-1, keepdim=True)
    return beta * (x - mu) / torch.sqrt(var + eps) + gamma


@mutant("layer_norm", breaks=[])
def wrong_centres_input_in_place(x, gamma, beta, eps=1e-5):
    x -= x.mean(dim=-1, keepdim=True)            # changes the caller's tensor
    var = (x ** 2).mean(dim=-1, keepdim=True)
    return gamma * x / torch.sqrt(var + eps) + beta


# ---------------------------------------------------------------- 7. encoder_block

@alternative("encoder_block")
def right_step_by_step(X, params, num_heads, mask=None):
    p = params
    T1 = multi_head_attention(X, p["W_q"], p["W_k"], p["W_v"], p["W_o"], num_heads, mask)
    T2 = X + T1
    T3 = layer_norm(T2, p["gamma_1"], p["beta_1"], eps=1e-5)
    T4 = torch.relu(T3 @ p["W_1"] + p["b_1"]) @ p["W_2"] + p["b_2"]
    T5 = T4 + T3
    return layer_norm(T5, p["gamma_2"], p["beta_2"], eps=1e-5)


@alternative("encoder_block")
def right_clamp_compact(X, params, num_heads, mask=None):
    attn = multi_head_attention(X, params["W_q"], params["W_k"], params["W_v"], params["W_o"], num_heads,
                                mask=mask)
    h = layer_norm(attn + X, params["gamma_1"], params["beta_1"], 1e-5)
    ffn = torch.clamp(h @ params["W_1"] + params["b_1"], min=0) @ params["W_2"] + params["b_2"]
    return layer_norm(h + ffn, params["gamma_2"], params["beta_2"], 1e-5)


@alternative("encoder_block")
def right_maximum_ffn(X, params, num_heads, mask=None):
    def ffn(t):
        hidden = torch.matmul(t, params["W_1"]) + params["b_1"]
        hidden = torch.maximum(hidden, torch.zeros_like(hidden))
        return torch.matmul(hidden, params["W_2"]) + params["b_2"]

    weights = [params[k] for k in ("W_q", "W_k", "W_v", "W_o")]
    t3 = layer_norm(X + multi_head_attention(X, *weights, num_heads, mask), params["gamma_1"], params["beta_1"])
    return layer_norm(ffn(t3) + t3, params["gamma_2"], params["beta_2"])


@mutant("encoder_block", breaks=[])
def wrong_pre_norm(X, params, num_heads, mask=None):
    p = params
    h = layer_norm(X, p["gamma_1"], p["beta_1"])
    X = X + multi_head_attention(h, p["W_q"], p["W_k"], p["W_v"], p["W_o"], num_heads, mask)
    h = layer_norm(X, p["gamma_2"], p["beta_2"])
    return X + torch.relu(h @ p["W_1"] + p["b_1"]) @ p["W_2"] + p["b_2"]


@mutant("encoder_block", breaks=[])
def wrong_second_residual_from_X(X, params, num_heads, mask=None):
    p = params
    T3 = layer_norm(X + multi_head_attention(X, p["W_q"], p["W_k"], p["W_v"], p["W_o"], num_heads, mask),
                    p["gamma_1"], p["beta_1"])
    T4 = torch.relu(T3 @ p["W_1"] + p["b_1"]) @ p["W_2"] + p["b_2"]
    return layer_norm(T4 + X, p["gamma_2"], p["beta_2"])


@mutant("encoder_block", breaks=[])
def wrong_no_relu(X, params, num_heads, mask=None):
    p = params
    T3 = layer_norm(X + multi_head_attention(X, p["W_q"], p["W_k"], p["W_v"], p["W_o"], num_heads, mask),
                    p["gamma_1"], p["beta_1"])
    T4 = (T3 @ p["W_1"] + p["b_1"]) @ p["W_2"] + p["b_2"]
    return layer_norm(T4 + T3, p["gamma_2"], p["beta_2"])


@mutant("encoder_block", breaks=[])
def wrong_same_layernorm_params_twice(X, params, num_heads, mask=None):
    p = params
    T3 = layer_norm(X + multi_head_attention(X, p["W_q"], p["W_k"], p["W_v"], p["W_o"], num_heads, mask),
                    p["gamma_1"], p["beta_1"])
    T4 = torch.relu(T3 @ p["W_1"] + p["b_1"]) @ p["W_2"] + p["b_2"]
    return layer_norm(T4 + T3, p["gamma_1"], p["beta_1"])


@mutant("encoder_block", breaks=[])
def wrong_encoder_ignores_mask(X, params, num_heads, mask=None):
    p = params
    T3 = layer_norm(X + multi_head_attention(X, p["W_q"], p["W_k"], p["W_v"], p["W_o"], num_heads),
                    p["gamma_1"], p["beta_1"])
    T4 = torch.relu(T3 @ p["W_1"] + p["b_1"]) @ p["W_2"] + p["b_2"]
    return layer_norm(T4 + T3, p["gamma_2"], p["beta_2"])


@mutant("encoder_block", breaks=[])
def wrong_relu_before_bias(X, params, num_heads, mask=None):
    p = params
    T3 = layer_norm(X + multi_head_attention(X, p["W_q"], p["W_k"], p["W_v"], p["W_o"], num_heads, mask),
                    p["gamma_1"], p["beta_1"])
    T4 = (torch.relu(T3 @ p["W_1"]) + p["b_1"]) @ p["W_2"] + p["b_2"]
    return layer_norm(T4 + T3, p["gamma_2"], p["beta_2"])
