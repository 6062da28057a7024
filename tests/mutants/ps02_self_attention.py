"""Plausible wrong solutions of ps02 (self-attention), each named for its mistake. Every graded test cell of
solutions/ps02_self_attention must catch at least three of them (tests/test_assignments.py)."""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from llmcourse.authoring.mutation import alternative, mutant

# ---- softmax ---------------------------------------------------------------------------------------------------


@mutant("softmax", breaks=["test_softmax"])
def naive_softmax_overflows(x, dim=-1):
    exps = torch.exp(x)
    return exps / exps.sum(dim=dim, keepdim=True)


@mutant("softmax", breaks=["test_softmax"])
def softmax_over_first_axis(x, dim=-1):
    shifted = x - x.amax(dim=0, keepdim=True)
    exps = torch.exp(shifted)
    return exps / exps.sum(dim=0, keepdim=True)


@mutant("softmax", breaks=["test_softmax"])
def softmax_subtracts_global_max(x, dim=-1):
    exps = torch.exp(x - x.max())
    return exps / exps.sum(dim=dim, keepdim=True)


@mutant("softmax", breaks=["test_softmax"])
def softmax_ignores_dim(x, dim=-1):
    exps = torch.exp(x - x.amax(dim=-1, keepdim=True))
    return exps / exps.sum(dim=-1, keepdim=True)


@mutant("softmax", breaks=["test_softmax"])
def softmax_not_normalised(x, dim=-1):
    return torch.exp(x - x.amax(dim=dim, keepdim=True))


def _stable_softmax(x, dim=-1):
    exps = torch.exp(x - x.amax(dim=dim, keepdim=True))
    return exps / exps.sum(dim=dim, keepdim=True)


# ---- scaled dot-product attention -----------------------------------------------------------------------------

def _attention(Q, K, V, mask=None, *, scale=None, axis=-1, mask_after=False, fill=float("-inf"), zero_rows=True):
    d_k = Q.shape[-1]
    scores = Q @ K.transpose(-2, -1) / (math.sqrt(d_k) if scale is None else scale(d_k))
    if mask is not None and not mask_after:
        scores = scores.masked_fill(~mask, fill)
    weights = _stable_softmax(scores, dim=axis)
    if mask is not None and (mask_after or zero_rows):
        weights = weights.masked_fill(~mask, 0.0)
    return weights @ V, weights


@mutant("scaled_dot_product_attention", breaks=["test_scaled_dot_product_attention", "test_ice0"])
def attention_without_sqrt_dk(Q, K, V, mask=None):
    return _attention(Q, K, V, mask, scale=lambda d_k: 1.0)


@mutant("scaled_dot_product_attention", breaks=["test_scaled_dot_product_attention"])
def attention_divided_by_d_k(Q, K, V, mask=None):
    return _attention(Q, K, V, mask, scale=lambda d_k: d_k)


@mutant("scaled_dot_product_attention", breaks=["test_scaled_dot_product_attention", "test_ice0"])
def attention_divided_by_two_as_on_slide(Q, K, V, mask=None):
    return _attention(Q, K, V, mask, scale=lambda d_k: 2.0)


@mutant("scaled_dot_product_attention", breaks=["test_scaled_dot_product_attention", "test_ice0"])
def attention_softmax_over_queries(Q, K, V, mask=None):
    return _attention(Q, K, V, mask, axis=-2)


@mutant("scaled_dot_product_attention", breaks=["test_scaled_dot_product_attention"])
def attention_mask_after_softmax(Q, K, V, mask=None):
    return _attention(Q, K, V, mask, mask_after=True)


@mutant("scaled_dot_product_attention", breaks=["test_scaled_dot_product_attention"])
def attention_masks_with_zero_scores(Q, K, V, mask=None):
    return _attention(Q, K, V, mask, fill=0.0)


@mutant("scaled_dot_product_attention", breaks=["test_scaled_dot_product_attention"])
def attention_nan_on_fully_masked_rows(Q, K, V, mask=None):
    return _attention(Q, K, V, mask, zero_rows=False)


# ---- ICE #0 ----------------------------------------------------------------------------------------------------

