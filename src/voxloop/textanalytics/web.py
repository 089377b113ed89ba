"""What the text analytics pages share."""

from __future__ import annotations

from django.http import HttpRequest

from voxloop.tenancy.scoping import Scope


def scope_of(request: HttpRequest) -> Scope:
    """The member's scope, which `web.access.member_required` guarantees on these pages."""
    scope: Scope = request.scope  # type: ignore[attr-defined]  # set by the membership middleware
    return scope
