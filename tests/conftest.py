"""Shared fixtures. Notebooks collected by nbval (lectures/) are marked slow, so `course.py test --fast` skips them."""
from __future__ import annotations

import os

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")  # in-process notebook code must not open windows
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

# Submissions used as fixtures by the autograder tests are data, not notebooks to run.
collect_ignore_glob = ["fixtures/*", "fixtures/**/*"]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if type(item).__name__ == "IPyNbCell":  # an nbval cell of a lecture notebook
            item.add_marker(pytest.mark.slow)
