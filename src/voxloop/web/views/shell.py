"""Home, the membership switcher and the error pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from voxloop.analytics import views as analytics_views
from voxloop.contacts.selectors import contact_count
from voxloop.tenancy import selectors
from voxloop.tenancy.middleware import SESSION_KEY, AttachedRequest
from voxloop.tenancy.models import Role, UnitKind
from voxloop.tenancy.scoping import Capability, ScopedRequest
from voxloop.web.access import no_membership

CHILDREN_SHOWN = 12


@login_required
def home(request: ScopedRequest) -> HttpResponseBase:
    scope = request.scope
    if scope is None:
        return no_membership(request, status=200)
    if scope.can(Capability.VIEW):  # the answer: my scope's figures, movers, cases, comments
        return analytics_views.home_page(request)
    root = selectors.scope_root(scope)
    counts = selectors.subtree_counts(scope, root)
    children = selectors.visible_units(scope, parent_id=root.pk)
    context = {
        "unit": root,
        "kind_counts": [(kind.label, counts[kind]) for kind in UnitKind if counts.get(kind)],
        "staff_count": selectors.staff_count(scope),
        "contact_count": contact_count(scope),
        "children": children[:CHILDREN_SHOWN],
        "children_total": children.count(),
        "role": scope.role,
        "Role": Role,
    }
    return render(request, "web/home.html", context)


@login_required
@require_POST
def switch_membership(request: AttachedRequest) -> HttpResponse:
    """Make another of the user's own memberships the active one; nobody else's."""
    try:
        wanted = int(request.POST.get("membership", ""))
    except ValueError:
        raise Http404 from None
    if not any(m.pk == wanted for m in request.memberships):
        raise Http404
    request.session[SESSION_KEY] = wanted
    # Home, not the page we came from: it may lie outside the new membership's scope.
    return redirect("web:home")


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "web/403.html", status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "web/404.html", status=404)
