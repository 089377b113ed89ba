"""Export downloads: the dashboard's filters, streamed as CSV or XLSX."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import FileResponse, Http404, StreamingHttpResponse

from voxloop import spreadsheets
from voxloop.analytics import exports, filters, selectors
from voxloop.analytics.views import with_role_defaults
from voxloop.errors import InvalidInput
from voxloop.tenancy.scoping import Capability, ScopedRequest
from voxloop.web.access import member_required

FORMATS = ("csv", "xlsx")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(
    fmt: str, name: str, header: list[str], rows: Iterable[list[Any]]
) -> StreamingHttpResponse:
    if fmt == "csv":
        response = StreamingHttpResponse(
            spreadsheets.csv_stream(header, rows), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    return FileResponse(
        spreadsheets.xlsx_file(header, rows, name),
        as_attachment=True,
        filename=f"{name}.xlsx",
        content_type=XLSX,
    )


def _context(request: ScopedRequest, fmt: str) -> selectors.Context:
    if fmt not in FORMATS:
        raise Http404
    params = with_role_defaults(request.GET, request.scope.role)
    return selectors.context(request.scope, filters.parse(params))


@member_required
def responses_export(request: ScopedRequest, fmt: str) -> StreamingHttpResponse:
    # Before any lookup and before the first byte (a generator's own check would only run
    # once streaming began): roles that may not export get 403 whatever they ask for.
    request.scope.require(Capability.EXPORT)
    ctx = _context(request, fmt)
    return _download(fmt, "responses", exports.RESPONSE_HEADER, exports.response_rows(ctx))


@member_required
def aggregates_export(request: ScopedRequest, fmt: str) -> StreamingHttpResponse:
    ctx = _context(request, fmt)
    by = request.GET.get("by", "unit")
    if by not in selectors.DIMENSIONS:
        raise InvalidInput(f"'by' must be one of {', '.join(selectors.DIMENSIONS)}.", "by")
    rows = list(exports.aggregate_rows(ctx, by))
    return _download(fmt, f"{by}-breakdown", exports.AGGREGATE_HEADER, rows)
