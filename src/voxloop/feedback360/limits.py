"""How often the answer pages may be asked for: per client address on the customer link, per
person on the signed-in page (a flood of guesses or posts gets 429, never a traceback)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from voxloop import counters
from voxloop.clients import request_ip

HOUR = 3600


def allowed(request: HttpRequest, *, signed_in: bool = False) -> bool:
    if signed_in:
        limit = int(getattr(settings, "FEEDBACK360_ANSWER_LIMIT", 120))
        name = f"feedback360:answer:{request.user.pk}"
    else:
        limit = int(getattr(settings, "FEEDBACK360_PUBLIC_LIMIT", 60))
        name = f"feedback360:public:{request_ip(request) or 'unknown'}"
    return counters.hit(name, HOUR).count <= limit


def too_many(request: HttpRequest) -> HttpResponse:
    page = render(
        request,
        "feedback360/public_message.html",
        {"title": _("Too many requests"), "text": _("Please wait a while and try again.")},
        status=429,
    )
    page["Retry-After"] = str(HOUR)
    return page
