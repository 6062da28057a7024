"""Shared fixtures. Notebooks collected by nbval (lectures/) are marked slow, so `course.py test --fast` skips them."""
from __future__ import annotations

import os

import matplotlib
import pytest

# In-process notebook code (the mutation tests) must not open windows. Not via MPLBACKEND: that variable would
# reach the kernels nbval starts and stop their plots from being drawn inline.
matplotlib.use("Agg")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

# Submissions used as fixtures by the autograder tests are data, not notebooks to run.
collect_ignore_glob = ["fixtures/*", "fixtures/**/*"]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if type(item).__name__ == "IPyNbCell":  # an nbval cell of a lecture notebook
            item.add_marker(pytest.mark.slow)
