"""Each chart's numbers as CSV (issue 16 item 4): the same scoped reads as the page, with the
dashboard's filters and the units panel's parameters; never more than the page shows."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse

from voxloop import spreadsheets
from voxloop.analytics import (
    chart_specs,
    dashboard,
    distribution,
    filters,
    page_parts,
    selectors,
)
from voxloop.analytics.views import with_role_defaults
from voxloop.errors import InvalidInput
from voxloop.tenancy.scoping import ScopedRequest
from voxloop.web.access import member_required

CHARTS = ("trend", "units", "distribution", "heatmap", "breakdown", "drivers")


def _csv(name: str, table: tuple[list[str], list[list[Any]]]) -> HttpResponse:
    """A chart's rows are few (what the page shows): written at once, not streamed."""
    header, rows = table
    response = HttpResponse(
        "".join(spreadsheets.csv_stream(header, rows)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


@member_required
def chart_csv(request: ScopedRequest, chart: str) -> HttpResponse:
    if chart not in CHARTS:
        raise Http404
    params = with_role_defaults(request.GET, request.scope.role)
    ctx = selectors.context(request.scope, filters.parse(params))
    if chart == "trend":
        return _csv("trend", chart_specs.trend_rows(selectors.trend(ctx)))
    if chart == "units":
        rows, _kind = page_parts.ranked_rows(ctx, page_parts.panel_choice(params))
        return _csv("units", chart_specs.unit_rows(rows))
    if chart == "distribution":
        found = distribution.nps_distribution(ctx)
        if found is None:
            raise InvalidInput("No 0–10 answers to show for these filters.", field="survey")
        return _csv("nps-distribution", chart_specs.distribution_rows(found))
    if chart == "heatmap":
        selectors.refuse_for_anonymous(ctx, "weekday and hour", field="survey")
        return _csv("weekday-hour", chart_specs.heatmap_rows(selectors.heatmap(ctx)))
    if chart == "breakdown":
        by = request.GET.get("by", "")
        if by not in dashboard.BREAKDOWNS:
            raise InvalidInput(f"'by' must be one of {', '.join(dashboard.BREAKDOWNS)}.", "by")
        return _csv(f"by-{by}", chart_specs.breakdown_rows(selectors.by_dimension(ctx, by)))
    one = page_parts.driver_survey(ctx, params)
    return _csv("drivers", chart_specs.driver_rows(one))
