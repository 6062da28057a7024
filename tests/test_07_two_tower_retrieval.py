"""Lecture 07's data (data/grocery_search/), its loader and its widget: the log has the properties the lecture
teaches from (long tail, typos, position and popularity bias, false negatives, unseen intents), and the labels
used for evaluation are not the conversions used for training."""
from __future__ import annotations

import numpy as np
import pytest

from llmcourse.datasets import grocery_search as gs


def test_every_id_refers_to_the_catalogue_and_every_intent_has_exact_products():
    ids = {p.product_id for p in gs.load_products()}
    assert len(ids) >= 1900 and sorted(ids) == list(range(1, len(ids) + 1))
    log = gs.load_impressions()
    assert {row.product_id for row in log} <= ids and {row.position for row in log} == set(range(11))
    assert all(row.conversions <= row.impressions for row in log if row.position > 0)
    labels = gs.load_labels()
    for q in gs.load_queries():
        assert set(labels[q.intent]) <= ids and "E" in labels[q.intent].values(), q.text
    assert {p for _, p in gs.load_synthetic_queries()} == ids, "every product should have synthetic queries"


def test_split_holds_out_wordings_and_whole_intents():
    train, test = gs.load_queries("train"), gs.load_queries("test")
    assert len(test) >= 300 and len(train) >= 1000
    assert not {q.text for q in train} & {q.text for q in test}
    unseen = [q for q in test if not q.seen_intent]
    seen = [q for q in test if q.seen_intent]
    assert len(unseen) >= 100 and len(seen) >= 100
    assert not {q.need for q in unseen} & {q.need for q in train}
    assert {q.need for q in seen} <= {q.need for q in train}
    with pytest.raises(ValueError):
        gs.load_queries("dev")


