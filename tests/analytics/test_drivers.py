"""Driver weights against an independent computation (numpy least squares, every order)."""

from itertools import permutations

import pytest

from tests.analytics.support import respond
from voxloop.analytics import driver_reads, drivers, filters, selectors

np = pytest.importorskip("numpy")


def r2_numpy(y, columns) -> float:
    if not columns:
        return 0.0
    x = np.column_stack([np.ones(len(y)), *columns])
    beta, *_ = np.linalg.lstsq(x, y, rcond=None)
    residual = y - x @ beta
    return 1 - residual @ residual / ((y - y.mean()) @ (y - y.mean()))


def shapley_by_permutations(y, columns) -> list[float]:
    """The definition itself: the average over every order of each driver's added R²."""
    k = len(columns)
    totals = [0.0] * k
    orders = list(permutations(range(k)))
    for order in orders:
        chosen: list[int] = []
        for j in order:
            before = r2_numpy(y, [columns[i] for i in chosen])
            chosen.append(j)
            totals[j] += r2_numpy(y, [columns[i] for i in chosen]) - before
    return [t / len(orders) for t in totals]


def test_shapley_matches_the_definition():
    rng = np.random.default_rng(3)
    a, b, c = rng.normal(size=(3, 300))
    b = b + 0.6 * a  # correlated drivers: where naive weights mislead
    y = 2 * a + 1 * b - 0.5 * c + rng.normal(size=300)
    result = drivers.shapley_importance(list(y), [list(a), list(b), list(c)])
    expected = shapley_by_permutations(y, [a, b, c])
    assert result["importance"] == pytest.approx(expected, abs=1e-9)
    assert result["r2"] == pytest.approx(r2_numpy(y, [a, b, c]), abs=1e-9)
    assert sum(result["importance"]) == pytest.approx(result["r2"], abs=1e-9)
    assert result["direction"] == [1, 1, -1]


def test_two_drivers_hand_formula():
    # With two drivers, importance₁ = (R²₁ + R²₁₂ − R²₂) / 2.
    y = [1, 2, 3, 4, 5, 6, 7, 9.0]
    x1 = [1, 1, 2, 3, 5, 5, 6, 8.0]
    x2 = [2, 1, 2, 1, 2, 3, 2, 3.0]
    result = drivers.shapley_importance(y, [x1, x2])
    ya, c1, c2 = np.array(y), np.array(x1), np.array(x2)
    r1, r2, r12 = r2_numpy(ya, [c1]), r2_numpy(ya, [c2]), r2_numpy(ya, [c1, c2])
    assert result["importance"][0] == pytest.approx((r1 + r12 - r2) / 2)


def test_driver_analysis_finds_the_rating_that_moves_nps(world, survey):
    store = world.acme.units["c1r1s1"]
    rng = np.random.default_rng(5)
    for _ in range(60):
        friendly = int(rng.integers(1, 6))
        csat = int(rng.integers(1, 6))
        nps = int(min(10, max(0, round(2 * friendly + rng.normal(0, 1)))))
        respond(survey, store, nps=nps, csat=csat, friendly=friendly)
    ctx = selectors.context(world.acme.scope("store"), filters.parse({"period": "365d"}))
    result = driver_reads.driver_analysis(ctx)
    assert result["n"] == 60
    top = result["drivers"][0]
    assert top["driver"] == "friendly" and top["direction"] == 1 and top["share"] > 0.8
