"""Respondent links: personal (signed, from an invitation) and anonymous (the public slug).

A personal token carries the survey, the invitation reference and the contact, signed with the
secret key, so no lookup table is needed to trust it, and an invitation can be answered once
(its reference becomes the response's source key). A test send's token says so: the staff
member who sent it to an address of their choosing answers as staff, not as the contact.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing

SALT = "voxloop.surveys.personal-link"
DEFAULT_MAX_AGE_DAYS = 60


@dataclass(frozen=True)
class PersonalLink:
    survey_id: int
    invitation: str
    contact_id: int | None
    locale: str
    test: bool = False


class LinkExpired(Exception):
    pass


class LinkInvalid(Exception):
    pass


def personal_token(
    survey_id: int,
    invitation: str,
    contact_id: int | None = None,
    locale: str = "",
    test: bool = False,
) -> str:
    payload = {"s": survey_id, "i": invitation, "c": contact_id, "l": locale}
    if test:
        payload["t"] = 1
    return signing.dumps(payload, salt=SALT, compress=True)


def read_personal_token(token: str, max_age_days: int | None = None) -> PersonalLink:
    days: int = max_age_days or int(
        getattr(settings, "SURVEY_LINK_MAX_AGE_DAYS", DEFAULT_MAX_AGE_DAYS)
    )
    try:
        data = signing.loads(token, salt=SALT, max_age=days * 86400)
    except signing.SignatureExpired:
        raise LinkExpired from None
    except signing.BadSignature:
        raise LinkInvalid from None
    try:
        return PersonalLink(
            survey_id=int(data["s"]),
            invitation=str(data["i"]),
            contact_id=int(data["c"]) if data.get("c") is not None else None,
            locale=str(data.get("l") or ""),
            test=bool(data.get("t")),
        )
    except (KeyError, TypeError, ValueError):
        raise LinkInvalid from None


def invitation_source_key(link: PersonalLink) -> str:
    return f"inv:{link.invitation}"
