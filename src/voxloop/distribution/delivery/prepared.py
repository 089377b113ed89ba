"""Invitation emails written from a prepared skeleton (decision 0063).

Two recipients of one campaign in one language get the same email but for their merge
fields, their three signed links and their headers. So the email is built the Django way
once per (campaign texts, survey revision, language, which merge fields are empty), with
markers in place of the fields and links, and kept as bytes cut at the markers; each
recipient's message is those bytes joined with their own (escaped in the HTML part) values,
a fresh MIME boundary, and headers folded one by one by the same functions Django's build
uses. Every skeleton is checked once against the reference build of its first recipient;
a skeleton that does not reproduce it, values that would change the message's encoding
(line breaks, a line past 998 bytes) and any charset but UTF-8 take the reference build.
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass
from email.utils import formatdate
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.core.mail.message import forbid_multi_line_headers
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import escape

from voxloop.distribution.delivery import emails
from voxloop.distribution.delivery.emails import MERGE_FIELDS, Links
from voxloop.distribution.models import Invitation

log = logging.getLogger(__name__)

LINKS = ("survey", "unsubscribe", "pixel")
BOUNDARY = "==vx" + "B" * 24 + "=="  # a real one is 24 lower-case hex digits
_SLOT = re.compile(rb"\x00([th]):(\w+)\x00|" + re.escape(BOUNDARY.encode()) + rb"|7bit")
CRLF_HEADERS = emails.FAST_HEADERS.clone(linesep="\r\n")
LINE_LIMIT = 998  # Django quotes-printable a part with a longer line


@dataclass(frozen=True)
class Written:
    sender: str
    recipients: list[str]
    raw: bytes
    message_id: str


@dataclass(frozen=True)
class Skeleton:
    head: tuple[Any, ...]  # Content-Type and MIME-Version: bytes and the boundary slot
    body: tuple[Any, ...]  # bytes, and slots: ("t"|"h", name), "boundary", ("cte", "t"|"h")
    slots: dict[str, frozenset[str]]  # the names each part ("t", "h") shows


_SKELETONS: dict[tuple, Skeleton | None] = {}
_UNSEEN: Any = object()


def send(connection: BaseEmailBackend, invitation: Invitation, reminder: bool = False) -> str:
    """Send one invitation over an opened connection; its Message-ID. Prepared on Django's
    SMTP backend; any other backend (files, memory, a provider's) gets Django's message."""
    if isinstance(connection, SmtpBackend) and connection.connection is not None:
        ours = written(invitation, reminder)
        if ours is not None:
            connection.connection.sendmail(ours.sender, ours.recipients, ours.raw)
            return ours.message_id
    message = emails.build_message(invitation, reminder=reminder, connection=connection)
    emails.send(connection, message)
    return message.extra_headers["Message-ID"]


def written(invitation: Invitation, reminder: bool = False) -> Written | None:
    """The invitation's message as the SMTP backend would send it, or None when only the
    reference build (`emails.build_message`) can write it."""
    if not settings.INVITATION_PREPARED_EMAILS or settings.DEFAULT_CHARSET != "utf-8":
        return None
    with translation.override(invitation.locale):
        values = emails.merge_values(invitation)
        if any(_breaks(value) for value in values.values()):
            return None
        key = _key(invitation, values, reminder)
        skeleton = _SKELETONS.get(key, _UNSEEN)  # other lanes' threads share the cache
        if skeleton is _UNSEEN:
            return _first(key, invitation, values, reminder)
        if skeleton is None:
            return None
        return _fill(skeleton, invitation, values, reminder)


def _first(
    key: tuple, invitation: Invitation, values: dict[str, str], reminder: bool
) -> Written | None:
    """A new skeleton's first recipient: kept if it writes their message as Django does."""
    skeleton = _skeleton(invitation, values, reminder)
    checked = None
    if skeleton is not None:
        if _fill(skeleton, invitation, values, reminder) is None:
            return None  # this recipient's values only (a long line): the next one checks it
        checked = _checked(skeleton, invitation, values, reminder)
    if len(_SKELETONS) > 500:
        _SKELETONS.clear()
    _SKELETONS[key] = skeleton if checked else None
    return checked


def _breaks(value: str) -> bool:
    return "\n" in value or "\r" in value or "\x00" in value


def _key(invitation: Invitation, values: dict[str, str], reminder: bool) -> tuple:
    campaign, survey = invitation.campaign, invitation.survey
    return (
        repr(campaign.texts) if campaign else "",
        survey.pk,
        survey.revision,
        survey.default_locale,
        invitation.locale,
        reminder,
        settings.BASE_URL,
        tuple(bool(values[name]) for name in MERGE_FIELDS),
    )


def _marked(part: str, values: dict[str, str]) -> tuple[dict[str, str], Links]:
    def mark(name: str) -> str:
        return f"\x00{part}:{name}\x00"  # survives escaping, never in a survey's text

    marked = {name: mark(name) if values[name] else "" for name in MERGE_FIELDS}
    return marked, Links(*(mark(name) for name in LINKS))


def _skeleton(invitation: Invitation, values: dict[str, str], reminder: bool) -> Skeleton | None:
    bodies = {}
    for part, template in (("t", emails.TEXT_TEMPLATE), ("h", emails.HTML_TEMPLATE)):
        marked, links = _marked(part, values)
        context = emails.body_context(invitation, marked, links, reminder)
        bodies[part] = render_to_string(template, context)
    message = emails.InvitationEmail(
        subject="-", body=bodies["t"], from_email="x@x.test", to=["x@x.test"]
    )
    message.attach_alternative(bodies["h"], "text/html")
    mime: Any = message.message()
    mime.set_boundary(BOUNDARY)
    raw = mime.as_bytes(linesep="\r\n")
    end_of_head = raw.index(b"\r\nSubject: ") + 2
    start_of_body = raw.index(b"\r\n\r\n") + 2
    head, body = raw[:end_of_head], raw[start_of_body:]
    if not head.startswith(b"Content-Type: multipart/alternative;"):
        return None
    if body.count(b"Content-Transfer-Encoding: ") != 2 or re.search(
        rb"Content-Transfer-Encoding: (?!7bit|8bit)", body
    ):
        return None  # quoted-printable or base64: the values would be encoded too
    slots: dict[str, set[str]] = {"t": set(), "h": set()}
    return Skeleton(
        _cut(head, slots), _cut(body, slots), {k: frozenset(v) for k, v in slots.items()}
    )


def _cut(raw: bytes, slots: dict[str, set[str]]) -> tuple[Any, ...]:
    pieces: list[Any] = []
    at = 0
    for match in _SLOT.finditer(raw):
        pieces.append(raw[at : match.start()])
        if match.group(1):
            part, name = match.group(1).decode(), match.group(2).decode()
            slots[part].add(name)
            pieces.append((part, name))
        elif match.group(0) == b"7bit":
            header = b"Content-Transfer-Encoding: "
            if raw[match.start() - len(header) : match.start()] != header:
                pieces.append(b"7bit")  # the word in a text, not the part's encoding
            else:  # the first part's header is the text's, the second the HTML's
                pieces.append(("cte", "th"[raw.count(header, 0, match.start()) - 1]))
        else:
            pieces.append("boundary")
        at = match.end()
    pieces.append(raw[at:])
    return tuple(piece for piece in pieces if piece != b"")


def _fill(
    skeleton: Skeleton, invitation: Invitation, values: dict[str, str], reminder: bool
) -> Written | None:
    links = emails.links_of(invitation)
    fills: dict[Any, bytes] = {"boundary": f"==vx{secrets.token_hex(12)}==".encode()}
    for name in MERGE_FIELDS:
        fills[("t", name)] = values[name].encode()
        fills[("h", name)] = escape(values[name]).encode()
    for name in LINKS:
        link = getattr(links, name)
        fills[("t", name)] = link.encode()
        fills[("h", name)] = escape(link).encode()
    for part, names in skeleton.slots.items():
        plain = all(fills[(part, name)].isascii() for name in names)
        fills[("cte", part)] = b"7bit" if plain else b"8bit"  # as email.encoders decides
    body = b"".join(fills[piece] if type(piece) is not bytes else piece for piece in skeleton.body)
    if max(map(len, body.split(b"\r\n"))) > LINE_LIMIT:
        return None
    from_email, reply_to = emails.sender(invitation)
    message_id = emails.message_id(invitation, from_email)
    head = b"".join(fills[p] if type(p) is not bytes else p for p in skeleton.head)
    headers = _headers(invitation, values, reminder, from_email, reply_to, message_id, links)
    encoding = settings.DEFAULT_CHARSET
    return Written(
        sender=emails.envelope_address(from_email, encoding),
        recipients=[emails.envelope_address(invitation.contact.email, encoding)]
        if invitation.contact.email
        else [],
        raw=head + headers + body,
        message_id=message_id,
    )


def _headers(
    invitation: Invitation,
    values: dict[str, str],
    reminder: bool,
    from_email: str,
    reply_to: str,
    message_id: str,
    links: Links,
) -> bytes:
    """In the order Django's `EmailMessage.message()` sets them."""
    lines = [
        _shared("Subject", emails.subject_of(invitation, values, reminder)),
        _shared("From", from_email),
        _header("To", invitation.contact.email),
    ]
    if reply_to:
        lines.append(_shared("Reply-To", reply_to))
    lines += [
        _header("Date", formatdate(localtime=settings.EMAIL_USE_LOCALTIME)),
        _header("Message-ID", message_id),
        _header("List-Unsubscribe", f"<{links.unsubscribe}>"),
        _shared("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
        _header("X-Voxloop-Invitation", invitation.ref),
    ]
    return b"".join(lines)


def _header(name: str, value: str) -> bytes:
    """One header line exactly as Django sets it and the generator folds it."""
    _name, stored = forbid_multi_line_headers(name, value, settings.DEFAULT_CHARSET)
    return CRLF_HEADERS.fold_binary(name, stored)


@lru_cache(maxsize=1024)
def _shared(name: str, value: str) -> bytes:
    return _header(name, value)  # a campaign's subjects and senders repeat


def _checked(
    skeleton: Skeleton, invitation: Invitation, values: dict[str, str], reminder: bool
) -> Written | None:
    """The skeleton's message for this recipient if it is Django's, byte for byte (tried
    twice: an unsubscribe link signed on either side of a second's turn differs)."""
    for _attempt in range(2):
        ours = _fill(skeleton, invitation, values, reminder)
        reference: Any = emails.build_message(invitation, reminder=reminder).message()
        if ours is None:
            break
        reference.set_boundary(boundary_of(ours.raw))
        if comparable(reference.as_bytes(linesep="\r\n")) == comparable(ours.raw):
            return ours
    log.warning("Invitation %s: prepared email differs from Django's build", invitation.ref)
    return None


def boundary_of(raw: bytes) -> str:
    found = re.search(rb'boundary="([^"]+)"', raw)
    return found.group(1).decode() if found else ""


def comparable(raw: bytes) -> bytes:
    """The bytes without the Date line (two builds a second apart differ only there)."""
    return re.sub(rb"\r\nDate: [^\r]*\r\n", b"\r\nDate: -\r\n", raw, count=1)