_X = torch.tensor([[1, 2, 3, -1], [3, -4, -7, 5]], dtype=torch.float64)
_W_Q = torch.tensor([[-1, 2, 0], [2, 3, -5], [1, 0, 0], [-3, 1, 2]], dtype=torch.float64)
_W_K = torch.tensor([[1, 2, 3], [2, 4, 3], [3, 0, 3], [-1, 5, 2]], dtype=torch.float64)
_W_V = torch.tensor([[-1, -2, 3], [2, -4, 0], [0, 0, 1], [1, 0, -7]], dtype=torch.float64)


@mutant("ice0", breaks=["test_ice0"])
def ice0_divides_by_two_as_on_slide():
    weights = _stable_softmax(_X @ _W_Q @ (_X @ _W_K).T / 2)
    return weights, weights @ (_X @ _W_V), 2


@mutant("ice0", breaks=["test_ice0"])
def ice0_answers_token_1():
    Z, weights = _attention(_X @ _W_Q, _X @ _W_K, _X @ _W_V)
    return weights, Z, 1


@mutant("ice0", breaks=["test_ice0"])
def ice0_answer_counted_from_zero():
    Z, weights = _attention(_X @ _W_Q, _X @ _W_K, _X @ _W_V)
    return weights, Z, int(torch.argmax(weights[1]))


@mutant("ice0", breaks=["test_ice0"])
def ice0_scores_k_times_q():
    weights = _stable_softmax(_X @ _W_K @ (_X @ _W_Q).T / math.sqrt(3))
    return weights, weights @ (_X @ _W_V), 2


@mutant("ice0", breaks=["test_ice0"])
def ice0_z_from_embeddings_not_values():
    Z, weights = _attention(_X @ _W_Q, _X @ _W_K, _X[:, :3])
    return weights, Z, 2


# ---- causal mask -----------------------------------------------------------------------------------------------

@mutant("causal_mask", breaks=["test_causal_mask"])
def causal_mask_without_diagonal(n):
    return torch.tril(torch.ones(n, n, dtype=torch.bool), diagonal=-1)


@mutant("causal_mask", breaks=["test_causal_mask"])
def causal_mask_sees_the_future(n):
    return torch.triu(torch.ones(n, n, dtype=torch.bool))


@mutant("causal_mask", breaks=["test_causal_mask"])
def causal_mask_as_floats(n):
    return torch.tril(torch.ones(n, n))


@mutant("causal_mask", breaks=["test_causal_mask"])
def causal_mask_one_step_ahead(n):
    return torch.tril(torch.ones(n, n, dtype=torch.bool), diagonal=1)


# ---- multi-head attention --------------------------------------------------------------------------------------

def _mha(X, W_q, W_k, W_v, W_o, num_heads, mask=None, *, transpose_back=True, split_by_view=False,
         scale_with_d_model=False, skip_w_o=False, transposed_weights=False):
    batch, n, d_model = X.shape
    d_k = d_model // num_heads
    if transposed_weights:
        W_q, W_k, W_v, W_o = W_q.T, W_k.T, W_v.T, W_o.T

    def split(T):
        if split_by_view:                               # (batch, n, d_model) -> (batch, heads, n, d_k) directly
            return T.reshape(batch, num_heads, n, d_k)
        return T.reshape(batch, n, num_heads, d_k).transpose(1, 2)

    Q, K, V = split(X @ W_q), split(X @ W_k), split(X @ W_v)
    if scale_with_d_model:
        Q = Q * math.sqrt(d_k) / math.sqrt(d_model)
    heads, _ = _attention(Q, K, V, mask)
    concat = (heads.transpose(1, 2) if transpose_back else heads).reshape(batch, n, d_model)
    return concat if skip_w_o else concat @ W_o


@mutant("multi_head_attention", breaks=["test_multi_head_attention", "test_encoder_block"])
def mha_heads_not_transposed_back(X, W_q, W_k, W_v, W_o, num_heads, mask=None):
    return _mha(X, W_q, W_k, W_v, W_o, num_heads, mask, transpose_back=False)


@mutant("multi_head_attention", breaks=["test_multi_head_attention", "test_encoder_block"])
def mha_split_without_transpose(X, W_q, W_k, W_v, W_o, num_heads, mask=None):
    return _mha(X, W_q, W_k, W_v, W_o, num_heads, mask, split_by_view=True, transpose_back=False)