def test_queries_have_a_long_tail_with_typos_synonyms_brands_and_attributes():
    queries = gs.load_queries()
    searches = np.array(sorted((q.searches for q in queries), reverse=True))
    assert searches[: len(searches) // 10].sum() > 0.5 * searches.sum(), "the head should dominate the searches"
    assert (searches == 1).mean() > 0.4, "most distinct queries should be rare (a long tail)"
    kinds = {kind: sum(q.kind == kind for q in queries) for kind in ("name", "synonym", "typo")}
    assert min(kinds.values()) >= 100, kinds
    assert sum("|" in q.intent for q in queries) >= 200, "queries with an attribute or a brand"
    brands = {p.brand.lower() for p in gs.load_products() if p.brand}
    assert any(q.text.startswith(b) for q in queries for b in brands)


def test_conversions_show_position_bias_false_negatives_and_noise():
    log = gs.load_impressions()
    labels = gs.load_labels()
    intent = {q.query_id: q.intent for q in gs.load_queries()}
    exact_shown = {}
    for row in log:
        if row.position and labels[intent[row.query_id]].get(row.product_id) == "E":
            n, c = exact_shown.get(row.position, (0, 0))
            exact_shown[row.position] = (n + row.impressions, c + row.conversions)
    rate = {pos: c / n for pos, (n, c) in exact_shown.items()}
    assert rate[1] > rate[3] > rate[10], f"conversion rate of exact products by position: {rate}"
    bought = gs.conversions()
    train = [q for q in gs.load_queries("train") if q.query_id in bought]
    missed = np.mean([sum(lab == "E" and pid not in bought[q.query_id] for pid, lab in labels[q.intent].items())
                      / sum(lab == "E" for lab in labels[q.intent].values()) for q in train])
    assert missed > 0.3, "many exact products are never bought (never shown): false negatives"
    noisy = [c for q in train for pid, c in bought[q.query_id].items() if labels[q.intent].get(pid, "I") != "E"]
    assert len(noisy) > 100, "some conversions are on products that are not exact: noisy positives"
    assert sum(row.conversions for row in log if row.position == 0) > 0, "session purchases without a click"


def test_gains_and_autocomplete_log():
    assert gs.ESCI_GAINS == {"E": 1.0, "S": 0.1, "C": 0.01, "I": 0.0}
    log = gs.load_autocomplete_log()
    assert [c for _, c in log] == sorted((c for _, c in log), reverse=True)
    mac = [q for q, _ in log if q.startswith("mac")][:8]
    assert {"mac and cheese", "macaroni and cheese", "mac n cheese"} <= set(mac)
    assert {"macadamia nuts", "macintosh apples"} <= set(mac)


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


def test_shipped_minilm_vectors_cover_every_text_and_match_a_fresh_encoding():
    """data/grocery_search/minilm_vectors.npz (computed offline by the generator's --vectors) holds a vector for
    every text lecture 07 embeds, and those are what MiniLM gives now, up to float16 rounding."""
    import random

    from datagen import load_generator

    shipped = gs.load_minilm_vectors()
    needed = ({p.title for p in gs.load_products()} | {q.text for q in gs.load_queries()}
              | {s for s, _ in gs.load_synthetic_queries()})
    missing = needed - set(shipped)
    assert not missing, f"{len(missing)} texts have no shipped vector, e.g. {sorted(missing)[:3]}: run --vectors"
    assert set(shipped) == needed, "the file holds vectors of texts the data set no longer has: run --vectors"
    matrix = np.stack(list(shipped.values()))
    assert matrix.dtype == np.float16 and matrix.shape == (len(needed), 384)
    assert np.allclose(np.linalg.norm(matrix.astype(np.float32), axis=1), 1, atol=2e-3)
    generator = load_generator("grocery_search")
    sample = sorted(random.Random(7).sample(sorted(needed), 48), key=len)
    fresh = generator.encode_texts(sample)
    stored = np.stack([shipped[t] for t in sample]).astype(np.float32)
    assert np.allclose(fresh, stored, atol=1e-3, rtol=0), f"max diff {np.abs(fresh - stored).max():.2e}"


def test_query_products_panel_redraws_when_the_query_changes_and_ranks_by_score():
    """The lecture's query -> products panel: each model's column lists its own top k for the typed query, best
    first; typing another query or moving k redraws it. Here with the shipped MiniLM vectors of a few titles as a
    zero-shot model, and a second model that reverses its scores (so the two columns must differ)."""
    from llmcourse.widgets import query_products_panel

    shipped = gs.load_minilm_vectors()
    titles = [p.title for p in gs.load_products()][:400]
    matrix = np.stack([shipped[t] for t in titles]).astype(np.float32)
    calls = []

    def make_search(sign):
        def search(text, k):
            calls.append(text)
            scores = sign * (matrix @ shipped[text].astype(np.float32))
            order = np.argsort(-scores, kind="stable")[:k]
            return [(titles[i], float(scores[i])) for i in order]
        return search

    searchers = {"zero-shot": make_search(1.0), "reversed": make_search(-1.0)}
    panel = query_products_panel(searchers, query="oranges", k=3)
    before = panel.output.outputs[0]["text"]
    lines = before.splitlines()
    assert lines[0] == "top 3 products for 'oranges'" and "zero-shot" in lines[1] and "reversed" in lines[1]
    best = searchers["zero-shot"]("oranges", 3)
    assert len(lines) == 5 and all(f"{r}. {t} ({s:+.2f})" in lines[1 + r] for r, (t, s) in enumerate(best, 1))
    assert "orange" in best[0][0].lower(), best
    worst = searchers["reversed"]("oranges", 1)[0]
    assert lines[2].rstrip().endswith(f"1. {worst[0]} ({worst[1]:+.2f})")
    panel.query.value = "Milk"                      # typed with a capital: searched in lower case
    after = panel.output.outputs[0]["text"]
    assert after != before and after.startswith("top 3 products for 'milk'") and calls[-1] == "milk"
    assert "milk" in after.splitlines()[2].split("  ")[0].lower()
    panel.k.value = 5
    assert len(panel.output.outputs[0]["text"].splitlines()) == 7
    panel.query.value = "  "
    assert "type a query" in panel.output.outputs[0]["text"]
