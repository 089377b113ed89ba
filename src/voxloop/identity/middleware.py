"""After tenancy's middleware: the sign-in rules of each organisation, on every request.

- A session signed in through an organisation's identity provider enters that organisation
  only, whatever else the account belongs to: org A's provider never opens org B.
- A password session does not enter an organisation that requires single sign-on, unless the
  person is its break-glass admin; with nothing left to enter, it is signed out.
- A password session whose account has a two-factor device, or whose role must have one,
  passes its second factor before any page but the two-factor pages and sign-out.

What these rules need is one cache read per request (`rulecache`), not a query."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth import logout
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse

from voxloop.identity import rulecache
from voxloop.identity.session import METHOD_KEY, ORG_KEY, TWO_FACTOR_KEY
from voxloop.tenancy.scoping import Scope

OPEN_PREFIXES = (
    "/identity/sso/",
    "/static/",
    "/i18n/",
    "/favicon.ico",
    "/healthz",
    "/livez",
    "/scim/",
    "/api/",
)


class SignInRulesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.path.startswith(OPEN_PREFIXES):
            return self.get_response(request)
        early = self.apply(request, user)
        return early if early is not None else self.get_response(request)

    def apply(self, request: Any, user: Any) -> HttpResponseBase | None:
        session = request.session
        memberships = list(getattr(request, "memberships", []))
        rules = None
        if session.get(METHOD_KEY) == "sso":
            allowed = [m for m in memberships if m.organization_id == session.get(ORG_KEY)]
        else:
            rules = rulecache.rules_for(user.pk, [m.organization_id for m in memberships])
            allowed = [m for m in memberships if m.organization_id not in rules.sso_only]
            if memberships and not allowed:
                logout(request)
                return redirect(reverse("accounts:login") + "?sso=required")
        if len(allowed) != len(memberships):
            _narrow(request, allowed)
        if session.get(METHOD_KEY) == "sso" or session.get(TWO_FACTOR_KEY):
            return None
        if request.path.startswith("/identity/two-factor/") or request.path == reverse(
            "accounts:logout"
        ):
            return None
        if rules is None:
            rules = rulecache.rules_for(user.pk, [m.organization_id for m in memberships])
        if rules.has_device:
            return redirect(reverse("identity:two_factor_verify") + f"?next={request.path}")
        membership = getattr(request, "membership", None)
        if membership is not None and _two_factor_required(rules, membership):
            return redirect("identity:two_factor_setup")
        return None


def _two_factor_required(rules: rulecache.Rules, membership: Any) -> bool:
    if membership.organization_id not in rules.two_factor:
        return False
    roles = rules.two_factor[membership.organization_id]
    return not roles or membership.role in roles


# tenancy.middleware.SESSION_KEY: the membership the person chose (apps do not import another
# app's middleware).
SESSION_KEY = "voxloop_membership_id"


def _narrow(request: Any, allowed: list) -> None:
    request.memberships = allowed
    wanted = request.session.get(SESSION_KEY)
    active = next((m for m in allowed if m.pk == wanted), allowed[0] if allowed else None)
    request.membership = active
    request.scope = Scope.of(active) if active is not None else None
