"""Lecture 04 (BERT pre-training): the shipped corpus is what its seeded generator writes, the loader reads it as
documents, the tiny tokenizer's renumbered vocabulary is stable, the fill-in-the-blank panel redraws for every
control, and the stored lecture shows the slide's segment ids and a passing check_yourself."""
from __future__ import annotations

import collections

import nbformat

from datagen import load_generator
from llmcourse.datasets.bert_corpus import load_documents, sentences, train_test_documents
from llmcourse.paths import REPO_ROOT
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


def _renumbered_vocabulary():
    """What the lecture does: train WordPiece with `tokenizers`, keep used tokens + characters, order by frequency."""
    from tokenizers import BertWordPieceTokenizer

    special = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    train, _ = train_test_documents()
    trainer = BertWordPieceTokenizer(lowercase=True)
    trainer.train_from_iterator(sentences(train), vocab_size=1000, min_frequency=2, special_tokens=special,
                                show_progress=False)
    counts = collections.Counter(t for s in sentences(train) for t in trainer.encode(s, add_special_tokens=False).tokens)
    kept = {t for t in trainer.get_vocab() if counts[t] > 0 or len(t.removeprefix("##")) == 1} - set(special)
    return sorted(kept, key=lambda t: (-counts[t], t))


def test_renumbered_tokenizer_vocabulary_is_stable():
    # The trainer's own ids depend on hash order; the lecture's renumbering must not.
    first, second = _renumbered_vocabulary(), _renumbered_vocabulary()
    assert first == second, "the kept tokens or their order changed between two trainings"
    words = {w for s in sentences(train_test_documents()[0]) for w in s.split()}
    assert set(first) >= words and len(first) < 500, "every corpus word is one token; few extra pieces"


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
