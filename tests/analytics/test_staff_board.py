"""The staff leaderboard from arrays (decision 0033) equals the table of figures it replaced:
values, standard errors and n as `metrics.figure`, the same order, ranks and rank intervals,
and flags that are never more than Benjamini–Hochberg over everyone gives."""

import random

import numpy as np
import pytest

from tests.analytics.test_bounded_reads import ctx_for, seeded  # noqa: F401 - fixture
from voxloop.analytics import comparisons, metrics, selectors, staff_board
from voxloop.analytics.metrics import COUNT_FIELDS, Counts
from voxloop.tenancy import selectors as tenancy_selectors


def random_counts(rng: random.Random) -> Counts:
    c = Counts()
    for _ in range(rng.choice([0, 1, 2, 3, 8, 40])):
        c.add(
            Counts.of_scores(
                rng.choice([None, *range(11)]),
                rng.choice([None, *range(1, 6)]),
                rng.choice([None, *range(1, 8)]),
                rng.random() < 0.3,
            )
        )
    return c


@pytest.mark.parametrize("metric", metrics.METRICS)
def test_arrays_equal_the_figures(metric):
    rng = random.Random(33)
    rows = [random_counts(rng) for _ in range(400)]
    table = np.array([[getattr(c, f) for f in COUNT_FIELDS] for c in rows], dtype=np.int64)
    for min_n in (1, 5, 30):
        value, se, n, low = staff_board.arrays(metric, table, min_n)
        for i, c in enumerate(rows):
            f = metrics.figure(metric, c, min_n)
            assert (None if np.isnan(value[i]) else float(value[i])) == f.value
            assert float(se[i]) == (f.se or 0.0)
            assert int(n[i]) == f.n and bool(low[i]) == f.low_sample


def previous_board(ctx, limit):
    """The leaderboard as it was: every person a figure, tested and BH-controlled."""
    rows = selectors.by_dimension(ctx, "staff")
    ranked = [r for r in rows if not r["low_sample"] and r["value"] is not None]
    ranked.sort(key=lambda r: (-r["value"], -r["n"]))
    ranked = comparisons.with_rank_intervals(ranked, first=limit)
    few = sorted((r for r in rows if r["low_sample"]), key=lambda r: -r["n"])
    return {"ranked": ranked, "too_few": few[:limit]}


@pytest.mark.parametrize("person", ["store", "regional", "director"])
def test_leaderboard_equals_the_whole_table(world, seeded, person, monkeypatch):  # noqa: F811
    for metric in ("nps", "csat", "responses"):
        for min_n in (1, 2, 30):
            for limit in (1, 20):
                ctx = ctx_for(world, person, metric=metric, min_n=str(min_n))
                expected = previous_board(ctx, limit)
                assert selectors.staff_leaderboard(ctx, limit) == expected
                # Past TEST_ALL people: the same rows, flags only where BH over all flags.
                monkeypatch.setattr(staff_board, "TEST_ALL", 0)
                got = selectors.staff_leaderboard(ctx, limit)
                monkeypatch.undo()
                for part in ("ranked", "too_few"):
                    assert len(got[part]) == len(expected[part])
                    for g, e in zip(got[part], expected[part], strict=True):
                        flag, full = g.pop("vs_rest"), e["vs_rest"]
                        assert g == {k: v for k, v in e.items() if k != "vs_rest"}
                        assert flag["p_value"] == full["p_value"]
                        assert not flag["significant"] or full["significant"]


def test_store_manager_ranks_only_her_staff(world, seeded):  # noqa: F811
    ctx = ctx_for(world, "store", min_n="1")
    board = selectors.staff_leaderboard(ctx)
    mine = tenancy_selectors.visible_staff_ids(world.acme.scope("store"))
    keys = [r["key"] for part in board.values() for r in part]
    assert keys and set(keys) <= mine
    everyone = tenancy_selectors.visible_staff_ids(world.acme.scope("director"))
    assert mine < everyone
