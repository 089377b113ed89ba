"""A customer rater's page: the signed link from their email, no sign-in. Rate limited per
client address; CSRF-protected like every form; one answer per invitation. Shown in the
customer's language."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import translation
from django.views.decorators.http import require_http_methods

from voxloop.feedback360 import limits, links
from voxloop.feedback360.views import answer_page


@require_http_methods(["GET", "POST"])
def public_answer(request: HttpRequest, token: str) -> HttpResponse:
    if not limits.allowed(request):
        return limits.too_many(request)
    invitation = links.invitation_of(token)
    if invitation is None:
        raise Http404
    language = invitation.language if invitation.language in dict(settings.LANGUAGES) else ""
    with translation.override(language or request.LANGUAGE_CODE):
        return answer_page(request, invitation, "feedback360/public_answer.html")
