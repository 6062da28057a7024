"""The BERT pre-training corpus the course ships: data/bert_corpus/documents.txt (see data/README.md).

Short stories written from templates by data/generators/bert_corpus.py, one sentence per line and a blank line
between documents, the format BERT's own pre-training scripts read.

    from llmcourse.datasets.bert_corpus import load_documents, train_test_documents
    documents = load_documents()            # list of documents, each a list of sentences
    train, test = train_test_documents()    # the last 10 % of documents are held out
"""
from __future__ import annotations

from llmcourse.paths import data_path

FILE = ("bert_corpus", "documents.txt")


def load_documents(limit: int | None = None) -> list[list[str]]:
    """All documents (or the first `limit`), each a list of sentences (strings), in file order."""
    text = data_path(*FILE).read_text(encoding="utf-8")
    documents = [[line.strip() for line in block.splitlines() if line.strip()] for block in text.split("\n\n")]
    documents = [doc for doc in documents if doc]
    return documents[:limit] if limit is not None else documents


def train_test_documents(test_fraction: float = 0.1) -> tuple[list[list[str]], list[list[str]]]:
    """(train, test): the last `test_fraction` of the documents are the held-out test set (no shuffling)."""
    documents = load_documents()
    n_test = max(1, round(len(documents) * test_fraction))
    return documents[:-n_test], documents[-n_test:]


def sentences(documents: list[list[str]]) -> list[str]:
    """Every sentence of `documents`, flattened in order (e.g. to train a tokenizer)."""
    return [sentence for document in documents for sentence in document]
