"""llmcourse.transformer (lecture 02's layers as a module, imported by lecture 08) against torch's reference layers:
attention vs F.scaled_dot_product_attention, multi-head (self and cross) attention vs nn.MultiheadAttention, LayerNorm
vs nn.LayerNorm, the post-norm and pre-norm blocks vs nn.TransformerEncoderLayer, the GPT-2 block vs GPT2Block."""
from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from llmcourse.transformer import (attention, block_parameters, causal_mask, encoder_block, layer_norm,
                                   merge_heads, multi_head_attention, split_heads)

D, HEADS = 12, 3


def randn(*shape, seed):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


def test_attention_matches_scaled_dot_product_attention_with_and_without_a_causal_mask():
    Q, K, V = randn(2, 5, 4, seed=1), randn(2, 5, 4, seed=2), randn(2, 5, 3, seed=3)
    for mask in (None, causal_mask(5)):
        ours, weights = attention(Q, K, V, mask)
        torch.testing.assert_close(ours, F.scaled_dot_product_attention(Q, K, V, attn_mask=mask))
        torch.testing.assert_close(weights.sum(-1), torch.ones(2, 5, dtype=torch.float64))
    assert causal_mask(3).tolist() == [[True, False, False], [True, True, False], [True, True, True]]


def test_fully_masked_row_gets_zero_weights_not_nan():
    mask = torch.tensor([[True, False], [False, False]])
    out, weights = attention(randn(2, 3, seed=4), randn(2, 3, seed=5), randn(2, 3, seed=6), mask)
    assert not torch.isnan(out).any() and weights[1].abs().sum() == 0


