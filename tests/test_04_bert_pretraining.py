"""Lecture 04 (BERT pre-training): the shipped corpus is what its seeded generator writes, the loader reads it as
documents, the tiny tokenizer's renumbered vocabulary is stable, the fill-in-the-blank panel redraws for every
control, and the stored lecture shows the slide's segment ids and a passing check_yourself."""
from __future__ import annotations

import re

import nbformat

from datagen import load_generator
from llmcourse.datasets.bert_corpus import load_documents, sentences, train_test_documents
from llmcourse.paths import REPO_ROOT
from llmcourse.vocabulary import SPECIAL_TOKENS, train_wordpiece
from llmcourse.widgets import fill_in_the_blank_panel

LECTURE = REPO_ROOT / "lectures" / "04_bert_pretraining.ipynb"
CORPUS = REPO_ROOT / "data" / "bert_corpus" / "documents.txt"


def test_loader_reads_documents_of_several_sentences():
    documents = load_documents()
    assert len(documents) == load_generator("bert_corpus").N_DOCUMENTS == 900
    assert all(5 <= len(d) <= 7 for d in documents), "a story has an opening, 3-5 middle sentences and a closing"
    assert all(s == s.strip() and s.endswith(" .") for d in documents for s in d)
    train, test = train_test_documents()
    assert (len(train), len(test)) == (810, 90) and train + test == documents
    assert load_documents(limit=3) == documents[:3]
    assert len(sentences(test)) == sum(len(d) for d in test)


def test_wordpiece_vocabulary_is_stable_and_covers_the_corpus():
    # The trainer's own ids depend on hash order; llmcourse.vocabulary's renumbering must not.
    train, _ = train_test_documents()
    first, second = (train_wordpiece(sentences(train), vocab_size=1000, min_frequency=2) for _ in range(2))
    assert first.tokens == second.tokens, "the kept tokens or their order changed between two trainings"
    assert first.tokens[:5] == SPECIAL_TOKENS and first.tokenizer.convert_tokens_to_ids("[MASK]") == 4
    words = {w for s in sentences(train) for w in s.split()}
    assert set(first.ordered) >= words and len(first.ordered) < 500, "every corpus word is one token; few pieces"
    counts = [first.counts[t] for t in first.ordered]
    assert counts == sorted(counts, reverse=True), "ordered by frequency"
    assert first.used == sum(c > 0 for c in counts) < len(first.ordered) <= first.trained_size
    assert first.tokenizer.tokenize("anna bakes two cakes") == ["anna", "bake", "##s", "two", "cake", "##s"]


def test_fill_in_the_blank_panel_redraws_for_every_control():
    calls = []

    def predictor(name):
        def predict(text, k):
            calls.append((name, text, k))
            return [(f"{name}{i}", 1.0 / (i + 2)) for i in range(k)]
        return predict

    panel = fill_in_the_blank_panel({"untrained": predictor("u"), "trained": predictor("t")},
                                    ["a [MASK] b", "c d [MASK]"], k=3)
    texts = [panel.output.outputs[0]["text"]]
    assert calls[-1] == ("t", "a [MASK] b", 3), "the panel starts with the last model and the first sentence"
    for control, value in ((panel.k, 5), (panel.model, "untrained"), (panel.sentence, "c d [MASK]")):
        control.value = value
        texts.append(panel.output.outputs[0]["text"])
    assert len(set(texts)) == len(texts), f"a control change did not change the panel's text: {texts}"
    assert calls[-1] == ("u", "c d [MASK]", 5) and texts[-1].count("\n") == 6
    panel.sentence.value = "no blank here"
    assert "put [MASK] where" in panel.output.outputs[0]["text"]


def _stored_text(predicate) -> str:
    notebook = nbformat.read(LECTURE, as_version=4)
    cell = next(c for c in notebook.cells if c.cell_type == "code" and predicate(c.source))
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


