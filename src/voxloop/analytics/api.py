"""The metrics API: any metric, any breakdown, any filter, as JSON — scoped like the pages.

Filters are query parameters shared with the dashboard's URL: period (a preset such as 90d,
last_quarter or ytd; or custom with start/end), compare (previous or year),
survey, unit, channel, metric, grain, min_n. The case metrics (`sla_compliance`,
`resolution_time`, `cases`) come from the closed loop through the `case_metrics` hook.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router

from voxloop.analytics import (
    churn,
    dashboard,
    driver_reads,
    filters,
    hooks,
    response_reads,
    selectors,
)
from voxloop.analytics.schemas import AnalyticsQuery
from voxloop.api.context import actor
from voxloop.errors import InvalidInput, NotFound

router = Router(tags=["analytics"])
# Metrics of cases, not of responses: no rollup, no breakdown; the closed loop provides them.
CASE_METRICS = ("sla_compliance", "resolution_time", "cases")


def _context(request: HttpRequest) -> selectors.Context:
    return selectors.context(actor(request), filters.parse(request.GET))


@router.get("/analytics/metrics", url_name="analytics_metrics")
def metrics_view(
    request: HttpRequest,
    params: Query[AnalyticsQuery],
    by: str = Query("", max_length=60),
    bands: str = Query("", max_length=200),
):
    """The metric for the filters; with `by`, one row per value of a dimension (unit, survey,
    channel, staff, language, hour, weekday, day, week, month, quarter) or of a contact
    attribute (`by=attribute:tenure`, optional `bands=12,24,60`)."""
    if request.GET.get("metric", "").strip() in CASE_METRICS:
        return _case_metric(request, request.GET["metric"].strip(), by)
    ctx = _context(request)
    f = ctx.filters  # an anonymous survey's period is widened to whole closed months
    period = {"start": f.start.isoformat(), "end": f.end.isoformat()}
    body = {"metric": ctx.metric, "unit_id": ctx.node.pk, "filters": {**f.as_query(), **period}}
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


def _cases(request: HttpRequest) -> tuple[selectors.Context, dict]:
    params = request.GET.copy()
    params.pop("metric", None)  # the response metric does not narrow cases
    ctx = selectors.context(actor(request), filters.parse(params))
    if ctx.anonymous:
        raise InvalidInput("Employee surveys have no case metrics.", "survey")
    if "case_metrics" not in hooks.PROVIDERS:
        raise NotFound("Case metrics are not available here.", "metric")
    # The provider reads through the caller's scope; a role without cases gets its 403.
    return ctx, hooks.call("case_metrics", ctx.scope, ctx.filters)


def _case_metric(request: HttpRequest, metric: str, by: str) -> dict:
    if by:
        raise InvalidInput("Case metrics have no breakdown ('by') yet.", "by")
    ctx, figures = _cases(request)
    body = {"metric": metric, "unit_id": ctx.node.pk, "filters": _case_query(ctx, metric)}
    if metric == "cases":
        return {**body, **figures}
    body["total"] = figures[metric]
    body["change"] = figures[f"{metric}_change"]
    if metric == "resolution_time":
        body["distribution"] = figures["resolution_hours"]
    else:
        body["met"] = figures["sla_met"]
    return body


@router.get("/analytics/cases", url_name="analytics_cases")
def cases_view(request: HttpRequest, params: Query[AnalyticsQuery]):
    """The dashboard's case panel: opened, resolved, open and overdue cases, resolution time
    (median, mean with interval, p90) and SLA compliance with interval and change."""
    ctx, figures = _cases(request)
    return {"unit_id": ctx.node.pk, "filters": _case_query(ctx), **figures}


def _case_query(ctx: selectors.Context, metric: str = "") -> dict:
    query = {k: v for k, v in ctx.filters.as_query().items() if k not in ("metric", "grain")}
    return {"metric": metric, **query} if metric else query


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
def dashboard_view(request: HttpRequest, params: Query[AnalyticsQuery]):
    """Everything a dashboard shows: KPI cards with change, trend, units, heatmap, staff,
    newest comments and breakdowns."""
    return dashboard.payload(actor(request), filters.parse(request.GET))


@router.get("/analytics/heatmap", url_name="analytics_heatmap")
def heatmap_view(request: HttpRequest, params: Query[AnalyticsQuery]):
    """Weekday (Monday first) × hour of day."""
    return {"cells": selectors.heatmap(_context(request))}


@router.get("/analytics/drivers", url_name="analytics_drivers")
def drivers_view(request: HttpRequest, params: Query[AnalyticsQuery]):
    """Which rated questions and numeric attributes explain the score most (Shapley R²)."""
    return driver_reads.driver_analysis(_context(request))


@router.get("/analytics/choices", url_name="analytics_choices")
def choices_view(
    request: HttpRequest, params: Query[AnalyticsQuery], question: str = Query(..., max_length=60)
):
    """NPS with vs without each value of a choice question."""
    if not response_reads.QUESTION_KEY.match(question):
        raise InvalidInput("'question' must be a question key.", "question")
    return {
        "question": question,
        "rows": driver_reads.choice_effects(_context(request), question),
    }


@router.get("/analytics/churn", url_name="analytics_churn")
def churn_view(request: HttpRequest, params: Query[AnalyticsQuery], kind: str = "contact"):
    """Churn rate of contacts (or `kind=account`) active when the period began, with its
    change and, for contacts, by the NPS group of their latest answer."""
    if kind not in churn.KINDS:
        raise InvalidInput("'kind' must be 'contact' or 'account'.", "kind")
    return {"churn": churn.churn(_context(request), kind)}


# The home and saved views (decision 0025): their own module (an edge module, as views are),
# served under this router.
from voxloop.analytics.api_views import router as home_router  # noqa: E402

router.add_router("", home_router)
