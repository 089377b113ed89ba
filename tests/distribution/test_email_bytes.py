"""The invitation email's faster build (decision 0049) writes exactly the bytes Python's own
header folding writes, short ASCII headers and long or non-ASCII ones alike."""

from __future__ import annotations

from email import message_from_bytes, policy

from tests.distribution.support import invite
from voxloop.distribution.delivery.emails import FAST_HEADERS, build_message
from voxloop.distribution.models import InvitationStatus


def test_fast_headers_write_what_compat32_writes(outreach):
    for who, locale in (("ann", "en"), ("bo", "zh-hans")):
        invitation = invite(outreach, who, locale=locale, status=InvitationStatus.SENDING)
        message = build_message(invitation).message()
        # A long Subject and a non-ASCII From too, which the fast path leaves to Python.
        message.replace_header("Subject", "Ihre Meinung zählt " + "sehr " * 20)
        message["From"] = "Jane Doe, CEO <ceo@acme.test>"
        assert message.policy is FAST_HEADERS
        fast = message.as_bytes(linesep="\r\n")
        message.policy = policy.compat32
        assert message.as_bytes(linesep="\r\n") == fast
        parsed = message_from_bytes(fast, policy=policy.default)
        assert parsed.get_content_type() == "multipart/alternative"
        assert [p.get_content_type() for p in parsed.iter_parts()] == ["text/plain", "text/html"]
        assert parsed["X-Voxloop-Invitation"] and "List-Unsubscribe" in parsed


def test_envelope_addresses_are_what_djangos_smtp_backend_sends():
    from django.core.mail.message import sanitize_address

    from voxloop.distribution.delivery.emails import envelope_address

    for address in (
        "pat1@bench.test",
        "Pat.O-Neil+cx@Example.COM",
        "a_b%c@sub.example.test",
        "CEO <ceo@bench.test>",
        '"Jane Doe, CEO" <ceo@acme.test>',
        "Zoë <zoe@acme.test>",
        "陈 <chen@acme.test>",
        "ünï@acme.test",
        "x@bücher.example",
    ):
        assert envelope_address(address, "utf-8") == sanitize_address(address, "utf-8")


def test_the_html_part_goes_as_8bit_not_quoted_printable(outreach):
    """Django quotes-printable a whole part when one line is over 998 bytes; the score row
    writes a cell a line, so the part goes as it is (and costs no encoding)."""
    invitation = invite(outreach, "bo", locale="zh-hans", status=InvitationStatus.SENDING)
    raw = build_message(invitation).message().as_bytes(linesep="\r\n")
    parsed = message_from_bytes(raw, policy=policy.default)
    html = next(p for p in parsed.iter_parts() if p.get_content_type() == "text/html")
    assert html["Content-Transfer-Encoding"] == "8bit"
    assert max(len(line.encode()) for line in html.get_content().splitlines()) <= 998
    assert html.get_content().count("?score=") == 11
