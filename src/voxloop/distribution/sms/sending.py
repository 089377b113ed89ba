"""SMS through a small provider interface: an HTTP provider shaped like common SMS APIs, and a
file provider for development (one JSON line per message in VOXLOOP_HOME/sms.log).

Every text ends with how to opt out ("Reply STOP"), in the contact's language; the replies and
the provider's delivery reports come back through distribution.sms.hooks."""

from __future__ import annotations

import json
import os
import urllib.request
from pathlib import Path

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from voxloop.distribution.delivery.emails import merge_values, survey_link
from voxloop.distribution.models import Invitation

# Where common SMS APIs put the id of the message they accepted.
ID_KEYS = ("id", "sid", "message_id", "messageId", "message_uuid", "message-id")


def text_of(invitation: Invitation, reminder: bool = False) -> str:
    with translation.override(invitation.locale):
        values = merge_values(invitation)
        merged = {"unit": values["unit"] or values["survey"], "link": survey_link(invitation)}
        if reminder:
            text = _("Reminder: %(unit)s would still like your feedback: %(link)s  Reply STOP.")
            return text % merged
        return _("%(unit)s would like your feedback: %(link)s  Reply STOP to opt out.") % merged


def send_sms(invitation: Invitation, reminder: bool = False) -> str | None:
    """Hand one text to the provider: the provider's message id ('' when it gives none), or
    None when it did not take the message."""
    provider = getattr(settings, "SMS_PROVIDER", "file")
    body = text_of(invitation, reminder)
    if provider == "http":
        return _http(invitation.contact.phone, body, invitation.ref)
    path = Path(getattr(settings, "SMS_FILE_PATH", "") or Path(settings.VOXLOOP_HOME) / "sms.log")
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    # The log holds personal survey links: owner-only, like everything in VOXLOOP_HOME.
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as log:
        log.write(json.dumps({"to": invitation.contact.phone, "body": body}) + "\n")
    return f"file-{invitation.ref}"


def _http(to: str, body: str, reference: str) -> str | None:
    """POST {from, to, text, reference} as JSON with a bearer credential, the shape most SMS
    APIs take; their answer's id is what their delivery reports name."""
    request = urllib.request.Request(  # noqa: S310 - the URL is the operator's setting
        settings.SMS_HTTP_URL,
        data=json.dumps(
            {"from": settings.SMS_SENDER, "to": to, "text": body, "reference": reference}
        ).encode(),
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {settings.SMS_HTTP_TOKEN}",
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
            if not 200 <= answer.status < 300:
                return None
            return _message_id(answer.read(64_000))
    except OSError:
        return None


def _message_id(raw: bytes) -> str:
    try:
        data = json.loads(raw or b"{}")
    except (ValueError, UnicodeDecodeError):
        return ""
    if isinstance(data, dict) and isinstance(data.get("messages"), list) and data["messages"]:
        data = data["messages"][0]  # Vonage answers {"messages": [{"message-id": ...}]}
    if not isinstance(data, dict):
        return ""
    for key in ID_KEYS:
        if data.get(key):
            return str(data[key])[:200]
    return ""
