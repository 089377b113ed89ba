"""What a visitor's page may do with a web widget.

1. The loader (`/w/<key>.js`) carries the widget's trigger rules; the page evaluates them,
   its sampling and its local re-show memory.
2. When they say "show", the page asks `/w/<key>/check`. A user id must come with its
   `user_hash`, signed by the customer's server with the widget's identity secret (so nobody
   answers as, or learns the outreach state of, somebody else); the server applies the outreach
   policy to the named user (unsubscribed, answered recently, invited by email or SMS too
   recently), finds or creates the contact and answers with a signed frame link.
3. The frame link carries the widget, the contact, the page's attributes and a nonce that is
   the response's source key, so one shown panel is at most one response; the respondent
   pages serve it (surveys.respondent, with this module's resolver) and every answer goes
   through the one capture service.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.core import signing
from django.urls import reverse
from django.utils import timezone, translation

from voxloop.contacts import selectors as contact_selectors
from voxloop.contacts import services as contact_services
from voxloop.distribution import selectors
from voxloop.distribution.delivery.policy import policy_for
from voxloop.distribution.models import Invitation, Widget
from voxloop.errors import Forbidden, InvalidInput
from voxloop.responses import selectors as response_selectors
from voxloop.responses.models import Channel
from voxloop.surveys import definition, hosting
from voxloop.surveys.models import SurveyStatus

if TYPE_CHECKING:
    from voxloop.contacts.models import Contact

SALT = "voxloop.distribution.widget.frame"
FRAME_MAX_AGE = 60 * 60 * 24  # a panel left open overnight still submits
SOURCE_PREFIX = "wdg:"
MAX_ATTRIBUTES = 30
MAX_ATTRIBUTE_KEY = 60
MAX_ATTRIBUTE_TEXT = 500
MAX_ATTRIBUTES_BYTES = 4000


class Reason:
    SHOWN = ""
    INACTIVE = "inactive"
    SURVEY_CLOSED = "survey_closed"
    UNSUBSCRIBED = "unsubscribed"
    ANSWERED_RECENTLY = "answered_recently"
    TOO_SOON = "too_soon"


@dataclass(frozen=True)
class Verdict:
    show: bool
    reason: str = ""
    frame: str = ""  # the framed survey's path, when shown


def read_user_id(value: Any) -> str:
    text = str(value or "").strip()
    if len(text) > 100 or "\x00" in text or any(ord(c) < 32 for c in text):
        raise InvalidInput("The user id is up to 100 printable characters.", field="user_id")
    return text


def user_hash(widget: Widget, user_id: str) -> str:
    """What the customer's server passes beside a user id: HMAC-SHA256 of the id under the
    widget's identity secret, in lowercase hex."""
    secret = widget.identity_secret.encode()
    return hmac.new(secret, user_id.encode(), hashlib.sha256).hexdigest()


def verified_user_id(widget: Widget, user_id: str, given_hash: Any) -> str:
    """The user id, once its hash proves the customer's server vouches for it."""
    if not user_id:
        return ""
    given = str(given_hash or "").strip().lower()
    if not given:
        raise Forbidden(
            "A user id needs its user_hash, computed on your server with the widget's identity "
            "secret (or leave the user id out for anonymous visitors).",
            field="user_hash",
        )
    if not hmac.compare_digest(user_hash(widget, user_id).encode(), given.encode()):
        raise Forbidden(
            "The user_hash does not match the user id: compute it with the widget's current "
            "identity secret.",
            field="user_hash",
        )
    return user_id


def read_attributes(raw: Any) -> dict[str, Any]:
    """The page's attributes: a flat JSON object of short texts, numbers and true/false."""
    if raw in (None, ""):
        return {}
    if isinstance(raw, str):
        if len(raw) > MAX_ATTRIBUTES_BYTES:
            raise InvalidInput("The attributes are too long.", field="attributes")
        try:
            raw = json.loads(raw)
        except ValueError:
            raise InvalidInput("The attributes are not JSON.", field="attributes") from None
    if not isinstance(raw, dict):
        raise InvalidInput("The attributes are an object of name → value.", field="attributes")
    if len(raw) > MAX_ATTRIBUTES:
        raise InvalidInput(f"At most {MAX_ATTRIBUTES} attributes.", field="attributes")
    cleaned: dict[str, Any] = {}
    for key, value in raw.items():
        name = str(key)
        if not name or len(name) > MAX_ATTRIBUTE_KEY or "\x00" in name:
            raise InvalidInput("An attribute name is 1 to 60 characters.", field="attributes")
        if isinstance(value, str):
            if len(value) > MAX_ATTRIBUTE_TEXT or "\x00" in value:
                raise InvalidInput(f"The attribute '{name}' is too long.", field="attributes")
        elif value is not None and not isinstance(value, bool | int | float):
            raise InvalidInput(
                f"The attribute '{name}' is not a text, number or true/false.",
                field="attributes",
            )
        cleaned[name] = value
    return cleaned


