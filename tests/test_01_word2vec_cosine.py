"""Lecture 01 and its data: the generators reproduce the shipped files, the grocery catalogue holds what lectures
01 and 07 need, baskets and the word corpus are well-formed, and the lecture follows the course's structure."""
from __future__ import annotations

import csv
import re
from collections import Counter

import nbformat
import pytest

from llmcourse.paths import DATA_DIR, REPO_ROOT

LECTURE = REPO_ROOT / "lectures" / "01_word2vec_cosine.ipynb"


def _products():
    with open(DATA_DIR / "grocery" / "products.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_catalogue_size_and_structure():
    rows = _products()
    assert list(rows[0]) == ["product_id", "name", "aisle", "department"]
    assert len(rows) >= 300
    assert len({r["department"] for r in rows}) >= 12
    assert len({r["aisle"] for r in rows}) >= 30
    assert [int(r["product_id"]) for r in rows] == list(range(1, len(rows) + 1))
    assert len({r["name"] for r in rows}) == len(rows), "product names are unique"
    departments_of_aisle = {}
    for r in rows:
        departments_of_aisle.setdefault(r["aisle"], set()).add(r["department"])
    assert all(len(d) == 1 for d in departments_of_aisle.values()), "each aisle belongs to one department"


@pytest.mark.parametrize("pattern, at_least", [
    (r"^navel orange", 1), (r"^clementines", 1), (r"^mandarins", 1), (r"^blood oranges", 1),
    (r"orange juice", 3), (r"orange marmalade", 1), (r"^(organic )?strawberries", 1), (r"^lemons", 1),
    (r"flour tortillas", 1), (r"corn tortillas", 1), (r"tortilla chips", 2), (r"\bsalsa\b", 1),
    (r"macaroni (and|&) cheese", 3), (r"^elbow macaroni", 1), (r"macadamia nuts", 1), (r"^macintosh apples", 1),
    (r"mac (and|&) cheese cups", 1),
])
def test_catalogue_has_the_products_lecture_07_searches_for(pattern, at_least):
    found = [r["name"] for r in _products() if re.search(pattern, r["name"], re.IGNORECASE)]
    assert len(found) >= at_least, f"expected at least {at_least} products matching {pattern!r}, found {found}"


def test_catalogue_has_near_duplicate_titles():
    """Same product, different wording: same aisle, and most words shared (for semantic de-duplication)."""
    rows = _products()

    def words(name):
        return set(re.findall(r"[a-z]+", name.lower())) - {"oz", "fl", "lb", "ct", "count", "pack", "bag"}

    pairs = [(a["name"], b["name"]) for i, a in enumerate(rows) for b in rows[i + 1:]
             if a["aisle"] == b["aisle"] and len(words(a["name"]) & words(b["name"]))
             >= 0.8 * max(len(words(a["name"])), len(words(b["name"])))]
    assert len(pairs) >= 15, pairs
    assert ("Sunny Grove Orange Juice, No Pulp, 52 fl oz", "Sunny Grove 100% Orange Juice No Pulp 52 oz") in pairs


def test_baskets_are_well_formed_and_cover_the_catalogue():
    from llmcourse.datasets.grocery import load_baskets, load_products

    products = load_products()
    baskets = load_baskets()
    ids = {p.product_id for p in products}
    assert len(baskets) >= 3000
    assert all(len(b) >= 2 and len(set(b)) == len(b) for b in baskets), "baskets hold >= 2 distinct products"
    bought = Counter(pid for b in baskets for pid in b)
    assert set(bought) == ids, "every product is bought at least once, and only catalogue products are"
    size = sum((DATA_DIR / "grocery" / f).stat().st_size for f in ("products.csv", "baskets.csv"))
    assert size < 2_000_000


def test_baskets_follow_aisles():
    """Products bought together share an aisle far more often than random pairs would (what Product2Vec learns)."""
    from llmcourse.datasets.grocery import load_baskets, products_by_id

    aisle = {pid: p.aisle for pid, p in products_by_id().items()}
    together = [aisle[a] == aisle[b] for basket in load_baskets() for i, a in enumerate(basket) for b in basket[i + 1:]]
    counts = Counter(aisle.values())
    n = len(aisle)
    chance = sum(c * (c - 1) for c in counts.values()) / (n * (n - 1))
    assert sum(together) / len(together) > 5 * chance


def test_word_corpus_has_gendered_pairs_and_capitals():
    from llmcourse.datasets.word_corpus import load_sentences, load_tokenized

    sentences = load_sentences()
    assert len(sentences) == 6000 and all(s == s.lower() for s in sentences)
    words = Counter(w for s in load_tokenized() for w in s)
    for word in ["king", "queen", "man", "woman", "prince", "princess", "boy", "girl", "he", "she", "paris", "france"]:
        assert words[word] >= 20, f"{word!r} occurs only {words[word]} times"
    assert "the" not in load_tokenized(stop_words={"the"})[0]
    for s in sentences:
        male, female = re.search(r"\b(king|man|he|his)\b", s), re.search(r"\b(queen|woman|she|her)\b", s)
        assert not (male and female), f"pronouns must agree with the person's gender: {s!r}"


def test_lecture_structure():
    notebook = nbformat.read(LECTURE, as_version=4)
    header = notebook.cells[0]
    assert header.cell_type == "markdown" and "What you will learn" in header.source
    assert "exercises/ps01_word2vec_cosine" in header.source and "Runs in" in header.source
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert "setup_notebook(" in code[0].source
    assert code[-1].source.startswith("check_yourself(")
    assert "All checks passed" in "".join(o.get("text", "") for o in code[-1].outputs)
    for cell in code:
        if "tqdm" in cell.source or "progress(" in cell.source:
            assert cell.source.startswith("# NBVAL_IGNORE_OUTPUT"), "progress bars go in NBVAL_IGNORE_OUTPUT cells"
    text = "\n".join(c.source for c in notebook.cells)
    for needed in ["0.4685", "0.49", "nearest_neighbour_explorer(", "heatmap(", "project_2d(", "plot_curves(",
                   "Me loves my friend", "milk chocolate", "X2Vec", "word_embeddings", "unigram^0.75"]:
        assert needed in text, f"lecture 01 should contain {needed!r}"
    printed = "".join(o.get("text", "") for c in code for o in c.outputs)
    assert "cos(Avatar, Rainman) = 0.4685" in printed, "lectures are stored with outputs"


def _stored(notebook) -> str:
    return "".join(o.get("text", "") for c in notebook.cells if c.cell_type == "code" for o in c.outputs)


def test_lecture_corrections_are_stored():
    notebook = nbformat.read(LECTURE, as_version=4)
    prose = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    assert "self-supervised" in prose and "semi-supervised\", as the slide says" not in prose
    assert "the problem lectures 2-5 solve" not in prose, "the encoder barely separates the two orders: say so"
    setup = next(c.source for c in notebook.cells if "setup_notebook(" in c.source)
    assert "threads" not in setup, "setup_notebook()'s one thread holds up on a busy laptop; no override"
    printed = _stored(notebook)
    assert "one-hot @ E == nn.Embedding(ids) | exact: True" in printed
    for label in ("loss with rotated u and v == loss", "all cosines between words, rotated == original"):
        line = next(line for line in printed.splitlines() if line.startswith(label))
        assert "approximate: True" in line, line
    assert re.search(r"trained: largest values of dimension 0 -> (.+)\nrotated: largest values of dimension 0 -> (?!\1)",
                     printed), "the rotation must change what dimension 0 picks out"
    assert "MiniLM encoder 0.9168" in printed and "MiniLM encoder 0.9803" in printed


def test_stored_progress_bars_are_finished():
    notebook = nbformat.read(LECTURE, as_version=4)
    bars = [o["data"]["text/plain"] for c in notebook.cells if c.cell_type == "code" for o in c.outputs
            if o.output_type == "display_data" and "%|" in o["data"].get("text/plain", "")]
    assert len(bars) == 2, bars
    assert bars[0].startswith("Product2Vec: 100%") and "108/108" in bars[0]
    assert bars[1].startswith("word2vec: 100%") and "112/112" in bars[1]


def test_no_cell_is_longer_than_forty_lines():
    notebook = nbformat.read(LECTURE, as_version=4)
    assert max(len(c.source.splitlines()) for c in notebook.cells) <= 40
