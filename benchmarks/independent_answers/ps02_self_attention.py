"""Independent answers to ps02, written from the exercise's instructions only (see ps01_word2vec_cosine.py)."""
import math

import torch
import torch.nn.functional as F

from llmcourse.authoring.mutation import alternative, mutant


# --- softmax -----------------------------------------------------------------------------------------------------------
@alternative("softmax")
def right_softmax_max_values(x, dim=-1):
    e = (x - x.max(dim=dim, keepdim=True).values).exp()
    return e / e.sum(dim=dim, keepdim=True)


@alternative("softmax")
def right_softmax_torch_functions(x, dim=-1):
    e = torch.exp(torch.sub(x, torch.amax(x, dim, keepdim=True)))
    return torch.div(e, torch.sum(e, dim, keepdim=True))


@mutant("softmax", breaks=[])
def wrong_softmax_global_max(x, dim=-1):
    e = torch.exp(x - x.max())
    return e / e.sum(dim=dim, keepdim=True)


@mutant("softmax", breaks=[])
def wrong_softmax_no_shift(x, dim=-1):
    e = torch.exp(x)
    return e / e.sum(dim=dim, keepdim=True)


@mutant("softmax", breaks=[])
def wrong_softmax_ignores_dim(x, dim=-1):
    e = torch.exp(x - x.amax(dim=-1, keepdim=True))
    return e / e.sum(dim=-1, keepdim=True)


@mutant("softmax", breaks=[])
def wrong_softmax_calls_torch_softmax(x, dim=-1):
    return torch.softmax(x, dim=dim)


@mutant("softmax", breaks=[])
def wrong_softmax_calls_functional(x, dim=-1):
    return F.softmax(x, dim)


@mutant("softmax", breaks=[])
def wrong_softmax_shift_in_place(x, dim=-1):
    x -= x.amax(dim=dim, keepdim=True)
    e = torch.exp(x)
    return e / e.sum(dim=dim, keepdim=True)


# --- scaled_dot_product_attention --------------------------------------------------------------------------------------
@alternative("scaled_dot_product_attention")
def right_sdpa_where_and_nan_to_num(Q, K, V, mask=None):
    scores = torch.matmul(Q, K.transpose(-1, -2)) / Q.size(-1) ** 0.5
    if mask is not None:
        scores = torch.where(mask, scores, torch.tensor(float("-inf"), dtype=scores.dtype))
    weights = torch.nan_to_num(softmax(scores, dim=-1), nan=0.0)
    return weights @ V, weights


