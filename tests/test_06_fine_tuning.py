"""Lecture 06 (fine-tuning): the emotion_course data set (generator, splits, loader) and the classifier panel."""
from __future__ import annotations

import ast
from collections import Counter

import nbformat
import pytest

from datagen import load_generator
from llmcourse.baselines import bag_of_words_predictions
from llmcourse.datasets.emotion_course import EMOTION_LABELS, SPLITS, load_cues, load_emotions
from llmcourse.paths import REPO_ROOT
from llmcourse.widgets import classifier_probability_panel

LECTURE = REPO_ROOT / "lectures" / "06_fine_tuning.ipynb"
SOLUTION = REPO_ROOT / "solutions" / "ps06_fine_tuning" / "ps06_fine_tuning.ipynb"


def test_generation_is_deterministic_and_seed_dependent():
    generator = load_generator("emotion_course")
    assert generator.generate() == generator.generate()
    assert generator.generate(seed=1) != generator.generate()


def test_splits_are_balanced_and_disjoint():
    splits = {split: load_emotions(split) for split in SPLITS}
    assert {split: len(rows) for split, rows in splits.items()} == {"train": 1000, "validation": 250, "test": 500}
    for split, rows in splits.items():
        counts = Counter(label for _, label in rows)
        assert set(counts) == set(EMOTION_LABELS), split
        assert len(set(counts.values())) == 1, f"{split} is not balanced: {counts}"
    texts = {split: {text for text, _ in rows} for split, rows in splits.items()}
    assert not texts["train"] & texts["validation"]
    assert not texts["train"] & texts["test"]
    assert not texts["validation"] & texts["test"]


def test_unseen_cues_occur_only_in_test():
    generator = load_generator("emotion_course")
    unseen = [cue for cues in generator.CUES.values() for cue in cues[-generator.UNSEEN_CUES_PER_EMOTION:]]
    seen = [cue for cues in generator.CUES.values() for cue in cues[:-generator.UNSEEN_CUES_PER_EMOTION]]
    overlapping = [u for u in unseen if any(u in s or s in u for s in seen)]
    assert not overlapping, f"test-only cues overlap training cues: {overlapping}"
    for split in ("train", "validation"):
        assert not any(f" {cue} " in text for text, _ in load_emotions(split) for cue in unseen), split
    test_rows = load_emotions("test")
    marked = [any(f" {cue} " in text for cue in unseen) for text, _ in test_rows]
    assert marked == [cue == "unseen" for cue in load_cues("test")], "the cue column disagrees with the cue lists"
    assert set(load_cues("train")) == set(load_cues("validation")) == {"seen"}
    share = sum(marked) / len(test_rows)
    assert share == pytest.approx(generator.UNSEEN_SHARE_OF_TEST, abs=0.01)


def test_bag_of_words_solves_seen_cues_and_fails_unseen_ones():
    """The shortcut lecture 06 shows: a seen cue is looked up, an unseen cue leaves a bag of words near chance."""
    train, test, cues = load_emotions("train"), load_emotions("test"), load_cues("test")
    predicted = bag_of_words_predictions([t for t, _ in train], [l for _, l in train], [t for t, _ in test])
    correct = [p == label for p, (_, label) in zip(predicted, test)]
    seen = [c for c, cue in zip(correct, cues) if cue == "seen"]
    unseen = [c for c, cue in zip(correct, cues) if cue == "unseen"]
    assert sum(seen) / len(seen) > 0.98
    assert sum(unseen) / len(unseen) < 0.35


def test_loader_rejects_unknown_split():
    with pytest.raises(ValueError, match="split"):
        load_emotions("dev")
    with pytest.raises(ValueError, match="split"):
        load_cues("dev")


