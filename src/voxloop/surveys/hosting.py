"""The respondent pages as other apps host them: the public surface of `surveys.respondent`.

Outreach frames the survey in a customer's site (the web widget) under its own signed links,
and its public endpoints (tracked clicks, SMS callbacks) answer with the respondent pages'
notices and share their rate limit. They call these functions, never the respondent views,
so the respondent package can change its internals freely.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.http import HttpRequest, HttpResponse

from voxloop.surveys import links
from voxloop.surveys.respondent import email, entry, notices, pages, throttle
from voxloop.surveys.respondent import views as _views

# Reads an embedding product's link into a visit: (key, query parameters) -> Visit.
Resolver = Callable[[str, Mapping[str, Any]], Any]


def survey_page(request: HttpRequest, key: str, *, resolver: Resolver) -> HttpResponse:
    """The question page (GET) or one answer (POST) behind a link `resolver` reads."""
    return _views.survey_page(request, key, resolver=resolver)


def thanks_page(request: HttpRequest, key: str, *, resolver: Resolver) -> HttpResponse:
    """The thank-you page behind a link `resolver` reads."""
    return _views.thanks(request, key, resolver=resolver)


def allowed(request: HttpRequest, kind: str) -> bool:
    """Count this request against the respondent pages' limit per address ("view"/"submit")."""
    return throttle.allowed(request, kind)


def too_many(request: HttpRequest) -> HttpResponse:
    return notices.too_many(request)


def invalid_link(request: HttpRequest) -> HttpResponse:
    return notices.invalid(request)


def expired_link(request: HttpRequest) -> HttpResponse:
    return notices.expired(request)


# The email's one-click score row (an outreach email embeds the survey's first question).
NPS_ROW_TEMPLATE = email.TEMPLATE


def one_click_url(token: str, score: int, *, base_url: str = "") -> str:
    """The link that records `score` for the personal link `token` in one click."""
    return email.one_click_url(token, score, base_url=base_url)


def nps_row_context(
    survey: Any, token: str, locale: str, values: dict[str, str] | None = None
) -> dict[str, Any]:
    """The context of NPS_ROW_TEMPLATE: eleven absolute score links, anchors, colours."""
    return email.nps_row_context(survey, token, locale, values)


# What an embedding product's link reader builds and raises (see `survey_page`).
Visit = entry.Visit
Embed = entry.Embed
LinkNotFound = entry.LinkNotFound
LinkExpired = links.LinkExpired


def personal_token(
    survey_id: int, ref: str, contact_id: int | None, locale: str, *, test: bool = False
) -> str:
    """The signed personal link of one invitation (its reference ties it to one response)."""
    return links.personal_token(survey_id, ref, contact_id, locale, test=test)


def brand_colours(survey: Any) -> tuple[str, str]:
    """The survey's brand colour and the text colour readable on it."""
    return pages.brand_colours(survey)


def language_name(code: str) -> str:
    return pages.language_name(code)
