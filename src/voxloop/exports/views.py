"""Exports page: ask for one, watch it progress, download it while it is kept."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from voxloop.errors import DomainError, Forbidden
from voxloop.exports import selectors, services
from voxloop.exports.forms import ExportForm
from voxloop.exports.kinds import KINDS
from voxloop.exports.models import ExportStatus
from voxloop.tenancy.scoping import Scope, ScopedRequest
from voxloop.web.access import member_required
from voxloop.web.forms import apply_domain_error, set_choices

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# The dashboard's filters (analytics.filters.parse) that an export of responses keeps.
FILTER_KEYS = {"survey", "unit", "period", "start", "end", "segment", "channel", "origin"}


def _allowed_kinds(scope: Scope) -> list[str]:
    allowed = []
    for name, kind in KINDS.items():
        try:
            kind.check(scope)
        except Forbidden:
            continue
        allowed.append(name)
    return allowed


def _page(
    request: ScopedRequest, form: ExportForm | None = None, status: int = 200
) -> HttpResponse:
    exports = [
        (export, KINDS[export.kind].label if export.kind in KINDS else export.kind)
        for export in selectors.my_exports(request.scope)[:50]
    ]
    allowed = _allowed_kinds(request.scope)
    form = form or ExportForm(initial={"kind": request.GET.get("kind", "")})
    set_choices(form, "kind", [(k, v.label) for k, v in KINDS.items() if k in allowed])
    context: dict[str, Any] = {
        "exports": exports,
        "form": form if allowed else None,
        "keep_hours": settings.EXPORT_KEEP_HOURS,
        "working": any(
            e.status in (ExportStatus.QUEUED, ExportStatus.RUNNING) for e, _l in exports
        ),
    }
    return render(request, "exports/list.html", context, status=status)


@member_required
def export_list(request: ScopedRequest) -> HttpResponse:
    return _page(request)


@require_POST
@member_required
def export_create(request: ScopedRequest) -> HttpResponse:
    form = ExportForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    data = form.cleaned_data
    params = {k: v for k, v in parse_qs(data["filters"]).items() if k in FILTER_KEYS}
    for name in ("since", "until"):
        if data[name]:
            params[name] = data[name].isoformat()
    try:
        services.request_export(
            scope=request.scope, kind=data["kind"], fmt=data["fmt"], params=params
        )
    except Forbidden:
        raise  # a 403 page, not a form error
    except DomainError as error:
        apply_domain_error(form, error)
        return _page(request, form, status=400)
    messages.success(request, _("Export started. It appears below when it is ready."))
    return redirect("exports:list")


@member_required
def export_download(request: ScopedRequest, export_id: int) -> FileResponse:
    export = selectors.my_export(request.scope, export_id)
    opened = services.open_file(export=export)
    if opened is None:
        raise Http404
    return FileResponse(
        opened,
        as_attachment=True,
        filename=f"{export.kind}-{export.created_at:%Y%m%d-%H%M}.{export.fmt}",
        content_type=CONTENT_TYPES[export.fmt],
    )
