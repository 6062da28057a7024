"""Independent answers to ps03, written from the exercise's instructions only (see ps01_word2vec_cosine.py)."""
import numpy as np
import torch

from llmcourse.authoring.mutation import alternative, mutant


# --- sinusoidal_encoding -----------------------------------------------------------------------------------------------
@alternative("sinusoidal_encoding")
def right_encoding_even_odd_slices(seq_len, d, n=10000):
    positions = np.arange(seq_len)[:, None]
    pair = np.arange(d) // 2
    angles = positions / n ** (2 * pair / d)
    P = np.zeros((seq_len, d))
    P[:, 0::2] = np.sin(angles[:, 0::2])
    P[:, 1::2] = np.cos(angles[:, 1::2])
    return P


@alternative("sinusoidal_encoding")
def right_encoding_exp_log(seq_len, d, n=10000):
    k = np.arange(seq_len, dtype=np.float64).reshape(-1, 1)
    j = np.arange(d)
    angles = k * np.exp(-np.log(n) * (2 * (j // 2)) / d)
    return np.where(j % 2 == 0, np.sin(angles), np.cos(angles))


@alternative("sinusoidal_encoding")
def right_encoding_float32(seq_len, d, n=10000):
    k = np.arange(seq_len, dtype=np.float32)[:, None]
    j = np.arange(d)
    angles = (k / np.float32(n) ** (2 * (j // 2) / d).astype(np.float32)).astype(np.float32)
    return np.where(j % 2 == 0, np.sin(angles), np.cos(angles)).astype(np.float32)


@alternative("sinusoidal_encoding")
def right_encoding_torch_then_numpy(seq_len, d, n=10000):
    k = torch.arange(seq_len, dtype=torch.float64)[:, None]
    j = torch.arange(d)
    angles = k / torch.tensor(float(n), dtype=torch.float64) ** (2 * torch.div(j, 2, rounding_mode="floor") / d)
    return torch.where(j % 2 == 0, torch.sin(angles), torch.cos(angles)).numpy()


@mutant("sinusoidal_encoding", breaks=[])
def wrong_encoding_with_loops(seq_len, d, n=10000):
    P = np.zeros((seq_len, d))
    for k in range(seq_len):
        for j in range(d):
            angle = k / n ** (2 * (j // 2) / d)
            P[k, j] = np.sin(angle) if j % 2 == 0 else np.cos(angle)
    return P


@mutant("sinusoidal_encoding", breaks=[])
def wrong_encoding_sin_cos_swapped(seq_len, d, n=10000):
    j = np.arange(d)
    angles = np.arange(seq_len)[:, None] / n ** (2 * (j // 2) / d)
    return np.where(j % 2 == 0, np.cos(angles), np.sin(angles))


@mutant("sinusoidal_encoding", breaks=[])
def wrong_encoding_positions_from_one(seq_len, d, n=10000):
    j = np.arange(d)
    angles = np.arange(1, seq_len + 1)[:, None] / n ** (2 * (j // 2) / d)
    return np.where(j % 2 == 0, np.sin(angles), np.cos(angles))


@mutant("sinusoidal_encoding", breaks=[])
def wrong_encoding_column_in_exponent(seq_len, d, n=10000):
    j = np.arange(d)
    angles = np.arange(seq_len)[:, None] / n ** (2 * j / d)
    return np.where(j % 2 == 0, np.sin(angles), np.cos(angles))


@mutant("sinusoidal_encoding", breaks=[])
def wrong_encoding_drops_extra_column(seq_len, d, n=10000):
    width = d + d % 2
    j = np.arange(width)
    angles = np.arange(seq_len)[:, None] / n ** (2 * (j // 2) / width)
    return np.where(j % 2 == 0, np.sin(angles), np.cos(angles))[:, :d]


@mutant("sinusoidal_encoding", breaks=[])
def wrong_encoding_ignores_base(seq_len, d, n=10000):
    j = np.arange(d)
    angles = np.arange(seq_len)[:, None] / 10000 ** (2 * (j // 2) / d)
    return np.where(j % 2 == 0, np.sin(angles), np.cos(angles))


@mutant("sinusoidal_encoding", breaks=[])
def wrong_encoding_returns_tensor(seq_len, d, n=10000):
    j = torch.arange(d)
    angles = torch.arange(seq_len, dtype=torch.float64)[:, None] / float(n) ** (2 * (j // 2) / d)
    return torch.where(j % 2 == 0, torch.sin(angles), torch.cos(angles))


@mutant("sinusoidal_encoding", breaks=[])
def wrong_encoding_list_comprehension_loop(seq_len, d, n=10000):
    rows = []
    for k in range(seq_len):
        rows.append([np.sin(k / n ** (2 * (j // 2) / d)) if j % 2 == 0 else np.cos(k / n ** (2 * (j // 2) / d))
                     for j in range(d)])
    return np.array(rows)


# --- rotation_matrix ---------------------------------------------------------------------------------------------------
@alternative("rotation_matrix")
def right_rotation_loop_over_blocks(phi, d, n=10000):
    if d % 2:
        raise ValueError("odd d")
    R = np.zeros((d, d))
    for i in range(d // 2):
        b = phi / n ** (2 * i / d)
        R[2 * i:2 * i + 2, 2 * i:2 * i + 2] = [[np.cos(b), np.sin(b)], [-np.sin(b), np.cos(b)]]
    return R


@alternative("rotation_matrix")
def right_rotation_block_diag(phi, d, n=10000):
    from scipy.linalg import block_diag

    if d % 2 != 0:
        raise ValueError("d must be even")
    angles = phi / np.power(n, 2 * np.arange(d // 2) / d)
    return block_diag(*[np.array([[np.cos(a), np.sin(a)], [-np.sin(a), np.cos(a)]]) for a in angles])


@mutant("rotation_matrix", breaks=[])
def wrong_rotation_transposed_blocks(phi, d, n=10000):
    if d % 2:
        raise ValueError("odd d")
    R = np.zeros((d, d))
    for i in range(d // 2):
        b = phi / n ** (2 * i / d)
        R[2 * i:2 * i + 2, 2 * i:2 * i + 2] = [[np.cos(b), -np.sin(b)], [np.sin(b), np.cos(b)]]
    return R


@mutant("rotation_matrix", breaks=[])
def wrong_rotation_no_odd_error(phi, d, n=10000):
    R = np.zeros((d, d))
    for i in range(d // 2):
        b = phi / n ** (2 * i / d)
        R[2 * i:2 * i + 2, 2 * i:2 * i + 2] = [[np.cos(b), np.sin(b)], [-np.sin(b), np.cos(b)]]
    return R


@mutant("rotation_matrix", breaks=[])
def wrong_rotation_default_base_only(phi, d, n=10000):
    if d % 2:
        raise ValueError("odd d")
    R = np.zeros((d, d))
    for i in range(d // 2):
        b = phi / 10000 ** (2 * i / d)
        R[2 * i:2 * i + 2, 2 * i:2 * i + 2] = [[np.cos(b), np.sin(b)], [-np.sin(b), np.cos(b)]]
    return R


@mutant("rotation_matrix", breaks=[])
def wrong_rotation_integer_phi(phi, d, n=10000):
    if d % 2:
        raise ValueError("odd d")
    R = np.zeros((d, d))
    for i in range(d // 2):
        b = int(phi) / n ** (2 * i / d)
        R[2 * i:2 * i + 2, 2 * i:2 * i + 2] = [[np.cos(b), np.sin(b)], [-np.sin(b), np.cos(b)]]
    return R


@mutant("rotation_matrix", breaks=[])
def wrong_rotation_exponent_i_over_d(phi, d, n=10000):
    if d % 2:
        raise ValueError("odd d")
    R = np.zeros((d, d))
    for i in range(d // 2):
        b = phi / n ** (i / d)
        R[2 * i:2 * i + 2, 2 * i:2 * i + 2] = [[np.cos(b), np.sin(b)], [-np.sin(b), np.cos(b)]]
    return R


# --- equivariance_gap --------------------------------------------------------------------------------------------------
@alternative("equivariance_gap")
def right_gap_abs_max(attend, X, perm):
    return float(np.abs(attend(X[perm]) - attend(X)[perm]).max())


@alternative("equivariance_gap")
def right_gap_norm_inf(attend, X, perm):
    difference = np.asarray(attend(X[np.asarray(perm)])) - np.asarray(attend(X))[np.asarray(perm)]
    return float(np.linalg.norm(difference.ravel(), ord=np.inf))


@mutant("equivariance_gap", breaks=[])
def wrong_gap_signed_max(attend, X, perm):
    return float(np.max(attend(X[perm]) - attend(X)[perm]))


@mutant("equivariance_gap", breaks=[])
def wrong_gap_mean(attend, X, perm):
    return float(np.mean(np.abs(attend(X[perm]) - attend(X)[perm])))


@mutant("equivariance_gap", breaks=[])
def wrong_gap_inverse_perm(attend, X, perm):
    inverse = np.argsort(perm)
    return float(np.max(np.abs(attend(X[perm]) - attend(X)[inverse])))


@mutant("equivariance_gap", breaks=[])
def wrong_gap_unpermuted_output(attend, X, perm):
    return float(np.max(np.abs(attend(X[perm]) - attend(X))))


@mutant("equivariance_gap", breaks=[])
def wrong_gap_sum(attend, X, perm):
    return float(np.abs(attend(X[perm]) - attend(X)[perm]).sum())


@mutant("equivariance_gap", breaks=[])
def wrong_gap_returns_array(attend, X, perm):
    return np.max(np.abs(attend(X[perm]) - attend(X)[perm]), keepdims=True)


@mutant("equivariance_gap", breaks=[])
def wrong_gap_max_of_abs_of_max(attend, X, perm):
    return float(abs(np.max(attend(X[perm]) - attend(X)[perm])))


# --- add_positions -----------------------------------------------------------------------------------------------------
@alternative("add_positions")
def right_add_without_none(tokens, table):
    tokens, table = np.asarray(tokens), np.asarray(table)
    if tokens.shape[1] > table.shape[0] or tokens.shape[2] != table.shape[1]:
        raise ValueError("table too short or widths differ")
    return tokens + table[: tokens.shape[1]]


@alternative("add_positions")
def right_add_np_add(tokens, table):
    batch, seq_len, d = np.shape(tokens)
    if np.shape(table)[1] != d:
        raise ValueError(f"widths {d} and {np.shape(table)[1]}")
    if seq_len > len(table):
        raise ValueError("sequence longer than the table")
    return np.add(tokens, np.expand_dims(table[:seq_len], 0))


@mutant("add_positions", breaks=[])
def wrong_add_in_place(tokens, table):
    if tokens.shape[1] > len(table) or tokens.shape[2] != table.shape[1]:
        raise ValueError("bad shapes")
    tokens += table[: tokens.shape[1]]
    return tokens


@mutant("add_positions", breaks=[])
def wrong_add_relies_on_numpy_errors(tokens, table):
    return tokens + table[: tokens.shape[1]]


@mutant("add_positions", breaks=[])
def wrong_add_no_width_check(tokens, table):
    if tokens.shape[1] > len(table):
        raise ValueError("table too short")
    return tokens + table[: tokens.shape[1]]


@mutant("add_positions", breaks=[])
def wrong_add_for_loop_over_batch(tokens, table):
    if tokens.shape[1] > len(table) or tokens.shape[2] != table.shape[1]:
        raise ValueError("bad shapes")
    out = np.empty_like(tokens, dtype=float)
    for b in range(tokens.shape[0]):
        out[b] = tokens[b] + table[: tokens.shape[1]]
    return out


@mutant("add_positions", breaks=[])
def wrong_add_positions_by_batch_index(tokens, table):
    if tokens.shape[1] > len(table) or tokens.shape[2] != table.shape[1]:
        raise ValueError("bad shapes")
    return tokens + table[: tokens.shape[0]][:, None, :]


@mutant("add_positions", breaks=[])
def wrong_add_strict_length(tokens, table):
    if tokens.shape[1] >= len(table) or tokens.shape[2] != table.shape[1]:
        raise ValueError("bad shapes")
    return tokens + table[: tokens.shape[1]]


# --- to_concatenated_halves --------------------------------------------------------------------------------------------
@alternative("to_concatenated_halves")
def right_halves_index_array(P):
    P = np.asarray(P)
    d = P.shape[1]
    return P[:, np.r_[0:d:2, 1:d:2]]


@alternative("to_concatenated_halves")
def right_halves_reshape(P):
    L, d = np.shape(P)
    return np.asarray(P).reshape(L, d // 2, 2).transpose(0, 2, 1).reshape(L, d)


@mutant("to_concatenated_halves", breaks=[])
def wrong_halves_split_in_middle(P):
    d = P.shape[1]
    return np.hstack([P[:, : d // 2], P[:, d // 2:]])


@mutant("to_concatenated_halves", breaks=[])
def wrong_halves_odd_first(P):
    return np.hstack([P[:, 1::2], P[:, 0::2]])


@mutant("to_concatenated_halves", breaks=[])
def wrong_halves_in_place(P):
    P[:] = np.hstack([P[:, 0::2], P[:, 1::2]])
    return P


@mutant("to_concatenated_halves", breaks=[])
def wrong_halves_reshape_without_transpose(P):
    L, d = P.shape
    return P.reshape(L, 2, d // 2).reshape(L, d)
