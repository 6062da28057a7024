"""Every nbgrader assignment in solutions/: well-formed source, reference passes, named mutants lose points,
the committed release is what nbgrader generates, and nbgrader's own round trip gives full and zero marks."""
from __future__ import annotations

import functools
import importlib.util
import re

import nbformat
import pytest

from llmcourse.authoring.instructions import table_problems
from llmcourse.authoring.mutation import InProcessNotebook, alternatives_in, mutants_in
from llmcourse.authoring.nbgrader_cells import EXERCISES_DIR, assignment_notebooks, assignments, read_cells
from llmcourse.paths import REPO_ROOT

import roundtrip

MUTANTS_DIR = REPO_ROOT / "tests" / "mutants"
INSTRUCTIONS_DIR = REPO_ROOT / "tests" / "instructions"
MIN_MUTANTS_PER_CELL = 3
ASSIGNMENTS = assignments()


def the_notebook(assignment: str):
    notebooks = assignment_notebooks(assignment)
    assert len(notebooks) == 1, f"{assignment} should hold exactly one notebook named {assignment}.ipynb"
    assert notebooks[0].stem == assignment, f"rename {notebooks[0].name} to {assignment}.ipynb"
    return notebooks[0]


@functools.cache
def reference(assignment: str) -> InProcessNotebook:
    return InProcessNotebook(the_notebook(assignment))


