"""Every sentence of exercises/ps01_word2vec_cosine (markdown and docstrings) and what enforces it (issue 15).
`rule(cell, mutants=...)`: these mutants break the sentence and that test cell catches them; `permits(...)`: correct
alternatives that use the freedom; `context(...)`: no rule to check. tests/test_assignments.py keeps it complete."""
from llmcourse.authoring.instructions import context, permits, rule

HEADING = "a heading"
OVERVIEW = "the overview table repeats the parts below, which are enforced there"
COSINE = "test_cosine_vectors"
MATRIX = "test_cosine_matrix"
RECOMMEND = "test_recommend"
PAIRS = "test_skipgram_pairs"
LOSS = "test_negative_sampling_loss"
SENTENCE = "test_sentence_embedding"

TABLE = {
    "# Problem set 01: cosine similarity and word2vec": context(HEADING),
    "Pairs with `lectures/01_word2vec_cosine.ipynb`.": context("a pointer to the lecture"),
    "You will write, in NumPy and PyTorch:": context(OVERVIEW),
    "| part | function | points |": context(OVERVIEW),
    "| 1 | `cosine_similarity(a, b)` for two vectors | 2 |": context(OVERVIEW),
    "| 2 | `cosine_similarity_matrix(A, B)` for all pairs of rows | 2 |": context(OVERVIEW),
    "| 3 | `recommend(liked, candidates)`: the in-class exercise | 1 |": context(OVERVIEW),
    "| 4 | `skipgram_pairs(tokens, window)` | 2 |": context(OVERVIEW),
    "| 5 | `negative_sampling_loss(u_centre, v_context, v_negatives)` | 2 |": context(OVERVIEW),
    "| 6 | `sentence_embedding(sentence, word_vectors)` by averaging | 2 |": context(OVERVIEW),
    "| 7 | written: why averaging loses word order | 2 |": context(OVERVIEW),
    "Replace each `raise NotImplementedError()` with your code, then run the test cell below it.":
        context("how to work; the untouched release scoring 0 is tested by the round trip"),
    "The visible tests are a start; hidden tests with other values are run when your work is graded.":
        context("describes the tests"),
    "Every failing test says what is wrong and what the likely mistake is.": context("describes the tests"),
    "No function may change the arrays it is given (work on copies).":
        rule(COSINE, MATRIX, LOSS, SENTENCE, mutants=["cosine_normalises_the_callers_arrays",
                                                      "matrix_normalises_the_callers_arrays",
                                                      "loss_unsqueezes_the_callers_tensor",
                                                      "sentence_adds_into_the_first_word_vector"]),
    "Run the whole notebook (Kernel > Restart and Run All) before you submit.": context("how to work"),

    "## Part 1: cosine similarity of two vectors (2 points)": context(HEADING),
    r"$$\cos(\mathbf a, \mathbf b) = \frac{\mathbf a\cdot\mathbf b}{\lVert\mathbf a\rVert\,\lVert\mathbf b\rVert}$$":
        rule(COSINE, mutants=["cosine_without_normalising", "cosine_normalising_only_first_vector",
                              "cosine_with_l1_norms", "cosine_absolute_value"]),
    "Write `cosine_similarity(a, b)` for two 1-D vectors (lists or NumPy arrays of the same length).":
        permits("cosine_with_the_math_module"),
    "Return a Python `float` (computed in float64 or float32: values are compared to about 1e-6).":
        rule(COSINE, mutants=["cosine_returns_numpy_array"]),
    "If either vector is all zeros the angle is undefined: raise a `ValueError` with a message that says so (do not "
    "return `nan` or 0).":
        rule(COSINE, mutants=["cosine_zero_vector_returns_zero", "cosine_checks_only_first_vector_for_zero",
                              "cosine_zero_division_error_not_value_error"]),
    "Cosine of the angle between 1-D vectors a and b, as a float.": rule(COSINE, mutants=["cosine_returns_numpy_array"]),
    "ValueError if either is a zero vector.": rule(COSINE, mutants=["cosine_checks_only_first_vector_for_zero"]),

    "## Part 2: all pairwise cosines at once (2 points)": context(HEADING),
    "Write `cosine_similarity_matrix(A, B)`: `A` has shape `(n, d)`, `B` has shape `(m, d)`; return the `(n, m)` "
    "NumPy array whose entry `[i, j]` is the cosine of row `i` of `A` and row `j` of `B`.":
        rule(MATRIX, mutants=["matrix_transposed_result", "matrix_returns_a_tensor",
                              "matrix_normalises_columns_not_rows"]),
    "No Python loops (no `for` or `while` statement: the grader reads your code): normalise every row to length 1, "
    "then one matrix product.":
        rule(MATRIX, mutants=["matrix_with_python_loops", "matrix_without_normalising", "matrix_normalises_only_A"]),
    "Raise `ValueError` if any row of `A` or `B` is all zeros (a row that merely contains a zero is fine).":
        rule(MATRIX, mutants=["matrix_zero_row_gives_nan_not_error", "matrix_checks_only_A_for_zero_rows",
                              "matrix_rejects_rows_with_a_zero_entry"]),
    "(n, m) matrix of cosines between the rows of A (n, d) and the rows of B (m, d).":
        rule(MATRIX, mutants=["matrix_transposed_result"]),

    "## Part 3: the recommendation (1 point)": context(HEADING),
    "The in-class exercise: you liked *Avatar* `[1, 2, 2]`; recommend *Ironman* `[3, 7, 8]` or *Rainman* "
    "`[1, -2, 6]`?": rule(RECOMMEND, mutants=["recommend_by_euclidean_distance"]),
    "Write `recommend(liked, candidates)`: `liked` is a vector, `candidates` a dict from title to vector.":
        permits("recommend_with_max_and_a_key"),
    "Return the **title** (a string) of the candidate with the highest cosine similarity to `liked` (use your "
    "`cosine_similarity`).":
        rule(RECOMMEND, mutants=["recommend_returns_the_vector", "recommend_least_similar", "recommend_by_dot_product",
                                 "recommend_best_score_starts_at_zero"]),
    "Ties are broken by the order of the dict (the first one wins).":
        rule(RECOMMEND, mutants=["recommend_last_of_tied_wins", "recommend_ties_to_the_first_title_by_name"]),
    "Title of the candidate whose vector has the largest cosine similarity with `liked`.":
        rule(RECOMMEND, mutants=["recommend_returns_the_vector", "recommend_least_similar"]),

    "## Part 4: skip-gram pairs (2 points)": context(HEADING),
    "Write `skipgram_pairs(tokens, window)`: for each position `i` (in order) and each position `j` from "
    "`i - window` to `i + window` (in order, clipped to the sentence), `j != i`, emit the pair "
    "`(tokens[i], tokens[j])`: (centre, context).":
        rule(PAIRS, mutants=["pairs_window_off_by_one_too_small", "pairs_window_off_by_one_too_large",
                             "pairs_only_right_context", "pairs_context_centre_swapped"]),
    "A word is never paired with its own position (but a word that occurs twice can be paired with its other "
    "occurrence).": rule(PAIRS, mutants=["pairs_centre_paired_with_itself", "pairs_skip_equal_words_not_positions"]),
    "Return a list of tuples.": permits("pairs_in_one_comprehension"),
    'Example: `skipgram_pairs(["the", "king", "rules"], 1)` is `[("the", "king"), ("king", "the"), '
    '("king", "rules"), ("rules", "king")]`.': rule(PAIRS, mutants=["pairs_context_centre_swapped"]),
    "(centre, context) pairs for every position and every context position within `window`.":
        rule(PAIRS, mutants=["pairs_window_off_by_one_too_small"]),

    "## Part 5: the negative-sampling loss (2 points)": context(HEADING),
    "For a batch of `B` (centre, context) pairs with `k` negatives each, given the centre vectors `u_centre` "
    "`(B, D)`, the true context vectors `v_context` `(B, D)` and the negatives' vectors `v_negatives` `(B, k, D)`, "
    "return the **mean over the batch** of": rule(LOSS, mutants=["loss_sum_over_batch_not_mean"]),
    r"$$\mathcal L = -\log\sigma(u\cdot v_{\text{context}}) - \sum_{i=1}^{k}\log\sigma(-u\cdot v_{n_i})$$":
        rule(LOSS, mutants=["loss_sign_error", "loss_positives_and_negatives_swapped",
                            "loss_negative_scores_not_negated", "loss_mean_over_negatives_not_sum",
                            "loss_without_negatives"]),
    "as a 0-dimensional torch tensor that gradients can flow through.":
        rule(LOSS, mutants=["loss_returns_a_python_float", "loss_detached_from_graph"]),
    "Use `F.logsigmoid` (it is numerically stable; `torch.log(torch.sigmoid(x))` gives `-inf` for very negative "
    "`x`).": rule(LOSS, mutants=["loss_log_of_sigmoid_unstable"]),
    "Mean skip-gram negative-sampling loss over a batch.": rule(LOSS, mutants=["loss_sum_over_batch_not_mean"]),
    "Shapes (B, D), (B, D), (B, k, D) -> scalar tensor.": rule(LOSS, mutants=["loss_returns_a_python_float"]),

    "## Part 6: sentence embedding by averaging (2 points)": context(HEADING),
    "Write `sentence_embedding(sentence, word_vectors)`: lower-case the sentence, split it on whitespace (spaces, "
    "tabs, new lines; `str.split()`), look each word up in the dict `word_vectors` (word -> NumPy vector), **skip "
    "words that are not in the dict** (out of vocabulary), and return the mean of the vectors found, as a NumPy "
    "array.":
        rule(SENTENCE, mutants=["sentence_not_lower_cased", "sentence_split_on_single_spaces",
                                "sentence_oov_counted_as_zero_vector", "sentence_does_not_skip_unknown_words",
                                "sentence_sum_not_mean", "sentence_unique_words_only", "sentence_returns_a_list"]),
    "If no word is found, raise `ValueError` (an empty average is undefined).":
        rule(SENTENCE, mutants=["sentence_all_unknown_returns_zeros"]),
    "Mean of the vectors of the sentence's in-vocabulary words (lower-cased, split on whitespace).":
        rule(SENTENCE, mutants=["sentence_sum_not_mean", "sentence_not_lower_cased"]),

    "## Part 7 (written, 2 points): why does averaging lose word order?": context(HEADING),
    'Using your `sentence_embedding`, *"Me loves my friend"* and *"My friend loves me"* get identical vectors, and '
    'so do *"chocolate milk"* and *"milk chocolate"*.': context("the written question, graded by hand"),
    "In 3-5 sentences: explain **why** (what property of an average causes it), give one more pair of sentences "
    "with different meanings that averaging cannot tell apart, and name one thing a better sentence encoder must do "
    "differently (lectures 2-5).": context("the written question, graded by hand with its mark scheme"),
    "You are done.": context("closing words"),
    'Run Kernel > Restart and Run All, check that every test cell prints "All tests passed.", and submit.':
        context("how to submit"),
}
