"""QR codes per unit (PNG, SVG), a printable sheet for every store of a region, and a poster
for one store (A4 or a folded table tent) in any of the survey's languages."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from voxloop import params
from voxloop.distribution.forms import survey_choices
from voxloop.distribution.onsite import qr
from voxloop.errors import InvalidInput, NotFound
from voxloop.surveys import definition, hosting
from voxloop.surveys import selectors as survey_selectors
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.scoping import ScopedRequest
from voxloop.web.access import member_required

if TYPE_CHECKING:
    from voxloop.surveys.models import Survey

SHEET_LIMIT = 500
POSTER_FORMATS = ("a4", "tent")


def _survey(request: ScopedRequest) -> tuple[Survey | None, QuerySet[Survey]]:
    surveys = survey_selectors.visible_surveys(request.scope, status="live")
    wanted = params.whole_number(request.GET.get("survey", ""), "survey")
    if wanted is not None:
        found = surveys.filter(pk=wanted).first()
        if found is None:
            raise NotFound("No such survey.", field="survey")
        return found, surveys
    # Customer surveys first: a store's counter is no place for the employee pulse.
    first = survey_choices(surveys)[:1]
    return (surveys.get(pk=first[0][0]) if first else None), surveys


def _language(request: HttpRequest, survey: Survey) -> str:
    """The poster's language: one the survey speaks (?lang=), else its default."""
    wanted = str(request.GET.get("lang", "")).lower()
    if not wanted:
        return survey.default_locale
    if wanted not in survey_languages(survey):
        raise InvalidInput("The survey is not written in this language.", field="lang")
    return wanted


def survey_languages(survey: Survey) -> list[str]:
    return [survey.default_locale, *[x for x in survey.locales if x != survey.default_locale]]


@member_required
def qr_index(request: ScopedRequest) -> HttpResponse:
    survey, surveys = _survey(request)
    scope = request.scope
    if request.GET.get("poster") and survey is not None:
        return _to_poster(request, survey)
    units = tenancy_selectors.visible_units(scope).exclude(kind="store")[:200]
    stores = tenancy_selectors.visible_units(scope, kind="store")[:SHEET_LIMIT]
    context = {
        "survey": survey,
        "surveys": survey_choices(surveys),
        "units": units,
        "stores": stores,
        "languages": _language_names(survey) if survey else [],
        "formats": _formats(),
    }
    return render(request, "distribution/qr.html", context)


def _to_poster(request: ScopedRequest, survey: Survey) -> HttpResponse:
    unit_id = params.whole_number(request.GET.get("unit", ""), "unit")
    if unit_id is None:
        raise InvalidInput("Choose a store.", field="unit")
    unit = tenancy_selectors.unit(request.scope, unit_id)
    query = urlencode(
        {
            "survey": survey.pk,
            "format": request.GET.get("format", "a4"),
            "lang": _language(request, survey),
        }
    )
    return redirect(f"{reverse('distribution:qr_poster', args=[unit.pk])}?{query}")


def _language_names(survey: Survey) -> list[tuple[str, str]]:
    return [(code, hosting.language_name(code)) for code in survey_languages(survey)]


def _formats() -> list[tuple[str, str]]:
    return [("a4", gettext("A4 poster")), ("tent", gettext("Table tent (A4, folded)"))]


@member_required
def qr_image(request: ScopedRequest, unit_id: int, kind: str) -> HttpResponse:
    survey, _ = _survey(request)
    if survey is None or kind not in ("png", "svg"):
        raise Http404
    unit = tenancy_selectors.unit(request.scope, unit_id)
    language = _language(request, survey) if request.GET.get("lang") else ""
    image = qr.render(survey, unit, kind, language=language)
    content_type = "image/png" if kind == "png" else "image/svg+xml"
    answer = HttpResponse(image, content_type=content_type)
    if request.GET.get("download"):
        answer["Content-Disposition"] = f'attachment; filename="qr-{unit.code}.{kind}"'
    return answer


@member_required
def qr_sheet(request: ScopedRequest, unit_id: int) -> HttpResponse:
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


@member_required
def qr_poster(request: ScopedRequest, unit_id: int) -> HttpResponse:
    """One unit's poster, ready to print, entirely in the chosen language (the page's words,
    the survey's title and the code, which opens the survey in that language)."""
    survey, _ = _survey(request)
    if survey is None:
        raise Http404
    unit = tenancy_selectors.unit(request.scope, unit_id)
    layout = str(request.GET.get("format", "a4"))
    if layout not in POSTER_FORMATS:
        raise InvalidInput("Choose a4 or tent.", field="format")
    language = _language(request, survey)
    context = {
        "survey": survey,
        "unit": unit,
        "layout": layout,
        "language": language,
        "title": definition.localized(survey.texts.get("title"), language, survey.default_locale)
        or survey.name,
        "link": qr.unit_link(survey, unit, language),
    }
    with translation.override(language):
        answer = render(request, "distribution/qr_poster.html", context)
    answer["Content-Language"] = language
    return answer
