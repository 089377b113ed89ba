"""Invitation emails: multipart HTML and text in the contact's language, with merge fields,
the survey's one-click NPS row, tracking links and the one-click unsubscribe headers.

Every link in an email is its own credential: the tracked link and the open pixel carry the
invitation's reference *and* an HMAC of it under the secret key (one per purpose), and the
unsubscribe link is signed. The reference alone, which staff see, opens nothing."""

from __future__ import annotations

import base64
import re
import secrets
from dataclasses import dataclass
from email.policy import Compat32
from email.utils import formataddr, parseaddr
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.core.mail.message import sanitize_address
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from voxloop.distribution.models import Invitation
from voxloop.surveys import definition, hosting

UNSUBSCRIBE_SALT = "voxloop.distribution.unsubscribe"
TRACKED_SALT = "voxloop.distribution.tracked-link"
CLICK, OPEN = "click", "open"  # a pixel's URL (seen by image proxies) opens no survey
MAC_BYTES = 12  # 96 bits, 16 URL-safe characters: short enough for a text message
MAC_CHARS = 16
PREVIEW_KEY = "preview"  # the links of a preview, which was never sent, open nothing


def personal_token(invitation: Invitation) -> str:
    return hosting.personal_token(
        invitation.survey_id,
        invitation.ref,
        invitation.contact_id,
        invitation.locale,
        test=invitation.is_test,
    )


def _mac(ref: str, purpose: str, secret: str) -> str:
    digest = salted_hmac(f"{TRACKED_SALT}.{purpose}", ref, secret=secret, algorithm="sha256")
    return base64.urlsafe_b64encode(digest.digest()[:MAC_BYTES]).decode()


def tracked_key(invitation: Invitation, purpose: str = CLICK) -> str:
    """`<ref>.<mac>`: what the tracked link (or the open pixel) names the invitation by."""
    if invitation.pk is None:
        return PREVIEW_KEY
    return f"{invitation.ref}.{_mac(invitation.ref, purpose, settings.SECRET_KEY)}"


def read_tracked_key(key: str, purpose: str = CLICK) -> str | None:
    """The invitation reference a tracked key was made for, or None when it is not one of
    ours for this purpose (a bare reference included: links sent before the references were
    signed no longer open anything)."""
    ref, dot, mac = key.rpartition(".")
    if not dot or not ref or len(ref) > 32 or len(mac) != MAC_CHARS:
        return None
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    if any(constant_time_compare(mac, _mac(ref, purpose, secret)) for secret in secrets):
        return ref
    return None


def unsubscribe_token(invitation: Invitation) -> str:
    if invitation.pk is None:
        return PREVIEW_KEY
    return signing.dumps(
        {"o": invitation.organization_id, "c": invitation.contact_id, "i": invitation.ref},
        salt=UNSUBSCRIBE_SALT,
        compress=True,
    )


def read_unsubscribe_token(token: str) -> dict | None:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        return {"organization_id": int(data["o"]), "contact_id": int(data["c"]), "ref": data["i"]}
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


@lru_cache(maxsize=16)
def _route(name: str, base_url: str) -> str:
    """An absolute URL pattern with one argument, reversed once (a batch builds thousands)."""
    return base_url.rstrip("/") + reverse(name, args=["__ARG__"]).replace("__ARG__", "{}")


def _url(name: str, argument: str) -> str:
    # References and signed tokens are URL-safe (letters, digits, - _ : .), as reverse() keeps.
    return _route(name, settings.BASE_URL).format(argument)


def survey_link(invitation: Invitation, score: int | None = None) -> str:
    """The tracked link in the email: it records the click, then opens the survey."""
    link = _url("distribution:click", tracked_key(invitation, CLICK))
    return link + (f"?score={score}" if score is not None else "")


class _FastHeaders(Compat32):
    """Python's default (compat32) header folding, which builds an `email.header.Header` for
    every header of every part; a short one-line ASCII value comes out of it unchanged, so it
    is written as is (half the time of building an invitation was folding)."""

    def _short(self, name: str, value: object) -> str | None:
        limit = self.max_line_length or 78
        if (
            isinstance(value, str)
            and value.isascii()
            and len(name) + 2 + len(value) <= limit
            and "\n" not in value
            and "\r" not in value
        ):
            return f"{name}: {value}{self.linesep}"
        return None

    def fold(self, name: str, value: Any) -> str:
        return self._short(name, value) or super().fold(name, value)

    def fold_binary(self, name: str, value: Any) -> bytes:
        short = self._short(name, value)
        return short.encode("ascii") if short else super().fold_binary(name, value)


FAST_HEADERS = _FastHeaders()


