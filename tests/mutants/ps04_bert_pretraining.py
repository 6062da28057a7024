"""Plausible wrong answers to ps04 (BERT pre-training), each named for its mistake. tests/test_assignments.py swaps
each into the reference solution and checks that the test cells named in `breaks` fail."""
from __future__ import annotations

import random

import torch
import torch.nn.functional as F

from llmcourse.authoring.mutation import alternative, mutant


# --- segment_ids ------------------------------------------------------------------------------------------------
@mutant("segment_ids", breaks=["test_segment_ids"])
def segment_b_starts_at_first_sep(input_ids, sep_id, pad_id):
    """Off by one: counts the [SEP] itself, so the first [SEP] lands in segment 1."""
    segments = (torch.cumsum((input_ids == sep_id).long(), dim=-1) >= 1).long()
    return torch.where(input_ids == pad_id, torch.zeros_like(segments), segments)


@mutant("segment_ids", breaks=["test_segment_ids"])
def padding_in_segment_b(input_ids, sep_id, pad_id):
    is_sep = (input_ids == sep_id).long()
    return ((torch.cumsum(is_sep, dim=-1) - is_sep) >= 1).long()


@mutant("segment_ids", breaks=["test_segment_ids"])
def segment_is_number_of_seps_seen(input_ids, sep_id, pad_id):
    """The second [SEP] and what follows become segment 2."""
    is_sep = (input_ids == sep_id).long()
    segments = torch.cumsum(is_sep, dim=-1)
    return torch.where(input_ids == pad_id, torch.zeros_like(segments), segments)


@mutant("segment_ids", breaks=["test_segment_ids"])
def everything_segment_a(input_ids, sep_id, pad_id):
    """As for one string with a literal "[SEP]" in it: the tokenizer never starts segment B."""
    return torch.zeros_like(input_ids)


# --- input_representation -----------------------------------------------------------------------------------------
def _layer_norm(x, weight, bias, eps, unbiased=False):
    mean = x.mean(dim=-1, keepdim=True)
    variance = x.var(dim=-1, keepdim=True, unbiased=unbiased)
    return weight * (x - mean) / torch.sqrt(variance + eps) + bias


@mutant("input_representation", breaks=["test_input_representation"])
def positions_start_at_one(input_ids, token_type_ids, word_embeddings, position_embeddings, type_embeddings,
                           ln_weight, ln_bias, eps=1e-12):
    positions = torch.arange(1, input_ids.shape[-1] + 1)
    x = word_embeddings[input_ids] + type_embeddings[token_type_ids] + position_embeddings[positions]
    return _layer_norm(x, ln_weight, ln_bias, eps)


@mutant("input_representation", breaks=["test_input_representation"])
def forgot_segment_embeddings(input_ids, token_type_ids, word_embeddings, position_embeddings, type_embeddings,
                              ln_weight, ln_bias, eps=1e-12):
    x = word_embeddings[input_ids] + position_embeddings[torch.arange(input_ids.shape[-1])]
    return _layer_norm(x, ln_weight, ln_bias, eps)


@mutant("input_representation", breaks=["test_input_representation"])
def no_layer_norm(input_ids, token_type_ids, word_embeddings, position_embeddings, type_embeddings,
                  ln_weight, ln_bias, eps=1e-12):
    return (word_embeddings[input_ids] + type_embeddings[token_type_ids]
            + position_embeddings[torch.arange(input_ids.shape[-1])])


@mutant("input_representation", breaks=["test_input_representation"])
def layer_norm_with_unbiased_variance(input_ids, token_type_ids, word_embeddings, position_embeddings,
                                      type_embeddings, ln_weight, ln_bias, eps=1e-12):
    x = (word_embeddings[input_ids] + type_embeddings[token_type_ids]
         + position_embeddings[torch.arange(input_ids.shape[-1])])
    return _layer_norm(x, ln_weight, ln_bias, eps, unbiased=True)


# --- bert_parameter_count -------------------------------------------------------------------------------------------
def _count(V, H, L, I, P, T, *, biases=True, layer_norms=True, pooler=True, pos_and_type=True, out_proj=True):
    b = 1 if biases else 0
    ln = 2 * H if layer_norms else 0
    emb = (V + (P + T if pos_and_type else 0)) * H + ln
    attention = (4 if out_proj else 3) * (H * H + b * H) + ln
    ffn = H * I + b * I + I * H + b * H + ln
    return int(emb + L * (attention + ffn) + ((H * H + b * H) if pooler else 0))


