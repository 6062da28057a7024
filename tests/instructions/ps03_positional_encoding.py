"""Every sentence of exercises/ps03_positional_encoding (markdown and docstrings) and what enforces it (issue 15).
See tests/instructions/ps01_word2vec_cosine.py for the format."""
from llmcourse.authoring.instructions import context, permits, rule

HEADING = "a heading"
OVERVIEW = "the overview list repeats the parts below, which are enforced there"
SLIDE = "test_sinusoidal_slide"
ODD = "test_sinusoidal_odd"
ROTATION = "test_rotation"
GAP = "test_equivariance"
ADD = "test_add_positions"
HALVES = "test_concatenated_halves"
WRITTEN = "the written question, graded by hand"

TABLE = {
    "# Problem set 03 · Positional encoding": context(HEADING),
    "Pairs with `lectures/03_positional_encoding.ipynb`.": context("a pointer to the lecture"),
    "You will write, with NumPy:": context(OVERVIEW),
    "1. the sinusoidal positional encoding, vectorised, for any length, dimension (odd ones too) and base (4 points);":
        context(OVERVIEW),
    r"2. the rotation matrix $R(\phi)$ with $PE(k + \phi) = R(\phi)\, PE(k)$ (3 points);": context(OVERVIEW),
    "3. a check that self-attention without positions is permutation-equivariant (2 points);": context(OVERVIEW),
    "4. adding positions to a batch of token embeddings with broadcasting (2 points);": context(OVERVIEW),
    "5. the concatenated-halves layout of the encoding (2 points), and one written answer about it (1 point).":
        context(OVERVIEW),
    "Run the cells in order.": context("how to work"),
    'Each test cell prints "All tests passed." when your code is right, and otherwise a sentence saying what is '
    "wrong.": context("describes the tests"),
    "Hidden tests use new lengths, dimensions and bases, so do not hard-code values.":
        rule(SLIDE, ROTATION, mutants=["base_n_ignored", "rotation_base_ignored"]),
    "No Python loops over positions or dimensions are needed anywhere: use broadcasting.":
        context("advice; the rules that forbid loops are in parts 1 and 4"),
    "No function may change the arrays it is given.":
        rule(ADD, HALVES, mutants=["positions_added_in_place", "halves_reordered_in_place"]),

    "## 1. The sinusoidal encoding (4 points)": context(HEADING),
    r"For position $k = 0, 1, \dots$, dimension $d$ and base $n$, with pair index $i$:":
        rule(SLIDE, mutants=["positions_start_at_one", "base_n_ignored"]),
    r"$$P(k, 2i) = \sin\left(\frac{k}{n^{2i/d}}\right), \qquad P(k, 2i+1) = \cos\left(\frac{k}{n^{2i/d}}\right).$$":
        rule(SLIDE, mutants=["sine_and_cosine_swapped", "exponent_i_over_d", "integer_division_in_exponent",
                             "exponent_uses_column_index"]),
    "Write `sinusoidal_encoding(seq_len, d, n=10000)` **without Python loops** (no `for` or `while` statement: the "
    "grader reads your code): build a column of positions and a row of denominators and let broadcasting make the "
    "`(seq_len, d)` matrix of angles.":
        rule(SLIDE, mutants=["encoding_with_python_loops", "encoding_with_a_loop_over_positions"]),
    "Read the docstring for odd $d$.": rule(ODD, mutants=["odd_d_last_column_left_zero"]),
    "The first test checks the slide's example; the second checks an odd dimension.": context("describes the tests"),
    "Values are compared with an absolute tolerance of 1e-4, so float32 is fine.": permits("encoding_in_float32"),
    "The sinusoidal positional encoding as a NumPy array of floats with shape (seq_len, d).":
        rule(SLIDE, mutants=["returns_a_list"]),
    "Row k is position k, counting from 0.": rule(SLIDE, mutants=["positions_start_at_one"]),
    "Column j belongs to the pair i = j // 2 and uses the angle k / n**(2 * i / d): even columns (j = 2i) hold "
    "sin(angle), odd columns (j = 2i + 1) hold cos(angle).":
        rule(SLIDE, mutants=["exponent_uses_column_index", "sine_and_cosine_swapped"]),
    "The same rule covers odd d: the last column j = d - 1 is then a sine column with i = (d - 1) // 2, and the d in "
    "the exponent is the odd d itself (do not compute d + 1 columns and drop one).":
        rule(ODD, mutants=["odd_d_computed_with_d_plus_one", "odd_d_drops_last_column", "odd_d_rejected"]),
    "Vectorised: no Python loop over positions or columns.": rule(SLIDE, mutants=["encoding_with_python_loops"]),

    r"## 2. A shift by $\phi$ is a rotation (3 points)": context(HEADING),
    r"For one frequency $\omega$, the angle-addition formulas $\sin(a + b) = \sin a \cos b + \cos a \sin b$ and "
    r"$\cos(a + b) = \cos a \cos b - \sin a \sin b$ turn the pair $(\sin \omega k, \cos \omega k)$ into "
    r"$(\sin \omega(k+\phi), \cos \omega(k+\phi))$ with a 2 x 2 matrix that depends on $\omega\phi$ only.":
        rule(ROTATION, mutants=["rotation_without_sines", "rotation_block_transposed"]),
    r"Write `rotation_matrix(phi, d, n=10000)`: the $d \times d$ matrix with one such block per pair of columns on "
    "its diagonal, so that `rotation_matrix(phi, d, n) @ PE[k]` equals `PE[k + phi]` for every position `k` (the "
    "interleaved layout of part 1).": rule(ROTATION, mutants=["rotation_frequency_i_over_d", "rotation_base_ignored"]),
    "Build it with NumPy indexing (a loop over the $d/2$ blocks is fine here).":
        permits("rotation_with_a_loop_over_blocks"),
    "For odd $d$ raise a `ValueError`: the lone last sine column has no cosine partner to rotate with.":
        rule(ROTATION, mutants=["rotation_odd_d_not_rejected"]),
    "The (d, d) block-diagonal matrix R with R @ PE[k] == PE[k + phi] for every position k.":
        rule(ROTATION, mutants=["rotation_block_transposed"]),
    "PE is the sinusoidal encoding of part 1 (interleaved: sin in column 2i, cos in column 2i + 1, frequency 1 / "
    "n**(2i/d)).": rule(ROTATION, mutants=["rotation_frequency_i_over_d"]),
    "Rows and columns 2i and 2i + 1 hold the 2 x 2 block of pair i; everything else is 0. phi may be any real number "
    "(negative: a shift to the left).": rule(ROTATION, mutants=["rotation_block_transposed"]),
    "Raises ValueError when d is odd.": rule(ROTATION, mutants=["rotation_odd_d_not_rejected"]),

    "## 3. Attention without positions is permutation-equivariant (2 points)": context(HEADING),
    "Here is lecture 02's single-head self-attention (nothing to do in this cell).": context("given code"),
    "softmax(Q K^T / sqrt(d_k)) V for the token vectors X (one row per token), without positions.":
        context("the docstring of given code"),
    "A function `attend` from token matrices to output matrices (one row per token) is *permutation-equivariant* "
    "when permuting the input rows permutes the output rows in the same way: `attend(X[perm])` equals "
    "`attend(X)[perm]`.": rule(GAP, mutants=["gap_without_permuting_outputs", "gap_with_inverse_permutation"]),
    "Write `equivariance_gap(attend, X, perm)`: the largest absolute difference between those two matrices, as a "
    "Python `float`.":
        rule(GAP, mutants=["gap_summed_not_max", "gap_returned_as_array", "gap_largest_signed_difference",
                           "gap_absolute_value_of_the_largest_difference", "gap_of_mean_pooled_outputs"]),
    "It is 0 (up to rounding) for attention without positions and clearly positive once positions are added.":
        rule(GAP, mutants=["gap_with_inverse_permutation"]),
    "max over all entries of |attend(X[perm]) - attend(X)[perm]|, as a Python float.":
        rule(GAP, mutants=["gap_largest_signed_difference", "gap_returned_as_array"]),
    "attend maps an (L, d) matrix of token vectors to an (L, d_out) matrix (row i belongs to token i); perm is a "
    "permutation of range(L) given as an integer array.": permits("gap_as_infinity_norm"),

    "## 4. Adding positions to a batch (2 points)": context(HEADING),
    "A batch of token embeddings has shape `(batch, seq_len, d)`; a position table (sinusoidal or learned, like "
    "MiniLM's 512 x 384 one) has shape `(max_len, d)`.": rule(ADD, mutants=["table_not_sliced"]),
    "Write `add_positions(tokens, table)`: every sequence in the batch gets position vector `table[k]` added to its "
    "token `k`.": rule(ADD, mutants=["positions_indexed_by_batch", "positions_concatenated"]),
    "Use broadcasting (no Python loops: the grader reads your code), return a new array (leave `tokens` and `table` "
    "unchanged) and raise `ValueError` if the sequences are longer than the table or the widths differ (also when "
    "NumPy would broadcast them, e.g. width 1).":
        rule(ADD, mutants=["positions_with_a_loop_over_the_batch", "positions_added_in_place",
                           "table_length_not_checked", "positions_width_left_to_numpy"]),
    "tokens (batch, seq_len, d) + positions: returns a new (batch, seq_len, d) array with out[b, k] = tokens[b, k] + "
    "table[k].": rule(ADD, mutants=["positions_indexed_by_batch"]),
    "Raises ValueError if seq_len > len(table) or the widths d differ.":
        rule(ADD, mutants=["table_length_not_checked", "positions_width_left_to_numpy"]),

    "## 5. The concatenated-halves layout (2 + 1 points)": context(HEADING),
    "The Columbia notes show the encoding of 20 positions with $d = 512$ split in half: all sine columns on the "
    "left, all cosine columns on the right.": rule(HALVES, mutants=["halves_cosines_first"]),
    "Write `to_concatenated_halves(P)` that turns an interleaved encoding (sin, cos, sin, cos, ...; $d$ even) into "
    "that layout: the even columns 0, 2, 4, ... in order, then the odd columns 1, 3, 5, ... in order.":
        rule(HALVES, mutants=["halves_split_down_the_middle", "halves_reshaped_the_wrong_way",
                              "halves_stacked_on_the_row_axis"]),
    "(seq_len, d) interleaved encoding -> (seq_len, d) with the sine columns (0, 2, 4, ...) first, in order, then "
    "the cosine columns (1, 3, 5, ...), in order. d is even.": rule(HALVES, mutants=["halves_cosines_first"]),
    "Returns a new array.": rule(HALVES, mutants=["halves_reordered_in_place"]),
    "**Question (1 point, graded by hand).**": context(WRITTEN),
    "Would a transformer trained on token embeddings plus the concatenated-halves encoding work better, worse or "
    "the same as one trained with the interleaved encoding?": context(WRITTEN),
    "Explain in two or three sentences in the cell below, using what `to_concatenated_halves` does to the dot "
    "products and distances between positions.": context(WRITTEN),
}
