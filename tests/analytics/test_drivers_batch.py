"""The drivers' bootstrap in one batch (issue 16 item 5, for speed) gives what resampling
the rows one resample at a time gives: the same correlation matrices and Shapley values."""

from __future__ import annotations

import numpy as np

from voxloop.analytics import drivers


def test_weighted_resamples_equal_copied_resamples_and_batches_equal_singles():
    rng = np.random.default_rng(7)
    x = rng.normal(size=(300, 3))
    y = x @ np.array([2.0, 1.0, 0.0]) + rng.normal(size=300)
    data = np.column_stack([y, x, np.round(x[:, 0])])  # a coarse, correlated column too
    draws = [rng.integers(0, 300, 300) for _ in range(5)]
    weights = np.array([np.bincount(d, minlength=300) for d in draws], dtype=float)
    batched = drivers._corr_weighted(data, weights)
    for b, d in enumerate(draws):
        assert np.allclose(batched[b], drivers._corr(data[d]), atol=1e-9)
    together = drivers._shapley_np(batched)
    for b in range(len(draws)):
        assert np.allclose(together[b], drivers._shapley_np(batched[b]), atol=1e-12)
    assert together.shape == (5, 4) and np.allclose(together.sum(axis=1) > 0.5, True)


def test_a_constant_column_explains_nothing_in_a_batch():
    rng = np.random.default_rng(3)
    data = np.column_stack([rng.normal(size=50), rng.normal(size=50), np.ones(50)])
    corr = drivers._corr_weighted(data, np.ones((2, 50)))
    assert np.allclose(drivers._shapley_np(corr)[:, 1], 0.0)