def test_classifier_panel_redraws_for_sentence_and_model():
    calls = []

    def fake(bias):
        def predict(text):
            calls.append((bias, text))
            scores = [len(text) % 3 + bias, 1.0, 0.5]
            return [s / sum(scores) for s in scores]
        return predict

    panel = classifier_probability_panel({"a": fake(0.0), "b": fake(5.0)}, ["joy", "fear", "anger"],
                                         ["first sentence", "second one"])
    texts = [panel.output.outputs[0]["text"]]
    panel.sentence.value = "a typed sentence!"
    texts.append(panel.output.outputs[0]["text"])
    panel.model.value = "b"
    texts.append(panel.output.outputs[0]["text"])
    panel.sentence.value = "   "
    texts.append(panel.output.outputs[0]["text"])
    assert len(set(texts)) == len(texts), texts
    assert calls == [(0.0, "first sentence"), (0.0, "a typed sentence!"), (5.0, "a typed sentence!")]
    assert texts[2].startswith("b: 'a typed sentence!' -> joy"), texts[2]
    assert "%" in texts[1] and "type a sentence" in texts[3]


def test_stored_lecture_compares_four_methods_with_baselines_and_noise_and_passes_its_checks():
    notebook = nbformat.read(LECTURE, as_version=4)
    text = "".join(o.get("text", "") for c in notebook.cells if c.cell_type == "code" for o in c.outputs)
    for method in ("(a) SBERT cosine", "(b/d) frozen + head, CLS pooling", "(b/d) frozen + head, mean pooling",
                   "(c) full fine-tuning"):
        assert method in text, f"the stored lecture does not report {method}"
    for shown in ("hypothesis only (BoW)", "added/dropped words (BoW)", "over seeds", "(95 %)", "seen cues",
                  "unseen cues"):
        assert shown in text, f"the stored lecture does not show {shown!r} (baselines, noise, seen/unseen cues)"
    assert "classifier_probability_panel(" in "".join(c.source for c in notebook.cells)
    assert "All checks passed" in text


# --- shipped MiniLM features (data/*/minilm_features.npz) --------------------------------------------------------

@pytest.mark.parametrize("dataset", ["nli_course", "emotion_course"])
def test_shipped_minilm_features_cover_every_row_and_match_a_fresh_encoding(dataset):
    """Computed offline by `python -m llmcourse.datasets.minilm_features`; lecture 06 trains its heads on them."""
    from llmcourse.datasets import minilm_features
    from llmcourse.datasets.emotion_course import load_emotions as rows_of_emotions
    from llmcourse.datasets.nli_course import load_nli
    from llmcourse.models import load_encoder

    tokenizer, model = load_encoder()
    for split in minilm_features.SPLITS:
        shipped = minilm_features.load(dataset, split)
        n_rows = len(load_nli(split) if dataset == "nli_course" else rows_of_emotions(split))
        expected = ({"pair_cls", "pair_mean", "premise_mean", "hypothesis_mean"} if dataset == "nli_course"
                    else {"cls", "mean"})
        assert set(shipped) == expected, f"{dataset}/{split}: {sorted(shipped)}"
        assert all(values.shape == (n_rows, 384) for values in shipped.values()), {k: v.shape for k, v in shipped.items()}
        error = minilm_features.check_sample(dataset, split, shipped, size=8, seed=1, tokenizer=tokenizer, model=model)
        assert error < 1e-3, f"{dataset}/{split}: shipped features differ from a fresh encoding by {error:.1e}"


def test_pair_features_read_both_sentences_together():
    """A pair is encoded as one input (segments 0 and 1), not as two sentences: its vector differs from both."""
    import torch

    from llmcourse.models import load_encoder
    from llmcourse.pooling import encode_pooled, mean_pool

    tokenizer, model = load_encoder()
    pair = encode_pooled([("The dog chases the cat.", "The cat chases the dog.")], {"mean": mean_pool},
                         tokenizer=tokenizer, model=model)["mean"]
    by_hand_inputs = tokenizer(["The dog chases the cat."], ["The cat chases the dog."], return_tensors="pt")
    with torch.no_grad():
        by_hand = mean_pool(model(**by_hand_inputs).last_hidden_state, by_hand_inputs["attention_mask"])
    assert torch.allclose(pair, by_hand, atol=1e-5)
    assert by_hand_inputs["token_type_ids"].sum() > 0
    single = encode_pooled(["The dog chases the cat."], {"mean": mean_pool}, tokenizer=tokenizer, model=model)["mean"]
    assert not torch.allclose(pair, single, atol=1e-2)