@mutant("bert_parameter_count", breaks=["test_parameter_count"])
def forgot_biases(vocab_size, hidden, layers, heads, intermediate=None, max_positions=512, type_vocab=2):
    return _count(vocab_size, hidden, layers, intermediate or 4 * hidden, max_positions, type_vocab, biases=False)


@mutant("bert_parameter_count", breaks=["test_parameter_count"])
def forgot_layer_norms(vocab_size, hidden, layers, heads, intermediate=None, max_positions=512, type_vocab=2):
    return _count(vocab_size, hidden, layers, intermediate or 4 * hidden, max_positions, type_vocab,
                  layer_norms=False)


@mutant("bert_parameter_count", breaks=["test_parameter_count"])
def forgot_pooler(vocab_size, hidden, layers, heads, intermediate=None, max_positions=512, type_vocab=2):
    return _count(vocab_size, hidden, layers, intermediate or 4 * hidden, max_positions, type_vocab, pooler=False)


@mutant("bert_parameter_count", breaks=["test_parameter_count"])
def attention_without_output_projection(vocab_size, hidden, layers, heads, intermediate=None, max_positions=512,
                                        type_vocab=2):
    return _count(vocab_size, hidden, layers, intermediate or 4 * hidden, max_positions, type_vocab,
                  out_proj=False)


@mutant("bert_parameter_count", breaks=["test_parameter_count"])
def heads_multiply_the_projections(vocab_size, hidden, layers, heads, intermediate=None, max_positions=512,
                                   type_vocab=2):
    """Gives every head its own H x H projections."""
    H, I = hidden, intermediate or 4 * hidden
    attention = heads * 3 * (H * H + H) + (H * H + H) + 2 * H
    ffn = 2 * H * I + I + H + 2 * H
    return int((vocab_size + max_positions + type_vocab) * H + 2 * H + layers * (attention + ffn) + H * H + H)


@mutant("bert_parameter_count", breaks=["test_parameter_count"])
def ignores_intermediate_argument(vocab_size, hidden, layers, heads, intermediate=None, max_positions=512,
                                  type_vocab=2):
    return _count(vocab_size, hidden, layers, 4 * hidden, 512, type_vocab)


# --- mask_tokens ----------------------------------------------------------------------------------------------------
def _mask(input_ids, special_ids, mask_id, vocab_size, mlm_probability=0.15, seed=0, *, candidates_fn=None,
          count_fn=None, split=(0.8, 0.9), fill=-100, label_all=False, generator="seeded"):
    g = torch.Generator().manual_seed(seed) if generator == "seeded" else None
    special = torch.as_tensor(list(special_ids))
    ordinary = torch.tensor([i for i in range(vocab_size) if i not in set(special.tolist())])
    masked, labels = input_ids.clone(), torch.full_like(input_ids, fill)
    for row in range(input_ids.shape[0]):
        if candidates_fn is None:
            candidates = torch.nonzero(~torch.isin(input_ids[row], special)).flatten()
        else:
            candidates = candidates_fn(input_ids[row], special)
        if len(candidates) == 0:
            continue
        n = count_fn(input_ids[row], candidates, mlm_probability) if count_fn else max(
            1, round(mlm_probability * len(candidates)))
        n = min(n, len(candidates))
        chosen = candidates[torch.randperm(len(candidates), generator=g)[:n]]
        labels[row, chosen] = input_ids[row, chosen]
        u = torch.rand(n, generator=g)
        to_mask, to_random = chosen[u < split[0]], chosen[(u >= split[0]) & (u < split[1])]
        masked[row, to_mask] = mask_id
        masked[row, to_random] = ordinary[torch.randint(len(ordinary), (len(to_random),), generator=g)]
    if label_all:
        labels = input_ids.clone()
    return masked, labels


@mutant("mask_tokens", breaks=["test_mask_tokens_invariants"])
def masks_special_tokens_and_padding(input_ids, special_ids, mask_id, vocab_size, mlm_probability=0.15, seed=0):
    return _mask(input_ids, special_ids, mask_id, vocab_size, mlm_probability, seed,
                 candidates_fn=lambda row, special: torch.arange(len(row)))


