"""Mask-aware pooling of token embeddings into one sentence vector (CLS, MEAN, MAX), and batched encoding.

Lecture 05 derives these three functions step by step; this module is the one copy that the STS evaluation
(`llmcourse.sts`) and `benchmarks/sts_pooling.py` use. Shapes: token_embeddings (batch, seq, dim),
attention_mask (batch, seq) with 1 for real tokens and 0 for padding.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

import torch

# sentence-transformers truncates all-MiniLM-L6-v2's input at 256 word pieces (sentence_bert_config.json)
MAX_SEQ_LENGTH = 256


def cls_pool(token_embeddings: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """The first token's ([CLS]) vector; the mask is not needed, since [CLS] is never padding."""
    return token_embeddings[:, 0]


def mean_pool(token_embeddings: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """Average of the real tokens' vectors: padding neither adds to the sum nor counts in the length."""
    mask = attention_mask.unsqueeze(-1).to(token_embeddings.dtype)
    summed = (token_embeddings * mask).sum(dim=1)
    counts = mask.sum(dim=1).clamp(min=1e-9)
    return summed / counts


def max_pool(token_embeddings: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """Element-wise maximum over the real tokens: padding positions are set to -inf so they never win."""
    padding = attention_mask.unsqueeze(-1) == 0
    return token_embeddings.masked_fill(padding, float("-inf")).max(dim=1).values


POOLINGS: dict[str, Callable] = {"mean": mean_pool, "cls": cls_pool, "max": max_pool}


@torch.no_grad()
def encode_pooled(sentences: Sequence[str | tuple[str, str]], poolings: dict[str, Callable] | None = None, *,
                  tokenizer=None, model=None, batch_size: int = 64,
                  max_length: int = MAX_SEQ_LENGTH) -> dict[str, torch.Tensor]:
    """Run the encoder once over `sentences` and pool its last hidden states in every way in `poolings`.

    An item may be a pair (first, second): both are read as one input, `[CLS] first [SEP] second [SEP]` with
    segments 0 and 1 (a cross-encoder's input), and pooled over all its tokens.
    Returns {name: tensor (len(sentences), dim)} in the order of `sentences` (not normalised). Inputs are
    batched by length (less padding, faster); the masks make the result independent of the batching.
    """
    if tokenizer is None or model is None:
        from llmcourse.models import load_encoder

        tokenizer, model = load_encoder()
    poolings = poolings or POOLINGS
    pairs = bool(sentences) and isinstance(sentences[0], tuple)
    order = sorted(range(len(sentences)), key=lambda i: len(" ".join(sentences[i]) if pairs else sentences[i]))
    pooled: dict[str, list[torch.Tensor]] = {name: [] for name in poolings}
    for start in range(0, len(order), batch_size):
        batch = [sentences[i] for i in order[start:start + batch_size]]
        texts = ([a for a, _ in batch], [b for _, b in batch]) if pairs else (batch,)
        inputs = tokenizer(*texts, padding=True, truncation=True, max_length=max_length, return_tensors="pt")
        hidden = model(**inputs).last_hidden_state
        for name, pool in poolings.items():
            pooled[name].append(pool(hidden, inputs["attention_mask"]))
    inverse = torch.empty(len(order), dtype=torch.long)
    inverse[torch.tensor(order, dtype=torch.long)] = torch.arange(len(order))
    return {name: torch.cat(parts)[inverse] for name, parts in pooled.items()}


@torch.no_grad()
def cache_top_inputs(tokenizer, encoder, texts: Sequence[str | tuple[str, str]],
                     batch_size: int = 64) -> dict:
    """text (or (first, second) pair, read as one input) -> what enters the encoder's top layer, its real tokens
    only, from one frozen pass of the layers below. Training only the top layer then costs one layer per step
    (benchmarks/sbert_objectives.py, benchmarks/cross_encoder_order.py)."""
    cache = {}
    for start in range(0, len(texts), batch_size):
        batch = texts[start:start + batch_size]
        pairs = isinstance(batch[0], tuple)
        inputs = tokenizer(*(([a for a, _ in batch], [b for _, b in batch]) if pairs else (batch,)), padding=True,
                           return_tensors="pt")
        hidden = encoder(**inputs, output_hidden_states=True).hidden_states[-2]
        for i, text in enumerate(batch):
            cache[text] = hidden[i, :int(inputs["attention_mask"][i].sum())].clone()
    return cache


def pool_top_layer(top, cache: dict, keys) -> torch.Tensor:
    """The (trainable) top layer on the cached inputs of `keys`, padded together with the padding masked, then
    mask-aware MEAN pooling (not normalised)."""
    states = [cache[k] for k in keys]
    hidden = torch.nn.utils.rnn.pad_sequence(states, batch_first=True)
    mask = (torch.arange(hidden.shape[1])[None] < torch.tensor([len(s) for s in states])[:, None]).long()
    additive = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
    return mean_pool(top(hidden, attention_mask=additive), mask)
