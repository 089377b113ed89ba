"""Where a respondent stands: the resume token kept in a signed cookie between pages.

The response itself is read back by responses.selectors (by resume token or invitation);
every write goes through voxloop.responses.services.submit.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.http import HttpRequest
from django.http.response import HttpResponseBase

COOKIE_SALT = "voxloop.surveys.respondent.resume"
COOKIE_MAX_AGE = 60 * 60 * 24 * 30


def cookie_name(survey_id: int) -> str:
    return f"vx_resume_{survey_id}"


def resume_token_from_cookie(request: HttpRequest, survey_id: int) -> str:
    try:
        return request.get_signed_cookie(cookie_name(survey_id), salt=COOKIE_SALT) or ""
    except (KeyError, signing.BadSignature):
        return ""


def keep_in_cookie(http_response: HttpResponseBase, survey_id: int, token: str) -> None:
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


def forget_cookie(http_response: HttpResponseBase, survey_id: int) -> None:
    http_response.delete_cookie(cookie_name(survey_id), path="/s/", samesite="Lax")