@mutant("multi_head_attention", breaks=["test_multi_head_attention", "test_encoder_block"])
def mha_scaled_by_sqrt_d_model(X, W_q, W_k, W_v, W_o, num_heads, mask=None):
    return _mha(X, W_q, W_k, W_v, W_o, num_heads, mask, scale_with_d_model=True)


@mutant("multi_head_attention", breaks=["test_multi_head_attention", "test_encoder_block"])
def mha_forgets_output_projection(X, W_q, W_k, W_v, W_o, num_heads, mask=None):
    return _mha(X, W_q, W_k, W_v, W_o, num_heads, mask, skip_w_o=True)


@mutant("multi_head_attention", breaks=["test_multi_head_attention", "test_encoder_block"])
def mha_weights_transposed(X, W_q, W_k, W_v, W_o, num_heads, mask=None):
    return _mha(X, W_q, W_k, W_v, W_o, num_heads, mask, transposed_weights=True)


# ---- LayerNorm -------------------------------------------------------------------------------------------------

@mutant("layer_norm", breaks=["test_layer_norm", "test_encoder_block"])
def layer_norm_unbiased_variance(x, gamma, beta, eps=1e-5):
    return gamma * (x - x.mean(-1, keepdim=True)) / torch.sqrt(x.var(-1, keepdim=True) + eps) + beta


@mutant("layer_norm", breaks=["test_layer_norm", "test_encoder_block"])
def layer_norm_over_first_dimension(x, gamma, beta, eps=1e-5):
    mu = x.mean(0, keepdim=True)
    return gamma * (x - mu) / torch.sqrt(((x - mu) ** 2).mean(0, keepdim=True) + eps) + beta


@mutant("layer_norm", breaks=["test_layer_norm"])
def layer_norm_eps_outside_sqrt(x, gamma, beta, eps=1e-5):
    mu = x.mean(-1, keepdim=True)
    return gamma * (x - mu) / (torch.sqrt(((x - mu) ** 2).mean(-1, keepdim=True)) + eps) + beta


@mutant("layer_norm", breaks=["test_layer_norm"])
def layer_norm_ignores_eps_argument(x, gamma, beta, eps=1e-5):
    mu = x.mean(-1, keepdim=True)
    return gamma * (x - mu) / torch.sqrt(((x - mu) ** 2).mean(-1, keepdim=True) + 1e-5) + beta


@mutant("layer_norm", breaks=["test_layer_norm", "test_encoder_block"])
def layer_norm_without_beta(x, gamma, beta, eps=1e-5):
    mu = x.mean(-1, keepdim=True)
    return gamma * (x - mu) / torch.sqrt(((x - mu) ** 2).mean(-1, keepdim=True) + eps)


# ---- encoder block ---------------------------------------------------------------------------------------------

def _layer_norm(x, gamma, beta, eps=1e-5):
    mu = x.mean(-1, keepdim=True)
    return gamma * (x - mu) / torch.sqrt(((x - mu) ** 2).mean(-1, keepdim=True) + eps) + beta


def _ffn(x, p, relu=True):
    hidden = x @ p["W_1"] + p["b_1"]
    return (torch.relu(hidden) if relu else hidden) @ p["W_2"] + p["b_2"]


def _self_attention(X, p, num_heads, mask):
    return _mha(X, p["W_q"], p["W_k"], p["W_v"], p["W_o"], num_heads, mask)


@mutant("encoder_block", breaks=["test_encoder_block"])
def encoder_pre_norm(X, params, num_heads, mask=None):
    p = params
    T = X + _self_attention(_layer_norm(X, p["gamma_1"], p["beta_1"]), p, num_heads, mask)
    return T + _ffn(_layer_norm(T, p["gamma_2"], p["beta_2"]), p)


@mutant("encoder_block", breaks=["test_encoder_block"])
def encoder_second_residual_adds_x(X, params, num_heads, mask=None):
    p = params
    T3 = _layer_norm(X + _self_attention(X, p, num_heads, mask), p["gamma_1"], p["beta_1"])
    return _layer_norm(_ffn(T3, p) + X, p["gamma_2"], p["beta_2"])


