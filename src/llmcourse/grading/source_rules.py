"""Rules about how a student's function is written ("no Python loops", "do not call torch.softmax", "draw only from
your own generator"), checked on its source text with `ast`: nothing of the student's is executed.

Where the source comes from:
- in the notebook (nbgrader's Validate, the in-process mutation tests): `inspect` reads the cell that defined the
  function (IPython, and llmcourse.authoring.mutation, register every cell's text in `linecache`);
- in the course's grader (llmcourse.autograde): the function is a proxy to the student's process, so the test cell's
  namespace holds `__submitted_code__`, the (label, text) of every code cell the student submitted, and the
  function's definition is the last top-level `def name` (or `name = other`, followed) in them.
Functions of the student's that the checked one calls by name are checked too (a loop in a helper is still a loop);
library functions are not (a vectorised call is not a loop).
"""
from __future__ import annotations

import ast
import inspect
import sysconfig
import textwrap
from dataclasses import dataclass
from pathlib import Path

SUBMITTED = "__submitted_code__"
_LIBRARY_ROOTS = tuple(str(Path(p).resolve()) for p in {sysconfig.get_paths()[k] for k in ("stdlib", "purelib",
                                                                                            "platlib")})
# Drawing from a global random state: module-level functions of these modules (not their generator classes) ...
_GLOBAL_RANDOM_MODULES = {"random": {"Random", "SystemRandom"},
                          "np.random": {"default_rng", "Generator", "RandomState", "SeedSequence", "PCG64",
                                        "Philox", "MT19937", "SFC64", "BitGenerator"},
                          "numpy.random": {"default_rng", "Generator", "RandomState", "SeedSequence", "PCG64",
                                           "Philox", "MT19937", "SFC64", "BitGenerator"}}
# ... seeding torch's global generator ...
_TORCH_GLOBAL_SEEDING = {"torch.manual_seed", "torch.seed", "torch.set_rng_state", "torch.random.manual_seed",
                         "torch.random.seed", "torch.random.set_rng_state", "torch.cuda.manual_seed",
                         "torch.cuda.manual_seed_all"}
# ... and torch's sampling functions and in-place samplers, which use the global generator unless given generator=
_TORCH_SAMPLERS = {"rand", "randn", "randint", "randperm", "multinomial", "bernoulli", "normal", "poisson",
                   "rand_like", "randn_like", "randint_like"}
_TENSOR_SAMPLERS = {"uniform_", "normal_", "random_", "bernoulli_", "exponential_", "geometric_", "cauchy_",
                    "log_normal_"}


@dataclass
class Definition:
    name: str
    node: ast.AST        # the FunctionDef / ClassDef / Lambda / expression that defines it
    where: str           # "your solution cell" / a cell label
    line_offset: int     # add to node line numbers to get lines of `where`
    lines: list[str]     # the cell's lines, to quote


class SourceUnavailable(Exception):
    """The function's source text cannot be found (the message says why, for the student)."""


