"""The course's small word corpus (data/word_corpus/sentences.txt, written by data/generators/word_corpus.py).

    from llmcourse.datasets.word_corpus import load_sentences, load_tokenized
    sentences = load_sentences()        # 6,000 lower-case template sentences about royals, people and places
    tokens = load_tokenized()           # the same, split on whitespace (optionally without stop words)

Used by lecture 01 to train skip-gram word vectors in seconds. Invented text, CC BY 4.0 (see data/README.md).
"""
from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from llmcourse.paths import data_path


@lru_cache(maxsize=1)
def _sentences() -> tuple[str, ...]:
    text = data_path("word_corpus", "sentences.txt").read_text(encoding="utf-8")
    return tuple(line for line in text.splitlines() if line.strip())


def load_sentences() -> list[str]:
    """All sentences, one string each, in file order."""
    return list(_sentences())


def load_tokenized(stop_words: Iterable[str] = ()) -> list[list[str]]:
    """Each sentence as a list of words (split on whitespace), leaving out `stop_words`."""
    stop = set(stop_words)
    return [[word for word in sentence.split() if word not in stop] for sentence in _sentences()]
