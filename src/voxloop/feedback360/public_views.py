"""A customer rater's page: the signed link from their email, no sign-in. Rate limited per
client address; CSRF-protected like every form; one answer per invitation. Shown in the
customer's language."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from voxloop import counters
from voxloop.clients import request_ip
from voxloop.feedback360 import links
from voxloop.feedback360.views import answer_page

HOUR = 3600


def _allowed(request: HttpRequest) -> bool:
    limit = int(getattr(settings, "FEEDBACK360_PUBLIC_LIMIT", 60))
    name = f"feedback360:public:{request_ip(request) or 'unknown'}"
    return counters.hit(name, HOUR).count <= limit


@require_http_methods(["GET", "POST"])
def public_answer(request: HttpRequest, token: str) -> HttpResponse:
    if not _allowed(request):
        page = render(
            request,
            "feedback360/public_message.html",
            {"title": _("Too many requests"), "text": _("Please wait a while and try again.")},
            status=429,
        )
        page["Retry-After"] = str(HOUR)
        return page
    invitation = links.invitation_of(token)
    if invitation is None:
        raise Http404
    language = invitation.language if invitation.language in dict(settings.LANGUAGES) else ""
    with translation.override(language or request.LANGUAGE_CODE):
        return answer_page(request, invitation, "feedback360/public_answer.html")
