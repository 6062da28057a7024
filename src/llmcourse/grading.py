"""Helpers for nbgrader test cells: checks that fail with a message a student understands.

Every check raises AssertionError with a sentence saying what is wrong and, where we can guess, why
("did you normalise both vectors?"). Values are converted to plain NumPy floats before comparing, so an object
that claims to equal everything cannot pass a check.
"""
from __future__ import annotations

import numpy as np


class StudentCheckError(AssertionError):
    """A test cell's verdict: the message is written for the student."""


def _to_numpy(value, what: str) -> np.ndarray:
    if hasattr(value, "detach"):  # torch tensor
        value = value.detach().cpu().numpy()
    if isinstance(value, (bool, np.bool_)):
        raise StudentCheckError(f"{what} should be a number or an array of numbers, but it is a bool ({value}).")
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as error:
        raise StudentCheckError(f"{what} should be a number or an array of numbers, but it is a "
                                f"{type(value).__name__} that cannot be read as numbers.") from error
    return array


def check(condition: bool, message: str) -> None:
    """Fail with `message` unless `condition` is exactly True (not merely truthy)."""
    if condition is not True and condition is not np.True_:
        raise StudentCheckError(message)


def check_type(value, expected_type: type | tuple[type, ...], what: str) -> None:
    if not isinstance(value, expected_type):
        names = (expected_type.__name__ if isinstance(expected_type, type)
                 else " or ".join(t.__name__ for t in expected_type))
        raise StudentCheckError(f"{what} should be a {names}, but it is a {type(value).__name__}.")


def check_shape(value, shape: tuple[int, ...], what: str, hint: str = "") -> np.ndarray:
    array = _to_numpy(value, what)
    if array.shape != tuple(shape):
        raise StudentCheckError(f"{what} should have shape {tuple(shape)}, but it has shape {array.shape}. {hint}".strip())
    return array


def check_close(actual, expected, what: str, hint: str = "", *, atol: float = 1e-6, rtol: float = 1e-5) -> None:
    """`actual` must have `expected`'s shape and values (within atol + rtol * |expected|).

    The message names the first wrong entry and adds `hint`, the likely mistake.
    """
    expected_array = _to_numpy(expected, "the expected value")
    actual_array = check_shape(actual, expected_array.shape, what, hint)
    if np.isnan(actual_array).any() and not np.isnan(expected_array).any():
        raise StudentCheckError(f"{what} contains nan (not a number). {hint}".strip())
    if not np.allclose(actual_array, expected_array, atol=atol, rtol=rtol, equal_nan=True):
        wrong = np.argwhere(~np.isclose(actual_array, expected_array, atol=atol, rtol=rtol, equal_nan=True))[0]
        where = f" at index {tuple(int(i) for i in wrong)}" if actual_array.ndim else ""
        got = actual_array[tuple(wrong)] if actual_array.ndim else actual_array
        want = expected_array[tuple(wrong)] if expected_array.ndim else expected_array
        raise StudentCheckError(f"{what} is not right{where}: expected {float(want):.6g}, got {float(got):.6g}. "
                                f"{hint}".strip())


def check_raises(error_type: type[BaseException], function, *args, what: str, hint: str = "", **kwargs) -> None:
    """`function(*args, **kwargs)` must raise `error_type` (e.g. ValueError for a zero vector)."""
    try:
        function(*args, **kwargs)
    except error_type:
        return
    except Exception as error:  # the wrong kind of error
        raise StudentCheckError(f"{what} should raise {error_type.__name__}, but it raised "
                                f"{type(error).__name__}: {error}. {hint}".strip()) from error
    raise StudentCheckError(f"{what} should raise {error_type.__name__}, but it returned normally. {hint}".strip())


def passed(message: str = "All tests passed.") -> None:
    """The last line of a test cell: say so, so the student sees which cells are done."""
    print(message)
