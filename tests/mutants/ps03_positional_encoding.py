"""Plausible wrong solutions of ps03 (positional encoding), each named for its mistake. Every graded test cell
named in `breaks` must fail for that mutant (see llmcourse.authoring.mutation and tests/test_assignments.py)."""
from __future__ import annotations

import numpy as np

from llmcourse.authoring.mutation import alternative, mutant

SLIDE_TESTS = ["test_sinusoidal_slide", "test_sinusoidal_odd"]


def _encoding(seq_len, d, n=10000, *, first=0, exponent=lambda i, d: 2 * i / d, swap=False, pair=lambda j: j // 2):
    k = np.arange(first, first + seq_len, dtype=float)[:, None]
    j = np.arange(d)
    angles = k / np.power(float(n), exponent(pair(j), d))
    sin, cos = np.sin(angles), np.cos(angles)
    if swap:
        sin, cos = cos, sin
    return np.where(j % 2 == 0, sin, cos)


# --- sinusoidal_encoding: the usual mistakes ------------------------------------------------------------------
@mutant("sinusoidal_encoding", breaks=SLIDE_TESTS)
def exponent_i_over_d(seq_len, d, n=10000):
    return _encoding(seq_len, d, n, exponent=lambda i, d: i / d)


@mutant("sinusoidal_encoding", breaks=SLIDE_TESTS)
def sine_and_cosine_swapped(seq_len, d, n=10000):
    return _encoding(seq_len, d, n, swap=True)


@mutant("sinusoidal_encoding", breaks=SLIDE_TESTS)
def integer_division_in_exponent(seq_len, d, n=10000):
    return _encoding(seq_len, d, n, exponent=lambda i, d: 2 * i // d)


@mutant("sinusoidal_encoding", breaks=SLIDE_TESTS)
def positions_start_at_one(seq_len, d, n=10000):
    return _encoding(seq_len, d, n, first=1)


@mutant("sinusoidal_encoding", breaks=SLIDE_TESTS)
def exponent_uses_column_index(seq_len, d, n=10000):
    return _encoding(seq_len, d, n, pair=lambda j: j)


@mutant("sinusoidal_encoding", breaks=SLIDE_TESTS)
def base_n_ignored(seq_len, d, n=10000):
    return _encoding(seq_len, d, 10000)


@mutant("sinusoidal_encoding", breaks=["test_sinusoidal_slide"])
def returns_a_list(seq_len, d, n=10000):
    return _encoding(seq_len, d, n).tolist()


# --- sinusoidal_encoding: odd d --------------------------------------------------------------------------------
@mutant("sinusoidal_encoding", breaks=["test_sinusoidal_odd"])
def odd_d_last_column_left_zero(seq_len, d, n=10000):
    """The slide's loop, vectorised: only int(d/2) pairs are filled."""
    P = np.zeros((seq_len, d))
    P[:, : 2 * (d // 2)] = _encoding(seq_len, 2 * (d // 2), n, exponent=lambda i, _: 2 * i / d)
    return P


@mutant("sinusoidal_encoding", breaks=["test_sinusoidal_odd"])
def odd_d_computed_with_d_plus_one(seq_len, d, n=10000):
    even = d + d % 2
    return _encoding(seq_len, even, n)[:, :d]


@mutant("sinusoidal_encoding", breaks=["test_sinusoidal_odd"])
def odd_d_drops_last_column(seq_len, d, n=10000):
    return _encoding(seq_len, d, n)[:, : 2 * (d // 2)]


@mutant("sinusoidal_encoding", breaks=["test_sinusoidal_odd"])
def odd_d_rejected(seq_len, d, n=10000):
    if d % 2:
        raise ValueError("d must be even")
    return _encoding(seq_len, d, n)


# --- rotation_matrix -------------------------------------------------------------------------------------------
def _rotation(phi, d, n=10000, *, transpose=False, exponent=lambda i, d: 2 * i / d, check_odd=True, sin_sign=1):
    if check_odd and d % 2:
        raise ValueError("odd d")
    R = np.zeros((d, d))
    for i in range(d // 2):
        angle = phi / float(n) ** exponent(i, d)
        c, s = np.cos(angle), sin_sign * np.sin(angle)
        block = np.array([[c, s], [-s, c]])
        R[2 * i:2 * i + 2, 2 * i:2 * i + 2] = block.T if transpose else block
    return R


@mutant("rotation_matrix", breaks=["test_rotation"])
def rotation_block_transposed(phi, d, n=10000):
    """[[cos, -sin], [sin, cos]]: the textbook rotation, but it turns (sin, cos) by -phi."""
    return _rotation(phi, d, n, transpose=True)


@mutant("rotation_matrix", breaks=["test_rotation"])
def rotation_frequency_i_over_d(phi, d, n=10000):
    return _rotation(phi, d, n, exponent=lambda i, d: i / d)


@mutant("rotation_matrix", breaks=["test_rotation"])
def rotation_without_sines(phi, d, n=10000):
    """Only the cosines on the diagonal: scales instead of rotating."""
    return _rotation(phi, d, n, sin_sign=0)


@mutant("rotation_matrix", breaks=["test_rotation"])
def rotation_odd_d_not_rejected(phi, d, n=10000):
    return _rotation(phi, d, n, check_odd=False)


@mutant("rotation_matrix", breaks=["test_rotation"])
def rotation_base_ignored(phi, d, n=10000):
    return _rotation(phi, d, 10000)


# --- equivariance_gap ------------------------------------------------------------------------------------------
@mutant("equivariance_gap", breaks=["test_equivariance"])
def gap_without_permuting_outputs(attend, X, perm):
    return float(np.max(np.abs(attend(X[perm]) - attend(X))))


@mutant("equivariance_gap", breaks=["test_equivariance"])
def gap_with_inverse_permutation(attend, X, perm):
    inverse = np.argsort(perm)
    return float(np.max(np.abs(attend(X[perm]) - attend(X)[inverse])))


@mutant("equivariance_gap", breaks=["test_equivariance"])
def gap_of_mean_pooled_outputs(attend, X, perm):
    return float(np.max(np.abs(attend(X[perm]).mean(axis=0) - attend(X)[perm].mean(axis=0))))


@mutant("equivariance_gap", breaks=["test_equivariance"])
def gap_summed_not_max(attend, X, perm):
    return float(np.sum(np.abs(attend(X[perm]) - attend(X)[perm])))


@mutant("equivariance_gap", breaks=["test_equivariance"])
def gap_returned_as_array(attend, X, perm):
    return np.abs(attend(X[perm]) - attend(X)[perm])


# --- add_positions ---------------------------------------------------------------------------------------------
@mutant("add_positions", breaks=["test_add_positions"])
def positions_indexed_by_batch(tokens, table):
    """Row b of the table added to every token of sequence b: broadcasting over the wrong axis."""
    tokens = np.asarray(tokens, dtype=float)
    return tokens + table[: len(tokens)][:, None, :]


@mutant("add_positions", breaks=["test_add_positions"])
def positions_added_in_place(tokens, table):
    tokens += table[: tokens.shape[1]]
    return tokens


@mutant("add_positions", breaks=["test_add_positions"])
def positions_concatenated(tokens, table):
    tokens = np.asarray(tokens, dtype=float)
    batch, seq_len, _ = tokens.shape
    return np.concatenate([tokens, np.broadcast_to(table[:seq_len], (batch, seq_len, table.shape[1]))], axis=-1)


@mutant("add_positions", breaks=["test_add_positions"])
def table_length_not_checked(tokens, table):
    tokens = np.asarray(tokens, dtype=float)
    return tokens + table[: tokens.shape[1]]


@mutant("add_positions", breaks=["test_add_positions"])
def table_not_sliced(tokens, table):
    return np.asarray(tokens, dtype=float) + table


# --- to_concatenated_halves ------------------------------------------------------------------------------------
@mutant("to_concatenated_halves", breaks=["test_concatenated_halves"])
def halves_cosines_first(P):
    P = np.asarray(P, dtype=float)
    return np.concatenate([P[:, 1::2], P[:, 0::2]], axis=1)


@mutant("to_concatenated_halves", breaks=["test_concatenated_halves"])
def halves_split_down_the_middle(P):
    P = np.asarray(P, dtype=float)
    half = P.shape[1] // 2
    return np.concatenate([P[:, :half], P[:, half:]], axis=1)


@mutant("to_concatenated_halves", breaks=["test_concatenated_halves"])
def halves_reshaped_the_wrong_way(P):
    """reshape(L, 2, d/2) then swap axes: the inverse permutation (halves -> interleaved)."""
    P = np.asarray(P, dtype=float)
    L, d = P.shape
    return P.reshape(L, 2, d // 2).transpose(0, 2, 1).reshape(L, d)


@mutant("to_concatenated_halves", breaks=["test_concatenated_halves"])
def halves_stacked_on_the_row_axis(P):
    P = np.asarray(P, dtype=float)
    return np.concatenate([P[:, 0::2], P[:, 1::2]], axis=0)


# ---- issue 15: loops read from the code, edge cases, inputs unchanged -----------------------------------------------
@mutant("sinusoidal_encoding", breaks=["test_sinusoidal_slide"])
def encoding_with_python_loops(seq_len, d, n=10000):
    P = np.zeros((seq_len, d))
    for k in range(seq_len):
        for j in range(d):
            angle = k / n ** (2 * (j // 2) / d)
            P[k, j] = np.sin(angle) if j % 2 == 0 else np.cos(angle)
    return P


@mutant("sinusoidal_encoding", breaks=["test_sinusoidal_slide"])
def encoding_with_a_loop_over_positions(seq_len, d, n=10000):
    j = np.arange(d)
    rows = []
    for k in range(seq_len):
        angle = k / float(n) ** (2 * (j // 2) / d)
        rows.append(np.where(j % 2 == 0, np.sin(angle), np.cos(angle)))
    return np.array(rows).reshape(seq_len, d)


@mutant("equivariance_gap", breaks=["test_equivariance"])
def gap_largest_signed_difference(attend, X, perm):
    return float(np.max(attend(X[perm]) - attend(X)[perm]))


@mutant("equivariance_gap", breaks=["test_equivariance"])
def gap_absolute_value_of_the_largest_difference(attend, X, perm):
    return float(abs(np.max(attend(X[perm]) - attend(X)[perm])))


@mutant("add_positions", breaks=["test_add_positions"])
def positions_with_a_loop_over_the_batch(tokens, table):
    tokens, table = np.asarray(tokens, float), np.asarray(table, float)
    if tokens.shape[1] > len(table) or tokens.shape[2] != table.shape[1]:
        raise ValueError("shapes")
    out = np.empty_like(tokens)
    for b in range(len(tokens)):
        out[b] = tokens[b] + table[: tokens.shape[1]]
    return out


@mutant("add_positions", breaks=["test_add_positions"])
def positions_width_left_to_numpy(tokens, table):
    tokens, table = np.asarray(tokens, float), np.asarray(table, float)
    if tokens.shape[1] > len(table):
        raise ValueError("table too short")
    return tokens + table[: tokens.shape[1]]  # a width-1 table broadcasts silently


@mutant("to_concatenated_halves", breaks=["test_concatenated_halves"])
def halves_reordered_in_place(P):
    P[:] = np.concatenate([P[:, 0::2], P[:, 1::2]], axis=1)
    return P


# ---- correct answers written differently: each must get full marks ---------------------------------------------
@alternative("sinusoidal_encoding")
def encoding_in_float32(seq_len, d, n=10000):
    k = np.arange(seq_len, dtype=np.float32)[:, None]
    j = np.arange(d)
    angles = (k / np.float32(n) ** (2 * (j // 2) / d).astype(np.float32)).astype(np.float32)
    return np.where(j % 2 == 0, np.sin(angles), np.cos(angles)).astype(np.float32)


@alternative("sinusoidal_encoding")
def encoding_even_and_odd_slices(seq_len, d, n=10000):
    angles = np.arange(seq_len)[:, None] / n ** (2 * (np.arange(d) // 2) / d)
    P = np.empty((seq_len, d))
    P[:, 0::2] = np.sin(angles[:, 0::2])
    P[:, 1::2] = np.cos(angles[:, 1::2])
    return P


@alternative("rotation_matrix")
def rotation_with_a_loop_over_blocks(phi, d, n=10000):
    if d % 2:
        raise ValueError("d must be even")
    R = np.zeros((d, d))
    for i in range(d // 2):
        b = phi / n ** (2 * i / d)
        R[2 * i:2 * i + 2, 2 * i:2 * i + 2] = [[np.cos(b), np.sin(b)], [-np.sin(b), np.cos(b)]]
    return R


@alternative("equivariance_gap")
def gap_as_infinity_norm(attend, X, perm):
    difference = np.asarray(attend(X[np.asarray(perm)])) - np.asarray(attend(X))[np.asarray(perm)]
    return float(np.linalg.norm(difference.ravel(), ord=np.inf))


@alternative("add_positions")
def positions_with_np_add(tokens, table):
    batch, seq_len, d = np.shape(tokens)
    if np.shape(table)[1] != d or seq_len > len(table):
        raise ValueError("the table is too short or its width differs")
    return np.add(tokens, np.expand_dims(table[:seq_len], 0))


@alternative("to_concatenated_halves")
def halves_with_an_index_array(P):
    d = np.shape(P)[1]
    return np.asarray(P)[:, np.r_[0:d:2, 1:d:2]]
