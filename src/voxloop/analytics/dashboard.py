"""One dashboard's data in one structure: what the page renders, the live poll refreshes and
the API returns. Every part comes from the scoped selectors."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from voxloop.analytics import (
    anonymity,
    audiences,
    churn,
    comparisons,
    hooks,
    response_reads,
    selectors,
    staff_boards,
)
from voxloop.analytics.filters import Filters
from voxloop.errors import Forbidden
from voxloop.tenancy.scoping import Scope

PARTS = (
    "kpis",
    "cases",
    "churn",
    "trend",
    "units",
    "heatmap",
    "staff",
    "verbatims",
    "breakdowns",
    "reviews",
)
BREAKDOWNS = ("survey", "channel", "language", "weekday", "sentiment", "theme", *audiences.KINDS)


def comparison(filters: Filters) -> dict[str, Any]:
    """What every change figure compares with: `compare` and the days of that period."""
    before = filters.previous()
    return {
        "compare": filters.compare,
        "start": before.start.isoformat(),
        "end": before.end.isoformat(),
    }


def review_metrics(ctx: selectors.Context) -> dict[str, Any] | None:
    """The online reviews' panel (the reviews app's `review_metrics` provider) for the same
    units and period; none next to an employee survey's figures or a survey filter (reviews
    answer no survey)."""
    if ctx.anonymous or ctx.filters.survey_id:
        return None
    try:
        return hooks.call("review_metrics", ctx.scope, ctx.filters)
    except Forbidden:
        return None


def payload(scope: Scope, filters: Filters, parts: tuple[str, ...] = PARTS) -> dict[str, Any]:
    return payload_of(selectors.context(scope, filters), parts)


def payload_of(ctx: selectors.Context, parts: tuple[str, ...] = PARTS) -> dict[str, Any]:
    """The payload of a context already read (the page reuses it for its panels)."""
    filters = ctx.filters  # an anonymous survey's period is widened to whole closed months
    out: dict[str, Any] = {
        "generated_at": timezone.now().isoformat(),
        "filters": {
            **filters.as_query(),
            "start": filters.start.isoformat(),
            "end": filters.end.isoformat(),
            "min_n": filters.min_n,
        },
        "metric": ctx.metric,
        "anonymous": ctx.anonymous,
        "unit": {"unit_id": ctx.node.pk, "name": ctx.node.name, "kind": ctx.node.kind},
        "breadcrumbs": selectors.unit_path_to(ctx),
        "comparison": comparison(filters),
        "partial": comparisons.partial_period(ctx),
        "headline": (
            {"survey_id": ctx.headline[0], "survey": ctx.headline[1], "pooled": False}
            if ctx.headline
            else {"pooled": len(ctx.survey_ids) > 1, "surveys": len(ctx.survey_ids)}
        ),
        "time_zone": {
            "zone": filters.zone or timezone.get_current_timezone_name(),
            "mixed": len(ctx.zones) > 1,
        },
    }
    if "kpis" in parts:
        out["kpis"] = selectors.kpis(ctx)
        out["staff_entered"] = selectors.staff_entered(ctx)
    if "cases" in parts:
        out["cases"] = selectors.case_metrics(ctx)
    if "churn" in parts:
        out["churn"] = churn.churn(ctx)
        if out["churn"] and "kpis" in parts:
            out["kpis"].append(churn.kpi_card(out["churn"]))
    if "trend" in parts:
        out["trend"] = selectors.trend(ctx)
    if "units" in parts:
        out["units"] = selectors.units(ctx)
    grid = None  # the heat map's counts, which the weekday breakdown sums again
    if "heatmap" in parts:
        grid = None if ctx.anonymous else selectors.week_hour_counts(ctx)
        out["heatmap"] = None if grid is None else selectors.heatmap(ctx, grid)
    if "staff" in parts:
        out["staff"] = staff_boards.leaderboard(ctx)  # a preset's board, else read live
    if "verbatims" in parts:
        out["verbatims"] = response_reads.verbatims(ctx)
    if "reviews" in parts:
        out["reviews"] = review_metrics(ctx)
    if "breakdowns" in parts:
        shown = [d for d in BREAKDOWNS if not ctx.anonymous or d in anonymity.DIMENSIONS]
        out["breakdowns"] = {
            d: selectors.by_weekday(ctx, grid) if d == "weekday" else selectors.by_dimension(ctx, d)
            for d in shown
            if d not in audiences.KINDS
        }
        for kind in () if ctx.anonymous else audiences.KINDS:
            rows = audiences.by_audience(ctx, kind)  # only a kind the organisation has
            if rows is not None:
                out["breakdowns"][kind] = rows
    return out
