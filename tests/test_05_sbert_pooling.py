"""Lecture 05 and its data: the NLI set resists the shortcuts it was built against (bag-of-words baselines), the
loaders read the NLI and STS sets, the STS evaluation (llmcourse.sts) computes Spearman x 100 correctly on hand-made
files, the pooling equals SentenceTransformer.encode, the benchmark runs on the course's STS set (as CI must), and
the search box redraws and finds the right aisle of the grocery catalogue."""
from __future__ import annotations

import csv
import subprocess
import sys
from collections import Counter
from types import SimpleNamespace

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from datagen import load_generator
from llmcourse.baselines import added_and_dropped, bag_of_words_predictions, words
from llmcourse.datasets.nli_course import KINDS, LABELS, SPLITS, label_ids, load_kinds, load_nli
from llmcourse.datasets.sts_course import load_sts, sts_path
from llmcourse.paths import REPO_ROOT
from llmcourse.pooling import cls_pool, encode_pooled, max_pool, mean_pool
from llmcourse.sts import evaluate_sts, read_sts, spearman_x100

BENCHMARK = REPO_ROOT / "benchmarks" / "sts_pooling.py"
# What the benchmark prints on data/sts_course/sts-course.tsv (lecture 05 shows the same numbers).
COURSE_STS_EXPECTED = {"mean": 82.29, "cls": 81.85, "max": 76.34}