@functools.cache
def mutant_module(assignment: str):
    path = MUTANTS_DIR / f"{assignment}.py"
    if not path.exists():
        return None
    spec = importlib.util.spec_from_file_location(f"mutants_{assignment}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def all_mutants():
    for assignment in ASSIGNMENTS:
        module = mutant_module(assignment)
        for m in mutants_in(module) if module else []:
            yield pytest.param(assignment, m, id=f"{assignment}::{m.name}")


def all_alternatives():
    for assignment in ASSIGNMENTS:
        module = mutant_module(assignment)
        for a in alternatives_in(module) if module else []:
            yield pytest.param(assignment, a, id=f"{assignment}::{a.name}")


@functools.cache
def instructions_table(assignment: str):
    path = INSTRUCTIONS_DIR / f"{assignment}.py"
    if not path.exists():
        return None
    spec = importlib.util.spec_from_file_location(f"instructions_{assignment}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.TABLE


def test_there_are_assignments():
    assert ASSIGNMENTS, "solutions/ holds no psNN_topic folder"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_source_notebook_is_well_formed(assignment):
    notebook = nbformat.read(the_notebook(assignment), as_version=4)
    cells = read_cells(the_notebook(assignment))
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, "solutions/ are stored without outputs"
    grade_ids = [c.grade_id for c in cells if c.grade_id]
    assert len(grade_ids) == len(set(grade_ids)), "grade_ids must be unique"
    tests = [c for c in cells if c.role == "test"]
    assert tests, "an assignment needs graded test cells"
    for cell in tests:
        assert cell.points > 0, f"test cell {cell.grade_id} has no points"
        assert cell.source.count("### BEGIN HIDDEN TESTS") == cell.source.count("### END HIDDEN TESTS")
    for cell in cells:
        if cell.role == "solution":
            assert "### BEGIN SOLUTION" in cell.source and "### END SOLUTION" in cell.source, cell.grade_id
        if cell.cell_type == "code":
            assert not re.search(r"^\s*[%!]", cell.source, re.MULTILINE), (
                f"cell {cell.index}: no IPython magics or shell escapes in solutions (tests run its code in-process)")
    first_code = next(c for c in cells if c.cell_type == "code")
    assert "setup_notebook(" in first_code.source, "the first code cell must call llmcourse.setup_notebook()"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_reference_solution_passes_every_test_cell(assignment):
    report = reference(assignment).grade()
    failures = {c.grade_id: c.message for c in report.cells if not c.passed}
    assert not failures, f"the reference solution fails: {failures}"


@pytest.mark.parametrize("assignment, mutant", list(all_mutants()))
def test_mutant_loses_points(assignment, mutant):
    notebook = reference(assignment)
    test_ids = {c.grade_id for c in notebook.test_cells}
    unknown = set(mutant.breaks) - test_ids
    assert not unknown, f"{mutant.name} names test cells that do not exist: {unknown}"
    assert mutant.target in notebook.base, f"{mutant.name} replaces '{mutant.target}', which the notebook lacks"
    report = notebook.grade({mutant.target: mutant.implementation})
    survived = set(mutant.breaks) - report.failed()
    assert not survived, f"mutant {mutant.name} still passes {sorted(survived)}"
    assert report.score < report.max_score


@pytest.mark.parametrize("assignment, alternative", list(all_alternatives()))
def test_correct_alternative_gets_full_marks(assignment, alternative):
    notebook = reference(assignment)
    assert alternative.target in notebook.base, (
        f"{alternative.name} replaces '{alternative.target}', which the notebook lacks")
    report = notebook.grade({alternative.target: alternative.implementation})
    failures = {c.grade_id: c.message for c in report.cells if not c.passed}
    assert not failures, f"the correct alternative {alternative.name} loses points: {failures}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_function_has_correct_alternatives(assignment):
    module = mutant_module(assignment)
    assert module is not None, f"tests/mutants/{assignment}.py is missing"
    covered = {a.target for a in alternatives_in(module)}
    targets = {m.target for m in mutants_in(module)}
    assert not targets - covered, f"functions without a correct alternative: {sorted(targets - covered)}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_instructions_table_maps_every_sentence(assignment):
    """Every sentence of the release is in tests/instructions/<assignment>.py: a rule with the cell and the mutants
    that prove it is enforced, a permission with the alternatives that use it, or context that states no rule."""
    table = instructions_table(assignment)
    assert table is not None, (f"tests/instructions/{assignment}.py is missing: start it with "
                               f"`.venv/bin/python -m llmcourse.authoring.instructions {assignment}`")
    module = mutant_module(assignment)
    cells = {c.grade_id for c in read_cells(the_notebook(assignment)) if c.role == "test"}
    mutants = {m.name: set(m.breaks) for m in mutants_in(module)} if module else {}
    alternatives = {a.name for a in alternatives_in(module)} if module else set()
    problems = table_problems(assignment, table, cells, mutants, alternatives)
    assert not problems, "the instructions table is incomplete:\n" + "\n".join(problems)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_graded_cell_has_named_mutants(assignment):
    module = mutant_module(assignment)
    assert module is not None, f"tests/mutants/{assignment}.py is missing"
    counts = {c.grade_id: 0 for c in read_cells(the_notebook(assignment)) if c.role == "test"}
    for m in mutants_in(module):
        for grade_id in m.breaks:
            counts[grade_id] = counts.get(grade_id, 0) + 1
    thin = {k: v for k, v in counts.items() if v < MIN_MUTANTS_PER_CELL}
    assert not thin, f"test cells with fewer than {MIN_MUTANTS_PER_CELL} mutants: {thin}"


def _comparable(notebook_path):
    notebook = nbformat.read(notebook_path, as_version=4)
    return [(c.cell_type, c.source, c.metadata.get("nbgrader", {})) for c in notebook.cells]


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_nbgrader_round_trip(assignment, tmp_path):
    course = roundtrip.scratch_course(tmp_path, assignment)
    release = roundtrip.generate_release(course, assignment)

    # The committed release is exactly what nbgrader generates from solutions/.
    generated = sorted(p.name for p in release.iterdir())
    committed = sorted(p.name for p in (EXERCISES_DIR / assignment).iterdir())
    assert generated == committed, "exercises/ is out of date: run `python3 autograder/course_grader.py release`"
    for name in generated:
        if name.endswith(".ipynb"):
            assert _comparable(release / name) == _comparable(EXERCISES_DIR / assignment / name), (
                f"exercises/{assignment}/{name} differs from a fresh nbgrader release: regenerate, never edit it")
    release_text = (release / f"{assignment}.ipynb").read_text()
    assert "BEGIN SOLUTION" not in release_text and "BEGIN HIDDEN TESTS" not in release_text

    full = tmp_path / "full"
    roundtrip.fill_in_solutions(release / f"{assignment}.ipynb", the_notebook(assignment),
                                full / f"{assignment}.ipynb")
    grades = roundtrip.autograde(course, assignment, {"reference": full, "untouched": release})
    reference_grade, untouched_grade = grades["reference"], grades["untouched"]
    assert reference_grade.max_code_score > 0
    assert reference_grade.code_score == reference_grade.max_code_score, (
        f"the reference solution loses points in nbgrader: {reference_grade.failed_cells}")
    assert untouched_grade.code_score == 0, f"the untouched release earns points: {untouched_grade}"
