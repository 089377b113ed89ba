"""SMS through a small provider interface: an HTTP provider shaped like common SMS APIs, and a
file provider for development (one JSON line per message in VOXLOOP_HOME/sms.log)."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from voxloop.distribution.emails import merge_values, survey_link


def text_of(invitation) -> str:
    with translation.override(invitation.locale):
        values = merge_values(invitation)
        return _("%(unit)s would like your feedback: %(link)s  Reply STOP to opt out.") % {
            "unit": values["unit"] or values["survey"],
            "link": survey_link(invitation),
        }


def send_sms(invitation) -> bool:
    provider = getattr(settings, "SMS_PROVIDER", "file")
    body = text_of(invitation)
    if provider == "http":
        return _http(invitation.contact.phone, body)
    path = Path(getattr(settings, "SMS_FILE_PATH", "") or Path(settings.VOXLOOP_HOME) / "sms.log")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as log:
        log.write(json.dumps({"to": invitation.contact.phone, "body": body}) + "\n")
    return True


def _http(to: str, body: str) -> bool:
    """POST {from, to, text} as JSON with a bearer credential, the shape most SMS APIs take."""
    request = urllib.request.Request(  # noqa: S310 - the URL is the operator's setting
        settings.SMS_HTTP_URL,
        data=json.dumps({"from": settings.SMS_SENDER, "to": to, "text": body}).encode(),
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {settings.SMS_HTTP_TOKEN}",
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
            return 200 <= answer.status < 300
    except OSError:
        return False
