"""The journey pages: the list, the map (figures in the reader's scope and period), the
journey analytics, and the exports. Thin: selectors and figures read. The editor's pages are
in editor_views.py."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import render

from voxloop import spreadsheets
from voxloop.analytics import selectors as analytics_selectors
from voxloop.errors import DomainError
from voxloop.journeys import exports, figures, insights, selectors
from voxloop.journeys.selectors import label
from voxloop.tenancy.scoping import Capability, ScopedRequest
from voxloop.web.access import capability_required

FORMATS = ("csv", "xlsx", "svg")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@capability_required(Capability.VIEW)
def journey_list(request: ScopedRequest) -> HttpResponse:
    scope = request.scope
    journeys = [
        {"journey": j, "name": label(j), "editable": selectors.editable(scope, j)}
        for j in selectors.visible_journeys(scope)
    ]
    return render(
        request,
        "journeys/list.html",
        {"journeys": journeys, "is_admin": scope.can(Capability.CONFIGURE)},
    )


def _period_context(request: ScopedRequest) -> dict[str, Any]:
    query = request.GET.copy()
    return {
        "periods": analytics_selectors.period_choices(),
        "chosen_period": query.get("period") or "90d",
        "compare": query.get("compare") or "previous",
        "query": query.urlencode(),
    }


@capability_required(Capability.VIEW)
def journey_map(request: ScopedRequest, journey_id: int) -> HttpResponse:
    scope = request.scope
    journey = selectors.journey(scope, journey_id)
    context: dict[str, Any] = {
        "journey": journey,
        "name": label(journey),
        "editable": selectors.editable(scope, journey),
        **_period_context(request),
    }
    try:
        context["map"] = figures.journey_map(scope, journey, request.GET)
    except DomainError as error:
        context["error"] = error.message
        return render(request, "journeys/map.html", context, status=400)
    return render(request, "journeys/map.html", context)


@capability_required(Capability.VIEW)
def journey_insights(request: ScopedRequest, journey_id: int) -> HttpResponse:
    scope = request.scope
    journey = selectors.journey(scope, journey_id)
    context: dict[str, Any] = {
        "journey": journey,
        "name": label(journey),
        **_period_context(request),
    }
    try:
        context["insights"] = insights.journey_insights(scope, journey, request.GET)
    except DomainError as error:
        context["error"] = error.message
        return render(request, "journeys/insights.html", context, status=400)
    return render(request, "journeys/insights.html", context)


@capability_required(Capability.VIEW)
def journey_export(request: ScopedRequest, journey_id: int, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404
    scope = request.scope
    journey = selectors.journey(scope, journey_id)
    try:
        found = figures.journey_map(scope, journey, request.GET)
    except DomainError as error:
        return HttpResponse(error.message, status=400, content_type="text/plain; charset=utf-8")
    name = f"journey-{journey.pk}"
    if fmt == "svg":
        response = HttpResponse(exports.svg(found), content_type="image/svg+xml; charset=utf-8")
        if request.GET.get("download"):
            response["Content-Disposition"] = f'attachment; filename="{name}.svg"'
        return response
    rows = exports.table_rows(found)
    if fmt == "csv":
        streamed = StreamingHttpResponse(
            spreadsheets.csv_stream(exports.HEADER, rows), content_type="text/csv; charset=utf-8"
        )
        streamed["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return streamed  # type: ignore[return-value]  # a streamed answer is an answer
    data = spreadsheets.xlsx_file(exports.HEADER, rows, "Journey").read()
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response