@mutant("mask_tokens", breaks=["test_mask_tokens_invariants"])
def fifteen_percent_of_whole_sequence(input_ids, special_ids, mask_id, vocab_size, mlm_probability=0.15, seed=0):
    """Chooses among real tokens but counts padding and special tokens when deciding how many."""
    return _mask(input_ids, special_ids, mask_id, vocab_size, mlm_probability, seed,
                 count_fn=lambda row, candidates, p: max(1, round(p * len(row))))


@mutant("mask_tokens", breaks=["test_mask_tokens_invariants"])
def labels_zero_instead_of_minus_100(input_ids, special_ids, mask_id, vocab_size, mlm_probability=0.15, seed=0):
    return _mask(input_ids, special_ids, mask_id, vocab_size, mlm_probability, seed, fill=0)


@mutant("mask_tokens", breaks=["test_mask_tokens_invariants"])
def labels_on_every_position(input_ids, special_ids, mask_id, vocab_size, mlm_probability=0.15, seed=0):
    return _mask(input_ids, special_ids, mask_id, vocab_size, mlm_probability, seed, label_all=True)


@mutant("mask_tokens", breaks=["test_mask_tokens_invariants"])
def not_seeded(input_ids, special_ids, mask_id, vocab_size, mlm_probability=0.15, seed=0):
    return _mask(input_ids, special_ids, mask_id, vocab_size, mlm_probability, seed, generator=None)


@mutant("mask_tokens", breaks=["test_mask_tokens_invariants"])
def changes_input_in_place(input_ids, special_ids, mask_id, vocab_size, mlm_probability=0.15, seed=0):
    masked, labels = _mask(input_ids, special_ids, mask_id, vocab_size, mlm_probability, seed)
    input_ids.copy_(masked)
    return masked, labels


@mutant("mask_tokens", breaks=["test_mask_tokens_rates"])
def always_mask(input_ids, special_ids, mask_id, vocab_size, mlm_probability=0.15, seed=0):
    return _mask(input_ids, special_ids, mask_id, vocab_size, mlm_probability, seed, split=(1.0, 1.0))


@mutant("mask_tokens", breaks=["test_mask_tokens_rates"])
def no_random_replacement(input_ids, special_ids, mask_id, vocab_size, mlm_probability=0.15, seed=0):
    """80 % [MASK] and 20 % unchanged."""
    return _mask(input_ids, special_ids, mask_id, vocab_size, mlm_probability, seed, split=(0.8, 0.8))


@mutant("mask_tokens", breaks=["test_mask_tokens_rates"])
def ten_percent_mask_eighty_percent_random(input_ids, special_ids, mask_id, vocab_size, mlm_probability=0.15,
                                           seed=0):
    return _mask(input_ids, special_ids, mask_id, vocab_size, mlm_probability, seed, split=(0.1, 0.9))


@mutant("mask_tokens", breaks=["test_mask_tokens_rates"])
def ignores_mlm_probability(input_ids, special_ids, mask_id, vocab_size, mlm_probability=0.15, seed=0):
    return _mask(input_ids, special_ids, mask_id, vocab_size, 0.15, seed)


# --- make_nsp_pairs -------------------------------------------------------------------------------------------------
@mutant("make_nsp_pairs", breaks=["test_nsp_pairs"])
def labels_swapped(documents, seed=0):
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


@mutant("make_nsp_pairs", breaks=["test_nsp_pairs"])
def not_next_from_any_document(documents, seed=0):
    """The random sentence may come from A's own document (even be the true next sentence)."""
    rng = random.Random(seed)
    everything = [s for document in documents for s in document]
    pairs = []
    for document in documents:
        for i in range(len(document) - 1):
            if rng.random() < 0.5:
                pairs.append((document[i], document[i + 1], 0))
            else:
                pairs.append((document[i], rng.choice(everything), 1))
    return pairs


@mutant("make_nsp_pairs", breaks=["test_nsp_pairs"])
def always_is_next(documents, seed=0):
    return [(document[i], document[i + 1], 0) for document in documents for i in range(len(document) - 1)]


@mutant("make_nsp_pairs", breaks=["test_nsp_pairs"])
def last_sentence_pairs_with_next_document(documents, seed=0):
    """Treats the corpus as one long text: the last sentence of a document 'continues' into the next document."""
    rng = random.Random(seed)
    flat = [s for document in documents for s in document]
    pairs = []
    for i in range(len(flat) - 1):
        if rng.random() < 0.5:
            pairs.append((flat[i], flat[i + 1], 0))
        else:
            pairs.append((flat[i], rng.choice(flat), 1))
    return pairs


