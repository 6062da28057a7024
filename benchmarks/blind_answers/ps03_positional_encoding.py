"""Blind answers to ps03, written from the released notebook's instructions only (never from its tests, mutants or
solutions): `@alternative` = a correct answer in another style, `@mutant` = a plausible wrong answer (the mistake in
its name). benchmarks/fidelity.py --answers benchmarks/blind_answers grades them."""
import numpy as np
import torch

from llmcourse.authoring.mutation import alternative, mutant


# ---------------------------------------------------------------- 1. sinusoidal_encoding

@alternative("sinusoidal_encoding")
def right_where_even_odd(seq_len, d, n=10000):
    k = np.arange(seq_len)[:, None]
    j = np.arange(d)[None, :]
    i = j // 2
    angle = k / np.power(float(n), 2 * i / d)
    return np.where(j % 2 == 0, np.sin(angle), np.cos(angle))


@alternative("sinusoidal_encoding")
def right_float32_slices(seq_len, d, n=10000):
    k = np.arange(seq_len, dtype=np.float32)[:, None]
    i_even = np.arange(0, d, 2, dtype=np.float32)  # = 2i for the sine columns
    i_odd = np.arange(1, d, 2, dtype=np.float32) - 1  # = 2i for the cosine columns
    P = np.zeros((seq_len, d), dtype=np.float32)
    P[:, 0::2] = np.sin(k / np.float32(n) ** (i_even / d))
    P[:, 1::2] = np.cos(k / np.float32(n) ** (i_odd / d))
    return P


