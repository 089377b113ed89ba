"""Driver analysis: how much of the variation in NPS each rated question or attribute explains.

Shapley regression (also called dominance analysis): fit a linear model of the 0–10 score on
every subset of the candidate drivers; a driver's importance is the R² it adds when it joins a
subset, averaged over every order in which drivers could join. The importances add up to the
R² of the model with all of them, so each can be read as "this share of what we can explain".
The sign says whether more of the driver goes with a higher score.

Pure Python on a correlation matrix: k drivers cost 2^k small solves, so k is capped. The
bootstrap intervals (importance and rank) redo it with numpy over resamples of respondents.
"""

from __future__ import annotations

import math
from itertools import combinations

import numpy as np

MAX_DRIVERS = 10


def correlation_matrix(columns: list[list[float]]) -> list[list[float]]:
    n = len(columns[0]) if columns else 0
    means = [sum(c) / n for c in columns]
    centred = [[x - m for x in c] for c, m in zip(columns, means, strict=True)]
    norms = [math.sqrt(sum(x * x for x in c)) for c in centred]
    k = len(columns)
    r = [[0.0] * k for _ in range(k)]
    for i in range(k):
        for j in range(i, k):
            if norms[i] == 0 or norms[j] == 0:
                value = 1.0 if i == j else 0.0
            else:
                dot = sum(a * b for a, b in zip(centred[i], centred[j], strict=True))
                value = dot / (norms[i] * norms[j])
            r[i][j] = r[j][i] = value
    return r


def _solve(a: list[list[float]], b: list[float]) -> list[float] | None:
    """Gaussian elimination with partial pivoting; None when singular."""
    n = len(b)
    m = [[*row, b[i]] for i, row in enumerate(a)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(m[r][col]))
        if abs(m[pivot][col]) < 1e-12:
            return None
        m[col], m[pivot] = m[pivot], m[col]
        for r in range(n):
            if r != col:
                factor = m[r][col] / m[col][col]
                for c in range(col, n + 1):
                    m[r][c] -= factor * m[col][c]
    return [m[i][n] / m[i][i] for i in range(n)]


def r_squared(corr: list[list[float]], subset: tuple[int, ...]) -> float:
    """R² of the outcome (index 0) on the predictors in `subset` (indices ≥ 1)."""
    if not subset:
        return 0.0
    rxx = [[corr[i][j] for j in subset] for i in subset]
    rxy = [corr[i][0] for i in subset]
    beta = _solve(rxx, rxy)
    if beta is None:
        return max((corr[i][0] ** 2 for i in subset), default=0.0)  # collinear: best single
    return max(0.0, min(1.0, sum(b * r for b, r in zip(beta, rxy, strict=True))))


def shapley_importance(outcome: list[float], drivers: list[list[float]]) -> dict[str, object]:
    """{"r2": R² of the full model, "importance": [per driver], "direction": [±1 per driver]}."""
    k = len(drivers)
    if k == 0 or k > MAX_DRIVERS:
        raise ValueError(f"between 1 and {MAX_DRIVERS} drivers")
    corr = correlation_matrix([outcome, *drivers])
    predictors = tuple(range(1, k + 1))
    r2: dict[tuple[int, ...], float] = {(): 0.0}
    for size in range(1, k + 1):
        for subset in combinations(predictors, size):
            r2[subset] = r_squared(corr, subset)
    weight = [math.factorial(s) * math.factorial(k - s - 1) / math.factorial(k) for s in range(k)]
    importance = []
    for j in predictors:
        others = tuple(p for p in predictors if p != j)
        total = 0.0
        for size in range(k):
            for subset in combinations(others, size):
                joined = tuple(sorted((*subset, j)))
                total += weight[size] * (r2[joined] - r2[subset])
        importance.append(total)
    direction = [1 if corr[j][0] >= 0 else -1 for j in predictors]
    return {"r2": r2[predictors], "importance": importance, "direction": direction}


# --- bootstrap intervals ---------------------------------------------------------------------

BOOTSTRAP_REPS = 200
BOOTSTRAP_SEED = 15  # fixed: the same data give the same intervals on every reload


