"""Lecture 08 (the decoder, GPT): the shipped stories are what their generator writes and hold the
long-range repetitions the lecture relies on, the loader splits them, the next-token panel redraws for every control
and generates on a click, and the stored lecture passes its check-yourself cell (ps08's correct alternatives are
graded by tests/test_assignments.py)."""
from __future__ import annotations

import nbformat
import numpy as np

from datagen import load_generator
from llmcourse.datasets.decoder_stories import load_stories, train_test_stories
from llmcourse.paths import REPO_ROOT
from llmcourse.widgets import next_token_panel

LECTURE = REPO_ROOT / "lectures" / "08_decoder_gpt.ipynb"


def test_loader_reads_every_story_and_holds_out_the_last_tenth():
    generator = load_generator("decoder_stories")
    stories = load_stories()
    assert len(stories) == generator.N_STORIES == 1200
    train, test = train_test_stories()
    assert (len(train), len(test)) == (1080, 120) and train + test == stories
    assert load_stories(limit=2) == stories[:2]
    assert all(s == " ".join(s.split()) and s.endswith(" .") for s in stories), "words separated by single spaces"


def test_every_held_out_word_occurs_in_training():
    train, test = train_test_stories()
    assert {w for s in test for w in s.split()} <= {w for s in train for w in s.split()}


def test_each_story_repeats_its_first_name_and_colour():
    # What makes the data worth a decoder: the opening fixes a name and a colour that come back later.
    generator = load_generator("decoder_stories")
    for story in load_stories(limit=200):
        words = story.split()
        name = next(w for w in words if w in generator.NAMES)
        colour = next(w for w in words if w in generator.COLOURS)
        assert words.count(name) >= 3 and words.count(colour) >= 2, story


def _distribution(prompt, temperature, top_k):
    tokens = ["a", "b", "c", "d"]
    logits = np.array([2.0, 1.0, 0.5, len(prompt) % 3])
    if temperature == 0:
        return tokens, np.eye(4)[int(np.argmax(logits))]
    scaled = logits / temperature
    scaled[np.argsort(-scaled)[top_k:]] = -np.inf
    return tokens, np.exp(scaled - scaled.max()) / np.exp(scaled - scaled.max()).sum()


def test_next_token_panel_redraws_for_every_control_and_generates_on_click():
    calls = []

    def generate(prompt, temperature, top_k, seed):
        calls.append((prompt, temperature, top_k, seed))
        return f"{prompt} continued with seed {seed}"

    panel = next_token_panel(_distribution, generate, ["x y", "x y z w"], temperature=1.0, top_k=4, max_top_k=4)
    texts = [panel.output.outputs[0]["text"]]
    assert panel.output.outputs[1]["output_type"] == "display_data" and "image/png" in panel.output.outputs[1]["data"]
    for control, value in ((panel.temperature, 0.5), (panel.top_k, 2), (panel.prompt, "x y z w"),
                           (panel.temperature, 0.0)):
        control.value = value
        texts.append(panel.output.outputs[0]["text"])
    assert len(set(texts)) == len(texts), f"a control change did not change the panel's text: {texts}"
    assert "(1 tokens can be drawn)" in texts[-1], "temperature 0 is greedy: one token"
    assert not calls, "nothing is generated before the button is clicked"
    panel.button.click()
    panel.button.click()
    assert calls == [("x y z w", 0.0, 2, 1), ("x y z w", 0.0, 2, 2)], "each click samples with the next seed"
    assert panel.output.outputs[-1]["text"] == "generated (seed 2): x y z w continued with seed 2\n"
    panel.prompt.value = "  "
    assert "type a prompt" in panel.output.outputs[0]["text"]


def _stored_text(predicate) -> str:
    notebook = nbformat.read(LECTURE, as_version=4)
    cell = next(c for c in notebook.cells if c.cell_type == "code" and predicate(c.source))
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


def test_stored_lecture_proves_the_mask_and_passes_check_yourself():
    proof = _stored_text(lambda s: "X_changed[:, 5:]" in s)
    assert "with the causal mask:    ['0.000', '0.000', '0.000', '0.000', '0.000'," in proof
    verdict = _stored_text(lambda s: "check_yourself({" in s)
    assert "All checks passed" in verdict and "DIFF" not in verdict, verdict
