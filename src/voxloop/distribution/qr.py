"""QR codes for store counters: the survey's public link with the unit's code inside."""

from __future__ import annotations

import io
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.urls import reverse


def unit_link(survey, unit) -> str:
    path = reverse("respondent:page", args=[survey.public_slug])
    return f"{settings.BASE_URL.rstrip('/')}{path}?{urlencode({'u': unit.code})}"


def render(survey, unit, kind: str = "svg", scale: int = 8) -> bytes:
    code = segno.make(unit_link(survey, unit), error="m")
    out = io.BytesIO()
    if kind == "png":
        code.save(out, kind="png", scale=scale, border=2)
    else:
        code.save(out, kind="svg", scale=scale, border=2, xmldecl=False, title=unit.code)
    return out.getvalue()