def _corr(data: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = np.corrcoef(data, rowvar=False)
    corr = np.nan_to_num(corr)
    np.fill_diagonal(corr, 1.0)
    return corr


def _corr_weighted(data: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The correlation matrices of many resamples at once: resample b takes row i
    weights[b, i] times (what `_corr(data[indices])` gives, without copying the rows)."""
    total = weights.sum(axis=1)[:, None]
    means = weights @ data / total
    width = data.shape[1]
    products = (data[:, :, None] * data[:, None, :]).reshape(len(data), width * width)
    second = (weights @ products).reshape(-1, width, width) / total[:, :, None]
    cov = second - means[:, :, None] * means[:, None, :]
    variance = np.einsum("bii->bi", cov)
    # E[x²] − E[x]² of a constant column is a rounding residue (its size depends on the
    # CPU's summation order), not a variance: such a column correlates with nothing.
    constant = variance <= 1e-10 * np.einsum("bii->bi", second)
    sd = np.where(constant, 0.0, np.sqrt(np.clip(variance, 0.0, None)))
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = cov / (sd[:, :, None] * sd[:, None, :])
    corr[constant[:, :, None] | constant[:, None, :]] = 0.0
    corr = np.nan_to_num(np.clip(corr, -1.0, 1.0))
    k = data.shape[1]
    corr[:, np.arange(k), np.arange(k)] = 1.0
    return corr


def _shapley_np(corr: np.ndarray) -> np.ndarray:
    """Shapley importances from correlation matrices (outcome first), all subsets at once;
    `corr` is one matrix (k+1, k+1) or a stack of them (B, k+1, k+1)."""
    stacked = corr if corr.ndim == 3 else corr[None]
    batch, k = stacked.shape[0], stacked.shape[1] - 1
    r2 = np.zeros((batch, 1 << k))
    for size in range(1, k + 1):
        idx = np.array(list(combinations(range(k), size))) + 1
        a = stacked[:, idx[:, :, None], idx[:, None, :]]
        b = stacked[:, idx, 0]
        beta = np.einsum("bmij,bmj->bmi", np.linalg.pinv(a), b)
        values = np.clip((beta * b).sum(axis=2), 0.0, 1.0)
        masks = (1 << (idx - 1)).sum(axis=1)
        r2[:, masks] = values
    masks = np.arange(1 << k)
    sizes = np.array([bin(m).count("1") for m in masks])
    weight = np.array(
        [math.factorial(s) * math.factorial(k - s - 1) / math.factorial(k) for s in range(k)]
        + [0.0]
    )
    importance = np.zeros((batch, k))
    for j in range(k):
        without = masks[(masks >> j) & 1 == 0]
        gain = r2[:, without | (1 << j)] - r2[:, without]
        importance[:, j] = (weight[sizes[without]] * gain).sum(axis=1)
    return importance if corr.ndim == 3 else importance[0]


def bootstrap(outcome: list[float], drivers: list[list[float]]) -> dict[str, list]:
    """95% percentile intervals of each importance and of its rank (1 = most important) over
    resamples of the respondents, and ahead[i][j]: the interval of importance i − j lies
    above zero (i is clearly ahead of j)."""
    data = np.column_stack([outcome, *drivers]).astype(float)
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    n = data.shape[0]
    # The same resamples as drawing rows one resample at a time, counted instead of copied,
    # and every resample's Shapley values in one batch (issue 16: the page under 300 ms).
    weights = np.empty((BOOTSTRAP_REPS, n))
    for b in range(BOOTSTRAP_REPS):
        weights[b] = np.bincount(rng.integers(0, n, n), minlength=n)
    draws = _shapley_np(_corr_weighted(data, weights))
    ranks = (-draws).argsort(axis=1).argsort(axis=1) + 1
    low, high = np.percentile(draws, [2.5, 97.5], axis=0)
    rank_low, rank_high = np.percentile(ranks, [2.5, 97.5], axis=0)
    diff_low = np.percentile(draws[:, :, None] - draws[:, None, :], 2.5, axis=0)
    return {
        "low": low.tolist(),
        "high": high.tolist(),
        "rank_low": [math.floor(r) for r in rank_low],
        "rank_high": [math.ceil(r) for r in rank_high],
        "ahead": (diff_low > 0).tolist(),
    }