# --- data sets -----------------------------------------------------------------------------------------------------
def test_nli_splits_are_balanced_and_disjoint():
    sizes = {"train": 720, "validation": 120, "test": 240}
    premises = {}
    for split in SPLITS:
        triples, kinds = load_nli(split), load_kinds(split)
        assert len(triples) == len(kinds) == sizes[split]
        assert all(isinstance(t, tuple) and len(t) == 3 and all(isinstance(x, str) and x for x in t) for t in triples)
        per_kind = Counter((kind, label) for (_, _, label), kind in zip(triples, kinds))
        assert per_kind == {(k, label): sizes[split] // 6 for k in KINDS for label in LABELS}
        assert all(premise != hypothesis for premise, hypothesis, _ in triples)
        premises[split] = [premise for premise, _, _ in triples]
        assert len(set(premises[split])) == len(premises[split]), f"a premise repeats in {split}"
    assert not set(premises["train"]) & set(premises["test"]), "a test premise also occurs in train"
    assert not set(premises["train"]) & set(premises["validation"])
    assert not set(premises["validation"]) & set(premises["test"])
    assert label_ids([("a", "b", "neutral"), ("a", "c", "contradiction")]) == [1, 2]
    with pytest.raises(ValueError, match="split must be one of"):
        load_nli("dev")


def test_nli_order_labels_follow_from_who_does_what():
    label = load_generator("nli_course").order_label
    # premise "The boy is carrying the man." (an exclusive relation: the swap cannot also be true)
    assert label("exclusive", swapped=False, premise_negated=False, hypothesis_negated=False) == "entailment"
    assert label("exclusive", swapped=True, premise_negated=False, hypothesis_negated=False) == "contradiction"
    assert label("exclusive", swapped=True, premise_negated=False, hypothesis_negated=True) == "entailment"
    assert label("exclusive", swapped=False, premise_negated=False, hypothesis_negated=True) == "contradiction"
    # premise "The boy is watching the man." (a compatible relation: the man may watch the boy too)
    assert label("compatible", swapped=True, premise_negated=False, hypothesis_negated=False) == "neutral"
    assert label("compatible", swapped=True, premise_negated=False, hypothesis_negated=True) == "neutral"
    # premise "The boy is not carrying the man.": nothing follows about the man carrying the boy
    assert label("exclusive", swapped=True, premise_negated=True, hypothesis_negated=False) == "neutral"
    assert label("exclusive", swapped=False, premise_negated=True, hypothesis_negated=True) == "entailment"


def test_nli_order_pairs_use_the_same_words_and_adjectives_are_held_out():
    generator = load_generator("nli_course")
    for split in SPLITS:
        for (premise, hypothesis, _), kind in zip(load_nli(split), load_kinds(split)):
            if kind == "order":   # the hypothesis adds at most "not" and drops at most "not" and the place
                assert set(words(hypothesis)) - set(words(premise)) <= {"not"}, (premise, hypothesis)
    held_out = {w for dimension in generator.DIMENSIONS[-generator.HELD_OUT_DIMENSIONS:] for pole in dimension
                for w in pole}
    train_words = {w for p, h, _ in load_nli("train") for w in words(p) + words(h)}
    test_words = {w for p, h, _ in load_nli("test") for w in words(p) + words(h)}
    assert not held_out & train_words and held_out <= test_words


def test_nli_hypothesis_alone_and_added_dropped_words_are_weak_baselines():
    """The shortcuts the issue measured on the old set (hypothesis-only 87 %, added/dropped words 94 %) are gone."""
    train, test = load_nli("train"), load_nli("test")
    y_train, y_test = [l for *_, l in train], np.array([l for *_, l in test])
    hypothesis_only = bag_of_words_predictions([h for _, h, _ in train], y_train, [h for _, h, _ in test])
    assert (hypothesis_only == y_test).mean() < 1 / 3 + 0.15
    overlap = bag_of_words_predictions([added_and_dropped(p, h) for p, h, _ in train], y_train,
                                       [added_and_dropped(p, h) for p, h, _ in test])
    assert (overlap == y_test).mean() < 0.6
    shorter = {label: np.mean([len(words(h)) - len(words(p)) for p, h, l in train if l == label]) for label in LABELS}
    assert max(shorter.values()) - min(shorter.values()) < 0.3, f"hypothesis length gives the label away: {shorter}"


def test_added_and_dropped_words():
    assert added_and_dropped("The man is carrying the boy.", "The boy is not carrying the man!") == "+not"
    assert added_and_dropped("A cat sleeps in the sun.", "A dog sleeps.") == "+dog -cat -in -sun -the"
    assert added_and_dropped("Same words.", "same WORDS") == "(none)"


def test_nli_loader_rejects_an_unexpected_header(tmp_path, monkeypatch):
    import llmcourse.datasets.nli_course as nli_course

    (tmp_path / "nli_course").mkdir()
    (tmp_path / "nli_course" / "train.tsv").write_text("premise\thypothesis\tlabel\na\tb\tneutral\n")
    monkeypatch.setattr(nli_course, "data_path", lambda *parts: tmp_path.joinpath(*parts))
    with pytest.raises(ValueError, match="unexpected header"):
        load_nli("train")


def test_sts_course_layout_and_scores():
    with open(sts_path(), newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    assert len(rows) == 300 and all(len(row) == 7 for row in rows)
    assert len({row[3] for row in rows}) == 300, "ids are unique"
    first, second, gold = load_sts()
    assert len(first) == len(second) == 300
    assert gold.min() == 0.0 and gold.max() == 5.0
    assert Counter(gold.tolist()) == {float(level): 50 for level in range(6)}
    assert all(a != b for a, b in zip(first, second))


def test_shipped_sts_vectors_cover_every_sentence_and_match_a_fresh_encoding():
    """data/sts_course/minilm_features.npz: lecture 05's pooling table reads it instead of encoding 487 sentences."""
    from llmcourse.datasets import minilm_features
    from llmcourse.models import load_encoder

    first, second, _ = load_sts()
    shipped = minilm_features.load("sts_course", "all")
    assert set(shipped) == {"cls", "mean", "max"}
    assert all(values.shape == (len(set(first) | set(second)), 384) for values in shipped.values())
    assert not np.allclose(shipped["mean"], shipped["max"]) and not np.allclose(shipped["mean"], shipped["cls"])
    tokenizer, model = load_encoder()
    error = minilm_features.check_sample("sts_course", "all", shipped, size=8, seed=1, tokenizer=tokenizer, model=model)
    assert error < 1e-3, f"shipped STS vectors differ from a fresh encoding by {error:.1e}"
    with pytest.raises(ValueError, match="split must be one of"):
        minilm_features.load("sts_course", "test")


# --- the evaluation function ---------------------------------------------------------------------------------------
def _write_tsv(path, rows):
    path.write_text("".join("\t".join(row) + "\n" for row in rows), encoding="utf-8")
    return path


def test_read_sts_keeps_quotes_ignores_extra_columns_and_a_header(tmp_path):
    path = _write_tsv(tmp_path / "tiny.tsv", [
        ("genre", "file", "year", "id", "score", "sentence1", "sentence2"),
        ("news", "f", "2012", "0001", "4.250", '"We are ready," he said.', 'He said: "ready".', "src1", "src2"),
        ("news", "f", "2012", "0002", "0.000", "A cat sleeps.", "Stocks fell."),
    ])
    first, second, gold = read_sts(path)
    assert first == ['"We are ready," he said.', "A cat sleeps."]
    assert second == ['He said: "ready".', "Stocks fell."]
    np.testing.assert_allclose(gold, [4.25, 0.0])


def test_read_sts_rejects_malformed_lines(tmp_path):
    short = _write_tsv(tmp_path / "short.tsv", [("g", "f", "y", "1", "3.0", "only one sentence")])
    with pytest.raises(ValueError, match="line 1: expected at least 7"):
        read_sts(short)
    bad_score = _write_tsv(tmp_path / "bad.tsv", [("g", "f", "y", "1", "3.0", "a", "b"),
                                                   ("g", "f", "y", "2", "high", "c", "d")])
    with pytest.raises(ValueError, match="line 2: the score column"):
        read_sts(bad_score)


def test_spearman_x100_against_hand_computed_values():
    assert spearman_x100([0.1, 0.2, 0.3, 0.4], [1, 2, 3, 4]) == pytest.approx(100.0)
    assert spearman_x100([0.4, 0.3, 0.2, 0.1], [1, 2, 3, 4]) == pytest.approx(-100.0)
    # one adjacent swap among 4: rho = 1 - 6 * (1 + 1) / (4 * (16 - 1)) = 0.8
    assert spearman_x100([0.1, 0.3, 0.2, 0.4], [1, 2, 3, 4]) == pytest.approx(80.0)
    # ties get average ranks: x ranks (1, 2.5, 2.5, 4), y ranks (1, 2, 3, 4) -> Pearson of ranks = 0.9487
    assert spearman_x100([0.1, 0.2, 0.2, 0.4], [1, 2, 3, 4]) == pytest.approx(100 * 3 / np.sqrt(10), abs=1e-9)


class _TableTokenizer:
    """A stand-in tokenizer: each sentence is one 'token', its index in a fixed list (no padding needed)."""

    def __init__(self, sentences):
        self.index = {s: i for i, s in enumerate(sentences)}

    def __call__(self, batch, **_):
        ids = torch.tensor([[self.index[s]] for s in batch])
        return {"input_ids": ids, "attention_mask": torch.ones_like(ids)}


class _TableModel:
    """A stand-in encoder whose 'token embedding' for sentence i is row i of a fixed table."""

    def __init__(self, table):
        self.table = torch.as_tensor(table, dtype=torch.float32)

    def __call__(self, input_ids, attention_mask):
        return SimpleNamespace(last_hidden_state=self.table[input_ids])


def test_evaluate_sts_on_a_tiny_hand_made_file_with_known_spearman(tmp_path):
    # Pair i compares "anchor" with sentence i, whose vector is at angle theta_i: cosines 1.0 > 0.8 > 0.6 > 0.0.
    sentences = ["anchor", "same", "close", "far", "unrelated"]
    angles = np.arccos([1.0, 1.0, 0.8, 0.6, 0.0])
    table = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    gold = ["5.000", "3.000", "4.000", "0.000"]  # the model ranks pairs 2 and 3 the other way round
    path = _write_tsv(tmp_path / "tiny.tsv", [("g", "f", "2025", f"{i:04d}", gold[i], "anchor", s)
                                              for i, s in enumerate(sentences[1:])])
    scores = evaluate_sts(path, tokenizer=_TableTokenizer(sentences), model=_TableModel(table))
    assert set(scores) == {"mean", "cls", "max"}
    for name, value in scores.items():
        assert value == pytest.approx(80.0), f"{name}: one adjacent swap among 4 pairs gives Spearman 0.8"
    swapped = evaluate_sts(path, {"mean": mean_pool}, tokenizer=_TableTokenizer(sentences),
                           model=_TableModel(table * np.array([[1.0, -1.0]])))
    assert swapped == {"mean": pytest.approx(80.0)}, "cosine is invariant to reflecting every vector"


# --- pooling -------------------------------------------------------------------------------------------------------
def test_poolings_ignore_padding_even_with_negative_values():
    x = -torch.rand(3, 6, 4) - 0.5
    lengths = torch.tensor([1, 6, 3])
    mask = (torch.arange(6)[None, :] < lengths[:, None]).long()
    garbage = x.masked_fill(mask[..., None] == 0, 0.0)
    for i in range(3):
        real = x[i, :lengths[i]]
        torch.testing.assert_close(mean_pool(garbage, mask)[i], real.mean(dim=0))
        torch.testing.assert_close(max_pool(garbage, mask)[i], real.max(dim=0).values)
        torch.testing.assert_close(cls_pool(garbage, mask)[i], real[0])


@pytest.mark.slow
def test_mean_pooling_plus_normalisation_equals_sentence_transformers():
    from llmcourse.models import load_encoder, load_sentence_model

    sentences = ["Dogs run.", "A man is playing a guitar in the park.", "I like milk chocolate.",
                 "The old fisherman slowly repaired his torn nets on the quiet harbour wall long before sunrise."]
    tokenizer, model = load_encoder()
    ours = F.normalize(encode_pooled(sentences, {"mean": mean_pool}, tokenizer=tokenizer, model=model,
                                     batch_size=3)["mean"], dim=1)
    reference = torch.from_numpy(load_sentence_model().encode(sentences, batch_size=2))
    assert float((ours - reference).abs().max()) <= 1e-6


@pytest.mark.slow
def test_benchmark_on_the_course_sts_set():
    """What CI runs: benchmarks/sts_pooling.py on the course's own STS-layout file, one line per pooling."""
    result = subprocess.run([sys.executable, str(BENCHMARK), str(sts_path())], capture_output=True, text=True,
                            timeout=600, cwd=REPO_ROOT)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stderr == "", f"the benchmark writes to stderr: {result.stderr[-500:]}"
    lines = result.stdout.strip().splitlines()
    assert [line.split()[0] for line in lines] == ["mean", "cls", "max"]
    scores = {name: float(value) for name, value in (line.split() for line in lines)}
    for name, expected in COURSE_STS_EXPECTED.items():
        assert scores[name] == pytest.approx(expected, abs=0.05), f"{name}: {scores[name]} (expected {expected})"
    assert all(line == f"{name} {float(value):.2f}" for line, (name, value) in zip(lines, (l.split() for l in lines)))
    assert scores["mean"] > scores["max"]


# --- the semantic search box ---------------------------------------------------------------------------------------
def test_semantic_search_box_redraws_on_query_and_k():
    from llmcourse.widgets import semantic_search_box

    vocabulary = ["milk", "chocolate", "guitar", "dog"]

    def embed(texts):  # bag of known words: enough to rank a toy corpus
        return np.array([[text.lower().count(word) + 1e-3 for word in vocabulary] for text in texts])

    corpus = ["I like milk.", "Chocolate is sweet.", "A guitar solo.", "The dog barks.", "Milk chocolate."]
    panel = semantic_search_box(embed, corpus, query="milk", k=2)
    first = panel.output.outputs[0]["text"]
    assert "top 2 of 5 for 'milk'" in first and first.splitlines()[1].endswith("I like milk.")
    panel.query.value = "a dog"
    second = panel.output.outputs[0]["text"]
    assert second != first and second.splitlines()[1].endswith("The dog barks.")
    panel.k.value = 4
    assert len(panel.output.outputs[0]["text"].strip().splitlines()) == 5
    panel.query.value = "   "
    assert "type a query" in panel.output.outputs[0]["text"]


@pytest.mark.slow
def test_search_panel_over_the_catalogue_finds_the_aisle_a_query_asks_for():
    """The lecture's search box searches the 1,950 catalogue titles with their shipped MiniLM vectors; a typed query
    is encoded now (mean pooling + normalisation). Queries whose words are not in the titles ("puppy", "baby" for
    wipes and diapers) must still land in the right aisle, and the shipped vectors must be the encoder's."""
    from llmcourse.datasets.grocery_search import load_minilm_vectors, load_products
    from llmcourse.models import load_encoder
    from llmcourse.widgets import semantic_search_box

    tokenizer, model = load_encoder()
    products, shipped = load_products(), load_minilm_vectors()
    titles, aisle_of = [p.title for p in products], {p.title: p.aisle for p in products}
    assert len(titles) == 1950 and all(title in shipped for title in titles)

    def encode(texts):
        return F.normalize(encode_pooled(texts, {"mean": mean_pool}, tokenizer=tokenizer, model=model)["mean"], dim=1)

    sample = titles[::97]
    assert float(np.abs(np.stack([shipped[t] for t in sample]).astype(np.float32) - encode(sample).numpy()).max()) < 2e-3

    def embed(texts):
        fresh = [t for t in texts if t not in shipped]
        encoded = dict(zip(fresh, encode(fresh).numpy())) if fresh else {}
        return np.stack([shipped[t].astype(np.float32) if t in shipped else encoded[t] for t in texts])

    panel = semantic_search_box(embed, titles, query="food for my puppy", k=5)
    for query, aisle in [("food for my puppy", "pets"), ("something for a baby", "baby"),
                         ("laundry detergent", "household"), ("coffee for breakfast", "beverages")]:
        panel.query.value = query
        lines = panel.output.outputs[0]["text"].strip().splitlines()
        assert lines[0] == f"top 5 of 1950 for {query!r}"
        found = [line.strip().split("  ", 1)[1] for line in lines[1:]]
        assert [aisle_of[title] for title in found] == [aisle] * 5, (query, found)


@pytest.mark.slow
def test_objectives_benchmark_trains_the_top_layer_on_the_cached_route():
    """benchmarks/sbert_objectives.py (quoted by the lecture): the cached route (frozen lower layers, trainable top
    layer) is the full encoder, each objective's training changes the top layer, and a seed reproduces it."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("sbert_objectives", REPO_ROOT / "benchmarks" / "sbert_objectives.py")
    objectives = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(objectives)
    from llmcourse.models import load_encoder

    tokenizer, encoder = load_encoder()
    pairs = [t for t in load_nli("train") if t[2] == "entailment"][:8] + \
        [t for t in load_nli("train") if t[2] != "entailment"][:8]
    sentences = sorted({s for p, h, _ in pairs for s in (p, h)})
    cache = objectives.cache_top_inputs(tokenizer, encoder, sentences, batch_size=5)
    top = encoder.encoder.layer[-1].eval()
    full = F.normalize(encode_pooled(sentences, {"mean": mean_pool}, tokenizer=tokenizer, model=encoder)["mean"], dim=1)
    torch.testing.assert_close(objectives.embed(top, cache, sentences), full, atol=1e-5, rtol=0)
    start = top.output.dense.weight.detach().clone()
    for objective in ("classification", "regression", "in-batch negatives"):
        trained = [objectives.train(objective, 0, top, cache, pairs, epochs=1, lr=1e-3, batch_size=8) for _ in (0, 1)]
        weights = [t.output.dense.weight.detach() for t in trained]
        assert not torch.allclose(weights[0], start), f"{objective}: the top layer did not change"
        torch.testing.assert_close(weights[0], weights[1], atol=0, rtol=0)
    torch.testing.assert_close(top.output.dense.weight, start, atol=0, rtol=0)   # the base layer is left alone
    assert objectives.in_batch_negatives_loss(full[:3], full[:3]) < objectives.in_batch_negatives_loss(full[:3], full[3:6])


@pytest.mark.slow
def test_cross_encoder_benchmark_reads_the_pair_as_one_input():
    """benchmarks/cross_encoder_order.py (quoted by the lecture): its cached route is the full encoder, for single
    sentences and for "[CLS] a [SEP] b [SEP]" pairs, and the pair input depends on the order of the two sentences."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("cross_encoder_order", REPO_ROOT / "benchmarks" / "cross_encoder_order.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    from llmcourse.models import load_encoder

    tokenizer, encoder = load_encoder()
    a, b = "The dog is chasing the cat.", "The cat is chasing the dog."
    cache = bench.cache_top_inputs(tokenizer, encoder, [a, b])
    cache.update(bench.cache_top_inputs(tokenizer, encoder, [(a, b), (b, a)]))
    top = encoder.encoder.layer[-1].eval()
    with torch.no_grad():
        inputs = tokenizer([a, b], [b, a], padding=True, return_tensors="pt")
        full = mean_pool(encoder(**inputs).last_hidden_state, inputs["attention_mask"])
        torch.testing.assert_close(bench.pooled(top, cache, [(a, b), (b, a)]), full, atol=1e-5, rtol=0)
        single = encode_pooled([a, b], {"mean": mean_pool}, tokenizer=tokenizer, model=encoder)["mean"]
        torch.testing.assert_close(bench.pooled(top, cache, [a, b]), single, atol=1e-5, rtol=0)
    assert float((full[0] - full[1]).abs().max()) > 1e-3, "the pair input must see which sentence comes first"
    assert len(bench.order_pairs("train")) == 360 and len(bench.order_pairs("test")) == 120


# --- the stored lecture --------------------------------------------------------------------------------------------
def test_stored_lecture_shows_the_baselines_the_noise_and_the_real_sts_figures():
    import nbformat

    notebook = nbformat.read(REPO_ROOT / "lectures" / "05_sbert_pooling.ipynb", as_version=4)
    text = "".join(o.get("text", "") for c in notebook.cells if c.cell_type == "code" for o in c.outputs)
    prose = "".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    for shown in ("hypothesis only (BoW)", "added/dropped words (BoW)", "(3 seeds)", "(95 %)",
                  # the seed's seven concatenation rows, each with its number, ranked as measured
                  "(u * v) ", "(|u - v|, u * v)", "(u, v, u * v)", "70.54", "78.37", "77.44", "80.44", "66.04",
                  # the hand-written losses agree with sentence-transformers', and the search has a real corpus
                  "MultipleNegativesRankingLoss", "1,950 product titles", "All checks passed"):
        assert shown in text, f"the stored lecture does not show {shown!r}"
    for quoted in ("benchmarks/sts_pooling.py", "mean 82.05", "cls 73.51", "max 78.82", "trained-with-mean",
                   "benchmarks/sbert_objectives.py", "before: 82.29", "classification: 76.42 +- 0.36",
                   "benchmarks/cross_encoder_order.py", "cross-encoder, top layer   order test accuracy 50.0 +- 4.2"):
        assert quoted in prose, f"the lecture's prose does not quote {quoted!r}"
