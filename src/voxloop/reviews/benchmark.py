"""My locations against competitors' within a region: rating with its interval and the ranks
each could plausibly hold, the gap between us and them with its test, the themes where our
reviews are more often negative than theirs, and the gap's trend by month with its interval
(hollow where a month has too few reviews on a side), drawn by `page_parts.benchmark_charts`.
Every figure by the dashboard's rules (`analytics.metrics`); competitors' reviews are read only
as figures."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from voxloop.analytics import metrics
from voxloop.reviews.figures import rating_counts, rating_figure
from voxloop.reviews.selectors import ReviewFilters, counted_reviews
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.scoping import Scope

TOP_THEMES = 8


def _groups(scope: Scope, filters: ReviewFilters) -> dict[tuple[bool, Any], dict]:
    found: dict[tuple[bool, Any], dict] = {}
    for mine in (True, False):
        reviews = counted_reviews(
            scope, ReviewFilters(**{**filters.__dict__, "competitors": not mine})
        )
        for location_id, label, unit_name, source, rating, posted, themes in reviews.values_list(
            "location_id", "location__label", "unit__name", "source__name", "rating",
            "posted_at", "themes",
        ):  # fmt: skip
            row = found.setdefault(
                (mine, location_id),
                {"label": label or f"{source} · {unit_name}", "mine": mine, "reviews": []},
            )
            row["reviews"].append((rating, posted, themes or []))
    return found


def benchmark(scope: Scope, filters: ReviewFilters) -> dict[str, Any]:
    region = tenancy_selectors.unit(scope, filters.unit_id or scope.unit_id)
    filters = ReviewFilters(**{**filters.__dict__, "unit_id": region.pk})
    groups = _groups(scope, filters)
    rows = []
    for row in groups.values():
        ratings = [r for r, _p, _t in row["reviews"]]
        rows.append(
            {
                "label": row["label"],
                "mine": row["mine"],
                "volume": len(ratings),
                "rating": rating_figure(rating_counts(ratings)),
            }
        )
    theirs_counts = rating_counts(
        [r for g in groups.values() if not g["mine"] for r, _p, _t in g["reviews"]]
    )
    for row, group in zip(rows, groups.values(), strict=True):
        # Volume-aware: each of my locations against the competitors pooled, tested only
        # with enough reviews on both sides (else the reason, shown as "low sample").
        if row["mine"]:
            mine_counts = rating_counts([r for r, _p, _t in group["reviews"]])
            row["vs_competitors"] = metrics.change(
                "csat_mean", mine_counts, theirs_counts
            ).as_dict()
    rows.sort(key=lambda r: -(r["rating"]["value"] or 0))
    ranks = metrics.rank_intervals(
        [r["rating"]["value"] or 0.0 for r in rows], [r["rating"]["se"] or 0.0 for r in rows]
    )
    for i, (row, (low, high)) in enumerate(zip(rows, ranks, strict=True)):
        row |= {"rank": i + 1, "rank_low": low, "rank_high": high}
    ours = [x for g in groups.values() if g["mine"] for x in g["reviews"]]
    theirs = [x for g in groups.values() if not g["mine"] for x in g["reviews"]]
    return {
        "unit": {"id": region.pk, "name": region.name},
        "rows": rows,
        "ours": rating_figure(rating_counts([r for r, _p, _t in ours])),
        "theirs": rating_figure(rating_counts([r for r, _p, _t in theirs])),
        "gap": metrics.change(
            "csat_mean",
            rating_counts([r for r, _p, _t in ours]),
            rating_counts([r for r, _p, _t in theirs]),
        ).as_dict(),
        "themes": _themes(ours, theirs),
        "trend": _trend(ours, theirs),
    }


def _negative_by_theme(reviews: list) -> tuple[dict[str, int], dict[str, int], dict[str, str]]:
    said: dict[str, int] = {}
    negative: dict[str, int] = {}
    names: dict[str, str] = {}
    for _rating, _posted, themes in reviews:
        for theme in themes:
            key = theme["key"]
            said[key] = said.get(key, 0) + 1
            names[key] = theme.get("name") or key
            if theme.get("sentiment") == "negative":
                negative[key] = negative.get(key, 0) + 1
    return said, negative, names


def _themes(ours: list, theirs: list) -> list[dict[str, Any]]:
    """Per theme: the share of all our reviews that speak of it negatively against theirs,
    with the difference's test; where we lose first."""
    _s1, neg1, names1 = _negative_by_theme(ours)
    _s2, neg2, names2 = _negative_by_theme(theirs)
    out: list[dict[str, Any]] = []
    for key in set(neg1) | set(neg2):
        k1, k2 = neg1.get(key, 0), neg2.get(key, 0)
        share_ours = metrics.proportion("negative_share", k1, len(ours))
        share_theirs = metrics.proportion("negative_share", k2, len(theirs))
        low = share_ours.low_sample or share_theirs.low_sample
        change = (
            metrics.no_comparison(metrics.LOW_SAMPLE)
            if low
            else metrics.proportion_change(k1, len(ours), k2, len(theirs))
        )
        out.append(
            {
                "key": key,
                "name": names1.get(key) or names2.get(key, key),
                "ours": share_ours.as_dict(),
                "theirs": share_theirs.as_dict(),
                "change": change.as_dict(),
            }
        )
    out.sort(key=lambda t: -((t["ours"]["value"] or 0) - (t["theirs"]["value"] or 0)))
    return out[:TOP_THEMES]


def _trend(ours: list, theirs: list) -> list[dict[str, Any]]:
    months: dict[date, tuple[list[int], list[int]]] = {}
    for side, reviews in ((0, ours), (1, theirs)):
        for rating, posted, _themes in reviews:
            month = date(posted.year, posted.month, 1)
            months.setdefault(month, ([], []))[side].append(rating)
    out = []
    for month in sorted(months):
        a, b = months[month]
        mine, other = rating_figure(rating_counts(a)), rating_figure(rating_counts(b))
        gap = low = high = None
        if mine["value"] is not None and other["value"] is not None:
            gap = mine["value"] - other["value"]
            if len(a) > 1 and len(b) > 1:  # Welch's se of a difference of two means
                half = metrics.Z95 * math.sqrt((mine["se"] or 0) ** 2 + (other["se"] or 0) ** 2)
                low, high = gap - half, gap + half
        out.append(
            {
                "month": month.isoformat(),
                "ours": mine,
                "theirs": other,
                "gap": gap,
                "gap_low": low,
                "gap_high": high,
                "n": min(len(a), len(b)),
                "low_sample": bool(mine["low_sample"] or other["low_sample"]),
            }
        )
    return out
