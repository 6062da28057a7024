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


# ---- exact types -------------------------------------------------------------------------------------------------
def check_array(value, what: str, *, dtype_kind: str | None = None, shape: tuple[int, ...] | None = None,
                hint: str = "") -> None:
    """`value` must be a NumPy array (not a list, a tensor or a NumPy scalar); `dtype_kind` e.g. "f" (floats),
    "i" (integers), "b" (booleans), "if" (integers or floats)."""
    if type(value).__name__ == "Tensor" or not isinstance(value, np.ndarray):
        raise StudentCheckError(f"{what} should be a NumPy array (np.ndarray), but it is a "
                                f"{_type_name(value)}. {hint}".strip())
    if dtype_kind is not None and value.dtype.kind not in dtype_kind:
        kinds = {"f": "floats", "i": "integers", "u": "unsigned integers", "b": "booleans (True/False)",
                 "c": "complex numbers"}
        wanted = " or ".join(kinds.get(k, k) for k in dtype_kind)
        raise StudentCheckError(f"{what} should hold {wanted}, but its dtype is {value.dtype}. {hint}".strip())
    if shape is not None and value.shape != tuple(shape):
        raise StudentCheckError(f"{what} should have shape {tuple(shape)}, but it has shape {value.shape}. "
                                f"{hint}".strip())


def check_tensor(value, what: str, *, dtype=None, ndim: int | None = None, shape: tuple[int, ...] | None = None,
                 requires_grad: bool | None = None, hint: str = "") -> None:
    """`value` must be a torch tensor; `dtype` exact (torch.long rejects bool and int32), `ndim` (0: a single
    number as a 0-dimensional tensor, not a Python float), `requires_grad=True`: still attached to the graph."""
    import torch

    if not isinstance(value, torch.Tensor):
        raise StudentCheckError(f"{what} should be a torch tensor, but it is a {_type_name(value)}. {hint}".strip())
    if dtype is not None and value.dtype != dtype:
        names = {torch.long: "torch.long (a LongTensor of int64 ids)", torch.bool: "torch.bool (True/False)"}
        raise StudentCheckError(f"{what} should have dtype {names.get(dtype, dtype)}, but it has {value.dtype}. "
                                f"{hint}".strip())
    if ndim is not None and value.dim() != ndim:
        described = "a 0-dimensional tensor (one number)" if ndim == 0 else f"a {ndim}-dimensional tensor"
        raise StudentCheckError(f"{what} should be {described}, but it has shape {tuple(value.shape)}. "
                                f"{hint}".strip())
    if shape is not None and tuple(value.shape) != tuple(shape):
        raise StudentCheckError(f"{what} should have shape {tuple(shape)}, but it has shape {tuple(value.shape)}. "
                                f"{hint}".strip())
    if requires_grad is not None and bool(value.requires_grad) != requires_grad:
        text = ("is detached from the computation graph (requires_grad is False), so no gradient can flow back: "
                "no .item(), .detach(), .numpy() or torch.tensor(...) on the way" if requires_grad else
                "should not require gradients")
        raise StudentCheckError(f"{what} {text}. {hint}".strip())


def _type_name(value) -> str:
    kind = type(value)
    module = getattr(kind, "__module__", "") or ""
    if module.startswith("numpy") and isinstance(value, np.generic):
        return f"NumPy scalar ({kind.__name__})"
    if kind.__name__ == "Tensor":
        return "torch tensor"
    return kind.__name__


# ---- inputs left unchanged -----------------------------------------------------------------------------------------
def _arrays_in(value, path: str, found: list, depth: int = 0) -> None:
    """(path, array or tensor) for every array/tensor inside `value` (lists, tuples, dicts), depth-first."""
    if depth > 8:
        return
    kind = type(value).__name__
    if isinstance(value, np.ndarray) or kind == "Tensor" or kind == "Parameter":
        found.append((path, value))
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            _arrays_in(item, f"{path}[{i}]", found, depth + 1)
    elif isinstance(value, dict):
        for key, item in value.items():
            _arrays_in(item, f"{path}[{key!r}]", found, depth + 1)


def _snapshot(array):
    if isinstance(array, np.ndarray):
        return ("numpy", array.copy(), array.dtype, array.shape, None, None)
    return ("torch", array.detach().clone(), array.dtype, tuple(array.shape), bool(array.requires_grad),
            array.grad_fn is None)