@mutant("encoder_block", breaks=["test_encoder_block"])
def encoder_without_residuals(X, params, num_heads, mask=None):
    p = params
    T3 = _layer_norm(_self_attention(X, p, num_heads, mask), p["gamma_1"], p["beta_1"])
    return _layer_norm(_ffn(T3, p), p["gamma_2"], p["beta_2"])


@mutant("encoder_block", breaks=["test_encoder_block"])
def encoder_ffn_without_relu(X, params, num_heads, mask=None):
    p = params
    T3 = _layer_norm(X + _self_attention(X, p, num_heads, mask), p["gamma_1"], p["beta_1"])
    return _layer_norm(_ffn(T3, p, relu=False) + T3, p["gamma_2"], p["beta_2"])


@mutant("encoder_block", breaks=["test_encoder_block"])
def encoder_reuses_first_layer_norm(X, params, num_heads, mask=None):
    p = params
    T3 = _layer_norm(X + _self_attention(X, p, num_heads, mask), p["gamma_1"], p["beta_1"])
    return _layer_norm(_ffn(T3, p) + T3, p["gamma_1"], p["beta_1"])


@mutant("encoder_block", breaks=["test_encoder_block"])
def encoder_ignores_mask(X, params, num_heads, mask=None):
    p = params
    T3 = _layer_norm(X + _self_attention(X, p, num_heads, None), p["gamma_1"], p["beta_1"])
    return _layer_norm(_ffn(T3, p) + T3, p["gamma_2"], p["beta_2"])


# ---- issue 15: PyTorch's own versions (read from the code), inputs changed in place -------------------------------

@mutant("softmax", breaks=["test_softmax"])
def softmax_calls_torch_softmax(x, dim=-1):
    return torch.softmax(x, dim=dim)


@mutant("softmax", breaks=["test_softmax"])
def softmax_calls_the_tensor_method(x, dim=-1):
    return x.softmax(dim)


@mutant("softmax", breaks=["test_softmax"])
def softmax_shifts_the_input_in_place(x, dim=-1):
    x -= x.amax(dim=dim, keepdim=True)
    exps = torch.exp(x)
    return exps / exps.sum(dim=dim, keepdim=True)


@mutant("scaled_dot_product_attention", breaks=["test_scaled_dot_product_attention"])
def attention_output_from_the_library(Q, K, V, mask=None):
    _, weights = _attention(Q, K, V, mask)
    return torch.nan_to_num(F.scaled_dot_product_attention(Q, K, V, attn_mask=mask)), weights


@mutant("scaled_dot_product_attention", breaks=["test_scaled_dot_product_attention"])
def attention_inverts_the_mask_in_place(Q, K, V, mask=None):
    if mask is not None:
        mask = mask.logical_not_()
        scores = (Q @ K.transpose(-2, -1) / math.sqrt(Q.shape[-1])).masked_fill(mask, float("-inf"))
        weights = _stable_softmax(scores).masked_fill(mask, 0.0)
        return weights @ V, weights
    return _attention(Q, K, V)


@mutant("ice0", breaks=["test_ice0"])
def ice0_with_torch_softmax():
    Q, K, V = _X @ _W_Q, _X @ _W_K, _X @ _W_V
    weights = torch.softmax(Q @ K.T / math.sqrt(3), dim=-1)
    return weights, weights @ V, 2


@mutant("multi_head_attention", breaks=["test_multi_head_attention"])
def mha_with_torch_module(X, W_q, W_k, W_v, W_o, num_heads, mask=None):
    layer = torch.nn.MultiheadAttention(X.shape[-1], num_heads, bias=False, batch_first=True, dtype=X.dtype)
    with torch.no_grad():
        layer.in_proj_weight.copy_(torch.cat([W_q.T, W_k.T, W_v.T]))
        layer.out_proj.weight.copy_(W_o.T)
        return layer(X, X, X, need_weights=False, attn_mask=None if mask is None else ~mask)[0]


