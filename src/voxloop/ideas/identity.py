"""Who is voting, posting or following: a signed-in member, or on a public board a person who
proved an email address (decision 0040).

A member's key is `u:<user id>`. A public person's key is `e:` + HMAC-SHA256 of the
normalised address (lower case, `+tag` dropped, dots dropped for Gmail) under a key derived
from SECRET_KEY: the same address is the same voter however it is typed, and the key alone
does not give the address back. The address is proven by a signed link sent to it; opening
the link sets a signed cookie (180 days) that carries the proof, so later votes from the same
browser need no new link. One address, one vote per idea; how many addresses one person owns
is bounded by the rate limits per client address and by the ranking (ranking.py).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from voxloop.errors import InvalidInput

LINK_SALT = "voxloop.ideas.verify"
COOKIE_SALT = "voxloop.ideas.voter"
COOKIE_NAME = "vx_ideas"
LINK_MAX_AGE = 3 * 24 * 3600
COOKIE_MAX_AGE = 180 * 24 * 3600
GMAIL = ("gmail.com", "googlemail.com")


@dataclass(frozen=True)
class Person:
    """Whoever acts: `key` is what the one-vote rule counts."""

    key: str
    name: str = ""
    user_id: int | None = None
    email: str = ""


def member(user_id: int | None, name: str, email: str = "") -> Person:
    if user_id is None:
        raise InvalidInput("Sign in to take part.", "user")
    return Person(key=f"u:{user_id}", name=name, user_id=user_id, email=email)


def of_user(user: Any) -> Person:
    """The signed-in member's person (a name to show: full name, else the username)."""
    full = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return member(user.pk, full or user.get_username(), getattr(user, "email", "") or "")


def normalised_email(address: str) -> str:
    address = (address or "").strip()
    try:
        validate_email(address)
    except ValidationError:
        raise InvalidInput("Enter a valid email address.", "email") from None
    local, _, domain = address.lower().rpartition("@")
    local = local.split("+", 1)[0]
    if domain in GMAIL:
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}"


def _secret() -> bytes:
    return hashlib.sha256(b"voxloop.ideas.voter:" + settings.SECRET_KEY.encode()).digest()


def email_key(address: str) -> str:
    digest = hmac.new(_secret(), normalised_email(address).encode(), hashlib.sha256)
    return "e:" + digest.hexdigest()[:40]


def public_person(address: str, name: str = "") -> Person:
    return Person(key=email_key(address), name=name[:100], email=address.strip()[:254])


def origin_of(address: str | None) -> str:
    """A keyed hash of the client address: enough to see a burst from one place, not the
    address."""
    digest = hmac.new(_secret(), (address or "").encode(), hashlib.sha256)
    return digest.hexdigest()[:24]


def verification_token(*, organization_id: int, address: str, name: str) -> str:
    return signing.dumps(
        {"o": organization_id, "e": address.strip(), "n": name[:100]}, salt=LINK_SALT
    )


def verified_person(token: str, organization_id: int) -> Person | None:
    """The person a verification link proves, or None (tampered, expired, other tenant)."""
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=LINK_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("o") != organization_id:
        return None
    try:
        return public_person(str(data.get("e", "")), str(data.get("n", "")))
    except InvalidInput:
        return None


def cookie_value(person: Person, organization_id: int) -> str:
    return signing.dumps(
        {"o": organization_id, "e": person.email, "n": person.name}, salt=COOKIE_SALT
    )


def person_from_cookie(value: str | None, organization_id: int) -> Person | None:
    if not value:
        return None
    try:
        data = signing.loads(value, salt=COOKIE_SALT, max_age=COOKIE_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("o") != organization_id:
        return None
    try:
        return public_person(str(data.get("e", "")), str(data.get("n", "")))
    except InvalidInput:
        return None