def snapshot_inputs(*args, **kwargs) -> list:
    """Copies of every array/tensor in the arguments, for `check_inputs_unchanged` after the call."""
    found: list = []
    for i, arg in enumerate(args):
        _arrays_in(arg, f"argument {i + 1}", found)
    for name, arg in kwargs.items():
        _arrays_in(arg, f"argument {name}", found)
    return [(path, array, _snapshot(array)) for path, array in found]


def check_inputs_unchanged(snapshot: list, what: str, hint: str = "") -> None:
    """Every array/tensor recorded by `snapshot_inputs` still has its values, dtype, shape and, for tensors,
    requires_grad and its place in the graph (not detached): a function must not change what it is given."""
    hint = hint or ("Work on a copy (x.clone(), np.array(x), x + ...) instead of changing the argument in place "
                    "(+=, [...] =, masked_fill_, requires_grad_, detach_).")
    for path, array, (kind, copy, dtype, shape, requires_grad, is_leaf) in snapshot:
        now = array
        if kind == "torch":
            now_shape, now_dtype = tuple(now.shape), now.dtype
        else:
            now_shape, now_dtype = now.shape, now.dtype
        if now_shape != shape or now_dtype != dtype:
            raise StudentCheckError(f"{what} changed its {path}: it had shape {shape} and dtype {dtype}, now "
                                    f"{now_shape} and {now_dtype}. {hint}")
        if kind == "torch":
            import torch

            values = now.detach()
            same = torch.equal(values, copy) or (values.is_floating_point() and bool(
                ((values == copy) | (torch.isnan(values) & torch.isnan(copy))).all()))
            if not same:
                where = _first_difference(values.cpu().numpy(), copy.cpu().numpy())
                raise StudentCheckError(f"{what} changed the values of its {path} in place{where}. {hint}")
            if (now.grad_fn is None) != is_leaf:
                raise StudentCheckError(f"{what} detached its {path} from the computation graph in place. {hint}")
            if bool(now.requires_grad) != requires_grad:
                raise StudentCheckError(f"{what} changed requires_grad of its {path} from {requires_grad} to "
                                        f"{bool(now.requires_grad)}. {hint}")
        else:
            if not np.array_equal(now, copy, equal_nan=now.dtype.kind in "fc"):
                raise StudentCheckError(f"{what} changed the values of its {path} in place"
                                        f"{_first_difference(now, copy)}. {hint}")


def _first_difference(now: np.ndarray, before: np.ndarray) -> str:
    try:
        differ = np.argwhere(~((now == before) | ((now != now) & (before != before))))
    except TypeError:
        return ""
    if not len(differ):
        return ""
    index = tuple(int(i) for i in differ[0])
    if now.ndim == 0:
        return f" (it was {before.item()!r}, now {now.item()!r})"
    return f": entry {list(index)} was {before[index].item()!r}, now {now[index].item()!r}"


def call_unchanged(function, *args, what: str, hint: str = "", **kwargs):
    """`function(*args, **kwargs)`, then check it left every array/tensor argument as it was; returns the result.
    Aliases are covered: an argument changed through another (a view, the same tensor twice) differs too."""
    before = snapshot_inputs(*args, **kwargs)
    result = function(*args, **kwargs)
    check_inputs_unchanged(before, what, hint)
    return result


# ---- the caller's random state ---------------------------------------------------------------------------------------
class random_state_untouched:
    """`with random_state_untouched("mask_tokens(...)"):` fails if the block changed the global random state of
    Python's `random`, NumPy's legacy `np.random` or torch (a seed, or a draw without your own generator).

    In-process only: under the course's grader student code runs in another process, whose random state this cannot
    see; pair it with `check_source(..., own_random=True)`, which both graders apply alike.
    """

    def __init__(self, what: str, hint: str = ""):
        self.what, self.hint = what, hint

    def __enter__(self):
        import random

        import torch

        self.states = (random.getstate(), np.random.get_state(), torch.get_rng_state())
        return self

    def __exit__(self, kind, error, traceback):
        import random

        import torch

        if kind is not None:
            return False
        python, numpy, torch_state = self.states
        changed = [name for name, same in (("Python's random", random.getstate() == python),
                                           ("NumPy's np.random", _same_numpy_state(np.random.get_state(), numpy)),
                                           ("torch's", torch.equal(torch.get_rng_state(), torch_state)))
                   if not same]
        if changed:
            raise StudentCheckError(f"{self.what} changed the global random state ({', '.join(changed)}): draw "
                                    f"only from your own generator and never seed the global one "
                                    f"(no torch.manual_seed / np.random.seed / random.seed, no torch.rand... without "
                                    f"generator=). {self.hint}".strip())
        return False


