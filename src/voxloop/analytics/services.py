"""Every write of analytics: keeping the rollups exact, rebuilding them, saved views.

Counting (reconciling responses against the ledger, rebuilding) lives in `counting` and
`counting_sql`; its service functions are re-exported here, where callers find them.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import QueryDict

# The counting services, where their callers (tasks, receivers, CLI, demo) find them.
from voxloop.analytics.counting import (  # noqa: F401
    count_missed,
    forget_responses,
    keep_counted,
    move_archived,
    rebuild,
    rebuild_in_python,
    reconcile,
    recount_subtree,
)
from voxloop.analytics.models import (
    Frequency,
    SavedView,
    ViewDigest,
)
from voxloop.errors import Forbidden, InvalidInput
from voxloop.tenancy.models import Role
from voxloop.tenancy.scoping import Capability, Scope
from voxloop.tenancy.services import record_audit

# --- saved views (decision 0025) -------------------------------------------------------------


def _view_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise InvalidInput("Give the view a name of at most 120 characters.", field="name")
    return name


def _view_query(query: str) -> str:
    from voxloop.analytics import filters
    from voxloop.errors import DomainError

    query = (query or "").lstrip("?")
    if len(query) > 1000 or "\x00" in query:
        raise InvalidInput("These filters are too long to save.", field="query")
    try:
        filters.parse(QueryDict(query))  # refuse a view that would not open
    except DomainError as error:
        raise InvalidInput(f"These filters do not open: {error.message}", field="query") from None
    return query


def _person(actor: Scope) -> int:
    """The user behind the scope: views belong to people, not to the system."""
    if actor.user_id is None:
        raise InvalidInput("Only a person saves, pins or subscribes to views.", field="owner")
    return actor.user_id


def _own(actor: Scope, view: SavedView) -> None:
    if view.owner_id != actor.user_id or view.organization_id != actor.organization_id:
        raise Forbidden("Only the owner of a view changes it.")


def save_view(*, actor: Scope, name: str, query: str, pinned: bool = False) -> SavedView:
    actor.require(Capability.VIEW)
    name, query = _view_name(name), _view_query(query)
    with transaction.atomic():
        view = SavedView.objects.create(
            organization_id=actor.organization_id,
            owner_id=_person(actor),
            unit_id=actor.unit_id,
            name=name,
            query=query,
        )
        if pinned:
            view.pinned_by.add(_person(actor))
        record_audit(
            actor=actor,
            action="analytics.view_saved",
            target=view,
            changes={"name": name, "query": query},
        )
    return view


def update_view(
    *,
    actor: Scope,
    view: SavedView,
    name: str | None = None,
    query: str | None = None,
    shared: bool | None = None,
    published_role: str | None = None,
) -> SavedView:
    """Rename, refilter, share with the unit or publish to a role (admins only); sharing and
    publishing are audited."""
    _own(actor, view)
    changes: dict[str, Any] = {}
    if name is not None and name.strip() != view.name:
        changes["name"] = view.name = _view_name(name)
    if query is not None and query != view.query:
        changes["query"] = view.query = _view_query(query)
    if shared is not None and shared != view.shared:
        changes["shared"] = view.shared = shared
    if published_role is not None and published_role != view.published_role:
        actor.require(Capability.CONFIGURE)
        if published_role and published_role not in Role.values:
            raise InvalidInput(f"'role' must be one of {', '.join(Role.values)}.", "published_role")
        changes["published_role"] = view.published_role = published_role
    if not changes:
        return view
    if ("shared" in changes or "published_role" in changes) and view.unit_id is None:
        view.unit_id = actor.unit_id  # saved before views had a unit: the owner's own
    action = (
        "analytics.view_published"
        if "published_role" in changes
        else "analytics.view_shared"
        if "shared" in changes
        else "analytics.view_changed"
    )
    with transaction.atomic():
        view.save()
        record_audit(actor=actor, action=action, target=view, changes=changes)
    return view


def delete_view(*, actor: Scope, view: SavedView) -> None:
    _own(actor, view)
    with transaction.atomic():
        record_audit(
            actor=actor, action="analytics.view_deleted", target=view, changes={"name": view.name}
        )
        view.delete()


def pin_view(*, actor: Scope, view: SavedView, pinned: bool) -> None:
    """Pin a view the reader can see (selectors.saved_view) to their home, or unpin it."""
    if pinned:
        view.pinned_by.add(_person(actor))
    else:
        view.pinned_by.remove(_person(actor))


def subscribe_view(*, actor: Scope, view: SavedView, frequency: str) -> ViewDigest | None:
    """The reader's email digest of a view they can see: weekly, monthly, or "" for none. It is
    read under the membership that subscribed, like the page."""
    if actor.membership_id is None:
        raise InvalidInput("Only a person with a membership gets digests.", "frequency")
    if not frequency:
        ViewDigest.objects.filter(view=view, membership_id=actor.membership_id).delete()
        return None
    if frequency not in Frequency.values:
        choices = ", ".join(Frequency.values)
        raise InvalidInput(f"'frequency' must be one of {choices}.", "frequency")
    digest, _ = ViewDigest.objects.update_or_create(
        view=view, membership_id=actor.membership_id, defaults={"frequency": frequency}
    )
    return digest
