"""The home and the saved views over the API (decision 0025), scoped like their pages: a view
another person owns is read only if it was shared with a unit the caller's scope covers or
published to the caller's role; only its owner changes or deletes it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from voxloop.analytics import home, selectors, services
from voxloop.analytics.models import SavedView
from voxloop.analytics.schemas import SavedViewIn, SavedViewOut, SavedViewPatch
from voxloop.api.context import actor
from voxloop.api.schemas import Id
from voxloop.tenancy.scoping import Scope

router = Router(tags=["analytics"])


@router.get("/analytics/home", url_name="analytics_home")
def home_view(
    request: HttpRequest, period: str = "", compare: str = "", start: str = "", end: str = ""
) -> dict[str, Any]:
    """The caller's home: headline KPIs of their scope with change and significance, the units
    below that moved most, their open and overdue cases, newest comments, links and pins."""
    return home.home(actor(request), request.GET).as_dict()


def _out(scope: Scope, view: SavedView) -> dict[str, Any]:
    return {
        "view_id": view.pk,
        "name": view.name,
        "query": view.query,
        "mine": view.owner_id == scope.user_id,
        "shared": view.shared,
        "published_role": view.published_role,
        "pinned": scope.user_id is not None and view.pinned_by.filter(pk=scope.user_id).exists(),
        "digest": selectors.view_digests(scope).get(view.pk, ""),
        "created_at": view.created_at.isoformat(),
    }


@router.get("/analytics/views", response=list[SavedViewOut], url_name="analytics_views")
def list_views(request: HttpRequest) -> list[dict[str, Any]]:
    scope = actor(request)
    return [_out(scope, v) for v in selectors.saved_views(scope)[:500]]


@router.post("/analytics/views", response={201: SavedViewOut}, url_name="analytics_view_create")
def create_view(request: HttpRequest, payload: SavedViewIn) -> Status:
    scope = actor(request)
    view = services.save_view(
        actor=scope, name=payload.name, query=payload.query, pinned=payload.pinned
    )
    return Status(201, _out(scope, view))


@router.get("/analytics/views/{int:view_id}", response=SavedViewOut, url_name="analytics_view")
def get_view(request: HttpRequest, view_id: Id) -> dict[str, Any]:
    scope = actor(request)
    return _out(scope, selectors.saved_view(scope, view_id))


@router.patch(
    "/analytics/views/{int:view_id}", response=SavedViewOut, url_name="analytics_view_update"
)
def update_view(request: HttpRequest, view_id: Id, payload: SavedViewPatch) -> dict[str, Any]:
    scope = actor(request)
    view = selectors.saved_view(scope, view_id)
    fields = payload.dict(exclude_unset=True)
    pinned, digest = fields.pop("pinned", None), fields.pop("digest", None)
    if fields:
        view = services.update_view(actor=scope, view=view, **fields)
    if pinned is not None:
        services.pin_view(actor=scope, view=view, pinned=pinned)
    if digest is not None:
        services.subscribe_view(actor=scope, view=view, frequency=digest)
    return _out(scope, view)


@router.delete(
    "/analytics/views/{int:view_id}", response={204: None}, url_name="analytics_view_delete"
)
def delete_view(request: HttpRequest, view_id: Id) -> Status:
    scope = actor(request)
    services.delete_view(actor=scope, view=selectors.saved_view(scope, view_id))
    return Status(204, None)
