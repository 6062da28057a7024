"""Seeds and thread counts, so that a re-run gives the same numbers as the stored outputs."""
from __future__ import annotations

import os
import random

import numpy as np

# Float sums depend on how work is split between threads: one fixed count keeps printed numbers identical on
# every machine. One thread, because a student's laptop is rarely idle: with another program busy on one of two
# cores, 50 steps of lecture 04's tiny BERT took 23.0 s with 2 threads and 3.5 s with 1 (they fight for a core).
# LLMCOURSE_THREADS overrides it for a faster, idle machine (printed numbers may then differ in the last digits).
DEFAULT_THREADS = 1


def seed_everything(seed: int = 0, threads: int | None = None) -> np.random.Generator:
    """Seed Python, NumPy and torch; fix torch's thread count. Returns a NumPy Generator seeded the same way."""
    random.seed(seed)
    np.random.seed(seed)
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        torch.manual_seed(seed)
        wanted = threads or int(os.environ.get("LLMCOURSE_THREADS", DEFAULT_THREADS))
        if torch.get_num_threads() != wanted:
            torch.set_num_threads(wanted)
    return np.random.default_rng(seed)
