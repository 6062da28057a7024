"""The short stories lecture 08 trains its tiny GPT on: data/decoder_stories/stories.txt (see data/README.md).

Written from templates by data/generators/decoder_stories.py, one story per line, words and punctuation separated
by single spaces (so a word-level tokenizer is `story.split()`).

    from llmcourse.datasets.decoder_stories import load_stories, train_test_stories
    stories = load_stories()              # list of strings, one per story
    train, test = train_test_stories()    # the last 10 % of stories are held out
"""
from __future__ import annotations

from llmcourse.paths import data_path

FILE = ("decoder_stories", "stories.txt")


def load_stories(limit: int | None = None) -> list[str]:
    """All stories (or the first `limit`), in file order."""
    lines = data_path(*FILE).read_text(encoding="utf-8").splitlines()
    stories = [line.strip() for line in lines if line.strip()]
    return stories[:limit] if limit is not None else stories


def train_test_stories(test_fraction: float = 0.1) -> tuple[list[str], list[str]]:
    """(train, test): the last `test_fraction` of the stories are the held-out test set (no shuffling)."""
    stories = load_stories()
    n_test = max(1, round(len(stories) * test_fraction))
    return stories[:-n_test], stories[-n_test:]
