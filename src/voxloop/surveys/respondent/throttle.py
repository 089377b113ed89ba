"""A fixed-window rate limit per client address for the public respondent endpoints."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache

from voxloop.tenancy.middleware import request_ip

WINDOW_SECONDS = 60


def limit_for(kind: str) -> int:
    # Writes (answers, one-click scores) are what abuse costs; page views get more room.
    if kind == "submit":
        return int(getattr(settings, "SURVEY_SUBMIT_RATE_LIMIT", 120))
    return int(getattr(settings, "SURVEY_VIEW_RATE_LIMIT", 600))


def allowed(request, kind: str) -> bool:
    """Count this request; False once the address has used up its window."""
    window = int(time.time() // WINDOW_SECONDS)
    key = f"vx:respond:{kind}:{request_ip(request) or 'unknown'}:{window}"
    if cache.add(key, 1, timeout=WINDOW_SECONDS + 5):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=WINDOW_SECONDS + 5)
        return True
    return count <= limit_for(kind)
