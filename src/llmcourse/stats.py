"""Noise for comparisons between methods: mean ± std over seeds, and percentile-bootstrap intervals.

A lecture that ranks methods shows how much the ranking could move: re-train with several seeds (`over_seeds`),
and resample the test items (`bootstrap_mean`, `bootstrap_difference`: paired, both methods scored on the same
resampled items; `bootstrap_spearman_difference` for two rank correlations with the same gold scores). Written by
hand because the bootstrap is part of the lesson; tests/test_stats.py checks it against
`scipy.stats.bootstrap(..., paired=True, method="percentile")`.

    from llmcourse.stats import over_seeds, bootstrap_difference
    acc = over_seeds(lambda seed: train_and_score(seed), seeds=range(5))     # SeedSpread
    print(acc)                                   # "0.871 ± 0.004 (5 seeds)"
    gap = bootstrap_difference(correct_a, correct_b)   # per-item scores of two methods, same items
    print(gap)                                   # "+0.042 [-0.004, +0.088] (95 %)"
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Iterable

import numpy as np

N_RESAMPLES = 10_000
CONFIDENCE = 0.95


@dataclass(frozen=True)
class SeedSpread:
    """Mean and sample standard deviation (ddof=1) of one score over several seeds; `values` keeps every run."""
    mean: float
    std: float
    values: tuple[float, ...]

    def format(self, digits: int = 3, scale: float = 1.0) -> str:
        return f"{self.mean * scale:.{digits}f} ± {self.std * scale:.{digits}f} ({len(self.values)} seeds)"

    def __str__(self) -> str:
        return self.format()


@dataclass(frozen=True)
class Interval:
    """A point estimate and its percentile-bootstrap interval at `confidence` (e.g. 0.95)."""
    estimate: float
    low: float
    high: float
    confidence: float = CONFIDENCE

    def excludes_zero(self) -> bool:
        return self.low > 0 or self.high < 0

    def format(self, digits: int = 3, scale: float = 1.0, sign: bool = True) -> str:
        f = f"{{:{'+' if sign else ''}.{digits}f}}"
        return (f"{f.format(self.estimate * scale)} [{f.format(self.low * scale)}, {f.format(self.high * scale)}]"
                f" ({self.confidence:.0%})".replace("%", " %"))

    def __str__(self) -> str:
        return self.format()


def mean_std(values: Iterable[float]) -> SeedSpread:
    """Mean ± sample standard deviation (ddof=1; 0 for a single value) of a list of scores."""
    array = np.asarray(list(values), dtype=float)
    if array.size == 0:
        raise ValueError("mean_std needs at least one value")
    std = float(array.std(ddof=1)) if array.size > 1 else 0.0
    return SeedSpread(float(array.mean()), std, tuple(float(v) for v in array))


def over_seeds(run: Callable[[int], float], seeds: Iterable[int] = range(5)) -> SeedSpread:
    """Call `run(seed)` for every seed (it must seed its own randomness from the argument) and summarise."""
    return mean_std(float(run(seed)) for seed in seeds)


@lru_cache(maxsize=8)
def _resample_indices(n: int, n_resamples: int, seed: int) -> np.ndarray:
    """The (n_resamples, n) item indices of the bootstrap: a function of (n, n_resamples, seed) alone, so a lecture
    that compares many pairs of methods on one test set draws them once (read-only, int32: half the memory)."""
    if n < 2:
        raise ValueError(f"the bootstrap needs at least 2 items, got {n}")
    indices = np.random.default_rng(seed).integers(0, n, size=(n_resamples, n)).astype(np.int32)
    indices.flags.writeable = False
    return indices


@lru_cache(maxsize=8)
def _resample_counts(n: int, n_resamples: int, seed: int) -> np.ndarray:
    """How often each item is drawn in each resample, (n_resamples, n): a resample's mean is then one row times the
    scores, so a bootstrap of a mean is one matrix-vector product instead of a gather of n_resamples * n values."""
    indices = _resample_indices(n, n_resamples, seed)
    rows = np.repeat(np.arange(n_resamples), n)
    counts = np.bincount(rows * n + indices.ravel(), minlength=n_resamples * n).reshape(n_resamples, n)
    counts = counts.astype(np.float64)
    counts.flags.writeable = False
    return counts


def _interval(estimate: float, resampled: np.ndarray, confidence: float) -> Interval:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, not {confidence}")
    alpha = (1 - confidence) / 2
    low, high = np.quantile(resampled, [alpha, 1 - alpha])
    return Interval(float(estimate), float(low), float(high), confidence)


def bootstrap_mean(scores, *, n_resamples: int = N_RESAMPLES, confidence: float = CONFIDENCE,
                   seed: int = 0) -> Interval:
    """Mean of per-item scores (e.g. 1/0 correct, or one query's nDCG) with a percentile-bootstrap interval."""
    scores = np.asarray(scores, dtype=float)
    if scores.ndim != 1:
        raise ValueError(f"scores must be one score per item (1-D), got shape {scores.shape}")
    resampled = _resample_counts(len(scores), n_resamples, seed) @ scores / len(scores)
    return _interval(scores.mean(), resampled, confidence)


def bootstrap_difference(scores_a, scores_b, *, n_resamples: int = N_RESAMPLES, confidence: float = CONFIDENCE,
                         seed: int = 0) -> Interval:
    """mean(a) - mean(b) with a paired percentile-bootstrap interval: a and b score the SAME items, in the same
    order, and every resample draws the same items for both (so the interval reflects the test set's noise in the
    difference, not each method's separately)."""
    a, b = np.asarray(scores_a, dtype=float), np.asarray(scores_b, dtype=float)
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError(f"paired scores need the same 1-D shape, got {a.shape} and {b.shape}")
    return bootstrap_mean(a - b, n_resamples=n_resamples, confidence=confidence, seed=seed)


def _resample_ranks(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The average rank (1 = smallest, ties share their mean rank) of each item inside each resample, given how often
    each item is drawn (`counts`, (resamples, n)): an item drawn k times is k tied values. One sort of the n values
    serves every resample; the ranks come from running sums of the counts in sorted order."""
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])     # first position of each run of equal values
    group_of = np.cumsum(np.r_[True, ordered[1:] != ordered[:-1]]) - 1
    per_group = np.add.reduceat(counts[:, order], starts, axis=1)          # (resamples, distinct values)
    group_rank = np.cumsum(per_group, axis=1) - per_group + (per_group + 1) / 2
    ranks = np.empty(counts.shape)
    ranks[:, order] = group_rank[:, group_of]
    return ranks


def _weighted_correlation(a: np.ndarray, b: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Pearson's r per row, each item counted `weights` times (on ranks: Spearman's rho of the resample)."""
    total = weights.sum(axis=1, keepdims=True)
    a = a - (weights * a).sum(axis=1, keepdims=True) / total
    b = b - (weights * b).sum(axis=1, keepdims=True) / total
    return (weights * a * b).sum(axis=1) / np.sqrt((weights * a * a).sum(axis=1) * (weights * b * b).sum(axis=1))


def bootstrap_spearman_difference(predicted_a, predicted_b, gold, *, n_resamples: int = N_RESAMPLES,
                                  confidence: float = CONFIDENCE, seed: int = 0) -> Interval:
    """Spearman(a, gold) - Spearman(b, gold), with a paired percentile-bootstrap interval: both systems' scores of
    the SAME pairs (e.g. STS cosines before and after training) are resampled together. A rank correlation is not a
    mean over items, so `bootstrap_difference` does not apply; this recomputes both correlations per resample."""
    a, b, g = (np.asarray(x, dtype=float) for x in (predicted_a, predicted_b, gold))
    if not a.shape == b.shape == g.shape or a.ndim != 1:
        raise ValueError(f"paired scores need the same 1-D shape, got {a.shape}, {b.shape} and {g.shape}")

    def difference(counts):        # Spearman(a) - Spearman(b) per row of counts; the gold ranks serve both
        gold_ranks = _resample_ranks(g, counts)
        return (_weighted_correlation(_resample_ranks(a, counts), gold_ranks, counts)
                - _weighted_correlation(_resample_ranks(b, counts), gold_ranks, counts))

    estimate = float(difference(np.ones((1, len(a))))[0])
    resampled = difference(_resample_counts(len(a), n_resamples, seed))
    return _interval(estimate, resampled, confidence)
