"""Every sentence of exercises/ps08_decoder_gpt (markdown and docstrings) and what enforces it (issue 15).
`rule(cell, mutants=...)`: these mutants break the sentence and that test cell catches them; `permits(...)`: correct
alternatives that use the freedom; `context(...)`: no rule to check. tests/test_assignments.py keeps it complete."""
from llmcourse.authoring.instructions import context, permits, rule

HEADING = "a heading"
OVERVIEW = "the overview list repeats the parts below, which are enforced there"
INPUT = "describes the arguments the tests pass"
MASK, TARGETS, LOSS = "test_additive_causal_mask", "test_next_token_targets", "test_next_token_loss"
TIED, SAMPLE, KV = "test_tied_logits", "test_sample_next_token", "test_kv_cache_step"
WRITTEN = "the written question, graded by hand"

TABLE = {
    '# Problem set 08: the decoder (GPT)':
        context(HEADING),
    'Pairs with `lectures/08_decoder_gpt.ipynb`.':
        context("a pointer to the lecture"),
    'You will write, in PyTorch:':
        context(OVERVIEW),
    '1. the **additive causal mask** of a decoder (2 points)':
        context(OVERVIEW),
    '2. **next-token targets** with padding (2 points)':
        context(OVERVIEW),
    '3. the **language-model loss** with padding ignored (2 points)':
        context(OVERVIEW),
    '4. **tied-head logits**: final LayerNorm, then the token embedding as the output layer (1 point)':
        context(OVERVIEW),
    '5. **sampling** the next token with temperature and top-k from a seeded generator (3 points)':
        context(OVERVIEW),
    '6. one **KV-cache step** of multi-head attention (3 points), and one written answer (2 points)':
        context(OVERVIEW),
    'Conventions, as in lectures 02 and 08: tokens are **rows**, a weight matrix is applied as `X @ W`, token ids are `torch.long` tensors.':
        rule(TARGETS, KV, mutants=["targets_promoted_to_float_by_where", "cache_step_applies_weights_transposed"]),
    '`attention`, `split_heads`, `merge_heads` and `multi_head_attention` from lecture 02 are imported for you (`llmcourse.transformer`); you may use them.':
        permits("kv_step_with_the_lecture_helpers"),
    'Each test cell shows some checks; hidden tests use fresh shapes, values, seeds and edge cases.':
        context("describes the tests; the hidden checks are the rules below"),
    'The whole notebook runs in a few seconds.':
        context("describes the notebook"),
    '## 1. The additive causal mask (2 points)':
        context(HEADING),
    'A decoder may not look ahead: query $i$ may attend to keys $j \\le i$ only.':
        rule(MASK, mutants=["mask_lets_the_future_in_by_one", "mask_transposed_hides_the_past"]),
    'Lecture 02 used a **boolean** mask (`True` = may attend).':
        context("a reminder of the lecture"),
    'Here you build the **additive** form, which is added to the scores before the softmax: $\\operatorname{softmax}(QK^\\top/\\sqrt{d_k} + M)$.':
        rule(MASK, mutants=["mask_boolean_instead_of_additive"]),
    'Return a tensor `M` of shape `(n, n)` and dtype `torch.float32` with `M[i, j] = 0.0` where $j \\le i$ (the diagonal included: a token sees itself) and `M[i, j] = -inf` (`float("-inf")`) where $j > i$.':
        rule(MASK, mutants=["mask_in_float64", "mask_hides_the_diagonal", "mask_lets_the_future_in_by_one",
                            "mask_transposed_hides_the_past"]),
    'Not a large negative number such as `-1e9`: only $-\\infty$ gives a forbidden key a weight of exactly 0.':
        rule(MASK, mutants=["mask_with_minus_1e9"]),
    '(n, n) float32 tensor: 0.0 where key j <= query i, -inf where j > i.':
        rule(MASK, mutants=["mask_in_float64", "mask_hides_the_diagonal", "mask_with_minus_1e9"]),
    '## 2. Next-token targets (2 points)':
        context(HEADING),
    'A batch of token sequences `ids` (a `torch.long` tensor of shape `(batch, T)`) is **right-padded** with `pad_id` (every row is its tokens followed by zero or more `pad_id`).':
        context(INPUT),
    'A language model reads position $t$ and predicts position $t + 1$.':
        rule(TARGETS, mutants=["targets_not_shifted", "targets_shifted_the_wrong_way"]),
    'Return `(inputs, targets)`, both `torch.long` tensors of shape `(batch, T - 1)`:':
        rule(TARGETS, mutants=["targets_promoted_to_float_by_where"]),
    '- `inputs` is every row without its last token;':
        rule(TARGETS, mutants=["targets_shifted_the_wrong_way"]),
    "- `targets` is every row without its first token (shifted by one), with **-100** wherever the target is `pad_id`: PyTorch's cross-entropy ignores -100, so padding never counts.":
        rule(TARGETS, mutants=["targets_not_shifted", "targets_keep_padding", "targets_ignore_where_the_input_is_padding",
                               "targets_assume_pad_id_zero"]),
    'Do not change `ids` (work on a copy).':
        rule(TARGETS, mutants=["targets_change_ids_in_place"]),
    '(inputs, targets) for next-token prediction; targets are -100 where they would be padding.':
        rule(TARGETS, mutants=["targets_not_shifted", "targets_keep_padding"]),
    '## 3. The language-model loss with padding ignored (2 points)':
        context(HEADING),
    "`logits` has shape `(batch, T, V)` (the model's output at every position), `targets` shape `(batch, T)` as returned by `next_token_targets` (-100 = ignore).":
        context(INPUT),
    'Return the **mean** cross-entropy $-\\frac{1}{|C|}\\sum_{(b,t) \\in C} \\log \\operatorname{softmax}(\\text{logits}_{b,t})_{\\text{targets}_{b,t}}$ over the set $C$ of positions whose target is not -100, as a 0-dimensional `torch.Tensor` (so it can be back-propagated).':
        rule(LOSS, mutants=["loss_counts_padding_in_the_mean", "loss_summed_not_averaged", "loss_returns_a_float",
                            "loss_with_naive_log_softmax"]),
    'Logits at position $t$ predict `targets[:, t]`: the shift already happened in `next_token_targets`, do not shift again.':
        rule(LOSS, mutants=["loss_shifts_again"]),
    'You may use `torch.logsumexp` or `F.cross_entropy` (mind the shape it expects).':
        permits("loss_with_logsumexp", "loss_with_cross_entropy"),
    'If every target is -100 there is nothing to predict: raise a `ValueError`.':
        rule(LOSS, mutants=["loss_nan_when_everything_is_padding"]),
    'Do not change `logits` or `targets`.':
        rule(LOSS, mutants=["loss_zeroes_the_callers_padding_targets"]),
    'Mean cross-entropy of logits (batch, T, V) against targets (batch, T), ignoring targets equal to -100.':
        rule(LOSS, mutants=["loss_counts_padding_in_the_mean", "loss_summed_not_averaged"]),
    '## 4. Tied-head logits (1 point)':
        context(HEADING),
    "GPT-2's last steps: a final LayerNorm over each hidden vector (gain `gamma`, offset `beta`, $\\varepsilon = 10^{-5}$), then the **LM head tied to the token embedding**: the same matrix $E$ (`token_embedding`, shape `(V, d)`) that turns token ids into vectors turns hidden vectors into one logit per token, $\\text{logits} = \\text{LN}(h)E^\\top$.":
        rule(TIED, mutants=["tied_logits_without_final_layer_norm", "tied_logits_with_unbiased_variance",
                            "tied_logits_return_probabilities"]),
    '`hidden` has shape `(batch, T, d)`; return logits of shape `(batch, T, V)`.':
        context("the shapes follow from logits = LN(h) E^T above; the test checks them with that rule"),
    'No new weights: the head **is** $E$.':
        rule(TIED, mutants=["tied_logits_with_a_new_untied_head"]),
    'You may use `F.layer_norm`.':
        permits("tied_logits_with_layer_norm"),
    'Do not change the arguments.':
        rule(TIED, mutants=["tied_logits_normalise_in_place"]),
    'Final LayerNorm, then logits = LN(hidden) @ E^T with E the token embedding (V x d).':
        rule(TIED, mutants=["tied_logits_without_final_layer_norm", "tied_logits_with_a_new_untied_head"]),
    '## 5. Sampling the next token: temperature and top-k (3 points)':
        context(HEADING),
    '`logits` is a 1-D tensor of shape `(V,)`.':
        context(INPUT),
    'Return the chosen token id as a Python `int`:':
        rule(SAMPLE, mutants=["sample_returns_a_tensor"]),
    '1. `temperature` must be $\\ge 0$ and `top_k` `None` or $\\ge 1$; otherwise raise `ValueError`.':
        rule(SAMPLE, mutants=["sample_accepts_a_negative_temperature"]),
    '2. `temperature == 0` means **greedy**: the index of the largest logit (the smallest such index on ties, as `torch.argmax` does); no random number is drawn.':
        rule(SAMPLE, mutants=["greedy_picks_the_last_of_tied_maxima", "greedy_samples_from_a_one_hot"]),
    '3. Otherwise divide the **logits** by the temperature (before the softmax).':
        rule(SAMPLE, mutants=["temperature_applied_after_the_softmax", "temperature_multiplies_the_logits"]),
    '4. **top-k**: if `top_k` is not `None` and smaller than $V$, set every logit smaller than the $k$-th largest to $-\\infty$.':
        rule(SAMPLE, mutants=["top_k_keeps_k_plus_one", "top_k_never_keeps_the_whole_vocabulary"]),
    "Tokens **tied** with the $k$-th largest are kept (as `transformers`' `TopKLogitsWarper` does), so more than $k$ tokens may remain.":
        rule(SAMPLE, mutants=["top_k_drops_ties"]),
    '5. Draw with exactly one call `torch.multinomial(probabilities, 1, generator=generator)`, where `probabilities = softmax(...)` of the filtered logits.':
        rule(SAMPLE, mutants=["sample_with_the_global_generator", "temperature_applied_after_the_softmax"]),
    "Use only the `generator` passed in: the caller's global random state (`torch`, `random`, `numpy`) must not change, so a seed reproduces a sample.":
        rule(SAMPLE, mutants=["sample_with_the_global_generator"]),
    'Do not change `logits`.':
        rule(SAMPLE, mutants=["sample_divides_logits_in_place"]),
    'One token id (int) drawn from softmax(top_k(logits / temperature)) with `generator`; greedy at temperature 0.':
        rule(SAMPLE, mutants=["sample_returns_a_tensor", "temperature_multiplies_the_logits",
                              "sample_with_the_global_generator"]),
    '## 6. One KV-cache step (3 points)':
        context(HEADING),
    'When a decoder generates, the keys and values of earlier tokens never change (the causal mask).':
        context("motivation"),
    'The **KV cache** keeps them: each step runs only the **newest** token.':
        context("motivation; the step below is enforced there"),
    'Write one step of multi-head self-attention with a cache:':
        context("introduces the list below, which is enforced there"),
    "- `x_new` has shape `(batch, 1, d_model)`: the newest token's input to the attention layer;":
        context(INPUT),
    "- `cache` is `None` before the first token, otherwise a tuple `(K, V)` of the earlier tokens' keys and values, each of shape `(batch, num_heads, t, d_k)` with `d_k = d_model // num_heads` (heads split as in lecture 02: `split_heads`);":
        rule(KV, mutants=["cache_stores_keys_unsplit"]),
    '- project `x_new` with `W_q`, `W_k`, `W_v` (`d_model x d_model`, no biases), split into heads, **append** the new key and value after the cached ones (along the token dimension), let the new query attend to **all** of them (no mask is needed: the newest token may see every earlier token and itself), merge the heads and apply `W_o`.':
        rule(KV, mutants=["cache_drops_the_newest_key", "cache_prepends_the_new_key", "cache_step_forgets_w_o",
                          "cache_step_with_a_causal_mask_of_the_wrong_size"]),
    'Return `(output, (K, V))`: the output of shape `(batch, 1, d_model)` and the extended cache, each of shape `(batch, num_heads, t + 1, d_k)`.':
        rule(KV, mutants=["cache_stores_keys_unsplit"]),
    'The output must equal the newest row of causal multi-head attention over the whole sequence.':
        rule(KV, mutants=["cache_step_scaled_by_sqrt_d_model", "cache_drops_the_newest_key", "cache_step_forgets_w_o"]),
    'Do not change `x_new` or the tensors in `cache`.':
        rule(KV, mutants=["cache_step_squeezes_x_new_in_place"]),
    'Multi-head attention output for the newest token (batch, 1, d_model) and the extended cache (K, V).':
        rule(KV, mutants=["cache_drops_the_newest_key", "cache_stores_keys_unsplit"]),
    '## 7. Written answer (2 points)':
        context(HEADING),
    'In three or four sentences: why can a decoder such as GPT generate text one token at a time, while an encoder such as BERT cannot (even though both are stacks of the same kind of block)?':
        context(WRITTEN),
    'Name what in training and in the attention pattern makes the difference.':
        context(WRITTEN),
}
