"""What every handler needs first: the calling membership's scope."""

from django.http import HttpRequest

from voxloop.errors import Forbidden
from voxloop.tenancy.scoping import Scope


def actor(request: HttpRequest) -> Scope:
    """The caller's scope; 403 when the caller belongs to no organisation."""
    scope = getattr(request, "scope", None)
    if scope is None:
        raise Forbidden("Your account has no membership in any organisation.")
    return scope
