"""The one-click NPS row for invitation emails (the distribution app includes the fragment)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from voxloop.surveys import definition
from voxloop.surveys.models import Survey
from voxloop.surveys.respondent import flow, pages
from voxloop.surveys.selectors import questions_of

TEMPLATE = "surveys/respond/email_nps_row.html"


def one_click_url(token: str, score: int, base_url: str = "") -> str:
    base = (base_url or settings.BASE_URL).rstrip("/")
    return base + reverse("respondent:one_click", args=[token, score])


def nps_row_context(
    survey: Survey,
    token: str,
    locale: str,
    values: dict[str, str] | None = None,
    base_url: str = "",
) -> dict[str, Any]:
    """Context for surveys/respond/email_nps_row.html: 11 absolute links, anchors, colours.

    `token` is the invitation's personal token (voxloop.surveys.links.personal_token);
    `values` pipe the contact's first name, the unit and the staff member into the question.
    """
    nps = flow.nps_question(questions_of(survey))
    brand, on_brand = pages.brand_colours(survey)
    with translation.override(locale):
        texts = nps.texts if nps is not None else {}
        default = survey.default_locale

        def text(part: str) -> str:
            # Piped like the respondent page, so an anchor never shows {{unit}} raw.
            return definition.piped(
                definition.localized(texts.get(part), locale, default), values or {}
            )

        return {
            "nps_question": text("title"),
            "nps_links": [
                {"score": score, "url": one_click_url(token, score, base_url)}
                for score in range(11)
            ],
            "nps_low": text("low") or _("Not at all likely"),
            "nps_high": text("high") or _("Extremely likely"),
            "brand": brand,
            "on_brand": on_brand,
        }


def render_nps_row(survey: Survey, token: str, locale: str, **kwargs: Any) -> str:
    with translation.override(locale):
        return render_to_string(TEMPLATE, nps_row_context(survey, token, locale, **kwargs))