@mutant("make_nsp_pairs", breaks=["test_nsp_pairs"])
def unseeded_pairs(documents, seed=0):
    rng = random.Random()
    pairs = []
    for d, document in enumerate(documents):
        for i in range(len(document) - 1):
            if rng.random() < 0.5:
                pairs.append((document[i], document[i + 1], 0))
            else:
                other = rng.choice([e for e in range(len(documents)) if e != d])
                pairs.append((document[i], rng.choice(documents[other]), 1))
    return pairs


# --- masked_lm_loss -------------------------------------------------------------------------------------------------
@mutant("masked_lm_loss", breaks=["test_masked_lm_loss"])
def averaged_over_all_positions(logits, labels):
    """Sums the loss of the chosen positions but divides by every position."""
    chosen = labels != -100
    log_probs = logits - torch.logsumexp(logits, dim=-1, keepdim=True)
    picked = log_probs.gather(-1, labels.clamp(min=0).unsqueeze(-1)).squeeze(-1)
    return -(picked * chosen).sum() / labels.numel()


@mutant("masked_lm_loss", breaks=["test_masked_lm_loss"])
def labels_minus_100_treated_as_token_0(logits, labels):
    log_probs = logits - torch.logsumexp(logits, dim=-1, keepdim=True)
    return -log_probs.gather(-1, labels.clamp(min=0).unsqueeze(-1)).mean()


@mutant("masked_lm_loss", breaks=["test_masked_lm_loss"])
def sum_instead_of_mean(logits, labels):
    chosen = labels != -100
    z, y = logits[chosen], labels[chosen]
    return -(z - torch.logsumexp(z, dim=-1, keepdim=True))[torch.arange(len(y)), y].sum()


@mutant("masked_lm_loss", breaks=["test_masked_lm_loss"])
def mean_per_sentence_then_over_batch(logits, labels):
    losses = []
    for row in range(labels.shape[0]):
        chosen = labels[row] != -100
        if chosen.any():
            z, y = logits[row][chosen], labels[row][chosen]
            losses.append(-(z - torch.logsumexp(z, dim=-1, keepdim=True))[torch.arange(len(y)), y].mean())
    return torch.stack(losses).mean()


@mutant("masked_lm_loss", breaks=["test_masked_lm_loss"])
def log_of_softmax_overflows(logits, labels):
    chosen = labels != -100
    z, y = logits[chosen], labels[chosen]
    probs = torch.exp(z) / torch.exp(z).sum(dim=-1, keepdim=True)
    return -torch.log(probs[torch.arange(len(y)), y]).mean()


# --- issue 15: exact types, every parameter, own generators (read from the code), inputs unchanged -----------------
def _segments(input_ids, sep_id, pad_id):
    is_sep = (input_ids == sep_id).long()
    return ((is_sep.cumsum(-1) - is_sep) >= 1) & (input_ids != pad_id)


@mutant("segment_ids", breaks=["test_segment_ids"])
def segment_b_after_a_lone_sep(input_ids, sep_id, pad_id):
    """A row with one [SEP] only (a pair cut short) gets segment 1 after it (found by the blind answers)."""
    is_sep = (input_ids == sep_id).long()
    return (((is_sep.cumsum(-1) - is_sep) == 1) & (input_ids != pad_id)).long()


@mutant("segment_ids", breaks=["test_segment_ids"])
def segments_as_booleans(input_ids, sep_id, pad_id):
    return _segments(input_ids, sep_id, pad_id)


@mutant("segment_ids", breaks=["test_segment_ids"])
def segments_as_int32(input_ids, sep_id, pad_id):
    return _segments(input_ids, sep_id, pad_id).int()


@mutant("segment_ids", breaks=["test_segment_ids"])
def padding_assumed_to_be_zero(input_ids, sep_id, pad_id):
    return _segments(input_ids, sep_id, 0).long()


@mutant("segment_ids", breaks=["test_segment_ids"])
def padding_marked_in_the_input(input_ids, sep_id, pad_id):
    input_ids[input_ids == pad_id] = -1  # marks the caller's padding in place
    return _segments(input_ids, sep_id, -1).long()


