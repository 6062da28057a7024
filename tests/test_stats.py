"""llmcourse.stats: mean ± std over seeds and the percentile bootstrap, checked against numpy and scipy."""
from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as scipy_stats

from llmcourse.stats import bootstrap_difference, bootstrap_mean, bootstrap_spearman_difference, mean_std, over_seeds


def test_mean_std_is_the_sample_standard_deviation():
    spread = mean_std([0.86, 0.87, 0.88])
    assert spread.mean == pytest.approx(0.87)
    assert spread.std == pytest.approx(0.01)                      # ddof=1: sqrt((0.01² + 0 + 0.01²) / 2)
    assert spread.std == pytest.approx(np.std([0.86, 0.87, 0.88], ddof=1))
    assert str(spread) == "0.870 ± 0.010 (3 seeds)"
    assert spread.format(1, scale=100) == "87.0 ± 1.0 (3 seeds)"
    assert mean_std([0.5]).std == 0.0
    with pytest.raises(ValueError, match="at least one"):
        mean_std([])


def test_over_seeds_passes_each_seed():
    seen = []
    spread = over_seeds(lambda seed: seen.append(seed) or seed / 10, seeds=[1, 2, 3])
    assert seen == [1, 2, 3] and spread.values == (0.1, 0.2, 0.3)


@pytest.mark.parametrize("seed", [0, 1])
def test_bootstrap_mean_agrees_with_scipy(seed):
    scores = np.random.default_rng(seed).binomial(1, 0.7, size=240).astype(float)
    ours = bootstrap_mean(scores, seed=seed)
    theirs = scipy_stats.bootstrap((scores,), np.mean, n_resamples=10_000, method="percentile",
                                   random_state=np.random.default_rng(seed + 100)).confidence_interval
    assert ours.estimate == pytest.approx(scores.mean())
    assert ours.low == pytest.approx(theirs.low, abs=0.01) and ours.high == pytest.approx(theirs.high, abs=0.01)
    # the normal approximation of a proportion's interval is close too: p ± 1.96 sqrt(p(1-p)/n)
    half = 1.96 * np.sqrt(scores.mean() * (1 - scores.mean()) / len(scores))
    assert ours.high - ours.low == pytest.approx(2 * half, abs=0.01)


def test_bootstrap_difference_is_paired_and_agrees_with_scipy():
    rng = np.random.default_rng(3)
    a = rng.binomial(1, 0.8, size=300).astype(float)
    b = np.where(rng.random(300) < 0.9, a, 1 - a)              # b agrees with a on about 90 % of the items
    ours = bootstrap_difference(a, b)
    theirs = scipy_stats.bootstrap((a, b), lambda x, y, axis=-1: x.mean(axis=axis) - y.mean(axis=axis),
                                   paired=True, vectorized=True, n_resamples=10_000, method="percentile",
                                   random_state=np.random.default_rng(7)).confidence_interval
    assert ours.estimate == pytest.approx(a.mean() - b.mean())
    assert ours.low == pytest.approx(theirs.low, abs=0.01) and ours.high == pytest.approx(theirs.high, abs=0.01)
    unpaired = scipy_stats.bootstrap((a, b), lambda x, y, axis=-1: x.mean(axis=axis) - y.mean(axis=axis),
                                     paired=False, vectorized=True, n_resamples=10_000, method="percentile",
                                     random_state=np.random.default_rng(7)).confidence_interval
    assert ours.high - ours.low < 0.7 * (unpaired.high - unpaired.low), "pairing should narrow the interval"


def test_interval_reports_whether_zero_is_excluded_and_rejects_bad_input():
    same = np.ones(50)
    assert not bootstrap_difference(same, same).excludes_zero()
    better = bootstrap_difference(np.ones(50), np.r_[np.zeros(25), np.ones(25)])
    assert better.excludes_zero() and better.estimate == pytest.approx(0.5)
    assert str(bootstrap_difference(same, same)) == "+0.000 [+0.000, +0.000] (95 %)"
    assert bootstrap_mean(np.arange(10.0), seed=4) == bootstrap_mean(np.arange(10.0), seed=4)
    with pytest.raises(ValueError, match="same 1-D shape"):
        bootstrap_difference([1, 0, 1], [1, 0])
    with pytest.raises(ValueError, match="at least 2 items"):
        bootstrap_mean([1.0])
    with pytest.raises(ValueError, match="confidence"):
        bootstrap_mean([1.0, 0.0], confidence=95)


def test_bootstrap_spearman_difference_agrees_with_scipy():
    rng = np.random.default_rng(5)
    gold = rng.integers(0, 6, size=200).astype(float)             # STS-like: integer scores, many ties
    before = gold + rng.normal(0, 1.5, size=200)
    after = gold + rng.normal(0, 1.0, size=200)                   # a better system on the same pairs
    ours = bootstrap_spearman_difference(after, before, gold, n_resamples=2_000)
    rho = lambda x: scipy_stats.spearmanr(x, gold).statistic
    assert ours.estimate == pytest.approx(rho(after) - rho(before))
    theirs = scipy_stats.bootstrap(
        (after, before, gold), lambda x, y, g: scipy_stats.spearmanr(x, g).statistic - scipy_stats.spearmanr(y, g).statistic,
        paired=True, vectorized=False, n_resamples=2_000, method="percentile",
        random_state=np.random.default_rng(11)).confidence_interval
    assert ours.low == pytest.approx(theirs.low, abs=0.015) and ours.high == pytest.approx(theirs.high, abs=0.015)
    assert ours.excludes_zero() and ours.low > 0
    same = bootstrap_spearman_difference(before, before, gold, n_resamples=500)
    assert (same.low, same.high) == (0.0, 0.0)
    with pytest.raises(ValueError, match="same 1-D shape"):
        bootstrap_spearman_difference(before, before[:-1], gold)


def test_resample_ranks_match_scipy_rankdata_of_the_drawn_items():
    from llmcourse.stats import _resample_counts, _resample_indices, _resample_ranks

    for values in (np.random.default_rng(2).integers(-3, 4, size=40) * 0.37,      # many ties
                   np.random.default_rng(3).normal(size=40)):                      # none, until drawn twice
        counts, indices = _resample_counts(40, 50, 6), _resample_indices(40, 50, 6)
        ranks = _resample_ranks(values, counts)
        for r in range(50):
            expected = scipy_stats.rankdata(values[indices[r]])                    # the resample as a list
            np.testing.assert_allclose(ranks[r, indices[r]], expected)


def test_resample_indices_are_drawn_once_and_cannot_be_changed():
    from llmcourse.stats import _resample_indices

    first = _resample_indices(30, 100, 0)
    assert _resample_indices(30, 100, 0) is first                    # cached: the same draw, not a new one
    assert not np.array_equal(_resample_indices(30, 100, 1), first)  # another seed, another draw
    np.testing.assert_array_equal(first, np.random.default_rng(0).integers(0, 30, size=(100, 30)))
    with pytest.raises(ValueError):
        first[0, 0] = 1


def test_resample_counts_give_the_same_means_as_the_drawn_items():
    from llmcourse.stats import _resample_counts, _resample_indices

    scores = np.random.default_rng(4).random(57)
    counts, indices = _resample_counts(57, 500, 3), _resample_indices(57, 500, 3)
    assert (counts.sum(axis=1) == 57).all()
    np.testing.assert_allclose(counts @ scores / 57, scores[indices].mean(axis=1), rtol=1e-12)
