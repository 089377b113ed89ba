"""Where a respondent stands: their partial (or finished) response, read back for the pages.

Reads only, by the respondent's own capabilities: the unguessable resume token, or the
invitation's source key carried by a signed personal link. Every write goes through
voxloop.responses.services.submit.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing

from voxloop.responses.models import Response

COOKIE_SALT = "voxloop.surveys.respondent.resume"
COOKIE_MAX_AGE = 60 * 60 * 24 * 30


def cookie_name(survey_id: int) -> str:
    return f"vx_resume_{survey_id}"


def by_resume_token(survey_id: int, token: str) -> Response | None:
    if not token or len(token) > 32:
        return None
    return (
        Response.objects.select_related("unit", "staff", "contact")
        .filter(survey_id=survey_id, resume_token=token)
        .first()
    )


def by_invitation(organization_id: int, survey_id: int, source_key: str) -> Response | None:
    return (
        Response.objects.select_related("unit", "staff", "contact")
        .filter(organization_id=organization_id, source_key=source_key, survey_id=survey_id)
        .first()
    )


def resume_token_from_cookie(request, survey_id: int) -> str:
    try:
        return request.get_signed_cookie(cookie_name(survey_id), salt=COOKIE_SALT)
    except (KeyError, signing.BadSignature):
        return ""


def keep_in_cookie(http_response, survey_id: int, token: str) -> None:
    http_response.set_signed_cookie(
        cookie_name(survey_id),
        token,
        salt=COOKIE_SALT,
        max_age=COOKIE_MAX_AGE,
        path="/s/",
        httponly=True,
        samesite="Lax",
        secure=getattr(settings, "HTTPS", False),
    )


def forget_cookie(http_response, survey_id: int) -> None:
    http_response.delete_cookie(cookie_name(survey_id), path="/s/", samesite="Lax")