@mutant("input_representation", breaks=["test_input_representation"])
def eps_outside_the_square_root(input_ids, token_type_ids, word_embeddings, position_embeddings, type_embeddings,
                                ln_weight, ln_bias, eps=1e-12):
    x = word_embeddings[input_ids] + type_embeddings[token_type_ids] + position_embeddings[:input_ids.shape[1]]
    centred = x - x.mean(-1, keepdim=True)
    return ln_weight * centred / (centred.pow(2).mean(-1, keepdim=True).sqrt() + eps) + ln_bias


@mutant("input_representation", breaks=["test_input_representation"])
def eps_fixed_at_bert_default(input_ids, token_type_ids, word_embeddings, position_embeddings, type_embeddings,
                              ln_weight, ln_bias, eps=1e-12):
    x = word_embeddings[input_ids] + type_embeddings[token_type_ids] + position_embeddings[:input_ids.shape[1]]
    return _layer_norm(x, ln_weight, ln_bias, 1e-12)


@mutant("input_representation", breaks=["test_input_representation"])
def layer_norm_from_the_library(input_ids, token_type_ids, word_embeddings, position_embeddings, type_embeddings,
                                ln_weight, ln_bias, eps=1e-12):
    x = word_embeddings[input_ids] + type_embeddings[token_type_ids] + position_embeddings[:input_ids.shape[1]]
    return F.layer_norm(x, x.shape[-1:], ln_weight, ln_bias, eps)


@mutant("bert_parameter_count", breaks=["test_parameter_count"])
def type_vocabulary_fixed_at_two(vocab_size, hidden, layers, heads, intermediate=None, max_positions=512,
                                 type_vocab=2):
    return _count(vocab_size, hidden, layers, intermediate or 4 * hidden, max_positions, 2)


@mutant("mask_tokens", breaks=["test_mask_tokens_invariants"])
def seeds_the_global_generator(input_ids, special_ids, mask_id, vocab_size, mlm_probability=0.15, seed=0):
    torch.manual_seed(seed)
    return _mask(input_ids, special_ids, mask_id, vocab_size, mlm_probability, seed, generator="global")


@mutant("mask_tokens", breaks=["test_mask_tokens_invariants"])
def last_vocabulary_id_never_drawn(input_ids, special_ids, mask_id, vocab_size, mlm_probability=0.15, seed=0):
    return _mask(input_ids, special_ids, mask_id, vocab_size - 1, mlm_probability, seed)


@mutant("mask_tokens", breaks=["test_mask_tokens_invariants"])
def masked_ids_as_int32(input_ids, special_ids, mask_id, vocab_size, mlm_probability=0.15, seed=0):
    masked, labels = _mask(input_ids, special_ids, mask_id, vocab_size, mlm_probability, seed)
    return masked.int(), labels


@mutant("make_nsp_pairs", breaks=["test_nsp_pairs"])
def global_random_seeded(documents, seed=0):
    random.seed(seed)
    pairs = []
    for d, document in enumerate(documents):
        for i in range(len(document) - 1):
            if random.random() < 0.5:
                pairs.append((document[i], document[i + 1], 0))
            else:
                other = random.choice([doc for e, doc in enumerate(documents) if e != d])
                pairs.append((document[i], random.choice(other), 1))
    return pairs


def _pairs(documents, seed, *, per_document=False, as_bool=False, sentence_first=False):
    rng, pairs = random.Random(seed), []
    for d, document in enumerate(documents):
        rng = random.Random(seed) if per_document else rng
        for i in range(len(document) - 1):
            if rng.random() < 0.5:
                pairs.append((document[i], document[i + 1], False if as_bool else 0))
            else:
                others = [doc for e, doc in enumerate(documents) if e != d]
                if sentence_first:
                    where = rng.random()
                    other = rng.choice(others)
                    pairs.append((document[i], other[int(where * len(other))], True if as_bool else 1))
                else:
                    other = rng.choice(others)
                    pairs.append((document[i], rng.choice(other), True if as_bool else 1))
    return pairs


@mutant("make_nsp_pairs", breaks=["test_nsp_pairs"])
def new_generator_for_each_document(documents, seed=0):
    return _pairs(documents, seed, per_document=True)


@mutant("make_nsp_pairs", breaks=["test_nsp_pairs"])
def labels_as_booleans(documents, seed=0):
    return _pairs(documents, seed, as_bool=True)


@mutant("make_nsp_pairs", breaks=["test_nsp_pairs"])
def sentence_drawn_before_document(documents, seed=0):
    return _pairs(documents, seed, sentence_first=True)


