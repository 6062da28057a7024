"""Every sentence of exercises/ps05_sbert_pooling (markdown and docstrings) and what enforces it (issue 15).
`rule(cell, mutants=...)`: these mutants break the sentence and that test cell catches them; `permits(...)`: correct
alternatives that use the freedom; `context(...)`: no rule to check. tests/test_assignments.py keeps it complete."""
from llmcourse.authoring.instructions import context, permits, rule

HEADING = "a heading"
OVERVIEW = "the overview table repeats the parts below, which are enforced there"
MEAN, MAX, CLS = "test_mean_pool", "test_max_pool", "test_cls_pool"
COSINE, TRIPLET, PAIR, STS = "test_cosine_matrix", "test_triplet_loss", "test_pair_features", "test_sts_spearman"
WRITTEN = "the written question, graded by hand"

TABLE = {
    '# Problem set 05: Sentence-BERT pooling, similarity, triplet loss and STS evaluation':
        context(HEADING),
    'Pairs with `lectures/05_sbert_pooling.ipynb`.':
        context("a pointer to the lecture"),
    'You will write, in PyTorch:':
        context(OVERVIEW),
    '| part | function | points |':
        context(OVERVIEW),
    '| 1 | `mean_pool(token_embeddings, attention_mask)`: mask-aware MEAN pooling | 2 |':
        context(OVERVIEW),
    '| 2 | `max_pool(token_embeddings, attention_mask)`: mask-aware MAX pooling | 2 |':
        context(OVERVIEW),
    '| 3 | `cls_pool(token_embeddings, attention_mask)`: CLS pooling | 1 |':
        context(OVERVIEW),
    '| 4 | `cosine_similarity_matrix(a, b)`: all pairwise cosines | 2 |':
        context(OVERVIEW),
    '| 5 | `triplet_loss(anchor, positive, negative, epsilon)` | 2 |':
        context(OVERVIEW),
    "| 6 | `pair_features(u, v)`: SBERT's classifier input `[u, v, abs(u - v)]` | 1 |":
        context(OVERVIEW),
    '| 7 | `sts_spearman(emb_1, emb_2, gold)`: the STS evaluation | 2 |':
        context(OVERVIEW),
    '| 8 | written: why `abs(u - v)` helps the classifier | 2 |':
        context(OVERVIEW),
    "Shapes used throughout: `token_embeddings` is a float tensor `(batch, seq_len, dim)` (an encoder's last hidden states), `attention_mask` is `(batch, seq_len)` with 1 for a real token and 0 for padding.":
        rule(MEAN, MAX, mutants=["mean_over_feature_axis", "max_over_feature_axis", "mean_ignores_mask", "max_over_padding"]),
    'The tests pass the mask both as an integer tensor (what a tokenizer returns) and as a bool tensor (True for a real token), so handle both.':
        rule(MEAN, MAX, mutants=["mean_fails_on_bool_mask", "max_mask_arithmetic_fails_on_bool_mask"]),
    'Padding positions of `token_embeddings` can hold **any** value (a real encoder writes non-zero vectors there), so your code must never let them leak into a result.':
        rule(MEAN, MAX, mutants=["mean_sums_padding_divides_by_real_length", "max_over_padding"]),
    'Every function returns a torch tensor unless its part says otherwise, and must not change the tensors it is given (no in-place operations such as `+=`, `masked_fill_` or `/=` on an argument; the tests check).':
        rule(MEAN, MAX, CLS, COSINE, PAIR, STS, mutants=["mean_returns_numpy", "mean_zeroes_padding_of_the_callers_tensor", "max_fills_the_callers_tensor", "cls_returns_numpy", "cosine_returns_numpy", "cosine_normalises_the_callers_tensors", "features_subtract_in_place_from_u", "spearman_normalises_the_callers_tensors"]),
    'Numbers are compared within an absolute tolerance of 1e-4 (plus 1e-5 relative), so float32 arithmetic and library calls are fine.':
        permits("triplet_with_torch_module", "mean_pool_as_sentence_transformers", "max_pool_as_sentence_transformers", "cosine_matrix_from_sklearn"),
    'Replace each `raise NotImplementedError()` with your code, then run the test cell below it.':
        context("how to work through the notebook"),
    'The test cells you see are a part of the grading; hidden tests check padding-heavy batches and negative values too.':
        context("describes the tests; the hidden checks are the rules below"),
    '## Part 1: MEAN pooling (2 points)':
        context(HEADING),
    "The sentence vector is the average of the **real** tokens' vectors:":
        rule(MEAN, mutants=["mean_ignores_mask", "mean_sums_padding_divides_by_real_length"]),
    '$$\\text{mean}_b = \\frac{\\sum_t m_{bt}\\, x_{bt}}{\\sum_t m_{bt}}$$':
        rule(MEAN, mutants=["mean_divides_by_padded_length", "mean_sums_padding_divides_by_real_length"]),
    'Write `mean_pool(token_embeddings, attention_mask)` returning a `(batch, dim)` float tensor.':
        rule(MEAN, mutants=["mean_over_feature_axis", "mean_returns_numpy"]),
    'No Python loops over the batch.':
        rule(MEAN, mutants=["mean_loops_over_the_batch"]),
    'A sentence with 3 real tokens in a batch padded to length 10 must be divided by 3, not by 10.':
        rule(MEAN, mutants=["mean_divides_by_padded_length"]),
    "Average of the real tokens' vectors: (batch, seq, dim), (batch, seq) -> (batch, dim).":
        rule(MEAN, mutants=["mean_ignores_mask", "mean_over_feature_axis"]),
    '## Part 2: MAX pooling (2 points)':
        context(HEADING),
    'Each dimension of the sentence vector is the largest value that dimension takes over the **real** tokens.':
        rule(MAX, mutants=["max_over_padding", "max_pool_returns_mean", "max_over_feature_axis"]),
    'Padding must never win, not even when every real value is negative (so filling padding with 0 is not enough).':
        rule(MAX, mutants=["max_with_padding_multiplied_to_zero"]),
    'Write `max_pool(token_embeddings, attention_mask)` returning `(batch, dim)`.':
        rule(MAX, mutants=["max_returns_values_and_indices", "max_over_feature_axis"]),
    'Hint: `Tensor.masked_fill` and `-inf`.':
        permits("max_pool_with_where_and_amax", "max_pool_as_sentence_transformers"),
    'Element-wise max over the real tokens: (batch, seq, dim), (batch, seq) -> (batch, dim).':
        rule(MAX, mutants=["max_over_padding", "max_over_feature_axis"]),
    '## Part 3: CLS pooling (1 point)':
        context(HEADING),
    'BERT-style tokenizers put `[CLS]` first in every sentence, and padding goes at the end, so the CLS vector is the first position.':
        rule(CLS, mutants=["cls_takes_last_position", "cls_takes_last_real_token", "cls_takes_second_token"]),
    'Write `cls_pool(token_embeddings, attention_mask)` returning `(batch, dim)` (the mask is not needed, but keep the same signature as the other poolings so they are interchangeable).':
        rule(CLS, mutants=["cls_takes_first_sentence", "cls_keeps_the_token_axis"]),
    "The first ([CLS]) token's vector of each sentence: (batch, seq, dim) -> (batch, dim).":
        rule(CLS, mutants=["cls_takes_last_position", "cls_takes_first_sentence"]),
    '## Part 4: the cosine-similarity matrix (2 points)':
        context(HEADING),
    'Write `cosine_similarity_matrix(a, b)`: `a` is `(n, d)`, `b` is `(m, d)` (torch tensors); return the `(n, m)` tensor whose entry `[i, j]` is the cosine of row `i` of `a` and row `j` of `b`.':
        rule(COSINE, mutants=["cosine_matrix_transposed", "euclidean_distance_instead_of_cosine", "cosine_returns_numpy"]),
    'No Python loops: normalise each row to length 1 (`F.normalize(..., dim=1)`), then one matrix product.':
        rule(COSINE, mutants=["cosine_loops_over_rows", "cosine_without_normalising", "cosine_normalising_columns", "cosine_normalising_only_a"]),
    'This is how a semantic search scores a query against a corpus.':
        context("motivation"),
    'All pairwise cosines between the rows of a (n, d) and b (m, d): an (n, m) tensor.':
        rule(COSINE, mutants=["cosine_without_normalising", "cosine_matrix_transposed"]),
    '## Part 5: the triplet loss (2 points)':
        context(HEADING),
    'For an anchor $e$, a positive $e^p$ (should be close) and a negative $e^n$ (should be far), with Euclidean **distances**:':
        rule(TRIPLET, mutants=["triplet_with_similarity_instead_of_distance", "triplet_squared_distances", "triplet_positive_and_negative_swapped"]),
    '$$f(e, e^p, e^n) = \\max\\left(\\lVert e - e^p\\rVert_2 - \\lVert e - e^n\\rVert_2 + \\epsilon,\\; 0\\right)$$':
        rule(TRIPLET, mutants=["triplet_without_clamp", "triplet_without_margin", "triplet_margin_outside_the_max", "triplet_squared_distances"]),
    'Write `triplet_loss(anchor, positive, negative, epsilon=1.0)` for batches `(batch, dim)` and a margin `epsilon > 0`.':
        rule(TRIPLET, mutants=["triplet_margin_hard_coded_to_one"]),
    'Return the **mean** over the batch as a 0-dimensional tensor that gradients can flow through (it is a training loss): what `torch.nn.TripletMarginLoss(margin=epsilon)` computes, which you may call.':
        rule(TRIPLET, mutants=["triplet_sum_over_batch", "triplet_per_triplet_not_mean", "triplet_returns_python_float", "triplet_detached_from_the_graph"]),
    'Use distances, not similarities: a similarity is large for close pairs, a distance small.':
        rule(TRIPLET, mutants=["triplet_with_similarity_instead_of_distance"]),
    'Mean over the batch of max(||a - p|| - ||a - n|| + epsilon, 0).':
        rule(TRIPLET, mutants=["triplet_sum_over_batch", "triplet_without_clamp"]),
    "## Part 6: the classifier's input features (1 point)":
        context(HEADING),
    "SBERT's classification objective is $\\hat p = \\operatorname{softmax}(W\\,[u, v, |u - v|])$.":
        context("motivation: where the features go"),
    'Write `pair_features(u, v)`: for batches `u`, `v` of shape `(batch, dim)` return the `(batch, 3 * dim)` tensor $[u, v, |u - v|]$, in this order.':
        rule(PAIR, mutants=["features_signed_difference", "features_in_wrong_order", "features_concatenated_along_batch", "features_stacked_not_concatenated", "features_with_product_instead_of_difference"]),
    "SBERT's classifier input: concatenate u, v and |u - v| along the feature axis.":
        rule(PAIR, mutants=["features_concatenated_along_batch", "features_signed_difference"]),
    '## Part 7: STS evaluation (2 points)':
        context(HEADING),
    'An STS set has sentence pairs with a gold similarity score (0 to 5).':
        context("what the data look like"),
    "A model is evaluated by Spearman's rank correlation between the **cosine similarity** of each pair's two sentence vectors and the gold score, reported times 100 (the SBERT paper's tables).":
        rule(STS, mutants=["pearson_instead_of_spearman", "spearman_of_dot_product", "spearman_of_euclidean_distance", "spearman_not_times_100"]),
    'Write `sts_spearman(emb_1, emb_2, gold)`: `emb_1[i]` and `emb_2[i]` are the vectors of pair `i` (tensors `(n, dim)`), `gold` a list or NumPy array of `n` scores; return a Python `float` (wrap the result in `float(...)`: not a NumPy number or a tensor).':
        rule(STS, mutants=["spearman_returns_numpy_float", "spearman_returns_tensor"]),
    'Use `scipy.stats.spearmanr` (imported above).':
        rule(STS, mutants=["pearson_instead_of_spearman"]),
    'Spearman x 100 between cosine(emb_1[i], emb_2[i]) and gold[i].':
        rule(STS, mutants=["spearman_not_times_100", "spearman_of_dot_product"]),
    '## Part 8: written (2 points)':
        context(HEADING),
    'In the SBERT paper\'s ablation (lecture 05, "Concatenation" rows of the pooling table) the NLI classifier scores 66.04 with $(u, v)$ alone and 80.78 with $(u, v, |u - v|)$.':
        context(WRITTEN),
    'In 3-5 sentences: why does a *linear* softmax layer on $(u, v)$ struggle to decide whether two sentences say the same thing, and what does $|u - v|$ give it?':
        context(WRITTEN),
    "Use the numbers you saw in the lecture's head-training table as evidence.":
        context(WRITTEN),
}
