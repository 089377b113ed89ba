"""QR codes per unit (PNG, SVG) and a printable sheet for every store of a region."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from voxloop import params
from voxloop.distribution import qr
from voxloop.errors import NotFound
from voxloop.surveys import selectors as survey_selectors
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.web.access import member_required

SHEET_LIMIT = 500


def _survey(request):
    surveys = survey_selectors.visible_surveys(request.scope, status="live")
    wanted = params.whole_number(request.GET.get("survey", ""), "survey")
    if wanted is not None:
        found = surveys.filter(pk=wanted).first()
        if found is None:
            raise NotFound("No such survey.", field="survey")
        return found, surveys
    return surveys.first(), surveys


@member_required
def qr_index(request: HttpRequest) -> HttpResponse:
    survey, surveys = _survey(request)
    units = tenancy_selectors.visible_units(request.scope).exclude(kind="store")[:200]
    return render(
        request, "distribution/qr.html", {"survey": survey, "surveys": surveys, "units": units}
    )


@member_required
def qr_image(request: HttpRequest, unit_id: int, kind: str) -> HttpResponse:
    survey, _ = _survey(request)
    if survey is None or kind not in ("png", "svg"):
        raise Http404
    unit = tenancy_selectors.unit(request.scope, unit_id)
    image = qr.render(survey, unit, kind)
    content_type = "image/png" if kind == "png" else "image/svg+xml"
    answer = HttpResponse(image, content_type=content_type)
    if request.GET.get("download"):
        answer["Content-Disposition"] = f'attachment; filename="qr-{unit.code}.{kind}"'
    return answer


@member_required
def qr_sheet(request: HttpRequest, unit_id: int) -> HttpResponse:
    """Every store under a unit (a region), one labelled code each, laid out for printing."""
    survey, _ = _survey(request)
    if survey is None:
        raise Http404
    unit = tenancy_selectors.unit(request.scope, unit_id)
    stores = [
        u
        for u in tenancy_selectors.visible_units(request.scope, kind="store")
        if u.path.startswith(unit.path)
    ][:SHEET_LIMIT]
    return render(
        request, "distribution/qr_sheet.html", {"survey": survey, "unit": unit, "stores": stores}
    )
