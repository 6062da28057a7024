"""Lecture 07's data (data/grocery_search/), its loader and its widget."""
from __future__ import annotations


import pytest

from llmcourse.datasets.grocery import load_products
from llmcourse.datasets.grocery_search import (load_autocomplete_log, load_hard_negatives, load_queries,
                                               load_synthetic_queries)

FILES = ["queries.csv", "conversions.csv", "synthetic_queries.csv", "hard_negatives.csv", "autocomplete_log.csv"]


def test_every_product_id_is_in_the_catalogue():
    ids = {p.product_id for p in load_products()}
    for q in load_queries():
        assert q.positives and set(q.positives) <= ids, q.text
        assert list(q.conversions) == sorted(q.conversions, reverse=True), q.text
    assert {p for _, p in load_synthetic_queries()} == ids, "every product should have synthetic queries"
    assert all(set(v) <= ids for v in load_hard_negatives().values())


def test_split_holds_out_queries_and_whole_intents():
    train, test = load_queries("train"), load_queries("test")
    assert len(test) >= 40 and len(train) >= 100
    assert not {q.text for q in train} & {q.text for q in test}
    assert {q.intent for q in test} - {q.intent for q in train}, "some intents should be held out whole"
    with pytest.raises(ValueError):
        load_queries("dev")


def test_orange_has_noisy_positives_and_a_false_negative():
    names = {p.product_id: p.name for p in load_products()}
    orange = next(q for q in load_queries("train") if q.text == "orange")
    converted = [names[p] for p in orange.positives]
    assert any(n.startswith("Navel Orange") for n in converted) and any("Clementines" in n for n in converted)
    assert any(n.startswith("Strawberries") for n in converted), "co-purchase noise should be there"
    assert not any(n.startswith("Blood Oranges") for n in converted), "blood oranges are the false negative"


def test_hard_negatives_are_never_positives():
    names = {p.product_id: p.name for p in load_products()}
    by_id = {q.query_id: q for q in load_queries()}
    hard = load_hard_negatives()
    for query_id, negatives in hard.items():
        assert by_id[query_id].split == "train"
        assert not set(negatives) & set(by_id[query_id].positives)
    tortillas = next(q for q in load_queries("train") if q.text == "tortillas")
    assert any("Tortilla Chips" in names[p] for p in hard[tortillas.query_id])


def test_autocomplete_log_has_the_mac_near_duplicates():
    log = load_autocomplete_log()
    assert [c for _, c in log] == sorted((c for _, c in log), reverse=True)
    mac = [q for q, _ in log if q.startswith("mac")][:8]
    assert mac[:3] == ["mac and cheese", "macaroni and cheese", "mac n cheese"]
    assert "macadamia nuts" in mac


def test_autocomplete_box_redraws_when_controls_move():
    from llmcourse.widgets import autocomplete_dedup_box

    log = ["mac and cheese", "macaroni and cheese", "macadamia nuts", "orange"]
    panel = autocomplete_dedup_box(lambda prefix, n: [q for q in log if q.startswith(prefix)][:n],
                                   lambda suggestions, t: [0] if t < 0.9 else list(range(len(suggestions))),
                                   prefix="mac", threshold=0.8)
    before = panel.output.outputs[0]["text"]
    assert "(dropped:" in before and "macadamia nuts" in before
    panel.threshold.value = 0.95
    after = panel.output.outputs[0]["text"]
    assert after != before and "(dropped:" not in after
    panel.prefix.value = "zzz"
    assert "no logged query" in panel.output.outputs[0]["text"]
