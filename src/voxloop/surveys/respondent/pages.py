"""Rendering shared by every respondent page: the survey's look, language and switcher."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django_stubs_ext import StrOrPromise

from voxloop.surveys import definition
from voxloop.surveys.models import Survey

COLOUR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
DEFAULT_COLOUR = "#1a5fb4"


def _luminance(colour: str) -> float:
    hex_digits = colour[1:]
    if len(hex_digits) == 3:
        hex_digits = "".join(c * 2 for c in hex_digits)
    channels = [int(hex_digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def brand_colours(survey: Survey | None) -> tuple[str, str]:
    """The brand colour and the text colour (black or white) that contrasts with it best."""
    colour = str((survey.branding or {}).get("colour", "")) if survey else ""
    if not COLOUR.match(colour):
        colour = DEFAULT_COLOUR
    lum = _luminance(colour)
    # Contrast against white is 1.05/(L+0.05); against black (L+0.05)/0.05.
    on_brand = "#ffffff" if 1.05 / (lum + 0.05) >= (lum + 0.05) / 0.05 else "#000000"
    return colour, on_brand


def language_name(code: str) -> str:
    names = dict(settings.LANGUAGES)
    return names.get(code) or translation.get_language_info(code).get("name_local", code)


def switcher(survey: Survey, locale: str, params: dict[str, str]) -> list[dict]:
    offered = [survey.default_locale, *[x for x in survey.locales if x != survey.default_locale]]
    if len(offered) < 2:
        return []
    return [
        {
            "code": code,
            "name": _safe_language_name(code),
            "url": "?" + urlencode({**params, "lang": code}),
            "current": code == locale,
        }
        for code in offered
    ]


def _safe_language_name(code: str) -> str:
    try:
        return language_name(code)
    except KeyError:
        return code


def survey_context(
    survey: Survey | None, locale: str, pipe_values: dict[str, str] | None = None
) -> dict[str, Any]:
    colour, on_brand = brand_colours(survey)
    context: dict[str, Any] = {"locale": locale, "brand": colour, "on_brand": on_brand}
    if survey is None:
        return context
    branding = survey.branding or {}
    logo = str(branding.get("logo_url") or "")
    sender = branding.get("sender_name")
    if isinstance(sender, str):
        sender = {survey.default_locale: sender}
    context.update(
        survey=survey,
        # Piped even without values, so a placeholder never shows as {{unit}}.
        survey_title=definition.piped(
            definition.localized(survey.texts.get("title"), locale, survey.default_locale),
            pipe_values or {},
        )
        or survey.name,
        logo_url=logo if logo.startswith(("https://", "/")) else "",
        sender_name=definition.localized(sender, locale, survey.default_locale),
    )
    return context


def render_page(
    request: HttpRequest,
    template: str,
    survey: Survey | None,
    locale: str,
    status: int = 200,
    pipe_values: dict | None = None,
    **extra: Any,
) -> HttpResponse:
    with translation.override(locale):
        context = {**survey_context(survey, locale, pipe_values), **extra}
        response = render(request, f"surveys/respond/{template}", context, status=status)
    response["Content-Language"] = locale
    # Answers and resume tokens are on these pages: never let a shared cache keep them.
    response["Cache-Control"] = "no-store"
    return response


def message_page(
    request: HttpRequest,
    survey: Survey | None,
    locale: str,
    heading: StrOrPromise,
    text: StrOrPromise,
    status: int,
    pipe_values: dict[str, str] | None = None,
) -> HttpResponse:
    return render_page(
        request,
        "message.html",
        survey,
        locale,
        status=status,
        pipe_values=pipe_values,
        heading=heading,
        text=text,
    )