class InvitationEmail(EmailMultiAlternatives):
    """An invitation as Django builds it, with a random MIME boundary chosen here: the
    `email` generator would otherwise compile a regular expression per message to make sure
    its boundary is not in the text (96 random bits never are)."""

    def message(self, *args: Any, **kwargs: Any) -> Any:
        message = super().message(*args, **kwargs)
        message.policy = FAST_HEADERS
        if message.is_multipart():
            message.set_boundary(f"==vx{secrets.token_hex(12)}==")
        return message


# A bare ASCII address in dot-atom form: what Django's sanitize_address returns for it unchanged.
_ATOM = r"[A-Za-z0-9_%+-]+"
_PLAIN_ADDRESS = re.compile(rf"{_ATOM}(\.{_ATOM})*@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*")


@lru_cache(maxsize=256)
def _sanitized(address: str, encoding: str) -> str:
    return sanitize_address(address, encoding)


def envelope_address(address: str, encoding: str) -> str:
    """The envelope address Django's SMTP backend would send: a bare ASCII address as it is,
    anything else (a display name, non-ASCII) through Django, remembered (one sender a batch)."""
    return address if _PLAIN_ADDRESS.fullmatch(address) else _sanitized(address, encoding)


def send(connection: BaseEmailBackend, message: EmailMultiAlternatives) -> None:
    """Send one message over an opened connection. On Django's SMTP backend this is its own
    `_send` without parsing the same sender (and a plain recipient) with the email package's
    header parser for every message, a fifth of the CPU a send took; any other backend (files,
    memory, a provider's) sends it its own way."""
    if not isinstance(connection, SmtpBackend) or connection.connection is None:
        connection.send_messages([message])
        return
    encoding = message.encoding or settings.DEFAULT_CHARSET
    sender = envelope_address(message.from_email, encoding)
    recipients = [envelope_address(address, encoding) for address in message.recipients()]
    mime: Any = message.message()  # Django's SafeMIME classes take linesep; Message's stub not
    raw = mime.as_bytes(linesep="\r\n")
    connection.connection.sendmail(sender, recipients, raw)


def merge_values(invitation: Invitation) -> dict[str, str]:
    contact, survey = invitation.contact, invitation.survey
    unit = contact.home_unit.name if contact.home_unit_id else ""
    title = definition.localized(
        survey.texts.get("title"), invitation.locale, survey.default_locale
    )
    return {
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "unit": unit,
        "survey": title or survey.name,
    }


def _text(texts: dict, part: str, invitation: Invitation, values: dict) -> str:
    chosen = definition.localized(
        (texts or {}).get(part), invitation.locale, invitation.survey.default_locale
    )
    return definition.piped(chosen, values) if chosen else ""


@lru_cache(maxsize=256)
def _parsed(address: str) -> tuple[str, str]:
    return parseaddr(address)  # a campaign's one or two senders, parsed once


def sender(invitation: Invitation) -> tuple[str, str]:
    """From (a personal sender such as the CEO) and reply-to (e.g. the account manager)."""
    campaign, survey = invitation.campaign, invitation.survey
    _default_name, default_address = _parsed(settings.DEFAULT_FROM_EMAIL)
    name = (campaign.sender_name if campaign else "") or definition.localized(
        (survey.branding or {}).get("sender_name"), invitation.locale, survey.default_locale
    )
    address = (campaign.sender_email if campaign else "") or default_address
    reply_to = campaign.reply_to if campaign else ""
    account = invitation.contact.account
    owner = account.owner if account is not None else None
    if invitation.ask_personally and owner is not None and owner.email:
        # A segment's rule asks personally: the account owner is the sender (decision 0041).
        owner_name = owner.get_full_name() or owner.email
        return formataddr((owner_name, owner.email)), owner.email
    if not reply_to and owner is not None:
        reply_to = owner.email
    return formataddr((name or _default_name or "Voxloop", address)), reply_to


def build_message(
    invitation: Invitation, reminder: bool = False, connection: BaseEmailBackend | None = None
) -> EmailMultiAlternatives:
    with translation.override(invitation.locale):
        return _build(invitation, reminder, connection)


def _build(
    invitation: Invitation, reminder: bool, connection: BaseEmailBackend | None
) -> EmailMultiAlternatives:
    values = merge_values(invitation)
    links = links_of(invitation)
    context = body_context(invitation, values, links, reminder)
    from_email, reply_to = sender(invitation)
    message = InvitationEmail(
        subject=subject_of(invitation, values, reminder),
        body=render_to_string(TEXT_TEMPLATE, context),
        from_email=from_email,
        to=[invitation.contact.email],
        reply_to=[reply_to] if reply_to else None,
        headers={
            # Unique because the reference is; tracking webhooks name the message by it.
            "Message-ID": message_id(invitation, from_email),
            "List-Unsubscribe": f"<{links.unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "X-Voxloop-Invitation": invitation.ref,
        },
        connection=connection,
    )
    message.attach_alternative(render_to_string(HTML_TEMPLATE, context), "text/html")
    return message