# --- travel_course: token classification and extractive QA ------------------------------------------------------

def test_travel_course_tags_are_bio_and_unseen_words_occur_only_outside_training():
    from llmcourse.datasets.travel_course import TAGS, load_entities

    train_words = {w for s in load_entities("train") for w in s.words}
    for split in ("train", "validation", "test"):
        sentences = load_entities(split)
        assert len(sentences) == {"train": 300, "validation": 100, "test": 200}[split]
        for s in sentences:
            assert len(s.words) == len(s.tags) == len(s.seen) and set(s.tags) <= set(TAGS)
            for previous, tag in zip(("O",) + s.tags, s.tags):   # I-X only continues a B-X or I-X
                assert not tag.startswith("I-") or previous[2:] == tag[2:], (s.words, s.tags)
            assert all(seen == (w in train_words) for w, t, seen in zip(s.words, s.tags, s.seen) if t != "O")
    unseen = [w for s in load_entities("test") for w, t, seen in zip(s.words, s.tags, s.seen) if t != "O" and not seen]
    assert len(unseen) > 300, "the test split should hold many entity words never seen in training"


def test_travel_course_lookup_table_fails_on_unseen_words_and_ambiguous_words_take_both_tags():
    """The shortcut the lecture shows: a word -> most frequent tag table knows nothing about unseen names, and the
    words that are both a first name and a city are tagged PER in some sentences and LOC in others."""
    from llmcourse.datasets.travel_course import load_entities

    tags_of = {}
    for s in load_entities("train"):
        for w, t in zip(s.words, s.tags):
            tags_of.setdefault(w, Counter())[t] += 1
    both = [w for w, counts in tags_of.items() if counts["B-PER"] and counts["B-LOC"]]
    assert {"Florence", "Jordan", "Victoria"} <= set(both), both
    hits = [tags_of.get(w, Counter({"O": 1})).most_common(1)[0][0] == t
            for s in load_entities("test") for w, t, seen in zip(s.words, s.tags, s.seen) if t != "O" and not seen]
    assert sum(hits) == 0


def test_travel_course_answers_are_spans_of_their_context_and_kinds_vary():
    from llmcourse.datasets.travel_course import QUESTION_KINDS, load_questions

    for split in ("train", "validation", "test"):
        questions = load_questions(split)
        assert len({q.id for q in questions}) == len(questions)
        for q in questions:
            assert q.context[q.answer_start:q.answer_start + len(q.answer)] == q.answer, q
            assert q.kind in QUESTION_KINDS
        assert set(Counter(q.kind for q in questions)) == set(QUESTION_KINDS)
    # word order varies: the origin stands before " to " in some contexts and after it in others
    origins = [q for q in load_questions("train") if q.kind == "origin" and " to " in q.context]
    assert {q.answer_start > q.context.index(" to ") for q in origins} == {True, False}
    assert len(Counter(q.answer_start for q in origins)) > 5


def test_travel_loaders_reject_unknown_split():
    from llmcourse.datasets.travel_course import load_entities, load_questions

    for loader in (load_entities, load_questions):
        with pytest.raises(ValueError, match="split must be one of"):
            loader("dev")


