"""Karpathy-style self-checks: compare our computation with a reference and say how well they match."""
from __future__ import annotations

import math

import numpy as np


def _as_array(value) -> np.ndarray:
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    return np.asarray(value, dtype=float)


def _short(value) -> str:
    """Floats to 4 significant digits, so the printed line does not flicker in the last bits."""
    array = _as_array(value) if not isinstance(value, str) else None
    if array is not None and array.ndim == 0:
        return f"{float(array):.4g}"
    if array is not None and array.size <= 8:
        return "[" + ", ".join(f"{float(x):.4g}" for x in array.ravel()) + "]"
    return str(value)


def cmp(label: str, ours, reference, *, atol: float = 1e-6) -> bool:
    """Print whether `ours` equals `reference` exactly or approximately (within atol); return the approximate verdict.

    The printed difference is rounded up to a power of ten, so the line is the same on every run.
    """
    a, b = _as_array(ours), _as_array(reference)
    if a.shape != b.shape:
        print(f"{label:<32} | shapes differ: {a.shape} vs {b.shape}")
        return False
    exact = bool(np.array_equal(a, b))
    diff = float(np.max(np.abs(a - b))) if a.size else 0.0
    approximate = diff <= atol
    bound = "0" if diff == 0 else f"1e{math.ceil(math.log10(diff)):+03d}"
    print(f"{label:<32} | exact: {str(exact):5} | approximate: {str(approximate):5} | max diff <= {bound}")
    return approximate


def check_yourself(results: dict[str, tuple[object, object, float]]) -> bool:
    """The last cell of every lecture. `results` maps a description to (what you got, what to expect, tolerance).

    Prints one line per check and a verdict, so a student knows whether their environment reproduced the lecture.
    """
    all_good = True
    for description, (got, expected, tolerance) in results.items():
        try:
            good = bool(np.allclose(_as_array(got), _as_array(expected), atol=tolerance, rtol=0))
        except (TypeError, ValueError):
            good = got == expected
        all_good &= good
        print(f"{'ok  ' if good else 'DIFF'} {description}: expected {_short(expected)}, got {_short(got)}")
    if all_good:
        print("All checks passed: your environment reproduces this lecture.")
    else:
        print("Some results differ from the lecture: re-run from the top (Kernel > Restart and Run All); "
              "if that does not help, run `python3 course.py setup` and tell your instructor.")
    return all_good