@mutant("masked_lm_loss", breaks=["test_masked_lm_loss"])
def loss_with_cross_entropy(logits, labels):
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1), ignore_index=-100)


@mutant("masked_lm_loss", breaks=["test_masked_lm_loss"])
def loss_with_log_softmax(logits, labels):
    chosen = labels != -100
    return -F.log_softmax(logits[chosen], -1)[torch.arange(int(chosen.sum())), labels[chosen]].mean()


@mutant("masked_lm_loss", breaks=["test_masked_lm_loss"])
def loss_as_a_python_float(logits, labels):
    chosen = labels != -100
    z = logits[chosen]
    return float((torch.logsumexp(z, -1) - z[torch.arange(len(z)), labels[chosen]]).mean())


# --- correct answers written differently: each must get full marks ---------------------------------------------------
@alternative("segment_ids")
def segments_with_a_loop_over_tokens(input_ids, sep_id, pad_id):
    out = torch.zeros_like(input_ids, dtype=torch.long)
    for r, row in enumerate(input_ids.tolist()):
        if row.count(sep_id) < 2:  # a single sentence: all 0
            continue
        seen = 0
        for c, token in enumerate(row):
            if token != pad_id and seen >= 1:
                out[r, c] = 1
            seen += token == sep_id
    return out


@alternative("input_representation")
def representation_with_embedding_function(input_ids, token_type_ids, word_embeddings, position_embeddings,
                                           type_embeddings, ln_weight, ln_bias, eps=1e-12):
    x = F.embedding(input_ids, word_embeddings) + F.embedding(token_type_ids, type_embeddings)
    x = x + position_embeddings[: input_ids.size(1)].unsqueeze(0)
    return (x - x.mean(-1, keepdim=True)) / (x.var(-1, unbiased=False, keepdim=True) + eps).sqrt() * ln_weight + ln_bias


@alternative("bert_parameter_count")
def count_layer_by_layer(vocab_size, hidden, layers, heads, intermediate=None, max_positions=512, type_vocab=2):
    intermediate = intermediate or 4 * hidden
    linear = lambda i, o: i * o + o  # noqa: E731
    layer = 4 * linear(hidden, hidden) + linear(hidden, intermediate) + linear(intermediate, hidden) + 4 * hidden
    return (vocab_size + max_positions + type_vocab + 2) * hidden + layers * layer + linear(hidden, hidden)


@alternative("mask_tokens")
def mask_with_multinomial_and_rejection(input_ids, special_ids, mask_id, vocab_size, mlm_probability=0.15, seed=0):
    g = torch.Generator().manual_seed(seed)
    special = set(int(s) for s in special_ids)
    masked, labels = input_ids.clone(), torch.full_like(input_ids, -100)
    for r in range(len(input_ids)):
        weights = torch.tensor([0.0 if int(t) in special else 1.0 for t in input_ids[r]])
        if weights.sum() == 0:
            continue
        n = max(1, round(mlm_probability * int(weights.sum())))
        chosen = torch.multinomial(weights, n, replacement=False, generator=g)
        labels[r, chosen] = input_ids[r, chosen]
        for position, u in zip(chosen.tolist(), torch.rand(n, generator=g).tolist()):
            if u < 0.8:
                masked[r, position] = mask_id
            elif u < 0.9:
                while True:
                    candidate = int(torch.randint(0, vocab_size, (1,), generator=g))
                    if candidate not in special:
                        break
                masked[r, position] = candidate
    return masked, labels


@alternative("make_nsp_pairs")
def pairs_with_randrange(documents, seed=0):
    rng, pairs = random.Random(seed), []
    for d, document in enumerate(documents):
        for i, sentence in enumerate(document[:-1]):
            if rng.random() < 0.5:
                pairs.append((sentence, document[i + 1], 0))
            else:
                others = documents[:d] + documents[d + 1:]
                other = others[rng.randrange(len(others))]
                pairs.append((sentence, other[rng.randrange(len(other))], 1))
    return pairs


@alternative("masked_lm_loss")
def loss_with_gather(logits, labels):
    chosen = labels != -100
    log_probs = logits - torch.logsumexp(logits, dim=-1, keepdim=True)
    picked = log_probs.gather(-1, labels.clamp(min=0).unsqueeze(-1)).squeeze(-1)
    return -(picked * chosen).sum() / chosen.sum()
