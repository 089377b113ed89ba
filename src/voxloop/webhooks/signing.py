"""Standard Webhooks signatures (https://www.standardwebhooks.com/): any of its libraries
verifies what Voxloop sends.

    webhook-id:        msg_…  (the same on every retry and replay of one delivery)
    webhook-timestamp: seconds since the epoch, at the attempt
    webhook-signature: v1,<base64 HMAC-SHA256 over "<id>.<timestamp>.<body>"> [v1,<…> …]

The secret is `whsec_` + base64 of 24 random bytes; the HMAC key is those bytes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets

PREFIX = "whsec_"
TOLERANCE_SECONDS = 300  # a receiver refuses an older timestamp: a replayed request


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def new_message_id() -> str:
    return "msg_" + secrets.token_urlsafe(18)


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(PREFIX))


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """`v1,<base64 signature>` of one message."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    mac = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def headers(secrets_: list[str], message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The three headers; with several secrets (during a rotation) one signature each."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(sign(s, message_id, timestamp, body) for s in secrets_),
    }


def verify(secret: str, found: dict[str, str], body: bytes, now: float) -> bool:
    """What a receiver does: a fresh timestamp and one matching signature, compared in
    constant time. Header names in any case."""
    lowered = {k.lower(): v for k, v in found.items()}
    try:
        timestamp = int(lowered.get("webhook-timestamp", ""))
        expected = sign(secret, lowered.get("webhook-id", ""), timestamp, body)
    except (ValueError, binascii.Error):
        return False
    if abs(now - timestamp) > TOLERANCE_SECONDS:
        return False
    offered = lowered.get("webhook-signature", "").split()
    return any(hmac.compare_digest(expected, candidate) for candidate in offered)