@alternative("scaled_dot_product_attention")
def right_sdpa_einsum(Q, K, V, mask=None):
    scores = torch.einsum("...qd,...kd->...qk", Q, K) / math.sqrt(K.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(mask.logical_not(), float("-inf"))
        empty = ~mask.any(dim=-1, keepdim=True)
        scores = scores.masked_fill(empty, 0.0)
    weights = softmax(scores, dim=-1)
    if mask is not None:
        weights = weights.masked_fill(empty, 0.0)
    return torch.einsum("...qk,...kd->...qd", weights, V), weights


@mutant("scaled_dot_product_attention", breaks=[])
def wrong_sdpa_no_scale(Q, K, V, mask=None):
    scores = Q @ K.transpose(-2, -1)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.nan_to_num(softmax(scores))
    return weights @ V, weights


@mutant("scaled_dot_product_attention", breaks=[])
def wrong_sdpa_mask_with_large_negative(Q, K, V, mask=None):
    scores = Q @ K.transpose(-2, -1) / math.sqrt(Q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, -1e9)
    weights = softmax(scores)
    return weights @ V, weights


@mutant("scaled_dot_product_attention", breaks=[])
def wrong_sdpa_mask_multiplied_after(Q, K, V, mask=None):
    weights = softmax(Q @ K.transpose(-2, -1) / math.sqrt(Q.shape[-1]))
    if mask is not None:
        weights = weights * mask
    return weights @ V, weights


@mutant("scaled_dot_product_attention", breaks=[])
def wrong_sdpa_k_dot_t(Q, K, V, mask=None):
    scores = Q @ K.T / math.sqrt(Q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.nan_to_num(softmax(scores))
    return weights @ V, weights


@mutant("scaled_dot_product_attention", breaks=[])
def wrong_sdpa_nan_rows(Q, K, V, mask=None):
    scores = Q @ K.transpose(-2, -1) / math.sqrt(Q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = softmax(scores)
    return weights @ V, weights


@mutant("scaled_dot_product_attention", breaks=[])
def wrong_sdpa_inverted_mask(Q, K, V, mask=None):
    scores = Q @ K.transpose(-2, -1) / math.sqrt(Q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(mask, float("-inf"))
    weights = torch.nan_to_num(softmax(scores))
    return weights @ V, weights


@mutant("scaled_dot_product_attention", breaks=[])
def wrong_sdpa_library_output(Q, K, V, mask=None):
    scores = Q @ K.transpose(-2, -1) / math.sqrt(Q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.nan_to_num(softmax(scores))
    return torch.nan_to_num(F.scaled_dot_product_attention(Q, K, V, attn_mask=mask)), weights


@mutant("scaled_dot_product_attention", breaks=[])
def wrong_sdpa_scales_q_in_place(Q, K, V, mask=None):
    Q /= math.sqrt(Q.shape[-1])
    scores = Q @ K.transpose(-2, -1)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.nan_to_num(softmax(scores))
    return weights @ V, weights


# --- ice0 --------------------------------------------------------------------------------------------------------------
@alternative("ice0")
def right_ice0_by_hand():
    Q, K, V = X_ICE @ W_Q_ICE, X_ICE @ W_K_ICE, X_ICE @ W_V_ICE
    weights = softmax(Q @ K.T / math.sqrt(Q.shape[1]))
    return weights, weights @ V, 1 if weights[1, 0] > weights[1, 1] else 2


@mutant("ice0", breaks=[])
def wrong_ice0_slide_scale():
    Q, K, V = X_ICE @ W_Q_ICE, X_ICE @ W_K_ICE, X_ICE @ W_V_ICE
    weights = softmax(Q @ K.T / 2)
    return weights, weights @ V, 2


@mutant("ice0", breaks=[])
def wrong_ice0_answer_tensor():
    Z, weights = scaled_dot_product_attention(X_ICE @ W_Q_ICE, X_ICE @ W_K_ICE, X_ICE @ W_V_ICE)
    return weights, Z, torch.argmax(weights[1]) + 1


@mutant("ice0", breaks=[])
def wrong_ice0_counts_from_zero():
    Z, weights = scaled_dot_product_attention(X_ICE @ W_Q_ICE, X_ICE @ W_K_ICE, X_ICE @ W_V_ICE)
    return weights, Z, int(torch.argmax(weights[1]))


# --- causal_mask -------------------------------------------------------------------------------------------------------
@alternative("causal_mask")
def right_causal_arange(n):
    return torch.arange(n)[:, None] >= torch.arange(n)[None, :]


@alternative("causal_mask")
def right_causal_tril_then_bool(n):
    return torch.ones(n, n).tril().bool()


@mutant("causal_mask", breaks=[])
def wrong_causal_floats(n):
    return torch.tril(torch.ones(n, n))


@mutant("causal_mask", breaks=[])
def wrong_causal_upper(n):
    return torch.triu(torch.ones(n, n, dtype=torch.bool))


@mutant("causal_mask", breaks=[])
def wrong_causal_no_diagonal(n):
    return torch.arange(n)[:, None] > torch.arange(n)[None, :]


@mutant("causal_mask", breaks=[])
def wrong_causal_int64(n):
    return torch.tril(torch.ones(n, n, dtype=torch.long))


# --- multi_head_attention ----------------------------------------------------------------------------------------------
@alternative("multi_head_attention")
def right_mha_loop_over_heads(X, W_q, W_k, W_v, W_o, num_heads, mask=None):
    d_k = X.shape[-1] // num_heads
    Q, K, V = X @ W_q, X @ W_k, X @ W_v
    heads = []
    for h in range(num_heads):
        part = slice(h * d_k, (h + 1) * d_k)
        out, _ = scaled_dot_product_attention(Q[..., part], K[..., part], V[..., part], mask)
        heads.append(out)
    return torch.cat(heads, dim=-1) @ W_o


@alternative("multi_head_attention")
def right_mha_view_permute(X, W_q, W_k, W_v, W_o, num_heads, mask=None):
    b, n, d = X.shape

    def heads(T):
        return T.view(b, n, num_heads, d // num_heads).permute(0, 2, 1, 3)

    out, _ = scaled_dot_product_attention(heads(X @ W_q), heads(X @ W_k), heads(X @ W_v), mask)
    return out.permute(0, 2, 1, 3).contiguous().view(b, n, d) @ W_o


@mutant("multi_head_attention", breaks=[])
def wrong_mha_reshape_without_transpose_back(X, W_q, W_k, W_v, W_o, num_heads, mask=None):
    b, n, d = X.shape
    split = lambda T: T.reshape(b, n, num_heads, d // num_heads).transpose(1, 2)  # noqa: E731
    out, _ = scaled_dot_product_attention(split(X @ W_q), split(X @ W_k), split(X @ W_v), mask)
    return out.reshape(b, n, d) @ W_o


@mutant("multi_head_attention", breaks=[])
def wrong_mha_scale_d_model(X, W_q, W_k, W_v, W_o, num_heads, mask=None):
    b, n, d = X.shape
    split = lambda T: T.reshape(b, n, num_heads, d // num_heads).transpose(1, 2)  # noqa: E731
    q = split(X @ W_q) * math.sqrt(d // num_heads) / math.sqrt(d)
    out, _ = scaled_dot_product_attention(q, split(X @ W_k), split(X @ W_v), mask)
    return out.transpose(1, 2).reshape(b, n, d) @ W_o


@mutant("multi_head_attention", breaks=[])
def wrong_mha_no_output_projection(X, W_q, W_k, W_v, W_o, num_heads, mask=None):
    b, n, d = X.shape
    split = lambda T: T.reshape(b, n, num_heads, d // num_heads).transpose(1, 2)  # noqa: E731
    out, _ = scaled_dot_product_attention(split(X @ W_q), split(X @ W_k), split(X @ W_v), mask)
    return out.transpose(1, 2).reshape(b, n, d)


@mutant("multi_head_attention", breaks=[])
def wrong_mha_nn_module(X, W_q, W_k, W_v, W_o, num_heads, mask=None):
    d = X.shape[-1]
    layer = torch.nn.MultiheadAttention(d, num_heads, bias=False, batch_first=True, dtype=X.dtype)
    with torch.no_grad():
        layer.in_proj_weight.copy_(torch.cat([W_q.T, W_k.T, W_v.T]))
        layer.out_proj.weight.copy_(W_o.T)
        return layer(X, X, X, need_weights=False, attn_mask=None if mask is None else ~mask)[0]


@mutant("multi_head_attention", breaks=[])
def wrong_mha_heads_interleaved(X, W_q, W_k, W_v, W_o, num_heads, mask=None):
    b, n, d = X.shape
    split = lambda T: T.reshape(b, n, d // num_heads, num_heads).permute(0, 3, 1, 2)  # noqa: E731
    out, _ = scaled_dot_product_attention(split(X @ W_q), split(X @ W_k), split(X @ W_v), mask)
    return out.permute(0, 2, 3, 1).reshape(b, n, d) @ W_o


# --- layer_norm --------------------------------------------------------------------------------------------------------
@alternative("layer_norm")
def right_layer_norm_var_unbiased_false(x, gamma, beta, eps=1e-5):
    mean = x.mean(-1, keepdim=True)
    return (x - mean) / torch.sqrt(x.var(-1, unbiased=False, keepdim=True) + eps) * gamma + beta


@alternative("layer_norm")
def right_layer_norm_rsqrt(x, gamma, beta, eps=1e-5):
    centred = x - x.mean(dim=-1, keepdim=True)
    return gamma * centred * torch.rsqrt(centred.pow(2).mean(dim=-1, keepdim=True) + eps) + beta


@mutant("layer_norm", breaks=[])
def wrong_layer_norm_unbiased(x, gamma, beta, eps=1e-5):
    return gamma * (x - x.mean(-1, keepdim=True)) / torch.sqrt(x.var(-1, keepdim=True) + eps) + beta


@mutant("layer_norm", breaks=[])
def wrong_layer_norm_eps_outside(x, gamma, beta, eps=1e-5):
    return gamma * (x - x.mean(-1, keepdim=True)) / (x.std(-1, unbiased=False, keepdim=True) + eps) + beta


@mutant("layer_norm", breaks=[])
def wrong_layer_norm_fixed_eps(x, gamma, beta, eps=1e-5):
    return gamma * (x - x.mean(-1, keepdim=True)) / torch.sqrt(x.var(-1, unbiased=False, keepdim=True) + 1e-5) + beta


@mutant("layer_norm", breaks=[])
def wrong_layer_norm_library(x, gamma, beta, eps=1e-5):
    return F.layer_norm(x, x.shape[-1:], gamma, beta, eps)


@mutant("layer_norm", breaks=[])
def wrong_layer_norm_no_beta(x, gamma, beta, eps=1e-5):
    return gamma * (x - x.mean(-1, keepdim=True)) / torch.sqrt(x.var(-1, unbiased=False, keepdim=True) + eps)


@mutant("layer_norm", breaks=[])
def wrong_layer_norm_over_all(x, gamma, beta, eps=1e-5):
    return gamma * (x - x.mean()) / torch.sqrt(x.var(unbiased=False) + eps) + beta


# --- encoder_block -----------------------------------------------------------------------------------------------------
@alternative("encoder_block")
def right_encoder_relu_clamp(X, params, num_heads, mask=None):
    p = params
    h = layer_norm(X + multi_head_attention(X, p["W_q"], p["W_k"], p["W_v"], p["W_o"], num_heads, mask),
                   p["gamma_1"], p["beta_1"], eps=1e-5)
    ffn = (h @ p["W_1"] + p["b_1"]).clamp(min=0) @ p["W_2"] + p["b_2"]
    return layer_norm(h + ffn, p["gamma_2"], p["beta_2"], eps=1e-5)


@alternative("encoder_block")
def right_encoder_functional_relu(X, params, num_heads, mask=None):
    attention = multi_head_attention(X, params["W_q"], params["W_k"], params["W_v"], params["W_o"], num_heads,
                                     mask=mask)
    T3 = layer_norm(X + attention, params["gamma_1"], params["beta_1"])
    T4 = F.relu(T3 @ params["W_1"] + params["b_1"]) @ params["W_2"] + params["b_2"]
    return layer_norm(T3 + T4, params["gamma_2"], params["beta_2"])


@mutant("encoder_block", breaks=[])
def wrong_encoder_pre_norm(X, params, num_heads, mask=None):
    p = params
    h = layer_norm(X, p["gamma_1"], p["beta_1"])
    X = X + multi_head_attention(h, p["W_q"], p["W_k"], p["W_v"], p["W_o"], num_heads, mask)
    h = layer_norm(X, p["gamma_2"], p["beta_2"])
    return X + torch.relu(h @ p["W_1"] + p["b_1"]) @ p["W_2"] + p["b_2"]


@mutant("encoder_block", breaks=[])
def wrong_encoder_second_residual_from_input(X, params, num_heads, mask=None):
    p = params
    T3 = layer_norm(X + multi_head_attention(X, p["W_q"], p["W_k"], p["W_v"], p["W_o"], num_heads, mask),
                    p["gamma_1"], p["beta_1"])
    T4 = torch.relu(T3 @ p["W_1"] + p["b_1"]) @ p["W_2"] + p["b_2"]
    return layer_norm(T4 + X, p["gamma_2"], p["beta_2"])


@mutant("encoder_block", breaks=[])
def wrong_encoder_gelu(X, params, num_heads, mask=None):
    p = params
    T3 = layer_norm(X + multi_head_attention(X, p["W_q"], p["W_k"], p["W_v"], p["W_o"], num_heads, mask),
                    p["gamma_1"], p["beta_1"])
    T4 = F.gelu(T3 @ p["W_1"] + p["b_1"]) @ p["W_2"] + p["b_2"]
    return layer_norm(T4 + T3, p["gamma_2"], p["beta_2"])


@mutant("encoder_block", breaks=[])
def wrong_encoder_ignores_mask(X, params, num_heads, mask=None):
    p = params
    T3 = layer_norm(X + multi_head_attention(X, p["W_q"], p["W_k"], p["W_v"], p["W_o"], num_heads),
                    p["gamma_1"], p["beta_1"])
    T4 = torch.relu(T3 @ p["W_1"] + p["b_1"]) @ p["W_2"] + p["b_2"]
    return layer_norm(T4 + T3, p["gamma_2"], p["beta_2"])


@mutant("encoder_block", breaks=[])
def wrong_encoder_same_layer_norm_twice(X, params, num_heads, mask=None):
    p = params
    T3 = layer_norm(X + multi_head_attention(X, p["W_q"], p["W_k"], p["W_v"], p["W_o"], num_heads, mask),
                    p["gamma_1"], p["beta_1"])
    T4 = torch.relu(T3 @ p["W_1"] + p["b_1"]) @ p["W_2"] + p["b_2"]
    return layer_norm(T4 + T3, p["gamma_1"], p["beta_1"])