def decide(widget: Widget, user_id: str, attributes: dict[str, Any]) -> Verdict:
    """Whether this visitor sees the widget now; the frame link when they do."""
    survey = widget.survey
    if not widget.is_active:
        return Verdict(False, Reason.INACTIVE)
    if survey.status != SurveyStatus.LIVE:
        return Verdict(False, Reason.SURVEY_CLOSED)
    contact = None
    if user_id and not survey.is_anonymous:
        contact = contact_selectors.contact_by_external_id(widget.organization_id, user_id)
        if contact is not None:
            reason = _policy_reason(widget, contact)
            if reason:
                return Verdict(False, reason)
        else:
            contact = contact_services.contact_for_visitor(unit=widget.unit, external_id=user_id)
    token = signing.dumps(
        {
            "w": widget.pk,
            "c": contact.pk if contact is not None else None,
            "a": attributes,
            "n": secrets.token_urlsafe(12),
        },
        salt=SALT,
        compress=True,
    )
    return Verdict(True, frame=reverse("distribution:widget_frame", args=[token]))


def _policy_reason(widget: Widget, contact: Contact) -> str:
    now = timezone.now()
    if contact.unsubscribed_at is not None:
        return Reason.UNSUBSCRIBED
    if widget.suppress_days and response_selectors.answered_since(
        widget.organization_id,
        widget.survey_id,
        contact.pk,
        Channel.WIDGET,
        now - timedelta(days=widget.suppress_days),
    ):
        return Reason.ANSWERED_RECENTLY
    policy = policy_for(widget.organization_id)
    if policy.min_days_between and (
        Invitation.objects.filter(
            contact=contact,
            is_test=False,
            sent_at__gte=now - timedelta(days=policy.min_days_between),
        ).exists()
    ):
        return Reason.TOO_SOON
    return ""


def open_frame(token: str) -> tuple[hosting.Visit, Widget]:
    """The visit behind a frame link (respondent resolver); LinkNotFound or LinkExpired."""
    try:
        data = signing.loads(token, salt=SALT, max_age=FRAME_MAX_AGE)
    except signing.SignatureExpired:
        raise hosting.LinkExpired from None
    except (signing.BadSignature, ValueError):
        raise hosting.LinkNotFound from None
    if not isinstance(data, dict) or not isinstance(data.get("w"), int):
        raise hosting.LinkNotFound
    widget = Widget.objects.select_related("survey__unit", "unit").filter(pk=data["w"]).first()
    if widget is None or not widget.is_active or widget.survey.status == SurveyStatus.DRAFT:
        raise hosting.LinkNotFound
    survey = widget.survey
    contact = contact_selectors.contact_in_org(survey.organization_id, data.get("c"))
    embed = hosting.Embed(
        source_key=f"{SOURCE_PREFIX}{data.get('n', '')}",
        channel=Channel.WIDGET,
        page_route="distribution:widget_frame",
        done_route="distribution:widget_done",
        attributes=data.get("a") or {},
    )
    unit = widget.unit if widget.unit.path.startswith(survey.unit_path) else None
    visit = hosting.Visit(key=token, survey=survey, unit=unit, contact=contact, embed=embed)
    return visit, widget


def loader_config(widget: Widget) -> dict[str, Any]:
    """What the loader script needs: rules, look and its two endpoints (relative paths)."""
    survey = widget.survey
    colour, on_colour = hosting.brand_colours(survey)
    locale = survey.default_locale
    with translation.override(locale):
        title = definition.localized(survey.texts.get("title"), locale, locale) or survey.name
        close = translation.gettext("Close the survey")
    return {
        "key": widget.key,
        "check": reverse("distribution:widget_check", args=[widget.key]),
        "paths": list(widget.url_patterns),
        "delay": widget.delay_seconds,
        "manual": widget.manual_only,
        "sample": widget.sample_percent,
        "suppressDays": widget.suppress_days,
        "position": widget.position,
        "colour": colour,
        "onColour": on_colour,
        "title": definition.piped(title, {}),
        "closeLabel": close,
    }


def snippet(widget: Widget, base_url: str) -> str:
    """What a customer pastes before </body>."""
    src = base_url.rstrip("/") + reverse("distribution:widget_loader", args=[widget.key])
    return (
        f'<script src="{src}" async\n'
        '        data-user-id="CUSTOMER-ID" data-user-hash="USER-HASH"\n'
        '        data-attributes=\'{"plan": "gold"}\'></script>'
    )


def widget_for_page(key: str) -> Widget | None:
    return selectors.widget_by_key(key)
