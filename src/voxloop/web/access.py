"""Who may open a page: signed in, holding a membership, and (for some pages) an admin.

Domain errors that escape a view become the matching error page, never a 500: an object
outside the actor's scope is a 404 exactly like an absent one.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render

from voxloop.errors import DomainError, Forbidden, NotFound
from voxloop.tenancy.scoping import Capability, ScopedRequest

View = Callable[..., HttpResponseBase]


def no_membership(request: HttpRequest, status: int = 403) -> HttpResponse:
    return render(request, "web/no_membership.html", status=status)


def member_required(view: View) -> View:
    """Signed in with an active membership; the view may rely on request.scope."""

    @login_required
    @wraps(view)
    def wrapper(request: ScopedRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.scope is None:
            return no_membership(request)
        try:
            return view(request, *args, **kwargs)
        except NotFound:
            raise Http404 from None
        except Forbidden as error:
            raise PermissionDenied(error.message) from None
        except DomainError as error:
            return render(request, "web/error.html", {"message": error.message}, status=400)

    return wrapper


def capability_required(capability: Capability) -> Callable[[View], View]:
    """A member whose role has the capability; anyone else gets 403 before any lookup."""

    def decorate(view: View) -> View:
        @wraps(view)
        def inner(request: ScopedRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.scope.can(capability):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return member_required(inner)

    return decorate


# An admin of the active membership's subtree.
admin_required = capability_required(Capability.CONFIGURE)
# A role that reads individual records: every role but the aggregate-only viewer.
records_required = capability_required(Capability.READ_RECORDS)


def reads_records(request: HttpRequest) -> bool:
    scope = getattr(request, "scope", None)
    return scope is not None and scope.can(Capability.READ_RECORDS)


def is_admin(request: HttpRequest) -> bool:
    scope = getattr(request, "scope", None)
    return scope is not None and scope.can(Capability.CONFIGURE)