def _same_numpy_state(a, b) -> bool:
    return a[0] == b[0] and np.array_equal(a[1], b[1]) and tuple(a[2:]) == tuple(b[2:])


# ---- how the code is written (read from its source, never run) -------------------------------------------------------
def check_source(function, *, no_loops: bool = False, forbid: tuple[str, ...] | list[str] = (),
                 own_random: bool = False, stop_at: tuple[str, ...] | list[str] = (), what: str | None = None,
                 hint: str = "") -> None:
    """Check rules about how `function` (or the function of that name) is written, on its source text:

    - `no_loops`: no Python `for` / `while` statement (comprehensions and vectorised calls are fine);
    - `forbid`: names of library functions or classes it may not use (`"softmax"` forbids torch.softmax,
      F.softmax and x.softmax(...) but not the student's own `softmax(...)`);
    - `own_random`: every random draw from its own generator: no global seeding, no `random.`/`np.random.`
      module functions, every torch sampler given `generator=`.
    Functions of the student's that it calls by name are held to the same rules, except those named in `stop_at`
    (graded functions that their own test cells check, so one mistake does not cost every cell that calls them).
    Nothing is executed: in the
    notebook the text comes from `inspect`, in the course's grader from the submitted cells (llmcourse.grading.source_rules).
    """
    import sys

    from llmcourse.grading import source_rules

    frame = sys._getframe(1)
    while frame is not None and frame.f_globals.get("__name__") == __name__:
        frame = frame.f_back
    scope = frame.f_globals if frame is not None else {}
    name = function if isinstance(function, str) else _name_in(scope, function)
    what = what or name
    submitted = scope.get(source_rules.SUBMITTED)
    forbid = tuple(forbid)
    bindings = source_rules._bindings(submitted) if submitted is not None else None
    problems: list[str] = []
    todo, seen = [(name, function if not isinstance(function, str) else scope.get(name), scope)], set()
    try:
        while todo:
            current, obj, globals_ = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            if submitted is not None:
                definition = source_rules.definition_submitted(submitted, current, bindings)
            else:
                definition = source_rules.definition_in_process(obj, current)
            if definition is None:
                continue
            problems += source_rules.violations(definition, no_loops=no_loops, forbid=forbid, own_random=own_random)
            inner_globals = getattr(obj, "__globals__", globals_)
            for called in source_rules.called_names(definition.node):
                if called in seen or called in stop_at:
                    continue
                if submitted is not None:
                    if called in bindings:
                        todo.append((called, None, None))
                else:
                    target = inner_globals.get(called) if isinstance(inner_globals, dict) else None
                    if callable(target) and (hasattr(target, "__code__") or hasattr(target, "func")):
                        todo.append((called, target, inner_globals))
    except source_rules.SourceUnavailable as error:
        raise StudentCheckError(f"{what}: {error}, so the grader cannot check how it is written. {hint}".strip())
    if problems:
        rules = [rule for flag, rule in ((no_loops, "no Python loops (use whole-array operations: broadcasting, "
                                                     "@, reductions with axis=/dim=; comprehensions are fine)"),
                                         (bool(forbid), "do not use " + ", ".join(forbid)),
                                         (own_random, "draw every random number from your own generator"))
                 if flag]
        raise StudentCheckError(f"{problems[0]}. The instructions say: {'; '.join(rules)}."
                                + (f" ({len(problems) - 1} more like it.)" if len(problems) > 1 else "")
                                + (f" {hint}" if hint else ""))


def _name_in(scope: dict, obj) -> str:
    for key, value in scope.items():
        if value is obj and not key.startswith("_"):
            return key
    name = getattr(obj, "__name__", None) if not type(obj).__name__ == "Remote" else None
    if isinstance(name, str):
        return name
    raise StudentCheckError("the test could not find the name of the function to check (a bug in the test)")
