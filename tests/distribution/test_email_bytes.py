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
