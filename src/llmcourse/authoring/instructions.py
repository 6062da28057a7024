"""The instructions table of an assignment: every sentence a student reads, mapped to what enforces it.

A student reads the release's markdown cells and the docstrings of its code cells. `instruction_sentences` cuts
them into sentences (headings, table rows and list items on their own); `tests/instructions/psNN_topic.py` holds
`TABLE`, a dict from each sentence to one of

    rule("test_cosine_vectors", mutants=["cosine_returns_numpy_array"])   # enforced: these mutants break the cell(s)
    permits("cosine_matrix_with_sklearn")                                  # a freedom: these alternatives use it
    context("the title")                                                   # states no rule (says why)

`tests/test_assignments.py` fails while a sentence of the release is missing from the table (so none can go
unmapped silently), while the table holds a sentence the release no longer has, or names a cell, mutant or
alternative that does not exist. To start or update a table, print the missing entries:

    .venv/bin/python -m llmcourse.authoring.instructions ps01_word2vec_cosine
"""
from __future__ import annotations

import ast
import inspect
import re
import sys
from dataclasses import dataclass

import nbformat

from llmcourse.authoring.nbgrader_cells import EXERCISES_DIR, cell_role

ABBREVIATIONS = ("e.g.", "i.e.", "vs.", "etc.", "cf.", "approx.", "Fig.", "No.")
_BOUNDARY = re.compile(r"(?<=[.!?])([)*\"'`]*)\s+(?=[A-Z`*$(\[\"0-9_])")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+\.)\s+")


@dataclass(frozen=True)
class Rule:
    cells: tuple[str, ...]
    mutants: tuple[str, ...]


@dataclass(frozen=True)
class Permits:
    alternatives: tuple[str, ...]


@dataclass(frozen=True)
class Context:
    reason: str


def rule(*cells: str, mutants: list[str] | tuple[str, ...]) -> Rule:
    """The sentence states a rule: each mutant breaks it and is caught by one of `cells` (its `breaks`); each of
    `cells` catches at least one of them."""
    return Rule(tuple(cells), tuple(mutants))


def permits(*alternatives: str) -> Permits:
    """The sentence allows something (a loop here, a library call): these correct alternatives use it."""
    return Permits(tuple(alternatives))


def context(reason: str) -> Context:
    """The sentence states no rule a test could check (a title, an example, motivation): say why."""
    return Context(reason)


def normalise(text: str) -> str:
    return " ".join(text.split())


def _split_paragraph(text: str) -> list[str]:
    text = normalise(text)
    if not text:
        return []
    protected = text
    for number, abbreviation in enumerate(ABBREVIATIONS):
        protected = protected.replace(abbreviation, f"\0{number}\0")
    parts = []
    start = 0
    for match in _BOUNDARY.finditer(protected):
        parts.append(protected[start:match.end(1)])
        start = match.end()
    parts.append(protected[start:])
    merged: list[str] = []
    for part in parts:  # "2. **attention**": a list number is not a sentence
        if merged and re.fullmatch(r"\s*\d+\.", merged[-1]):
            merged[-1] = merged[-1] + " " + part
        else:
            merged.append(part)
    restored = []
    for part in merged:
        for number, abbreviation in enumerate(ABBREVIATIONS):
            part = part.replace(f"\0{number}\0", abbreviation)
        if part.strip():
            restored.append(part.strip())
    return restored


def sentences(markdown: str) -> list[str]:
    """The sentences of a markdown text: each heading, table row, display formula and list item starts anew."""
    blocks: list[str] = []
    paragraph: list[str] = []
    in_math = False

    def flush():
        if paragraph:
            blocks.extend(_split_paragraph(" ".join(paragraph)))
            paragraph.clear()

    for line in markdown.splitlines():
        stripped = line.strip()
        if in_math:
            paragraph.append(stripped)
            if stripped.endswith("$$"):
                in_math = False
                flush()
            continue
        if stripped.startswith("$$"):
            flush()
            paragraph.append(stripped)
            if not (stripped.endswith("$$") and len(stripped) > 2):
                in_math = True
            else:
                flush()
            continue
        if not stripped:
            flush()
        elif stripped.startswith("#") or stripped.startswith("|"):
            flush()
            if not re.fullmatch(r"[|:\-\s]+", stripped):
                blocks.append(normalise(stripped))
        elif _LIST_ITEM.match(line):
            flush()
            paragraph.append(stripped)
        else:
            paragraph.append(stripped)
    flush()
    return blocks


