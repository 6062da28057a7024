"""llmcourse.grading's exact-type, unchanged-input, random-state and source checks: each passes right answers and
fails wrong ones with a message for the student. Source checks are tested both ways they get the source: inspect
(the notebook, in-process) and the submitted cells the course's grader puts in the test's namespace."""
from __future__ import annotations

import random

import numpy as np
import pytest
import torch

from llmcourse import grading
from llmcourse.grading import StudentCheckError


# --- exact types ----------------------------------------------------------------------------------------------------
def test_check_array_rejects_tensors_lists_and_scalars():
    grading.check_array(np.zeros(3), "x", dtype_kind="f", shape=(3,))
    for wrong, name in [(torch.zeros(3), "torch tensor"), ([0.0], "list"), (np.float64(1.0), "NumPy scalar")]:
        with pytest.raises(StudentCheckError, match=f"should be a NumPy array.*{name}"):
            grading.check_array(wrong, "x")
    with pytest.raises(StudentCheckError, match="should hold floats, but its dtype is int64"):
        grading.check_array(np.zeros(3, dtype=np.int64), "x", dtype_kind="f")
    with pytest.raises(StudentCheckError, match=r"shape \(2,\)"):
        grading.check_array(np.zeros(3), "x", shape=(2,))


def test_check_tensor_dtype_dimensions_and_graph():
    grading.check_tensor(torch.zeros(2, dtype=torch.long), "ids", dtype=torch.long)
    with pytest.raises(StudentCheckError, match="LongTensor.*torch.bool"):
        grading.check_tensor(torch.zeros(2, dtype=torch.bool), "ids", dtype=torch.long)
    with pytest.raises(StudentCheckError, match="should be a torch tensor, but it is a float"):
        grading.check_tensor(1.5, "loss", ndim=0)
    with pytest.raises(StudentCheckError, match="0-dimensional"):
        grading.check_tensor(torch.zeros(1), "loss", ndim=0)
    with pytest.raises(StudentCheckError, match="detached"):
        grading.check_tensor(torch.tensor(1.0), "loss", ndim=0, requires_grad=True)
    w = torch.ones(2, requires_grad=True)
    grading.check_tensor((w * 2).sum(), "loss", ndim=0, requires_grad=True)


# --- inputs unchanged -------------------------------------------------------------------------------------------------
def test_call_unchanged_catches_in_place_changes_aliases_and_detaching():
    assert grading.call_unchanged(lambda a, b: a.sum() + float(b.sum()), np.ones(2), torch.ones(2), what="f") == 4.0
    with pytest.raises(StudentCheckError, match=r"argument 1 in place: entry \[1\] was 1.0, now 3.0"):
        grading.call_unchanged(lambda a: a.__setitem__(1, 3.0), np.ones(2), what="f")
    base = torch.zeros(4)
    with pytest.raises(StudentCheckError, match="argument 1 in place"):  # through an alias (argument 2 views it)
        grading.call_unchanged(lambda a, b: b.add_(1), base, base[:2], what="f")
    with pytest.raises(StudentCheckError, match=r"argument x\['t'\]"):
        grading.call_unchanged(lambda x: x["t"].mul_(2), x={"t": torch.ones(2)}, what="f")
    leaf = torch.ones(2, requires_grad=True)
    with pytest.raises(StudentCheckError, match="requires_grad"):
        grading.call_unchanged(lambda t: t.requires_grad_(False), leaf, what="f")
    inner = torch.ones(2, requires_grad=True) * 2
    with pytest.raises(StudentCheckError, match="detached"):
        grading.call_unchanged(lambda t: t.detach_(), inner, what="f")
    nan = np.array([np.nan, 1.0])
    grading.call_unchanged(lambda a: a.sum(), nan, what="f")  # nan stays nan: unchanged


# --- the caller's random state ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("draw, name", [(lambda: random.random(), "Python's random"),
                                        (lambda: np.random.rand(), "NumPy"),
                                        (lambda: torch.manual_seed(3), "torch")])
def test_random_state_untouched_names_the_generator(draw, name):
    with pytest.raises(StudentCheckError, match=f"changed the global random state.*{name}"):
        with grading.random_state_untouched("f()"):
            draw()
    with grading.random_state_untouched("f()"):
        torch.rand(2, generator=torch.Generator().manual_seed(0))
        np.random.default_rng(0).random()
        random.Random(0).random()