def test_split_and_merge_heads_are_inverse_and_take_column_blocks():
    X = randn(2, 4, D, seed=7)
    heads = split_heads(X, HEADS)
    assert heads.shape == (2, HEADS, 4, D // HEADS)
    torch.testing.assert_close(heads[:, 1], X[..., 4:8])
    torch.testing.assert_close(merge_heads(heads), X)


def _torch_mha(weights, biases):
    mha = torch.nn.MultiheadAttention(D, HEADS, bias=True, batch_first=True, dtype=torch.float64)
    W_q, W_k, W_v, W_o = weights
    with torch.no_grad():
        mha.in_proj_weight.copy_(torch.cat([W_q.T, W_k.T, W_v.T]))   # nn.Linear convention: x @ W.T
        mha.in_proj_bias.copy_(torch.cat(biases[:3]))
        mha.out_proj.weight.copy_(W_o.T)
        mha.out_proj.bias.copy_(biases[3])
    return mha


@pytest.mark.parametrize("cross", [False, True], ids=["self", "cross"])
def test_multi_head_attention_matches_nn_multihead_attention(cross):
    weights = [randn(D, D, seed=10 + i) / 3 for i in range(4)]
    biases = [randn(D, seed=20 + i) for i in range(4)]
    X, memory = randn(2, 5, D, seed=30), randn(2, 7, D, seed=31)
    source = memory if cross else X
    mask = None if cross else causal_mask(5)
    ours, weights_ours = multi_head_attention(X, *weights, HEADS, mask, memory=memory if cross else None,
                                              biases=biases)
    reference, weights_ref = _torch_mha(weights, biases)(X, source, source, attn_mask=None if mask is None else ~mask,
                                                          average_attn_weights=False)
    torch.testing.assert_close(ours, reference)
    torch.testing.assert_close(weights_ours, weights_ref)
    assert weights_ours.shape == (2, HEADS, 5, source.shape[1])


def test_layer_norm_matches_nn_layer_norm():
    x = randn(3, 4, D, seed=40) * 5 + 2
    gamma, beta = randn(D, seed=41), randn(D, seed=42)
    torch.testing.assert_close(layer_norm(x, gamma, beta), F.layer_norm(x, (D,), gamma, beta, 1e-5))


def _params_of(layer):
    w, b = layer.self_attn.in_proj_weight.detach(), layer.self_attn.in_proj_bias.detach()
    return {"W_q": w[:D].T, "W_k": w[D:2 * D].T, "W_v": w[2 * D:].T, "b_q": b[:D], "b_k": b[D:2 * D],
            "b_v": b[2 * D:], "W_o": layer.self_attn.out_proj.weight.detach().T,
            "b_o": layer.self_attn.out_proj.bias.detach(),
            "W_1": layer.linear1.weight.detach().T, "b_1": layer.linear1.bias.detach(),
            "W_2": layer.linear2.weight.detach().T, "b_2": layer.linear2.bias.detach(),
            "gamma_1": layer.norm1.weight.detach(), "beta_1": layer.norm1.bias.detach(),
            "gamma_2": layer.norm2.weight.detach(), "beta_2": layer.norm2.bias.detach()}


@pytest.mark.parametrize("norm_first", [False, True], ids=["post-norm", "pre-norm"])
def test_encoder_block_matches_transformer_encoder_layer(norm_first):
    torch.manual_seed(0)
    layer = torch.nn.TransformerEncoderLayer(D, HEADS, dim_feedforward=20, dropout=0.0, activation="gelu",
                                             batch_first=True, norm_first=norm_first, dtype=torch.float64).eval()
    with torch.no_grad():
        for parameter in layer.parameters():            # non-trivial biases, gains and offsets everywhere
            parameter.add_(0.1 * torch.randn_like(parameter))
    X = randn(2, 6, D, seed=50)
    for mask in (None, causal_mask(6)):
        with torch.no_grad():
            reference = layer(X, src_mask=None if mask is None else ~mask)
        ours = encoder_block(X, _params_of(layer), HEADS, mask, norm_first=norm_first, activation=F.gelu)
        torch.testing.assert_close(ours, reference)


def test_pre_norm_block_with_causal_mask_is_a_gpt2_block():
    from transformers import GPT2Config
    from transformers.models.gpt2.modeling_gpt2 import GPT2Block

    torch.manual_seed(1)
    config = GPT2Config(n_embd=D, n_head=HEADS, n_layer=1, n_positions=8, resid_pdrop=0.0, attn_pdrop=0.0,
                        embd_pdrop=0.0, bos_token_id=0, eos_token_id=0)
    config._attn_implementation = "eager"
    block = GPT2Block(config).double().eval()
    with torch.no_grad():
        for parameter in block.parameters():
            parameter.add_(0.1 * torch.randn_like(parameter))
    p = {"W_q": block.attn.c_attn.weight[:, :D], "W_k": block.attn.c_attn.weight[:, D:2 * D],
         "W_v": block.attn.c_attn.weight[:, 2 * D:], "b_q": block.attn.c_attn.bias[:D],
         "b_k": block.attn.c_attn.bias[D:2 * D], "b_v": block.attn.c_attn.bias[2 * D:],
         "W_o": block.attn.c_proj.weight, "b_o": block.attn.c_proj.bias,
         "W_1": block.mlp.c_fc.weight, "b_1": block.mlp.c_fc.bias, "W_2": block.mlp.c_proj.weight,
         "b_2": block.mlp.c_proj.bias, "gamma_1": block.ln_1.weight, "beta_1": block.ln_1.bias,
         "gamma_2": block.ln_2.weight, "beta_2": block.ln_2.bias}
    X = randn(2, 6, D, seed=60)
    causal_additive = torch.zeros(6, 6, dtype=torch.float64).masked_fill(~causal_mask(6), float("-inf"))
    with torch.no_grad():
        reference = block(X, attention_mask=causal_additive[None, None])
        ours = encoder_block(X, p, HEADS, causal_mask(6), norm_first=True,
                             activation=lambda x: F.gelu(x, approximate="tanh"))
    torch.testing.assert_close(ours, reference)


def test_block_parameters_have_the_shapes_encoder_block_needs():
    p = block_parameters(8, 32, generator=torch.Generator().manual_seed(0))
    assert p["W_1"].shape == (8, 32) and p["b_q"].shape == (8,) and bool((p["gamma_1"] == 1).all())
    out = encoder_block(torch.randn(1, 3, 8), p, 2, causal_mask(3), norm_first=True)
    assert out.shape == (1, 3, 8)
    assert "b_q" not in block_parameters(8, 32, biases=False)