def test_stored_lecture_shows_the_slide_pair_and_passes_check_yourself():
    pair = _stored_text(lambda s: 'tokenizer("my dog is cute", "he likes playing")' in s)
    assert "[CLS]      my     dog      is    cute   [SEP]      he   likes playing   [SEP]" in pair
    assert "segment |       0       0       0       0       0       0       1       1       1       1" in pair
    assert "one string, segments: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]" in pair
    verdict = _stored_text(lambda s: "check_yourself({" in s)
    assert "All checks passed" in verdict and "DIFF" not in verdict, verdict


def _all_stored_text() -> str:
    notebook = nbformat.read(LECTURE, as_version=4)
    return "".join(o.get("text", "") for c in notebook.cells if c.cell_type == "code" for o in c.outputs
                   if o.output_type == "stream")


def test_stored_lecture_explains_the_slide_numbers():
    text = _all_stored_text()
    assert "13 words -> 16 pieces + [CLS] + [SEP] = 18" in text, "ICE #2: the real count of pieces"
    assert "= model: True" in text and "shared with the word embeddings: True" in text, "the 138,085 vs 133,248 gap"
    line = next(line for line in text.splitlines() if line.startswith("NSP: 2-class cross-entropy == binary"))
    assert "approximate: True" in line
    assert "6 chosen: 4 [MASK], 1 random, 1 unchanged" in text


def test_stored_contextual_vectors_of_stick():
    text = _all_stored_text()
    rows = {line.strip()[:12]: [float(x) for x in line.split()[-7:]] for line in text.splitlines()
            if line.strip().startswith(("noun vs verb", "noun vs noun"))}
    verb, noun = rows["noun vs verb"], rows["noun vs noun"]
    assert verb[0] == noun[0] == 1.0, "the embedding layer gives both occurrences the same vector"
    assert 0.70 <= verb[-1] <= 0.78 and noun[-1] >= 0.95 and min(noun) > max(verb[3:])


def test_prose_says_the_online_section_is_off_by_default_and_cites_the_bert_paper():
    notebook = nbformat.read(LECTURE, as_version=4)
    prose = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    assert "Section 9\ncompares the real BERT-base, but only when you are online" in prose
    assert "Devlin et al. 2019, section 5.3, Table 7" in prose and "| 96.4 |" in prose and "96.1" in prose
    assert "uniformly" in prose and "create_pretraining_data.py" in prose


def test_stored_training_bar_is_finished():
    notebook = nbformat.read(LECTURE, as_version=4)
    bars = [o["data"]["text/plain"] for c in notebook.cells if c.cell_type == "code" for o in c.outputs
            if o.output_type == "display_data" and "100%|" in o["data"].get("text/plain", "")]
    steps = int(re.search(r"STEPS, BATCH = (\d+),", "".join(c.source for c in notebook.cells)).group(1))
    assert len(bars) == 1 and bars[0].startswith("pre-training: 100%") and f"{steps}/{steps}" in bars[0], bars


def test_shipped_tiny_bert_is_lecture_04s_model_and_fills_in_blanks():
    """data/tiny_bert/ (lecture 06's fill-mask model) has lecture 04's vocabulary and architecture, and the stored
    lecture 04 compared it with the model it trained (weights within 1e-4)."""
    from transformers import pipeline

    from llmcourse.models import load_tiny_bert

    tokenizer, model = load_tiny_bert()
    train_docs, _ = train_test_documents()
    vocabulary = train_wordpiece(sentences(train_docs), vocab_size=1000, min_frequency=2)
    assert tokenizer.get_vocab() == vocabulary.tokenizer.get_vocab()
    assert (model.config.num_hidden_layers, model.config.hidden_size) == (2, 64)
    guesses = pipeline("fill-mask", model=model, tokenizer=tokenizer)("every morning leo feeds the [MASK] in the barn .",
                                                                       top_k=5)
    assert len(guesses) == 5 and all(g["token_str"] in tokenizer.get_vocab() for g in guesses)
    scores = [g["score"] for g in guesses]
    assert scores == sorted(scores, reverse=True) and 0 < sum(scores) <= 1 + 1e-6
    notebook = nbformat.read(LECTURE, as_version=4)
    text = "".join(o.get("text", "") for c in notebook.cells if c.cell_type == "code" for o in c.outputs)
    assert "data/tiny_bert: same vocabulary: True; same weights within 1e-4: True" in text
