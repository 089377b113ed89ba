"""The people API: who am I, the users an admin manages, and my personal API tokens."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from voxloop.accounts import selectors, services
from voxloop.accounts.models import ApiToken
from voxloop.accounts.schemas import (
    IssuedTokenOut,
    MeOut,
    TokenCreateIn,
    TokenOut,
    UserFilters,
    UserInviteIn,
    UserOut,
    UserPage,
)
from voxloop.api import pages
from voxloop.api.context import actor
from voxloop.api.schemas import Id
from voxloop.errors import Forbidden
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.scoping import Capability, Scope, ScopedRequest

router = Router(tags=["people"])


def _with_membership(scope: Scope, users: list) -> list:
    """Attach each user's membership in the caller's organisation (one query per page)."""
    memberships = tenancy_selectors.visible_memberships(scope).filter(
        user_id__in=[u.pk for u in users]
    )
    by_user = {m.user_id: m for m in memberships}
    for user in users:
        user.membership = by_user.get(user.pk)
    return users


# --- the caller ------------------------------------------------------------------------


@router.get("/me", response={200: MeOut}, url_name="me")
def me(request: HttpRequest) -> dict:
    """Who you are, the membership this request acts under, and the root of what you see."""
    membership = getattr(request, "membership", None)
    scope = getattr(request, "scope", None)
    active = None
    if membership is not None and scope is not None:
        active = {
            "id": membership.pk,
            "organization": membership.organization,
            "unit": membership.unit,
            "role": membership.role,
            "title": membership.title,
            "capabilities": sorted(c.value for c in Capability if scope.can(c)),
        }
    return {
        "user": request.user,
        "membership": active,
        "scope_root": tenancy_selectors.scope_root(scope) if scope is not None else None,
        "auth": "token" if getattr(request, "api_token", None) else "session",
    }


# --- users -----------------------------------------------------------------------------


@router.get("/users", response={200: UserPage}, url_name="user_list")
def list_users(request: HttpRequest, filters: Query[UserFilters]) -> dict:
    """People holding a membership in your subtree (admins)."""
    scope = actor(request)
    users = tenancy_selectors.visible_users(scope, filters.q.strip())
    page = pages.page(users, filters, request=request)
    page["items"] = _with_membership(scope, page["items"])
    return page


@router.post("/users", response={201: UserOut}, url_name="user_create")
def invite_user(request: HttpRequest, payload: UserInviteIn) -> Status:
    """Invite a person at a unit in your subtree with a role (admins)."""
    scope = actor(request)
    scope.require(Capability.CONFIGURE)
    unit = tenancy_selectors.unit_for_field(scope, payload.unit, "unit")
    membership = services.invite_user(
        actor=scope,
        username=payload.username,
        email=payload.email,
        unit=unit,
        role=payload.role,
        first_name=payload.first_name,
        last_name=payload.last_name,
    )
    user = membership.user
    user.membership = membership
    return Status(201, user)


@router.get("/users/{int:user_id}", response={200: UserOut}, url_name="user_detail")
def get_user(request: HttpRequest, user_id: Id) -> Any:
    membership = tenancy_selectors.user_membership(actor(request), user_id)
    user = membership.user
    user.membership = membership
    return user


# --- personal API tokens ---------------------------------------------------------------


@router.get("/tokens", response={200: list[TokenOut]}, url_name="token_list")
def list_tokens(request: HttpRequest) -> list[ApiToken]:
    """Your tokens for the active membership; the secret is never shown again."""
    return list(selectors.own_tokens(actor(request)))


@router.post("/tokens", response={201: IssuedTokenOut}, url_name="token_create")
def create_token(request: ScopedRequest, payload: TokenCreateIn) -> Status:
    """A new token acting with your active membership; copy the secret now. Needs a signed-in
    session: a token may not mint tokens, or a leaked one could make itself permanent."""
    actor(request)
    if getattr(request, "api_token", None) is not None:
        raise Forbidden(
            "Create tokens while signed in (your API tokens page), not with another token."
        )
    issued = services.create_token(
        membership=request.membership, name=payload.name, expires_at=payload.expires_at
    )
    issued.token.secret = issued.secret
    return Status(201, issued.token)


@router.delete("/tokens/{int:token_id}", response={204: None}, url_name="token_delete")
def revoke_token(request: HttpRequest, token_id: Id) -> Status:
    token = selectors.own_token(actor(request), token_id)
    services.revoke_token(user=request.user, token_id=token.pk)
    return Status(204, None)
