"""Attach the signed-in user's active membership and scope to each request."""

from collections.abc import Callable
from typing import cast

from django.http import HttpRequest
from django.http.response import HttpResponseBase

from voxloop.clients import request_ip
from voxloop.tenancy.audit_context import client_ip
from voxloop.tenancy.models import Membership
from voxloop.tenancy.scoping import Scope
from voxloop.tenancy.selectors import memberships_of

SESSION_KEY = "voxloop_membership_id"


class AttachedRequest(HttpRequest):
    """What this middleware sets, before a view that requires a membership narrows it to a
    ScopedRequest (for type checking only)."""

    membership: Membership | None
    scope: Scope | None
    memberships: list[Membership]


class ActiveMembershipMiddleware:
    """Sets request.membership, request.scope (None when the user has no membership) and
    request.memberships; an API token sets its own scope later, in the API's auth."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        token = client_ip.set(request_ip(request))
        try:
            self.attach(request)
            return self.get_response(request)
        finally:
            client_ip.reset(token)

    @staticmethod
    def attach(http_request: HttpRequest) -> None:
        request = cast(AttachedRequest, http_request)
        request.membership = None
        request.scope = None
        request.memberships = []
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return
        memberships = list(memberships_of(user))
        request.memberships = memberships
        if not memberships:
            return
        wanted = request.session.get(SESSION_KEY)
        active = next((m for m in memberships if m.pk == wanted), memberships[0])
        request.membership = active
        request.scope = Scope.of(active)
