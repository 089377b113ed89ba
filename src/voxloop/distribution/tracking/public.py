"""Public endpoints of outreach, reached from emails: tracked clicks, the open pixel, the
one-click unsubscribe (RFC 8058), and the email provider's tracking webhook. Each is rate
limited per client address; every URL carries a credential only the server can make (an
HMAC'd reference or a signed token), never the bare reference staff can read."""

from __future__ import annotations

import base64
import hmac
import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from voxloop.distribution.delivery.emails import (
    CLICK,
    OPEN,
    personal_token,
    read_tracked_key,
    read_unsubscribe_token,
)
from voxloop.distribution.models import Invitation, InvitationStatus
from voxloop.distribution.tracking import progress
from voxloop.surveys import hosting

PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
MAX_WEBHOOK_BYTES = 1_000_000
ONE_CLICK_SCORES = frozenset(str(n) for n in range(11))


def _invitation(key: str, purpose: str) -> Invitation | None:
    ref = read_tracked_key(key, purpose)
    return Invitation.objects.filter(ref=ref).first() if ref else None


@require_GET
def click(request: HttpRequest, key: str) -> HttpResponse:
    """The email's survey link and score links: record the click, then open the survey (a
    score link opens it with that score chosen, to be confirmed: a GET stores no answer)."""
    if not hosting.allowed(request, "view"):
        return hosting.too_many(request)
    invitation = _invitation(key, CLICK)
    if invitation is None:
        # A bare reference (as the staff API lists it, or as links sent before the links were
        # signed carried it) is no credential: say the link is no longer valid.
        return hosting.expired_link(request) if "." not in key else hosting.invalid_link(request)
    progress.advance(invitation, InvitationStatus.CLICKED)
    token = personal_token(invitation)
    score = request.GET.get("score", "")
    if score in ONE_CLICK_SCORES:  # ASCII "0".."10" only: "²" passes isdigit, not int
        return HttpResponseRedirect(hosting.one_click_url(token, int(score), base_url="/"))
    return HttpResponseRedirect(reverse("respondent:page", args=[token]))


@require_GET
def opened(request: HttpRequest, key: str) -> HttpResponse:
    if hosting.allowed(request, "view"):
        invitation = _invitation(key, OPEN)
        if invitation is not None:
            progress.advance(invitation, InvitationStatus.OPENED)
    answer = HttpResponse(PIXEL, content_type="image/gif")
    answer["Cache-Control"] = "no-store"
    return answer


@csrf_exempt  # mail clients POST the one-click unsubscribe with no session; the token is signed
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a page with one button (link scanners must not unsubscribe anyone); POST: done."""
    if not hosting.allowed(request, "submit"):
        return hosting.too_many(request)
    data = read_unsubscribe_token(token)
    if data is None:
        return hosting.invalid_link(request)
    done = request.method == "POST"
    if done:
        progress.unsubscribed(data["organization_id"], data["contact_id"], data["ref"])
    return render(
        request,
        "distribution/unsubscribe.html",
        {
            "done": done,
            "heading": _("You are unsubscribed") if done else _("Unsubscribe"),
            "text": _("You will not receive survey invitations from us any more.")
            if done
            else _("Stop all survey invitations to you?"),
        },
    )


def _authorised(request: HttpRequest) -> bool:
    """anymail's style: HTTP basic auth with the shared secret (user:password)."""
    secret = getattr(settings, "TRACKING_WEBHOOK_SECRET", "") or ""
    if not secret:
        return False
    header = request.headers.get("Authorization", "")
    if not header.startswith("Basic "):
        return False
    try:
        given = base64.b64decode(header[6:]).decode()
    except (ValueError, UnicodeDecodeError):
        return False
    return hmac.compare_digest(given.encode(), secret.encode())


@csrf_exempt
@require_POST
def tracking_webhook(request: HttpRequest) -> HttpResponse:
    """Tracking events normalised as django-anymail does (a list, or {"events": [...]})."""
    if not hosting.allowed(request, "submit"):
        return JsonResponse({"detail": "Too many requests."}, status=429)
    if not _authorised(request):
        return JsonResponse({"detail": "Authentication required."}, status=401)
    if len(request.body) > MAX_WEBHOOK_BYTES:
        return JsonResponse({"detail": "Payload too large.", "field": "body"}, status=413)
    try:
        payload = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return JsonResponse({"detail": "The body is not JSON.", "field": "body"}, status=400)
    events = payload.get("events") if isinstance(payload, dict) else payload
    if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
        return JsonResponse(
            {"detail": "Send a list of event objects.", "field": "events"}, status=400
        )
    results = [progress.apply_event(event) for event in events]
    return JsonResponse(
        {"applied": results.count("applied"), "ignored": len(results) - results.count("applied")}
    )
