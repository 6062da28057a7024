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
    # The suite's longest files start first: with one pytest-xdist worker per core (`course.py test`), a long file
    # collected last would run alone at the end while the other core idles. Stable: order within a file is kept.
    first = ("test_hub_semester.py", "test_browser.py", "06_fine_tuning.ipynb")
    items.sort(key=lambda item: first.index(item.path.name) if item.path.name in first else len(first))