def test_stored_lecture_checks_token_heads_against_transformers_and_reports_baselines():
    """The token-classification and QA heads equal transformers' own (same weights copied in), the lookup baseline
    and the bi-encoder comparison are shown, and MiniLM's shipped features were checked against a fresh encoding."""
    notebook = nbformat.read(LECTURE, as_version=4)
    text = "".join(o.get("text", "") for c in notebook.cells if c.cell_type == "code" for o in c.outputs)
    for shown in ("token logits = AutoModelForTokenClassification's | exact: True",
                  "start logits = AutoModelForQuestionAnswering's | exact: True",
                  "QA loss = the library's          | exact: True",
                  "best legal span: n-best (k = 2) = loop over spans | exact: True",
                  "n-best span = the exhaustive loop's on 200 of 200 test questions",
                  "test: labels in token order = the words' tags | exact: True",
                  "embeddings + 6 layers + pooler = MiniLM's parameters | exact: True",
                  "top 1 of 6 layers trainable:  1,774,464 trainable, 20,938,752 frozen (7.8%)",
                  "feature-extraction pipeline, averaged = mean_pool | exact: True",
                  "shipped features = a fresh encoding (largest relative difference) | exact: False | approximate: True",
                  "lookup table: entity words seen in training", "baseline (lookup table)",
                  "bi-encoder, softmax(W[u, v, |u-v|])", "test pairs swap the roles and nothing else"):
        assert shown in text, f"the stored lecture does not show {shown!r}"
    sources = "".join(c.source for c in notebook.cells)
    assert 'pipeline("fill-mask", model=tiny_bert' in sources and 'pipeline("token-classification"' in sources
    assert "def mean_pool" not in sources and "def cls_pool" not in sources, "pooling is imported from llmcourse.pooling"


# --- the lecture must not hand out ps06's graded answers ----------------------------------------------------------

# Lecture helpers that share a graded function's name but take other arguments, so that pasting them cannot answer
# the exercise: the lecture's parameters are pinned here, and must differ from the solution's.
SAME_NAME_OTHER_INTERFACE = {"encode_pairs": ["rows", "max_length"],
                             "train_step": ["model", "head", "optimizer", "schedule", "rows", "y"]}


def _parameters(node):
    return [a.arg for a in node.args.posonlyargs + node.args.args + node.args.kwonlyargs]


def _graded_definitions():
    """{name: parameters} of the functions and classes the solution defines at the top of its solution cells."""
    graded = {}
    for cell in nbformat.read(SOLUTION, as_version=4).cells:
        if cell.cell_type == "code" and "### BEGIN SOLUTION" in cell.source:
            for node in ast.parse(cell.source).body:
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    graded[node.name] = _parameters(node)
                elif isinstance(node, ast.ClassDef):
                    graded[node.name] = None
    return graded


def _lecture_definitions():
    """(name, parameters or None, cell id) of every def, class and `name = lambda` in the lecture's code, nested too."""
    found = []
    for cell in nbformat.read(LECTURE, as_version=4).cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                found.append((node.name, _parameters(node), cell.get("id")))
            elif isinstance(node, ast.ClassDef):
                found.append((node.name, None, cell.get("id")))
            elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Lambda):
                found += [(target.id, _parameters(node.value), cell.get("id"))
                          for target in node.targets if isinstance(target, ast.Name)]
    return found


def test_lecture_defines_no_function_named_like_a_graded_ps06_answer():
    """Lecture 06 once wrote freeze_all_but_top, align_labels and best_span as ps06 grades them: a student could paste
    them. It may teach the ideas, but not define a graded function (names read from the solution's cells)."""
    graded = _graded_definitions()
    assert {"freeze_all_but_top", "align_labels", "best_span", "train_step"} <= set(graded), sorted(graded)
    clashes = []
    for name, parameters, cell_id in _lecture_definitions():
        if name not in graded:
            continue
        if name in SAME_NAME_OTHER_INTERFACE and parameters == SAME_NAME_OTHER_INTERFACE[name] != graded[name]:
            continue
        clashes.append(f"{name}{tuple(parameters) if parameters is not None else ''} in cell {cell_id}")
    assert not clashes, f"lecture 06 defines what ps06 grades (rename it, or teach it another way): {clashes}"


