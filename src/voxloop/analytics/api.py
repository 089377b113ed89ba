"""The metrics API: any metric, any breakdown, any filter, as JSON — scoped like the pages.

Filters are query parameters shared with the dashboard's URL: period (7d, 30d, 90d, 365d) or
start/end, survey, unit, channel, metric, grain, min_n.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from voxloop.analytics import churn, dashboard, filters, response_reads, selectors
from voxloop.api.context import actor
from voxloop.errors import InvalidInput

router = Router(tags=["analytics"])


def _context(request: HttpRequest) -> selectors.Context:
    return selectors.context(actor(request), filters.parse(request.GET))


@router.get("/analytics/metrics", url_name="analytics_metrics")
def metrics_view(request: HttpRequest, by: str = ""):
    """The metric for the filters; with `by`, one row per value of a dimension (unit, survey,
    channel, staff, language, hour, weekday, day, week, month, quarter) or of a contact
    attribute (`by=attribute:tenure`, optional `bands=12,24,60`)."""
    ctx = _context(request)
    body = {"metric": ctx.metric, "unit_id": ctx.node.pk, "filters": ctx.filters.as_query()}
    body["total"] = selectors.cell(ctx, selectors.totals(ctx))
    if by.startswith("attribute:"):
        edges = _edges(request.GET.get("bands", ""))
        body["rows"] = response_reads.attribute_breakdown(ctx, by[10:], edges)["rows"]
    elif by:
        if by not in selectors.DIMENSIONS:
            choices = ", ".join(selectors.DIMENSIONS)
            raise InvalidInput(f"'by' must be one of {choices} or attribute:<name>.", "by")
        body["rows"] = selectors.by_dimension(ctx, by)
    return body


def _edges(raw: str) -> list[float] | None:
    if not raw:
        return None
    try:
        edges = [float(part) for part in raw.split(",") if part.strip()]
    except ValueError:
        raise InvalidInput("'bands' must be numbers separated by commas.", "bands") from None
    if len(edges) > 20:
        raise InvalidInput("At most 20 band edges.", "bands")
    return edges


@router.get("/analytics/dashboard", url_name="analytics_dashboard")
def dashboard_view(request: HttpRequest):
    """Everything a dashboard shows: KPI cards with change, trend, units, heatmap, staff,
    newest comments and breakdowns."""
    return dashboard.payload(actor(request), filters.parse(request.GET))


@router.get("/analytics/heatmap", url_name="analytics_heatmap")
def heatmap_view(request: HttpRequest):
    """Weekday (Monday first) × hour of day."""
    return {"cells": selectors.heatmap(_context(request))}


@router.get("/analytics/drivers", url_name="analytics_drivers")
def drivers_view(request: HttpRequest):
    """Which rated questions and numeric attributes explain the score most (Shapley R²)."""
    return response_reads.driver_analysis(_context(request))


@router.get("/analytics/choices", url_name="analytics_choices")
def choices_view(request: HttpRequest, question: str):
    """NPS with vs without each value of a choice question."""
    if not response_reads.QUESTION_KEY.match(question):
        raise InvalidInput("'question' must be a question key.", "question")
    return {
        "question": question,
        "rows": response_reads.choice_effects(_context(request), question),
    }


@router.get("/analytics/churn", url_name="analytics_churn")
def churn_view(request: HttpRequest, kind: str = "contact"):
    """Churn rate of contacts (or `kind=account`) active when the period began, with its
    change and, for contacts, by the NPS group of their latest answer."""
    if kind not in churn.KINDS:
        raise InvalidInput("'kind' must be 'contact' or 'account'.", "kind")
    return {"churn": churn.churn(_context(request), kind)}