def _docstrings(source: str) -> list[str]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            text = ast.get_docstring(node)
            if text:
                found.append(inspect.cleandoc(text))
    return found


def instruction_sentences(notebook_path) -> list[str]:
    """Every sentence of the notebook's markdown cells (not the students' written answers) and docstrings."""
    notebook = nbformat.read(str(notebook_path), as_version=4)
    found: list[str] = []
    for cell in notebook.cells:
        role = cell_role(cell)
        if role == "text":
            found += sentences(cell.source)
        elif cell.cell_type == "code" and role in ("setup", "solution"):
            for docstring in _docstrings(cell.source):
                found += sentences(docstring)
    return list(dict.fromkeys(found))


def release_sentences(assignment: str) -> list[str]:
    return instruction_sentences(EXERCISES_DIR / assignment / f"{assignment}.ipynb")


def table_problems(assignment: str, table: dict, test_cells: set[str], mutants: dict, alternatives: set[str]) \
        -> list[str]:
    """What is wrong with an assignment's instructions table (empty: complete and consistent).
    `mutants` maps each mutant's name to the set of cells it must break."""
    problems = []
    release = release_sentences(assignment)
    keys = {normalise(k): v for k, v in table.items()}
    for sentence in release:
        if sentence not in keys:
            problems.append(f"not in the table: {sentence!r}")
    for sentence in set(keys) - set(release):
        problems.append(f"no longer in the release: {sentence!r}")
    for sentence, entry in keys.items():
        if isinstance(entry, Rule):
            if not entry.cells or not entry.mutants:
                problems.append(f"a rule needs a test cell and a mutant: {sentence!r}")
            for cell in entry.cells:
                if cell not in test_cells:
                    problems.append(f"{cell} is not a test cell ({sentence!r})")
            claimed: set[str] = set()
            for name in entry.mutants:
                if name not in mutants:
                    problems.append(f"mutant {name} does not exist ({sentence!r})")
                elif not set(entry.cells) & set(mutants[name]):
                    problems.append(f"mutant {name} breaks none of {list(entry.cells)} ({sentence!r})")
                else:
                    claimed |= set(entry.cells) & set(mutants[name])
            unproven = [cell for cell in entry.cells if cell in test_cells and cell not in claimed
                        and all(name in mutants for name in entry.mutants)]
            if unproven:
                problems.append(f"no mutant of this rule breaks {unproven} ({sentence!r})")
        elif isinstance(entry, Permits):
            if not entry.alternatives:
                problems.append(f"a permission needs an alternative that uses it: {sentence!r}")
            problems += [f"alternative {name} does not exist ({sentence!r})" for name in entry.alternatives
                         if name not in alternatives]
        elif isinstance(entry, Context):
            if not entry.reason.strip():
                problems.append(f"say why this sentence needs no test: {sentence!r}")
        else:
            problems.append(f"use rule(...), permits(...) or context(...) for {sentence!r}")
    return problems


def main(argv: list[str]) -> int:
    """Print the table entries an assignment's release still lacks, ready to paste."""
    import importlib.util

    from llmcourse.paths import REPO_ROOT

    for assignment in argv:
        path = REPO_ROOT / "tests" / "instructions" / f"{assignment}.py"
        table: dict = {}
        if path.exists():
            spec = importlib.util.spec_from_file_location(f"instructions_{assignment}", path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            table = {normalise(k): v for k, v in module.TABLE.items()}
        for sentence in release_sentences(assignment):
            if sentence not in table:
                print(f"    {sentence!r}:\n        context(\"TODO\"),")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