def test_role_swap_pairs_can_only_be_told_apart_by_reading_roles():
    """data/role_swap/pairs.tsv (lecture 06's role-swap cross-encoder, benchmarks/role_swap_task.py): four kinds in
    equal numbers, labels 1 exactly for the swaps, each swap made of the same words as its paraphrase (so a bag of
    words is at chance), test triples never seen in training, and lecture 05's dog/cat pair held out for the test."""
    from llmcourse.datasets.role_swap import KINDS, load_pairs

    train, test = load_pairs("train"), load_pairs("test")
    assert len(train) == 960 and Counter(kind for *_, kind in train) == Counter({k: 240 for k in KINDS})
    assert len(test) == 4 * 301 and all(label == ("swap" in kind) for *_, label, kind in train + test)
    by_premise = {}
    for premise, hypothesis, _, kind in test:
        by_premise.setdefault(premise, {})[kind] = Counter(hypothesis.lower().strip(".").split())
    assert all(len(kinds) == 4 for kinds in by_premise.values())
    for kinds in by_premise.values():
        assert kinds["identical"] == kinds["swap"] and kinds["passive"] == kinds["passive swap"]
        assert kinds["identical"] != kinds["passive"]
    assert not {p for p, *_ in train} & set(by_premise)
    assert ("The dog is chasing the cat.", "The cat is chasing the dog.", 1, "swap") in test
    with pytest.raises(ValueError, match="split"):
        load_pairs("dev")


@pytest.mark.slow
def test_shipped_role_swap_cross_encoder_reads_roles():
    """data/role_swap/cross_encoder.safetensors (trained by data/generators/role_swap.py --model): on the 301 unseen
    triples it tells swaps from paraphrases in every kind, and it separates lecture 05's dog/cat swap from the
    identical pair; the untrained base model (same architecture, no trained weights) does not."""
    import torch

    from llmcourse.datasets.role_swap import KINDS, load_pairs
    from llmcourse.models import load_role_swap_cross_encoder, role_swap_cross_encoder_base

    test = load_pairs("test")
    labels = torch.tensor([label for _, _, label, _ in test])
    kinds = [kind for *_, kind in test]

    def p_swap(tokenizer, model, rows=test):
        with torch.no_grad():
            inputs = tokenizer([p for p, *_ in rows], [h for _, h, *_ in rows], padding=True, return_tensors="pt")
            return torch.softmax(model.eval()(**inputs).logits, dim=-1)[:, 1]

    trained = p_swap(*load_role_swap_cross_encoder())
    correct = (trained > 0.5).long() == labels
    for kind in KINDS:
        assert correct[[k == kind for k in kinds]].float().mean() >= 0.85, kind
    demo = {kind: float(p) for (premise, *_, kind), p in zip(test, trained) if premise == "The dog is chasing the cat."}
    assert demo["swap"] > 0.5 > demo["identical"]
    torch.manual_seed(0)
    untrained = p_swap(*role_swap_cross_encoder_base(), rows=test[-400:])   # 100 triples x 4 kinds are enough
    assert ((untrained > 0.5).long() == labels[-400:]).float().mean() < 0.7


def test_low_rank_layer_starts_as_its_base_and_learns_only_a_and_b():
    """llmcourse.lowrank.LowRank (hand-written LoRA): with B = 0 the wrapped layer is the base layer exactly; a
    gradient step changes the output only through A and B, and the base weights get no gradient."""
    import torch

    from llmcourse.lowrank import LowRank

    torch.manual_seed(0)
    base = torch.nn.Linear(6, 4).requires_grad_(False)
    layer = LowRank(base, rank=2)
    x = torch.randn(3, 6)
    torch.testing.assert_close(layer(x), base(x), atol=0, rtol=0)
    layer(x).pow(2).sum().backward()
    assert base.weight.grad is None and layer.B.grad.abs().sum() > 0
    with torch.no_grad():
        layer.B.add_(0.1)
    expected = base(x) + 2.0 * x @ layer.A.T @ layer.B.T
    torch.testing.assert_close(layer(x), expected)
    assert not torch.allclose(layer(x), base(x))