# --- source rules, in-process (inspect) -------------------------------------------------------------------------------
def loop_matrix(A):
    rows = []
    for a in A:
        rows.append(a / np.linalg.norm(a))
    return np.array(rows)


def comprehension_matrix(A):
    return np.array([a / np.linalg.norm(a) for a in A])


def vectorised_matrix(A):
    return A / np.linalg.norm(A, axis=1, keepdims=True)


def _looping_helper(A):
    while False:
        pass
    return A


def calls_a_looping_helper(A):
    return _looping_helper(A)


def uses_torch_softmax(x):
    return torch.softmax(x, -1)


def softmax(x):
    return x.exp() / x.exp().sum(-1, keepdim=True)


def uses_own_softmax(x):
    return softmax(x)


def seeds_globally(n, seed=0):
    torch.manual_seed(seed)
    return torch.randperm(n)


def forgets_the_generator(n, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randperm(n, generator=g), torch.rand(n)


def own_generators(n, seed=0):
    g, rng, r = torch.Generator().manual_seed(seed), np.random.default_rng(seed), random.Random(seed)
    return torch.randperm(n, generator=g), rng.random(), r.random(), torch.empty(2).uniform_(generator=g)


def test_no_loops_in_process():
    with pytest.raises(StudentCheckError, match=r"loop_matrix uses a Python `for` loop \(line \d+ of the cell that "
                                                r"defines it: `for a in A:`\)\. The instructions say: no Python loops"):
        grading.check_source(loop_matrix, no_loops=True)
    grading.check_source(comprehension_matrix, no_loops=True)
    grading.check_source(vectorised_matrix, no_loops=True)
    grading.check_source("vectorised_matrix", no_loops=True)
    with pytest.raises(StudentCheckError, match="_looping_helper uses a Python `while` loop"):
        grading.check_source(calls_a_looping_helper, no_loops=True)
    grading.check_source(np.linalg.norm, no_loops=True)  # a library function: nothing of the student's


def test_forbidden_calls_and_own_random_in_process():
    with pytest.raises(StudentCheckError, match="uses torch.softmax .*do not use softmax"):
        grading.check_source(uses_torch_softmax, forbid=["softmax"])
    grading.check_source(uses_own_softmax, forbid=["softmax"])
    with pytest.raises(StudentCheckError, match="seeds the global random state with torch.manual_seed"):
        grading.check_source(seeds_globally, own_random=True)
    with pytest.raises(StudentCheckError, match="torch.rand.* without generator="):
        grading.check_source(forgets_the_generator, own_random=True)
    grading.check_source(own_generators, own_random=True)


# --- source rules under the course's grader: the submitted cells' text, never executed ------------------------------
SUBMITTED = (
    ("cell 4, your solution matrix", "import numpy as np\n\ndef matrix(A):\n    out = []\n"
                                     "    for row in A:\n        out.append(row)\n    return out\n"),
    ("cell 5, your extra code", "def fast(A):\n    return [r for r in A]\n\nmatrix2 = fast\n"
                                "from numpy import dot as product\n"),
    ("cell 6, your extra code", "def matrix3(A):\n    for x in A: pass\nbroken = (\n"),  # cannot run: ignored
)


def run_test_cell(source: str):
    """A test cell as the grader runs it: its namespace holds the submitted cells and proxies, not functions."""
    class Remote:  # stands in for llmcourse.autograde.remote.Remote: no source, no __name__
        def __getattr__(self, name):
            raise AttributeError(name)

    namespace = {"__submitted_code__": SUBMITTED, "matrix": Remote(), "matrix2": Remote(), "product": Remote(),
                 "check_source": grading.check_source}
    exec(compile(source, "<test cell>", "exec"), namespace)


def test_source_rules_from_the_submitted_cells():
    with pytest.raises(StudentCheckError, match=r"matrix uses a Python `for` loop \(line 5 of cell 4, your solution "
                                                r"matrix: `for row in A:`\)"):
        run_test_cell("check_source(matrix, no_loops=True)")
    run_test_cell("check_source(matrix2, no_loops=True)")   # an alias, followed to `def fast`; a comprehension
    run_test_cell("check_source(product, no_loops=True)")   # a library function imported under that name
    with pytest.raises(StudentCheckError, match="does not define missing"):
        run_test_cell("check_source('missing', no_loops=True)")


def test_stop_at_leaves_other_graded_functions_to_their_own_cells():
    grading.check_source(calls_a_looping_helper, no_loops=True, stop_at=["_looping_helper"])
