"""A rate limit per client address for the public endpoints (respondent pages, one-click
scores, the web widget, SMS callbacks): a window per address that opens at its first request."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from voxloop import counters
from voxloop.clients import request_ip

WINDOW_SECONDS = 60


def limit_for(kind: str) -> int:
    # Writes (answers, one-click scores) are what abuse costs; page views get more room.
    if kind == "submit":
        return int(getattr(settings, "SURVEY_SUBMIT_RATE_LIMIT", 120))
    return int(getattr(settings, "SURVEY_VIEW_RATE_LIMIT", 600))


def allowed(request: HttpRequest, kind: str) -> bool:
    """Count this request; False once the address has used up its window."""
    name = f"respond:{kind}:{request_ip(request) or 'unknown'}"
    return counters.hit(name, WINDOW_SECONDS).count <= limit_for(kind)