def dotted(node: ast.AST) -> str:
    """`torch.nn.functional.softmax` for the expression torch.nn.functional.softmax; '' if not a dotted name."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return ""


# ---- finding the definition ------------------------------------------------------------------------------------------
def _is_library(path: str | None) -> bool:
    if not path or path.startswith("<"):
        return False
    resolved = str(Path(path).resolve())
    return any(resolved.startswith(root + "/") for root in _LIBRARY_ROOTS) or "site-packages" in resolved


def definition_in_process(obj, name: str) -> Definition | None:
    """The definition of a live function (None: it is a library function, nothing of the student's to check)."""
    import functools

    while isinstance(obj, functools.partial):
        obj = obj.func
    obj = inspect.unwrap(obj) if callable(obj) else obj
    code = getattr(obj, "__code__", None)
    if code is None and not inspect.isclass(obj):
        if callable(obj) and not inspect.isfunction(obj):
            return None  # a builtin or a library callable object
        raise SourceUnavailable(f"{name} is not a function defined in your notebook")
    if code is not None and _is_library(code.co_filename):
        return None
    try:
        lines, start = inspect.getsourcelines(obj)
    except (OSError, TypeError) as error:
        raise SourceUnavailable(f"the source of {name} cannot be read ({error}); define it with `def {name}(...):` "
                                "in its cell") from None
    tree = _parse(textwrap.dedent("".join(lines)))
    node = tree.body[0] if tree.body else tree
    if isinstance(node, ast.Assign):  # `name = lambda ...`
        node = node.value
    return Definition(name, node, "the cell that defines it", max(start, 1) - 1, [line.rstrip("\n") for line in lines])


def _parse(source: str) -> ast.Module:
    """ast.parse, again when CPython 3.11 reports "AST constructor recursion depth mismatch": its AST conversion
    keeps one recursion counter for all threads (CPython gh-106905), so a parse here races any other thread's (in a
    Dask worker, the event loop formatting a traceback, which parses the failing line) and fails although the
    source is fine. Seen once in tests/autograde/test_cluster.py, as a correct answer losing a cell."""
    for _ in range(4):
        try:
            return ast.parse(source)
        except SystemError as error:
            if "recursion depth mismatch" not in str(error):
                raise
    return ast.parse(source)


def _bindings(code: tuple) -> dict[str, tuple[ast.AST, str, list[str]]]:
    """name -> (last top-level definition node, cell label, cell lines) over the submitted cells, in order."""
    found: dict[str, tuple[ast.AST, str, list[str]]] = {}
    for label, source in code:
        try:
            tree = _parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        lines = source.splitlines()
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                found[node.name] = (node, label, lines)
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        found[target.id] = (node.value, label, lines)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                for alias in node.names:
                    found[(alias.asname or alias.name).split(".")[0]] = (node, label, lines)
    return found


def definition_submitted(code: tuple, name: str, bindings=None) -> Definition | None:
    bindings = bindings if bindings is not None else _bindings(code)
    seen = set()
    while name in bindings and name not in seen:
        seen.add(name)
        node, label, lines = bindings[name]
        if isinstance(node, ast.Name):  # `cosine_similarity_matrix = my_version`: follow it
            name = node.id
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            return None  # a library function imported under this name
        return Definition(name, node, label, 0, lines)
    raise SourceUnavailable(f"your notebook does not define {name} with `def {name}(...):` in a cell")


# ---- the rules -------------------------------------------------------------------------------------------------------
def _quote(definition: Definition, node: ast.AST) -> str:
    lineno = getattr(node, "lineno", 1)
    text = definition.lines[lineno - 1].strip() if 0 < lineno <= len(definition.lines) else ""
    place = f"line {lineno + definition.line_offset} of {definition.where}"
    return f"{place}: `{text[:80]}`" if text else place


def violations(definition: Definition, *, no_loops: bool, forbid: tuple[str, ...], own_random: bool) -> list[str]:
    """Sentences naming each broken rule in one definition (without following calls)."""
    found = []
    for node in ast.walk(definition.node):
        if no_loops and isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
            kind = "while" if isinstance(node, ast.While) else "for"
            found.append(f"{definition.name} uses a Python `{kind}` loop ({_quote(definition, node)})")
        if forbid:
            hit = ""
            if isinstance(node, ast.Attribute) and node.attr in forbid:
                hit = dotted(node) or f"….{node.attr}"
            elif isinstance(node, ast.ImportFrom) and any(a.name in forbid for a in node.names):
                hit = "import of " + ", ".join(a.name for a in node.names if a.name in forbid)
            if hit:
                found.append(f"{definition.name} uses {hit} ({_quote(definition, node)}), which the instructions "
                             f"ask you not to use")
        if own_random and isinstance(node, ast.Call):
            name = dotted(node.func)
            module, _, function = name.rpartition(".")
            keywords = {k.arg for k in node.keywords}
            if name in _TORCH_GLOBAL_SEEDING or name in ("random.seed", "np.random.seed", "numpy.random.seed"):
                found.append(f"{definition.name} seeds the global random state with {name}(...) "
                             f"({_quote(definition, node)})")
            elif module in _GLOBAL_RANDOM_MODULES and function not in _GLOBAL_RANDOM_MODULES[module]:
                found.append(f"{definition.name} draws from the global random state with {name}(...) "
                             f"({_quote(definition, node)})")
            elif module == "torch" and function in _TORCH_SAMPLERS and "generator" not in keywords:
                found.append(f"{definition.name} calls {name}(...) without generator= "
                             f"({_quote(definition, node)}), so it draws from torch's global random state")
            elif isinstance(node.func, ast.Attribute) and node.func.attr in _TENSOR_SAMPLERS and \
                    "generator" not in keywords:
                found.append(f"{definition.name} calls .{node.func.attr}(...) without generator= "
                             f"({_quote(definition, node)}), so it draws from torch's global random state")
    return found


def called_names(node: ast.AST) -> list[str]:
    return [n.func.id for n in ast.walk(node) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)]
