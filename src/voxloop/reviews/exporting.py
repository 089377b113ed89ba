"""Review metrics as a table for the exports app (CSV / XLSX in the background): the whole
subtree, then per unit, per source and per month, each with n, the 95% interval and the
low-sample flag, as the dashboard shows them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from voxloop.reviews import figures, panel
from voxloop.reviews.selectors import REVIEW_METRICS_HEADER, ReviewFilters, _day_start
from voxloop.tenancy.scoping import Scope

HEADER = REVIEW_METRICS_HEADER


def _day(moment: datetime | None) -> date | None:
    return moment.date() if moment else None


def rows(scope: Scope, since: datetime | None, until: datetime | None) -> list[list[Any]]:
    """`until` is exclusive (the exports' "before" day); without days, every review."""
    start, end = _day(since), _day(until)
    last = end - timedelta(days=1) if end else None
    chosen = ReviewFilters(start=start, end=last)
    reviews = panel.own_reviews(scope)
    low = _day_start(start) if start else datetime(1970, 1, 1, tzinfo=UTC)
    high = _day_start(end) if end else _day_start(date.today() + timedelta(days=1))
    total = panel.period_figures(scope, reviews, (low, high), (low, low))
    out = [_line("total", "", total["volume"], total["rating"], total["low_share"])]
    out[0] += [
        total["response_rate"]["value"],
        total["follow_through"]["value"],
        total["reply_time"]["median"],
    ]
    for by in ("unit", "source", "month"):
        for row in figures.breakdown(scope, chosen, by):
            line = _line(by, row["label"], row["volume"], row["rating"], row["low_share"])
            out.append([*line, "", "", ""])
    return out


def _line(group: str, label: str, n: int, rating: dict, low: dict) -> list[Any]:
    return [
        group,
        label,
        n,
        _round(rating["value"]),
        _round(rating["low"]),
        _round(rating["high"]),
        bool(rating["low_sample"]),
        _round(low["value"]),
    ]


def _round(value: float | None) -> float | str:
    return "" if value is None else round(value, 3)
