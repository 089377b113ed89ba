"""Reads about people that the API and pages show, always limited to the caller."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import QuerySet

from voxloop.accounts.models import ApiToken, Profile
from voxloop.errors import NotFound
from voxloop.tenancy.scoping import Scope


def own_tokens(scope: Scope) -> QuerySet[ApiToken]:
    """The caller's tokens made under the active membership (another tenant's stay hidden)."""
    if scope.user_id is None or scope.membership_id is None:  # the system acts with no token
        return ApiToken.objects.none()
    return ApiToken.objects.filter(
        user_id=scope.user_id, membership_id=scope.membership_id
    ).order_by("-created_at", "-id")


def own_token(scope: Scope, token_id: int) -> ApiToken:
    token = own_tokens(scope).filter(pk=token_id).first()
    if token is None:
        raise NotFound("No such token.")
    return token


def live_token_of(user_id: int, token_id: int) -> ApiToken:
    """One of the user's own tokens that still works (what revoking would stop)."""
    token = ApiToken.objects.filter(pk=token_id, user_id=user_id, revoked_at__isnull=True).first()
    if token is None:
        raise NotFound("No such token.")
    return token


def preferred_language(user: AbstractBaseUser) -> str:
    """The language to write to this person in: their own choice, else the installation's."""
    chosen = Profile.objects.filter(user_id=user.pk).values_list("language", flat=True).first()
    return chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def preferred_languages(user_ids: Collection[int]) -> dict[int, str]:
    """`preferred_language` for many people in one read (digests go out in batches)."""
    known = dict(settings.LANGUAGES)
    chosen = dict(
        Profile.objects.filter(user_id__in=list(user_ids)).values_list("user_id", "language")
    )
    return {
        uid: chosen[uid] if chosen.get(uid) in known else settings.LANGUAGE_CODE for uid in user_ids
    }


def live_tokens_of(user: Any) -> QuerySet[ApiToken]:
    """Every token of the user that still works, in every organisation (the operator's CLI)."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).order_by("pk")


def live_token(token_id: int) -> ApiToken | None:
    """Any live token by id, with its membership's unit (the operator's CLI revokes it)."""
    return (
        ApiToken.objects.select_related("membership__unit")
        .filter(pk=token_id, revoked_at__isnull=True)
        .first()
    )
