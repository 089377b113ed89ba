"""QR codes for store counters: the survey's public link with the unit's code inside."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.urls import reverse

if TYPE_CHECKING:
    from voxloop.surveys.models import Survey
    from voxloop.tenancy.models import OrgUnit


def unit_link(survey: Survey, unit: OrgUnit, language: str = "") -> str:
    """`src=qr` counts the answers as channel QR; `lang` opens the poster's language."""
    path = reverse("respondent:page", args=[survey.public_slug])
    query = {"u": unit.code, "src": "qr", **({"lang": language} if language else {})}
    return f"{settings.BASE_URL.rstrip('/')}{path}?{urlencode(query)}"


def render(
    survey: Survey, unit: OrgUnit, kind: str = "svg", scale: int = 8, language: str = ""
) -> bytes:
    code = segno.make(unit_link(survey, unit, language), error="m")
    out = io.BytesIO()
    if kind == "png":
        code.save(out, kind="png", scale=scale, border=2)
    else:
        code.save(out, kind="svg", scale=scale, border=2, xmldecl=False, title=unit.code)
    return out.getvalue()
