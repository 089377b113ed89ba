"""Credentials of connectors (review sites, CRMs, identity providers), encrypted at rest
(Fernet: AES-128-CBC + HMAC-SHA256).

The keys come from the environment (`VOXLOOP_CREDENTIAL_KEYS`, newest first, so a rotation
re-encrypts with the first while the others still decrypt); without them a key is derived from
the secret key. The database alone never reveals a credential. Every app that stores a
third party's secret seals it here (decision 0031)."""

from __future__ import annotations

import base64
import hashlib
import json

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

from voxloop.errors import InvalidInput


def _keys() -> MultiFernet:
    configured = [k.strip() for k in getattr(settings, "CREDENTIAL_KEYS", []) if k.strip()]
    if not configured:
        # The salt keeps its first app's name so tokens sealed before the move still open.
        derived = hashlib.sha256(f"reviews:{settings.SECRET_KEY}".encode()).digest()
        configured = [base64.urlsafe_b64encode(derived).decode()]
    try:
        return MultiFernet([Fernet(key.encode()) for key in configured])
    except ValueError:
        raise InvalidInput(
            "VOXLOOP_CREDENTIAL_KEYS holds a key that is not a Fernet key.", "credentials"
        ) from None


def seal(values: dict[str, str]) -> str:
    """The stored form of a credentials object ("" for none)."""
    if not values:
        return ""
    return _keys().encrypt(json.dumps(values, sort_keys=True).encode()).decode()


def unseal(token: str) -> dict[str, str]:
    """The credentials behind a stored token; {} for none or for one no key opens."""
    if not token:
        return {}
    try:
        return json.loads(_keys().decrypt(token.encode()))
    except (InvalidToken, ValueError):
        return {}


def reseal(token: str) -> str:
    """The same credentials under the newest key (a key rotation)."""
    return _keys().rotate(token.encode()).decode() if token else ""


def hint(value: str) -> str:
    """What a form shows of a stored secret: its last four characters."""
    return f"…{value[-4:]}" if len(value) > 8 else "…"
