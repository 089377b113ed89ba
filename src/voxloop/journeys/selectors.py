"""Scoped reads of journeys. A journey owned at a unit is seen by everyone at, above or below
it (a company-wide "Buy in store" reaches every store), and edited by the admins whose subtree
holds its owner; its figures are always counted in the reader's own subtree (figures.py)."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import get_language

from voxloop.errors import NotFound
from voxloop.journeys.models import Journey, Stage, Touchpoint
from voxloop.tenancy.models import ancestor_paths, subtree_q
from voxloop.tenancy.scoping import Capability, Scope


def visible_journeys(scope: Scope) -> QuerySet[Journey]:
    scope.require(Capability.VIEW)
    return (
        Journey.objects.filter(organization_id=scope.organization_id)
        .filter(
            Q(unit_path__in=ancestor_paths(scope.unit_path))
            | subtree_q(scope.unit_path, "unit_path")
        )
        .select_related("unit", "variant_of")
    )


def journey(scope: Scope, journey_id: int) -> Journey:
    """One visible journey with its stages and touchpoints in order (else "not found")."""
    touchpoints = Touchpoint.objects.select_related("interaction_type", "survey", "review_source")
    stages = Stage.objects.prefetch_related(Prefetch("touchpoints", queryset=touchpoints))
    found = (
        visible_journeys(scope)
        .filter(pk=journey_id)
        .prefetch_related(Prefetch("stages", queryset=stages))
        .first()
        if 0 < journey_id < 2**63
        else None
    )
    if found is None:
        raise NotFound("No such journey.", field="journey")
    return found


def editable(scope: Scope, found: Journey) -> bool:
    """May this reader change the journey: an admin whose subtree holds its owner."""
    return scope.can(Capability.CONFIGURE) and scope.covers_path(found.unit_path)


def stage(scope: Scope, stage_id: int) -> Stage:
    found = (
        Stage.objects.filter(pk=stage_id, journey__in=visible_journeys(scope)).first()
        if 0 < stage_id < 2**63
        else None
    )
    if found is None:
        raise NotFound("No such stage.", field="stage")
    return found


def touchpoint(scope: Scope, touchpoint_id: int) -> Touchpoint:
    found = (
        Touchpoint.objects.filter(pk=touchpoint_id, stage__journey__in=visible_journeys(scope))
        .select_related("stage__journey")
        .first()
        if 0 < touchpoint_id < 2**63
        else None
    )
    if found is None:
        raise NotFound("No such touchpoint.", field="touchpoint")
    return found


def label(row: Journey | Stage | Touchpoint, locale: str | None = None) -> str:
    """The name in the reader's language, else the default one."""
    wanted = (locale or get_language() or "en").lower()
    names = {k.lower(): v for k, v in (row.names or {}).items() if v}
    return names.get(wanted) or names.get(wanted.split("-")[0]) or row.name
