"""Every sentence of exercises/ps07_two_tower_retrieval (markdown and docstrings) and what enforces it (issue
15). `rule(cell, mutants=...)`: these mutants break the sentence and that test cell catches them; `permits(...)`:
correct alternatives that use the freedom; `context(...)`: no rule to check. tests/test_assignments.py keeps it
complete."""
from llmcourse.authoring.instructions import context, permits, rule

HEADING = "a heading"
OVERVIEW = "the overview list repeats the parts below, which are enforced there"
LOSS, WEIGHTED = "test_in_batch_loss", "test_in_batch_loss_weighted_masked"
WEIGHTS, MASK = "test_self_adversarial_weights", "test_accidental_hit_mask"
RECALL, MRR, DEDUP = "test_recall_at_k", "test_mrr", "test_semantic_dedup"
WRITTEN = "the written question, graded by hand"

TABLE = {
    '# Problem set 07: the losses and metrics of a two-tower retriever':
        context(HEADING),
    'Pairs with lecture 07 (`lectures/07_two_tower_retrieval.ipynb`).':
        context("a pointer to the lecture"),
    'You will write the pieces that turn a batch of (query, converted product) pairs into a training signal, and the numbers that tell you whether retrieval got better:':
        context(OVERVIEW),
    '1. the **in-batch negative loss** (a softmax over the B x B similarity matrix, with a temperature), with optional per-negative weights and a mask;':
        context(OVERVIEW),
    '2. **self-adversarial weights**: harder negatives get more weight (detached from the graph);':
        context(OVERVIEW),
    '3. the **accidental-hit mask**: the same product twice in a batch is not a negative of itself;':
        context(OVERVIEW),
    '4. **Recall@k** and **MRR** on held-out queries;':
        context(OVERVIEW),
    '5. **semantic de-duplication** of autocomplete suggestions.':
        context(OVERVIEW),
    'Everything runs on small tensors; the notebook needs a few seconds.':
        context("describes the notebook"),
    'Each test cell says what is wrong and the likely mistake.':
        context("describes the tests"),
    'Hidden tests use fresh batches, duplicated products and tied scores.':
        rule(LOSS, MASK, RECALL, MRR, mutants=["loss_summed_not_averaged", "mask_only_next_neighbour", "recall_default_unstable_sort", "mrr_default_unstable_sort"]),
    'Your functions must not change the tensors and arrays they are given (no `masked_fill_`, `fill_diagonal_`, `*=` or `/=` on an argument; the tests check).':
        rule(WEIGHTED, WEIGHTS, RECALL, MRR, DEDUP, mutants=["loss_masks_the_callers_scores", "weights_fill_the_callers_diagonal", "recall_negates_the_callers_scores", "mrr_sorts_the_callers_rows", "dedup_normalises_the_callers_array"]),
    'Losses and weights are compared within 1e-4, metrics within 1e-6.':
        permits("loss_with_explicit_exponentials", "recall_with_torch_stable_sort", "dedup_in_float32"),
    '## A batch of our own':
        context(HEADING),
    'Four searches and the product each customer converted on (bought).':
        context("the example batch"),
    'Row *i* of `scores` holds the cosine similarity of query *i* with every product in the batch; product *i* is query *i*\'s positive, every other product in the batch serves as a negative for free ("in-batch negatives").':
        rule(LOSS, mutants=["loss_softmax_over_columns"]),
    '## 1. The in-batch negative loss (5 points)':
        context(HEADING),
    "With temperature $\\tau$, query $i$'s loss is the cross-entropy of picking its own product among the batch:":
        rule(LOSS, mutants=["loss_without_temperature", "loss_positive_left_out_of_denominator"]),
    '$$\\ell_i = -\\log \\frac{e^{s_{ii}/\\tau}}{e^{s_{ii}/\\tau} + \\sum_{j \\ne i} w_{ij}\\, e^{s_{ij}/\\tau}}, \\qquad \\mathcal{L} = \\frac{1}{B}\\sum_i \\ell_i .$$':
        rule(LOSS, WEIGHTED, mutants=["loss_summed_not_averaged", "loss_positive_left_out_of_denominator", "loss_ignores_weights"]),
    '* Without `weights` every $w_{ij} = 1$: this is a softmax over **row** $i$ (over products), target $i$.':
        rule(LOSS, mutants=["loss_softmax_over_columns"]),
    '* With `weights` (a B x B tensor), negative $j$ of query $i$ counts $w_{ij}$ times.':
        rule(WEIGHTED, mutants=["loss_ignores_weights", "loss_multiplies_logits_by_weights"]),
    'The diagonal of `weights` is ignored (the positive is never re-weighted).':
        rule(WEIGHTED, mutants=["loss_softmax_over_columns"]),
    'Hint: $w\\,e^{x} = e^{x + \\log w}$.':
        permits("loss_with_explicit_exponentials", "loss_with_logsumexp"),
    '* With `mask` (a bool B x B tensor), every entry that is `True` is left out of the sum entirely (as if $w_{ij}=0$).':
        rule(WEIGHTED, mutants=["loss_ignores_mask"]),
    'The mask never covers the diagonal.':
        context("a promise about the input, not a rule for the student"),
    'Return a 0-dimensional tensor that gradients can flow through.':
        rule(LOSS, mutants=["loss_through_numpy", "loss_returns_python_float", "loss_detached_from_the_graph"]),
    "Mean in-batch softmax loss; product i is query i's positive, every other product a (weighted) negative.":
        rule(LOSS, mutants=["loss_summed_not_averaged"]),
    '## 2. Self-adversarial weights (3 points)':
        context(HEADING),
    'Vanilla in-batch negatives give every negative the same weight.':
        context("motivation"),
    "Instacart's self-adversarial re-weighting gives **harder** negatives (higher score) more weight.":
        rule(WEIGHTS, mutants=["weights_favour_easy_negatives"]),
    'For row $i$ and every $j \\ne i$:':
        context("introduces the formula below"),
    '$$w_{ij} = (B - 1)\\,\\frac{e^{\\alpha s_{ij}}}{\\sum_{k \\ne i} e^{\\alpha s_{ik}}}, \\qquad w_{ii} = 0 .$$':
        rule(WEIGHTS, mutants=["weights_count_positive_as_negative", "weights_rows_sum_to_one", "weights_softmax_over_columns"]),
    "So each row's weights sum to $B-1$, the number of negatives (with $\\alpha = 0$ every negative weighs 1, the vanilla loss); the positive is **not** one of the negatives.":
        rule(WEIGHTS, mutants=["weights_rows_sum_to_one", "weights_count_positive_as_negative"]),
    'The weights are a fixed re-weighting, not something to optimise: return them **detached** from the autograd graph (otherwise the model could lower the loss by making its negatives look easy).':
        rule(WEIGHTS, mutants=["weights_not_detached"]),
    '(B, B) detached weights: row i is (B - 1) * softmax over j != i of alpha * scores[i, j]; diagonal 0.':
        rule(WEIGHTS, mutants=["weights_not_detached", "weights_rows_sum_to_one"]),
    '## 3. Masking accidental hits (2 points)':
        context(HEADING),
    'Popular products are converted on by many queries, so the same product can appear twice in one batch.':
        context("motivation"),
    'Then the "negative" in column $j$ is query $i$\'s own positive and the loss would push the query away from its own product.':
        context("motivation"),
    "Given the batch's product ids (a list or a 1-D integer tensor of B ids), return a **bool** B x B tensor that is `True` where $j \\ne i$ and product $j$ is the same product as product $i$ (the diagonal stays `False`).":
        rule(MASK, mutants=["mask_includes_diagonal", "mask_as_float", "hits_as_integers", "hits_as_numpy", "mask_upper_triangle_only"]),
    '(B, B) bool tensor: True where j != i and product_ids[j] == product_ids[i].':
        rule(MASK, mutants=["mask_includes_diagonal", "mask_as_float"]),
    '## 4. Recall@k and MRR (4 points)':
        context(HEADING),
    '`scores` is a NumPy array (Q queries x N products); `relevant[q]` is the set of product indices customers converted on for query $q$.':
        rule(RECALL, MRR, mutants=["recall_divides_by_k", "mrr_last_relevant"]),
    'Rank each row\'s products by **descending** score; **ties go to the lower product index first** (`np.argsort(-row, kind="stable")` does exactly this).':
        rule(RECALL, MRR, mutants=["recall_ascending_scores", "recall_ties_to_higher_index", "recall_default_unstable_sort", "recall_with_torch_topk", "mrr_ties_to_higher_index", "mrr_default_unstable_sort"]),
    'Ranks start at 1.':
        rule(MRR, mutants=["mrr_ranks_from_zero", "mrr_ranks_from_two"]),
    '* Recall@k of a query: the fraction of its relevant products among its top k.':
        rule(RECALL, mutants=["recall_divides_by_k", "recall_top_k_plus_one"]),
    'Return the mean over queries.':
        rule(RECALL, mutants=["recall_divides_by_k"]),
    "* MRR: the mean over queries of 1 / (rank of the query's **first** relevant product).":
        rule(MRR, mutants=["mrr_last_relevant"]),
    'Mean over queries of |top-k products & relevant| / |relevant|.':
        rule(RECALL, mutants=["recall_divides_by_k"]),
    'Mean over queries of 1 / rank of the first relevant product (ranks start at 1).':
        rule(MRR, mutants=["mrr_ranks_from_zero", "mrr_last_relevant"]),
    '## 5. Semantic de-duplication of autocomplete suggestions (3 points)':
        context(HEADING),
    'Autocomplete for the prefix "mac" ranks completions such as "mac and cheese", "macaroni and cheese", "mac n cheese", "macadamia nuts".':
        context("the example"),
    "The first three mean the same thing and waste two of the customer's slots.":
        context("the example"),
    'Walk down the ranked list and **keep** a suggestion unless its cosine similarity with a suggestion **already kept** is at least `threshold` (`>=`).':
        rule(DEDUP, mutants=["dedup_against_every_earlier_suggestion", "dedup_strict_threshold", "dedup_keeps_the_last_duplicate"]),
    '`embeddings` is a NumPy array with one row per suggestion, in ranked order, **not necessarily of unit length**.':
        rule(DEDUP, mutants=["dedup_without_normalising"]),
    'Return the kept indices in ranked order, as a list of Python `int`s (not NumPy integers).':
        rule(DEDUP, mutants=["dedup_returns_numpy_integers", "dedup_keeps_the_last_duplicate"]),
    'Indices of the suggestions kept by greedy de-duplication (cosine >= threshold to a kept one drops it).':
        rule(DEDUP, mutants=["dedup_strict_threshold"]),
    '## 6. Are un-converted products good negatives? (2 points, graded by hand)':
        context(HEADING),
    'For the query "orange", customers converted on navel oranges, clementines and mandarins, and also on bananas and strawberries.':
        context(WRITTEN),
    'Blood oranges were never converted on.':
        context(WRITTEN),
    'In two or three sentences: which of these would be *false* negatives or *false* positives if you trained on conversions alone, and what does that do to the in-batch loss?':
        context(WRITTEN),
}
