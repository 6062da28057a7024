"""Lecture 06 (fine-tuning): the emotion_course data set (generator, splits, loader) and the classifier panel."""
from __future__ import annotations

from collections import Counter

import nbformat
import pytest

from datagen import load_generator
from llmcourse.baselines import bag_of_words_predictions
from llmcourse.datasets.emotion_course import EMOTION_LABELS, SPLITS, load_cues, load_emotions
from llmcourse.paths import REPO_ROOT
from llmcourse.widgets import classifier_probability_panel

LECTURE = REPO_ROOT / "lectures" / "06_fine_tuning.ipynb"


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