TEXT_TEMPLATE = "distribution/email/invitation.txt"
HTML_TEMPLATE = "distribution/email/invitation.html"


@dataclass(frozen=True)
class Links:
    """The three links an invitation carries, each signed for this invitation."""

    survey: str
    unsubscribe: str
    pixel: str


def links_of(invitation: Invitation) -> Links:
    return Links(
        survey=survey_link(invitation),
        unsubscribe=_url("distribution:unsubscribe", unsubscribe_token(invitation)),
        pixel=_url("distribution:opened", tracked_key(invitation, OPEN)),
    )


def message_id(invitation: Invitation, from_email: str) -> str:
    domain = _parsed(from_email)[1].rpartition("@")[2] or "voxloop.localhost"
    return f"<{invitation.ref}@{domain}>"


def subject_of(invitation: Invitation, values: dict[str, str], reminder: bool) -> str:
    texts = invitation.campaign.texts if invitation.campaign else {}
    # A subject written in another language than the email's would mix two languages in one
    # message: without one in the invitation's language, the product's own (translated) one.
    own = ((texts or {}).get("subject") or {}).get(invitation.locale, "")
    subject = (
        definition.piped(own, values)
        if own
        else (_("A quick question about %(unit)s") % {"unit": values["unit"] or values["survey"]})
    )
    if reminder:
        subject = _("Reminder: %(subject)s") % {"subject": subject}
    return subject


def body_context(
    invitation: Invitation, values: dict[str, str], links: Links, reminder: bool
) -> dict[str, Any]:
    """What the two templates show; `values` and `links` are all that differs between two
    recipients of one campaign in one language (`prepared` relies on it, decision 0063)."""
    texts = invitation.campaign.texts if invitation.campaign else {}
    row_html, has_nps, brand, on_brand = _nps_row(invitation, values, links.survey)
    return {
        "brand": brand,
        "on_brand": on_brand,
        "has_nps": has_nps,
        "nps_row": mark_safe(row_html),  # noqa: S308 - rendered (escaped) by the template
        "greeting": _("Hello %(name)s,") % {"name": values["first_name"]}
        if values["first_name"]
        else _("Hello,"),
        "intro": _text(texts, "intro", invitation, values)
        or _("We would love to hear how we did. It takes less than a minute."),
        "survey_url": links.survey,
        "unsubscribe_url": links.unsubscribe,
        "open_pixel": links.pixel,
        "button": _("Answer the survey"),
        "unsubscribe_text": _("Do not want these emails? Unsubscribe."),
        "reminder": reminder,
    }


# The survey's one-click row, rendered once per survey revision and language with markers
# where the merge fields and the links go; each email then only replaces the markers.
_ROWS: dict[tuple, tuple[str, bool, str, str]] = {}
MERGE_FIELDS = ("first_name", "last_name", "unit", "survey")


def _marker(name: str) -> str:
    return f"\x00{name}\x00"  # survives HTML escaping and never occurs in a survey's text


def _nps_row(
    invitation: Invitation, values: dict[str, str], survey_url: str
) -> tuple[str, bool, str, str]:
    survey = invitation.survey
    key = (survey.pk, survey.revision, invitation.locale, settings.BASE_URL)
    cached = _ROWS.get(key)
    if cached is None:
        markers = {name: _marker(name) for name in MERGE_FIELDS}
        row = hosting.nps_row_context(survey, "-", invitation.locale, markers)
        # Each score goes through our click link first, so "clicked" is known; it then
        # records the score exactly as the survey's own one-click link does.
        for point in row["nps_links"]:
            point["url"] = _marker(f"score{point['score']}")
        rendered = render_to_string(hosting.NPS_ROW_TEMPLATE, row)
        cached = (rendered, bool(row["nps_question"]), row["brand"], row["on_brand"])
        if len(_ROWS) > 500:
            _ROWS.clear()
        _ROWS[key] = cached
    html, has_nps, brand, on_brand = cached
    for name in MERGE_FIELDS:
        html = html.replace(_marker(name), escape(values.get(name, "")))
    link = escape(survey_url)  # signed once, not once per score
    for score in range(11):
        html = html.replace(_marker(f"score{score}"), f"{link}?score={score}")
    return html, has_nps, brand, on_brand
