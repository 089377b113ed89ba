"""What the text analytics pages share."""

from __future__ import annotations

from voxloop.tenancy.scoping import Scope, ScopedRequest


def scope_of(request: ScopedRequest) -> Scope:
    """The member's scope, which `web.access.member_required` guarantees on these pages."""
    scope: Scope = request.scope
    return scope
