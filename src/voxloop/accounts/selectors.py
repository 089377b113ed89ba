"""Reads about people that the API and pages show, always limited to the caller."""

from __future__ import annotations

from django.db.models import QuerySet

from voxloop.accounts.models import ApiToken
from voxloop.errors import NotFound
from voxloop.tenancy.scoping import Scope


def own_tokens(scope: Scope) -> QuerySet[ApiToken]:
    """The caller's tokens made under the active membership (another tenant's stay hidden)."""
    return ApiToken.objects.filter(
        user_id=scope.user_id, membership_id=scope.membership_id
    ).order_by("-created_at", "-id")


def own_token(scope: Scope, token_id: int) -> ApiToken:
    token = own_tokens(scope).filter(pk=token_id).first()
    if token is None:
        raise NotFound("No such token.")
    return token