@alternative("sinusoidal_encoding")
def right_exp_log_outer(seq_len, d, n=10000):
    pos = np.arange(seq_len, dtype=np.float64)
    two_i = 2 * (np.arange(d) // 2)
    freq = np.exp(-np.log(n) * two_i / d)
    angle = np.outer(pos, freq)
    out = np.cos(angle)
    out[:, ::2] = np.sin(angle[:, ::2])
    return out


@mutant("sinusoidal_encoding", breaks=[])
def wrong_sin_cos_swapped(seq_len, d, n=10000):
    k = np.arange(seq_len)[:, None]
    j = np.arange(d)[None, :]
    angle = k / np.power(float(n), 2 * (j // 2) / d)
    return np.where(j % 2 == 0, np.cos(angle), np.sin(angle))


@mutant("sinusoidal_encoding", breaks=[])
def wrong_odd_d_plus_one_then_drop(seq_len, d, n=10000):
    dd = d + (d % 2)
    k = np.arange(seq_len)[:, None]
    j = np.arange(dd)[None, :]
    angle = k / np.power(float(n), 2 * (j // 2) / dd)
    return np.where(j % 2 == 0, np.sin(angle), np.cos(angle))[:, :d]


@mutant("sinusoidal_encoding", breaks=[])
def wrong_odd_last_column_zero(seq_len, d, n=10000):
    k = np.arange(seq_len)[:, None]
    P = np.zeros((seq_len, d))
    half = d // 2
    i = np.arange(half)
    angle = k / np.power(float(n), 2 * i / d)
    P[:, 0:2 * half:2] = np.sin(angle)
    P[:, 1:2 * half:2] = np.cos(angle)
    return P


@mutant("sinusoidal_encoding", breaks=[])
def wrong_base_ignored_10000(seq_len, d, n=10000):
    k = np.arange(seq_len)[:, None]
    j = np.arange(d)[None, :]
    angle = k / np.power(10000.0, 2 * (j // 2) / d)
    return np.where(j % 2 == 0, np.sin(angle), np.cos(angle))


@mutant("sinusoidal_encoding", breaks=[])
def wrong_positions_from_one(seq_len, d, n=10000):
    k = np.arange(1, seq_len + 1)[:, None]
    j = np.arange(d)[None, :]
    angle = k / np.power(float(n), 2 * (j // 2) / d)
    return np.where(j % 2 == 0, np.sin(angle), np.cos(angle))


@mutant("sinusoidal_encoding", breaks=[])
def wrong_returns_torch_tensor(seq_len, d, n=10000):
    import torch
    k = torch.arange(seq_len, dtype=torch.float64)[:, None]
    j = torch.arange(d)[None, :]
    angle = k / float(n) ** (2 * torch.div(j, 2, rounding_mode="floor") / d)
    return torch.where(j % 2 == 0, torch.sin(angle), torch.cos(angle))


# ---------------------------------------------------------------- 2. rotation_matrix

@alternative("rotation_matrix")
def right_loop_blocks(phi, d, n=10000):
    if d % 2:
        raise ValueError("d must be even")
    R = np.zeros((d, d))
    for i in range(d // 2):
        b = phi / n ** (2 * i / d)
        c, s = np.cos(b), np.sin(b)
        R[2 * i, 2 * i], R[2 * i, 2 * i + 1] = c, s
        R[2 * i + 1, 2 * i], R[2 * i + 1, 2 * i + 1] = -s, c
    return R


@alternative("rotation_matrix")
def right_fancy_indexing(phi, d, n=10000):
    if d % 2 != 0:
        raise ValueError(f"odd d = {d} has no cosine partner for its last column")
    i = np.arange(d // 2)
    b = phi / np.power(float(n), 2 * i / d)
    e, o = 2 * i, 2 * i + 1
    R = np.zeros((d, d))
    R[e, e] = np.cos(b)
    R[e, o] = np.sin(b)
    R[o, e] = -np.sin(b)
    R[o, o] = np.cos(b)
    return R


@alternative("rotation_matrix")
def right_kron_blocks(phi, d, n=10000):
    if d % 2 == 1:
        raise ValueError("odd d")
    R = np.zeros((d, d))
    for i in range(d // 2):
        b = phi / n ** (2 * i / d)
        R[2 * i:2 * i + 2, 2 * i:2 * i + 2] = np.array([[np.cos(b), np.sin(b)], [-np.sin(b), np.cos(b)]])
    return R


@mutant("rotation_matrix", breaks=[])
def wrong_block_transposed(phi, d, n=10000):
    if d % 2:
        raise ValueError("d must be even")
    R = np.zeros((d, d))
    for i in range(d // 2):
        b = phi / n ** (2 * i / d)
        R[2 * i:2 * i + 2, 2 * i:2 * i + 2] = [[np.cos(b), -np.sin(b)], [np.sin(b), np.cos(b)]]
    return R


@mutant("rotation_matrix", breaks=[])
def wrong_no_value_error_for_odd(phi, d, n=10000):
    R = np.zeros((d, d))
    for i in range(d // 2):
        b = phi / n ** (2 * i / d)
        R[2 * i:2 * i + 2, 2 * i:2 * i + 2] = [[np.cos(b), np.sin(b)], [-np.sin(b), np.cos(b)]]
    if d % 2:
        R[d - 1, d - 1] = 1.0
    return R


@mutant("rotation_matrix", breaks=[])
def wrong_frequency_uses_column_index(phi, d, n=10000):
    if d % 2:
        raise ValueError("d must be even")
    R = np.zeros((d, d))
    for i in range(d // 2):
        b = phi / n ** (4 * i / d)
        R[2 * i:2 * i + 2, 2 * i:2 * i + 2] = [[np.cos(b), np.sin(b)], [-np.sin(b), np.cos(b)]]
    return R


@mutant("rotation_matrix", breaks=[])
def wrong_phi_truncated_to_int(phi, d, n=10000):
    if d % 2:
        raise ValueError("d must be even")
    phi = int(phi)
    R = np.zeros((d, d))
    for i in range(d // 2):
        b = phi / n ** (2 * i / d)
        R[2 * i:2 * i + 2, 2 * i:2 * i + 2] = [[np.cos(b), np.sin(b)], [-np.sin(b), np.cos(b)]]
    return R


@mutant("rotation_matrix", breaks=[])
def wrong_base_ignored(phi, d, n=10000):
    if d % 2:
        raise ValueError("d must be even")
    R = np.zeros((d, d))
    for i in range(d // 2):
        b = phi / 10000 ** (2 * i / d)
        R[2 * i:2 * i + 2, 2 * i:2 * i + 2] = [[np.cos(b), np.sin(b)], [-np.sin(b), np.cos(b)]]
    return R


# ---------------------------------------------------------------- 3. equivariance_gap

@alternative("equivariance_gap")
def right_np_max_abs(attend, X, perm):
    return float(np.max(np.abs(attend(X[perm]) - attend(X)[perm])))


@alternative("equivariance_gap")
def right_take_and_item(attend, X, perm):
    perm = np.asarray(perm)
    a = np.asarray(attend(np.take(X, perm, axis=0)))
    b = np.take(np.asarray(attend(X)), perm, axis=0)
    return np.abs(a - b).max().item()


@alternative("equivariance_gap")
def right_permutation_matrix(attend, X, perm):
    L = len(X)
    Pm = np.eye(L)[np.asarray(perm)]
    diff = attend(Pm @ X) - Pm @ attend(X)
    return float(abs(diff).max())


@mutant("equivariance_gap", breaks=[])
def wrong_inverse_permutation_on_output(attend, X, perm):
    inv = np.argsort(perm)
    return float(np.max(np.abs(attend(X[perm]) - attend(X)[inv])))


@mutant("equivariance_gap", breaks=[])
def wrong_mean_not_max(attend, X, perm):
    return float(np.mean(np.abs(attend(X[perm]) - attend(X)[perm])))


@mutant("equivariance_gap", breaks=[])
def wrong_returns_array_not_float(attend, X, perm):
    return np.abs(attend(X[perm]) - attend(X)[perm]).max(keepdims=True)


@mutant("equivariance_gap", breaks=[])
def wrong_no_abs(attend, X, perm):
    return float(np.max(attend(X[perm]) - attend(X)[perm]))


@mutant("equivariance_gap", breaks=[])
def wrong_average_over_tokens_first(attend, X, perm):
    return float(np.max(np.abs(attend(X[perm]).mean(axis=0) - attend(X)[perm].mean(axis=0))))


@mutant("equivariance_gap", breaks=[])
def wrong_outputs_not_permuted(attend, X, perm):
    return float(np.max(np.abs(attend(X[perm]) - attend(X))))


# ---------------------------------------------------------------- 4. add_positions

@alternative("add_positions")
def right_slice_broadcast(tokens, table):
    if tokens.shape[1] > table.shape[0] or tokens.shape[2] != table.shape[1]:
        raise ValueError("table too short or widths differ")
    return tokens + table[:tokens.shape[1]]


@alternative("add_positions")
def right_np_add_newaxis(tokens, table):
    _, L, d = np.shape(tokens)
    max_len, dt = np.shape(table)
    if L > max_len:
        raise ValueError(f"{L} tokens but only {max_len} positions")
    if d != dt:
        raise ValueError(f"widths {d} and {dt} differ")
    return np.add(tokens, np.asarray(table)[None, :L, :])


@alternative("add_positions")
def right_copy_then_iadd(tokens, table):
    L, d = tokens.shape[-2], tokens.shape[-1]
    if not (L <= len(table) and table.shape[-1] == d):
        raise ValueError("incompatible shapes")
    out = np.array(tokens, dtype=np.result_type(tokens, table), copy=True)
    out += table[:L]
    return out


@mutant("add_positions", breaks=[])
def wrong_in_place(tokens, table):
    if tokens.shape[1] > table.shape[0] or tokens.shape[2] != table.shape[1]:
        raise ValueError("table too short or widths differ")
    tokens += table[:tokens.shape[1]]
    return tokens


@mutant("add_positions", breaks=[])
def wrong_no_width_check(tokens, table):
    if tokens.shape[1] > table.shape[0]:
        raise ValueError("table too short")
    return tokens + table[:tokens.shape[1]]


@mutant("add_positions", breaks=[])
def wrong_no_length_check(tokens, table):
    if tokens.shape[2] != table.shape[1]:
        raise ValueError("widths differ")
    return tokens + table[:tokens.shape[1]]


@mutant("add_positions", breaks=[])
def wrong_table_indexed_by_batch(tokens, table):
    if tokens.shape[1] > table.shape[0] or tokens.shape[2] != table.shape[1]:
        raise ValueError("table too short or widths differ")
    B = tokens.shape[0]
    return tokens + table[:B, None, :] if B <= len(table) else tokens + table[:tokens.shape[1]]


@mutant("add_positions", breaks=[])
def wrong_length_check_off_by_one(tokens, table):
    if tokens.shape[1] >= table.shape[0] or tokens.shape[2] != table.shape[1]:
        raise ValueError("table too short or widths differ")
    return tokens + table[:tokens.shape[1]]


# ---------------------------------------------------------------- 5. to_concatenated_halves

@alternative("to_concatenated_halves")
def right_concatenate_slices(P):
    return np.concatenate([P[:, 0::2], P[:, 1::2]], axis=1)


@alternative("to_concatenated_halves")
def right_index_array(P):
    d = P.shape[1]
    order = np.r_[np.arange(0, d, 2), np.arange(1, d, 2)]
    return P[:, order]


@alternative("to_concatenated_halves")
def right_reshape_transpose(P):
    L, d = P.shape
    return np.asarray(P).reshape(L, d // 2, 2).transpose(0, 2, 1).reshape(L, d).copy()


@mutant("to_concatenated_halves", breaks=[])
def wrong_odd_columns_first(P):
    return np.concatenate([P[:, 1::2], P[:, 0::2]], axis=1)


@mutant("to_concatenated_halves", breaks=[])
def wrong_reorders_rows(P):
    return np.concatenate([P[0::2], P[1::2]], axis=0)


@mutant("to_concatenated_halves", breaks=[])
def wrong_reshape_without_transpose(P):
    L, d = P.shape
    return np.asarray(P).reshape(L, 2, d // 2).reshape(L, d).copy()


@mutant("to_concatenated_halves", breaks=[])
def wrong_mutates_input_in_place(P):
    # moves columns correctly but writes the result into the caller's array
    out = np.concatenate([P[:, 0::2], P[:, 1::2]], axis=1)
    P[...] = out
    return P


@mutant("to_concatenated_halves", breaks=[])
def wrong_interleave_transpose_wrong_way(P):
    L, d = P.shape
    return np.asarray(P).reshape(L, 2, d // 2).transpose(0, 2, 1).reshape(L, d).copy()
