"""Pages that explain why a respondent cannot (or need not) answer: closed survey, expired
or unknown link, an invitation already answered, too many requests, unreadable form."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from voxloop.surveys import definition
from voxloop.surveys.respondent import entry, pages, throttle
from voxloop.surveys.respondent.entry import Visit


def message(
    request: HttpRequest,
    visit: Visit | None,
    heading: StrOrPromise,
    text: StrOrPromise,
    status: int,
    locale: str = "",
) -> HttpResponse:
    survey = visit.survey if visit else None
    if not locale:
        locale = entry.choose_locale(visit, request) if visit else get_language() or "en"
    values = entry.pipe_values(visit) if visit else None
    return pages.message_page(request, survey, locale, heading, text, status, values)


def closed(request: HttpRequest, visit: Visit) -> HttpResponse:
    locale = entry.choose_locale(visit, request)
    survey = visit.survey
    text = definition.piped(
        definition.localized(survey.texts.get("closed"), locale, survey.default_locale),
        entry.pipe_values(visit),
    )
    return message(
        request,
        visit,
        _("This survey is closed"),
        text or _("This survey is no longer taking answers. Thank you for your interest."),
        410,
        locale,
    )


def already_answered(request: HttpRequest, visit: Visit, locale: str = "") -> HttpResponse:
    return message(
        request,
        visit,
        _("Thank you, we already have your answers"),
        _("This survey has already been answered with this link."),
        409,
        locale,
    )


def invalid(request: HttpRequest) -> HttpResponse:
    return message(
        request,
        None,
        _("Survey not found"),
        _("This survey link is not valid. Please check that it was copied completely."),
        404,
    )


def expired(request: HttpRequest) -> HttpResponse:
    return message(
        request,
        None,
        _("This link has expired"),
        _("The invitation to this survey is no longer valid."),
        410,
    )


def too_many(request: HttpRequest) -> HttpResponse:
    page = message(
        request, None, _("Too many requests"), _("Please wait a minute and try again."), 429
    )
    page["Retry-After"] = str(throttle.WINDOW_SECONDS)
    return page


def bad_encoding(request: HttpRequest) -> HttpResponse:
    return message(
        request,
        None,
        _("Your answers could not be read"),
        _("The form was not sent as UTF-8 text. Please go back and try again."),
        400,
    )


def bad_score(request: HttpRequest, visit: Visit, text: str, locale: str) -> HttpResponse:
    return message(request, visit, _("That score is not on the scale"), text, 400, locale)
