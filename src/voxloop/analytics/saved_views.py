"""The saved views' pages: list, save, rename, share, publish, pin, digest, delete (decision
0025). Every view opens the dashboard with its filters, under the reader's own scope."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from voxloop.analytics import selectors, services
from voxloop.analytics.models import Frequency
from voxloop.errors import Forbidden, InvalidInput
from voxloop.tenancy.models import Role
from voxloop.tenancy.scoping import Capability, ScopedRequest
from voxloop.web import confirm
from voxloop.web.access import member_required

ACTIONS = ("rename", "share", "unshare", "publish", "pin", "unpin", "digest")


@member_required
def views_page(request: ScopedRequest) -> HttpResponse:
    """GET: the reader's views and those shared with them. POST: save the dashboard's current
    filters under a name (the dashboard's form)."""
    scope = request.scope
    if request.method == "POST":
        view = services.save_view(
            actor=scope,
            name=request.POST.get("name", ""),
            query=request.POST.get("query", ""),
            pinned=request.POST.get("pin") == "1",
        )
        return redirect(f"{reverse('analytics:dashboard')}?{view.query}")
    views = list(selectors.saved_views(scope).prefetch_related("pinned_by"))
    digests = selectors.view_digests(scope)
    rows = [
        {
            "view": v,
            "mine": v.owner_id == scope.user_id,
            "pinned": any(u.pk == scope.user_id for u in v.pinned_by.all()),
            "digest": digests.get(v.pk, ""),
        }
        for v in views
    ]
    return render(
        request,
        "analytics/views.html",
        {
            "mine": [r for r in rows if r["mine"]],
            "others": [r for r in rows if not r["mine"]],
            "frequencies": Frequency.choices,
            "roles": Role.choices,
            "can_publish": scope.can(Capability.CONFIGURE),
        },
    )


@member_required
@require_POST
def view_action(request: ScopedRequest, view_id: int) -> HttpResponse:
    scope = request.scope
    view = selectors.saved_view(scope, view_id)
    action = request.POST.get("action", "")
    if action not in ACTIONS:
        raise InvalidInput(f"'action' must be one of {', '.join(ACTIONS)}.", "action")
    if action == "rename":
        services.update_view(actor=scope, view=view, name=request.POST.get("name", ""))
    elif action in ("share", "unshare"):
        services.update_view(actor=scope, view=view, shared=action == "share")
    elif action == "publish":
        role = request.POST.get("role", "")
        services.update_view(actor=scope, view=view, published_role=role)
    elif action in ("pin", "unpin"):
        services.pin_view(actor=scope, view=view, pinned=action == "pin")
    else:
        services.subscribe_view(actor=scope, view=view, frequency=request.POST.get("frequency", ""))
    return redirect("analytics:views")


@member_required
@require_POST
def delete_view(request: ScopedRequest, view_id: int) -> HttpResponse:
    view = selectors.saved_view(request.scope, view_id)
    if view.owner_id != request.scope.user_id:
        raise Forbidden("Only the owner of a view deletes it.")
    if not confirm.given(request):
        return confirm.ask(
            request,
            title=_("Delete the saved view “%(name)s”?") % {"name": view.name},
            consequences=[
                _("Only the saved filters go; no figure or answer changes."),
                _("Everyone it was shared or published with, and every digest of it, loses it."),
            ],
            confirm_label=_("Delete the view"),
            back_url=reverse("analytics:views"),
            danger=False,
        )
    services.delete_view(actor=request.scope, view=view)
    return redirect("analytics:views")