@mutant("multi_head_attention", breaks=["test_multi_head_attention"])
def mha_with_library_attention(X, W_q, W_k, W_v, W_o, num_heads, mask=None):
    batch, n, d_model = X.shape
    split = lambda T: T.reshape(batch, n, num_heads, d_model // num_heads).transpose(1, 2)  # noqa: E731
    heads = F.scaled_dot_product_attention(split(X @ W_q), split(X @ W_k), split(X @ W_v), attn_mask=mask)
    return heads.transpose(1, 2).reshape(batch, n, d_model) @ W_o


@mutant("multi_head_attention", breaks=["test_multi_head_attention"])
def mha_scales_the_input_in_place(X, W_q, W_k, W_v, W_o, num_heads, mask=None):
    X /= 1.0 + 1e-3
    return _mha(X * (1.0 + 1e-3), W_q, W_k, W_v, W_o, num_heads, mask)


@mutant("layer_norm", breaks=["test_layer_norm"])
def layer_norm_calls_the_library(x, gamma, beta, eps=1e-5):
    return F.layer_norm(x, x.shape[-1:], gamma, beta, eps)


@mutant("layer_norm", breaks=["test_layer_norm"])
def layer_norm_centres_in_place(x, gamma, beta, eps=1e-5):
    x -= x.mean(-1, keepdim=True)
    return gamma * x / torch.sqrt((x ** 2).mean(-1, keepdim=True) + eps) + beta


@mutant("encoder_block", breaks=["test_encoder_block"])
def encoder_with_torch_layer_norm(X, params, num_heads, mask=None):
    p = params
    T3 = F.layer_norm(X + _self_attention(X, p, num_heads, mask), X.shape[-1:], p["gamma_1"], p["beta_1"], 1e-5)
    return F.layer_norm(T3 + _ffn(T3, p), X.shape[-1:], p["gamma_2"], p["beta_2"], 1e-5)


# ---- correct answers written differently: each must get full marks --------------------------------------------

@alternative("softmax")
def softmax_with_max_values(x, dim=-1):
    e = (x - x.max(dim=dim, keepdim=True).values).exp()
    return e / e.sum(dim=dim, keepdim=True)


@alternative("scaled_dot_product_attention")
def attention_with_where_and_nan_to_num(Q, K, V, mask=None):
    scores = torch.matmul(Q, K.transpose(-1, -2)) / Q.size(-1) ** 0.5
    if mask is not None:
        scores = torch.where(mask, scores, torch.tensor(float("-inf"), dtype=scores.dtype))
    weights = torch.nan_to_num(_stable_softmax(scores, dim=-1), nan=0.0)
    return weights @ V, weights


@alternative("ice0")
def ice0_step_by_step():
    Q, K, V = _X @ _W_Q, _X @ _W_K, _X @ _W_V
    weights = _stable_softmax(Q @ K.T / math.sqrt(Q.shape[1]))
    return weights, weights @ V, 1 if weights[1, 0] > weights[1, 1] else 2


@alternative("causal_mask")
def causal_mask_by_comparing_positions(n):
    return torch.arange(n)[:, None] >= torch.arange(n)[None, :]


@alternative("multi_head_attention")
def mha_with_a_loop_over_heads(X, W_q, W_k, W_v, W_o, num_heads, mask=None):
    d_k = X.shape[-1] // num_heads
    Q, K, V = X @ W_q, X @ W_k, X @ W_v
    heads = []
    for h in range(num_heads):
        columns = slice(h * d_k, (h + 1) * d_k)
        heads.append(_attention(Q[..., columns], K[..., columns], V[..., columns], mask)[0])
    return torch.cat(heads, dim=-1) @ W_o


@alternative("layer_norm")
def layer_norm_with_rsqrt(x, gamma, beta, eps=1e-5):
    centred = x - x.mean(dim=-1, keepdim=True)
    return gamma * centred * torch.rsqrt(centred.pow(2).mean(dim=-1, keepdim=True) + eps) + beta


@alternative("encoder_block")
def encoder_with_clamp_as_relu(X, params, num_heads, mask=None):
    p = params
    h = _layer_norm(X + _self_attention(X, p, num_heads, mask), p["gamma_1"], p["beta_1"])
    ffn = (h @ p["W_1"] + p["b_1"]).clamp(min=0) @ p["W_2"] + p["b_2"]
    return _layer_norm(h + ffn, p["gamma_2"], p["beta_2"])
