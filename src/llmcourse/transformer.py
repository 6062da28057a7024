"""Lecture 02's attention, multi-head attention, LayerNorm and encoder block, for the lectures that build on them.

Lecture 02 writes these by hand and checks each against PyTorch's layer; later lectures (08: the decoder, GPT)
import them from here instead of copying them (tests/test_transformer.py checks them against torch's reference
layers). Conventions, as in lecture 02: tokens are rows, a weight matrix is applied as `X @ W`, a boolean mask is
True where a query may attend to a key.

Two keyword arguments extend lecture 02's code without changing what it computes by default:
- `multi_head_attention(..., memory=M)`: keys and values come from `M` (cross-attention: the decoder's queries read
  the encoder's output), `biases=(b_q, b_k, b_v, b_o)` adds projection biases (GPT-2 has them);
- `encoder_block(..., norm_first=True, activation=...)`: the pre-norm block of GPT-2 (LayerNorm before each
  sublayer, the residual stream left un-normalised), with e.g. GELU instead of ReLU. With a causal mask this is a
  decoder block.
"""
from __future__ import annotations

import math

import torch


def attention(Q, K, V, mask=None):
    """softmax(Q K^T / sqrt(d_k)) V; returns (output, weights). `mask`: True where a query may attend to a key."""
    d_k = Q.shape[-1]
    scores = Q @ K.transpose(-2, -1) / math.sqrt(d_k)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    if mask is not None:               # a row with no allowed key: softmax gives nan; give it zero weights
        weights = torch.nan_to_num(weights, nan=0.0)
    return weights @ V, weights


def causal_mask(n: int) -> torch.Tensor:
    """Boolean n x n mask, True where query i may attend to key j (j <= i): a decoder cannot look ahead."""
    return torch.tril(torch.ones(n, n, dtype=torch.bool))


def split_heads(T, num_heads: int):
    """(batch, n, d_model) -> (batch, heads, n, d_k): head i takes columns i*d_k .. (i+1)*d_k - 1."""
    batch, n, d_model = T.shape
    return T.reshape(batch, n, num_heads, d_model // num_heads).transpose(1, 2)


def merge_heads(T):
    """(batch, heads, n, d_k) -> (batch, n, heads * d_k): the heads side by side again (concatenation)."""
    batch, heads, n, d_k = T.shape
    return T.transpose(1, 2).reshape(batch, n, heads * d_k)


def multi_head_attention(X, W_q, W_k, W_v, W_o, num_heads, mask=None, *, memory=None, biases=None):
    """Multi-head attention of X (batch, n, d_model); returns (output (batch, n, d_model), weights per head).

    `memory` (batch, m, d_model): where keys and values come from (default X: self-attention).
    `biases`: (b_q, b_k, b_v, b_o) added after each projection (default: none, as in lecture 02).
    """
    source = X if memory is None else memory
    b_q, b_k, b_v, b_o = biases if biases is not None else (0.0, 0.0, 0.0, 0.0)
    Q = split_heads(X @ W_q + b_q, num_heads)
    K = split_heads(source @ W_k + b_k, num_heads)
    V = split_heads(source @ W_v + b_v, num_heads)
    heads, weights = attention(Q, K, V, mask)                         # batch x heads x n x d_k
    return merge_heads(heads) @ W_o + b_o, weights


def layer_norm(x, gamma, beta, eps=1e-5):
    """LayerNorm over the last dimension (each token's features), biased variance, eps inside the square root."""
    mu = x.mean(dim=-1, keepdim=True)
    var = ((x - mu) ** 2).mean(dim=-1, keepdim=True)
    return gamma * (x - mu) / torch.sqrt(var + eps) + beta


def feed_forward(x, p, activation=torch.relu):
    """The position-wise network activation(x W_1 + b_1) W_2 + b_2, the same for every token."""
    return activation(x @ p["W_1"] + p["b_1"]) @ p["W_2"] + p["b_2"]


def attention_biases(p):
    """(b_q, b_k, b_v, b_o) from a block's parameters, or None when it has none (lecture 02's blocks)."""
    return (p["b_q"], p["b_k"], p["b_v"], p["b_o"]) if "b_q" in p else None


def encoder_block(X, p, num_heads, mask=None, *, norm_first=False, activation=torch.relu, eps=1e-5):
    """One transformer block on X (batch, n, d_model); `p` maps names to weights (lecture 02's keys, plus
    optional attention biases b_q, b_k, b_v, b_o).

    norm_first=False: lecture 02's post-norm block (original transformer, BERT):
        H = LN2(FFN(T3) + T3) with T3 = LN1(X + MHA(X)).
    norm_first=True: the pre-norm block of GPT-2: T = X + MHA(LN1(X)), H = T + FFN(LN2(T)).
    """
    def mha(Z):
        return multi_head_attention(Z, p["W_q"], p["W_k"], p["W_v"], p["W_o"], num_heads, mask,
                                    biases=attention_biases(p))[0]

    if norm_first:
        T = X + mha(layer_norm(X, p["gamma_1"], p["beta_1"], eps))
        return T + feed_forward(layer_norm(T, p["gamma_2"], p["beta_2"], eps), p, activation)
    T1 = mha(X)
    T2 = X + T1
    T3 = layer_norm(T2, p["gamma_1"], p["beta_1"], eps)
    T4 = feed_forward(T3, p, activation)
    T5 = T4 + T3
    return layer_norm(T5, p["gamma_2"], p["beta_2"], eps)


def block_parameters(d_model: int, d_ff: int, *, generator=None, biases: bool = True, std: float = 0.02,
                     dtype=torch.float32) -> dict:
    """Fresh weights for `encoder_block`, initialised like GPT-2 (normal(0, std), zero biases, LayerNorm 1 and 0)."""
    def normal(*shape):
        return torch.randn(*shape, generator=generator, dtype=dtype) * std

    p = {name: normal(d_model, d_model) for name in ("W_q", "W_k", "W_v", "W_o")}
    p.update(W_1=normal(d_model, d_ff), b_1=torch.zeros(d_ff, dtype=dtype), W_2=normal(d_ff, d_model),
             b_2=torch.zeros(d_model, dtype=dtype))
    for i in (1, 2):
        p[f"gamma_{i}"] = torch.ones(d_model, dtype=dtype)
        p[f"beta_{i}"] = torch.zeros(d_model, dtype=dtype)
    if biases:
        p.update({name: torch.zeros(d_model, dtype=dtype) for name in ("b_q", "b_k", "b_v", "b_o")})
    return p
