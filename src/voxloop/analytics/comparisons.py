"""What a set of figures may claim (issue 15, docs/analytics.md "Did it really change?").

- A KPI's change needs the minimum n on both sides, and a count (responses, comments) is
  compared only when the previous period lies wholly after the first answer counted.
- Rows compared with the rest of their table (units, breakdown rows, staff, choices) are
  flagged under Benjamini–Hochberg at a 5% false-discovery rate, never at p < 0.05 each.
- Staff rankings carry a rank interval (inference.rank_intervals).
- Partial stretches are marked: a period ending today, a trend point whose days are not all
  in the period or that includes today.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Min

from voxloop.analytics import charts, inference, metrics
from voxloop.analytics.metrics import Counts
from voxloop.analytics.models import Facet, Rollup

if TYPE_CHECKING:
    from voxloop.analytics.selectors import Context

COUNT_METRICS = ("responses", "comments")
# Invitations of the last days may still be answered (they expire after 7–14 days by
# default): a response rate over a period ending that recently is provisional.
OPEN_INVITATION_DAYS = 14


def history_start(ctx: Context) -> date | None:
    """The first day any answer was counted at this node for these surveys."""
    return (
        Rollup.objects.filter(
            organization_id=ctx.scope.organization_id,
            node_path=ctx.node.path,
            facet=Facet.TOTAL,
            survey_id__in=ctx.survey_ids,
        )
        .aggregate(first=Min("day"))
        .get("first")
    )


def kpi_change(
    ctx: Context, name: str, now: Counts, before: Counts, first: date | None
) -> metrics.Change:
    """The change of one KPI card, or no comparison and why."""
    previous = ctx.filters.previous()
    if name in COUNT_METRICS and (first is None or first > previous.start):
        return metrics.no_comparison(metrics.BEFORE_HISTORY)
    return metrics.change(name, now, before, ctx.filters.min_n)


def response_rate_provisional(ctx: Context) -> bool:
    today = ctx.filters.today or date.today()
    return ctx.filters.end >= today - timedelta(days=OPEN_INVITATION_DAYS)


def flag_against_rest(ctx: Context, groups: dict[Any, Counts], metric: str) -> dict[Any, dict]:
    """Each row against the rest of the table (the total less the row), the flags controlled
    for the false-discovery rate over the rows tested (Benjamini–Hochberg, 5%)."""
    total = Counts()
    for c in groups.values():
        total.add(c)
    changes = {
        key: metrics.change(metric, c, Counts().add(total).add(c, -1), ctx.filters.min_n)
        for key, c in groups.items()
    }
    return controlled(changes)


def controlled(changes: dict[Any, metrics.Change], m: int | None = None) -> dict[Any, dict]:
    """The changes as dicts, `significant` replaced by the Benjamini–Hochberg decision (`m`:
    the number of hypotheses when more were in the table than tested here)."""
    keys = list(changes)
    kept = inference.benjamini_hochberg([changes[k].p_value for k in keys], m=m)
    out = {}
    for key, keep in zip(keys, kept, strict=True):
        row = changes[key].as_dict()
        row["significant"] = keep
        row["correction"] = "benjamini_hochberg" if row["p_value"] is not None else None
        out[key] = row
    return out


def with_rank_intervals(rows: list[dict[str, Any]], first: int | None = None) -> list[dict]:
    """Ranked rows (best first) with the ranks each could plausibly hold: all of them, or the
    `first` so many (each still ranked among all the rows)."""
    ranks = inference.rank_intervals(
        [r["value"] for r in rows], [r["se"] or 0.0 for r in rows], first
    )
    return [
        {**r, "rank": i + 1, "rank_low": lo, "rank_high": hi}
        for i, (r, (lo, hi)) in enumerate(zip(rows, ranks, strict=False))
    ]


def partial_period(ctx: Context) -> dict[str, Any]:
    today = ctx.filters.today or date.today()
    return {"includes_today": ctx.filters.start <= today <= ctx.filters.end}


def mark_partial(points: list[dict[str, Any]], ctx: Context, grain: str) -> list[dict]:
    """Each trend point with the days it covers and whether that is all of its stretch."""
    f = ctx.filters
    today = f.today or date.today()
    out = []
    for p in points:
        start = date.fromisoformat(p["start"])
        end = date.fromisoformat(charts.bucket_end(p["start"], grain))
        first, last = max(start, f.start), min(end, f.end, today)
        covered = max(0, (last - first).days + 1)
        whole = (end - start).days + 1
        out.append({**p, "days": covered, "partial": covered < whole or last == today})
    return out
