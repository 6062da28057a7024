"""Every lecture notebook has the course's shape: a header, stored outputs free of errors, short cells, and a
closing check-yourself cell that passed when the outputs were stored. (nbval re-runs them; see pyproject.)"""
from __future__ import annotations

import re

import nbformat
import pytest

from llmcourse.paths import REPO_ROOT

EXPECTED = ["01_word2vec_cosine", "02_self_attention", "03_positional_encoding", "04_bert_pretraining",
            "05_sbert_pooling", "06_fine_tuning", "07_two_tower_retrieval", "08_decoder_gpt"]
MAX_CELL_LINES = 45  # "no cell longer than a screen"


def test_every_lecture_and_exercise_exists():
    for stem in EXPECTED:
        number, topic = stem.split("_", 1)
        assert (REPO_ROOT / "lectures" / f"{stem}.ipynb").exists(), f"lectures/{stem}.ipynb is missing"
        assert (REPO_ROOT / "solutions" / f"ps{stem}").is_dir(), f"solutions/ps{stem} is missing"
        assert (REPO_ROOT / "exercises" / f"ps{stem}").is_dir(), f"exercises/ps{stem} is missing"


LECTURES = sorted((REPO_ROOT / "lectures").glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.parametrize("path", LECTURES, ids=lambda p: p.stem)
def test_lecture_shape(path):
    notebook = nbformat.read(path, as_version=4)
    assert notebook.metadata.get("kernelspec", {}).get("name") == "python3"
    header = notebook.cells[0]
    assert header.cell_type == "markdown", "a lecture starts with a header cell"
    assert re.search(r"learn", header.source, re.I), "the header says what you will learn"
    assert re.search(r"\b\d+\s*(s|seconds|minutes?)\b", header.source), "the header says how long it runs"
    assert f"ps{path.stem}" in header.source, f"the header names its exercise, exercises/ps{path.stem}"

    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert "setup_notebook(" in "".join(c.source for c in code[:2]), "an early cell calls setup_notebook()"
    assert all(c.execution_count is not None for c in code), "lectures are stored executed, top to bottom"
    counts = [c.execution_count for c in code]
    assert counts == list(range(1, len(code) + 1)), "stored outputs come from one clean top-to-bottom run"
    for cell in code:
        for output in cell.outputs:
            assert output.output_type != "error", f"stored error output in: {cell.source[:80]}"
            assert not (output.output_type == "stream" and output.name == "stderr"), (
                f"stored stderr output (warnings belong on stdout via setup_notebook): {output.text[:200]}")
    long_cells = [c.source[:60] for c in notebook.cells if c.source.count("\n") + 1 > MAX_CELL_LINES]
    assert not long_cells, f"cells longer than a screen ({MAX_CELL_LINES} lines): {long_cells}"

    closing = code[-1]
    assert "check_yourself(" in closing.source, "the last code cell is check_yourself({...})"
    text = "".join(o.get("text", "") for o in closing.outputs)
    assert "All checks passed" in text, f"the stored check-yourself output did not pass: {text[-400:]}"
