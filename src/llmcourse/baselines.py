"""Shortcut baselines: how far a model gets WITHOUT the skill a lecture teaches.

A generated data set is only worth training on if its labels cannot be read off a surface cue. The lectures prove it
with bag-of-words baselines (scikit-learn's CountVectorizer + LogisticRegression), e.g. on the hypothesis alone, or
on the words a hypothesis adds to and drops from its premise.

    from llmcourse.baselines import bag_of_words_predictions, added_and_dropped
    predicted = bag_of_words_predictions(train_texts, train_labels, test_texts)
"""
from __future__ import annotations

import re

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

_WORD = re.compile(r"[a-z']+")


def words(text: str) -> list[str]:
    """Lower-case words, punctuation dropped."""
    return _WORD.findall(text.lower())


def added_and_dropped(premise: str, hypothesis: str) -> str:
    """The words the hypothesis adds ("+word") and drops ("-word") relative to the premise, as one string of
    tokens, sorted: everything a classifier that ignores word order and the words both sentences share can see."""
    p, h = set(words(premise)), set(words(hypothesis))
    return " ".join(sorted([f"+{w}" for w in h - p] + [f"-{w}" for w in p - h])) or "(none)"


def bag_of_words_predictions(train_texts, train_labels, test_texts, *, ngram_range=(1, 1), C: float = 1.0):
    """Fit a bag-of-words logistic regression (binary counts of whitespace tokens) and predict the test texts."""
    model = make_pipeline(CountVectorizer(token_pattern=r"\S+", lowercase=True, binary=True, ngram_range=ngram_range),
                          LogisticRegression(C=C, max_iter=2000))
    model.fit(list(train_texts), list(train_labels))
    return np.asarray(model.predict(list(test_texts)))
