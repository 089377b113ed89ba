"""The staff leaderboard without a Python object per person (decision 0033).

At the top of a large organisation the leaderboard ranks tens of thousands of people to show
20. Their counts come from the staff rollups (days, weeks and months tiling the period, as
`selectors._staff_rows`) as one array; the metric's value, standard error and n of every
person are worked out with numpy by the same arithmetic as `metrics.figure`, so the order,
ranks and rank intervals are those of the full table. Only the rows shown become figures.

Each shown row is still tested against the rest of the table. With up to `TEST_ALL` people
every one of them is tested and the flags are Benjamini–Hochberg controlled over all of them
(as every other breakdown); above that only the shown rows are tested, and BH is applied as
if every row not shown had been tested and not rejected, with m = every person in the table.
BH rejects more as p-values fall and as m shrinks, so a row flagged this way is one the full
procedure flags too (never a flag the full table would not give; possibly fewer).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from voxloop.analytics import comparisons, inference, metrics
from voxloop.analytics.metrics import COUNT_FIELDS, Counts
from voxloop.tenancy import selectors as tenancy_selectors

if TYPE_CHECKING:
    from voxloop.analytics.selectors import Context

TEST_ALL = 400  # people tested one by one against the rest (the exact test costs ~0.3 ms)
_AT = {name: i for i, name in enumerate(COUNT_FIELDS)}


def arrays(metric: str, c: np.ndarray, min_n: int) -> tuple[np.ndarray, ...]:
    """value (NaN where `metrics.figure` gives None), se (0 where None), n and low_sample of
    each row of counts `c` (one column per COUNT_FIELDS), as `metrics.figure` works them out."""
    col = {name: c[:, i] for name, i in _AT.items()}
    with np.errstate(divide="ignore", invalid="ignore"):
        if metric in ("nps", "enps"):
            p, d = col["promoters"], col["detractors"]
            n = p + col["passives"] + d
            pp, pd = p / n, d / n
            value = 100.0 * (pp - pd)
            se = 100.0 * np.sqrt(np.maximum(0.0, pp + pd - (pp - pd) ** 2) / n)
            low = n < min_n
        elif metric in ("csat", "ces_agree"):
            k = col["csat_top2"] if metric == "csat" else col["ces_agree"]
            n = col["csat_n"] if metric == "csat" else col["ces_n"]
            share = k / n
            value = 100.0 * share
            se = 100.0 * np.sqrt(share * (1 - share) / n)
            low = n < min_n
        elif metric in ("csat_mean", "ces"):
            prefix = "csat" if metric == "csat_mean" else "ces"
            total, sq, n = col[f"{prefix}_sum"], col[f"{prefix}_sq"], col[f"{prefix}_n"]
            m = total / n
            variance = np.where(n > 1, np.maximum(0.0, (sq - n * m * m) / (n - 1)), 0.0)
            value, se = m, np.sqrt(variance / n)
            low = n < min_n
        elif metric == "responses":
            n = col["n"]
            value, se, low = n.astype(float), np.zeros(len(n)), n < min_n
        elif metric == "comments":
            n = col["comments"]
            value, se, low = n.astype(float), np.zeros(len(n)), col["n"] < min_n
        else:
            raise ValueError(f"unknown metric {metric!r}")
    if metric not in ("responses", "comments"):
        empty = n == 0
        value, se = np.where(empty, np.nan, value), np.where(empty, 0.0, se)
        low = low | empty
    return value, se, n, low


def leaderboard(
    ctx: Context, keys: list[str], counts: np.ndarray, limit: int
) -> dict[str, list[dict[str, Any]]]:
    """The ranked first `limit` and the `limit` with the most answers among those too few,
    from every person's counts (`keys`: the scope's staff ids as the rollups keep them)."""
    from voxloop.analytics.selectors import cell

    ids = np.array([int(k) for k in keys], dtype=np.int64)
    # The order `selectors.by_dimension` gives (its key as text), then each sort is stable.
    by_text = np.argsort(np.array([str(i) for i in ids]), kind="stable")
    ids, counts = ids[by_text], counts[by_text]
    value, se, n, low = arrays(ctx.metric, counts, ctx.filters.min_n)
    ranked = np.flatnonzero(~low & ~np.isnan(value))
    ranked = ranked[np.lexsort((np.arange(len(ranked)), -n[ranked], -value[ranked]))]
    few = np.flatnonzero(low)
    few = few[np.lexsort((np.arange(len(few)), -n[few]))][:limit]
    shown_ranked = ranked[:limit]
    total = Counts(**dict(zip(COUNT_FIELDS, (int(x) for x in counts.sum(axis=0)), strict=True)))
    shown = [int(i) for i in (*shown_ranked, *few)]
    flags = _flags(ctx, ids, counts, shown, total)
    names = tenancy_selectors.staff_names(ctx.scope, [int(ids[i]) for i in shown])

    def row(i: int) -> dict[str, Any]:
        key = int(ids[i])
        c = Counts(**dict(zip(COUNT_FIELDS, (int(x) for x in counts[i]), strict=True)))
        return {"key": key, "label": str(names.get(key, key)), **cell(ctx, c), "vs_rest": flags[i]}

    intervals = inference.rank_intervals(value[ranked].tolist(), se[ranked].tolist(), limit)
    top = [
        {**row(int(i)), "rank": r + 1, "rank_low": lo, "rank_high": hi}
        for r, (i, (lo, hi)) in enumerate(zip(shown_ranked, intervals, strict=True))
    ]
    return {"ranked": top, "too_few": [row(int(i)) for i in few]}


def _flags(
    ctx: Context, ids: np.ndarray, counts: np.ndarray, shown: list[int], total: Counts
) -> dict[int, dict]:
    """Each shown row against the rest, BH-controlled as the module says."""
    everyone = len(ids)
    tested = range(everyone) if everyone <= TEST_ALL else shown
    changes = {}
    for i in tested:
        c = Counts(**dict(zip(COUNT_FIELDS, (int(x) for x in counts[i]), strict=True)))
        rest = Counts().add(total).add(c, -1)
        changes[i] = metrics.change(ctx.metric, c, rest, ctx.filters.min_n)
    if everyone <= TEST_ALL:
        return comparisons.controlled(changes)
    return comparisons.controlled(changes, m=everyone)
