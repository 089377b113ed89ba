"""Scoped reads of pulse programmes: the programmes one sees, the results of a unit's
subtree wave by wave (behind the anonymity blocks of decision 0016), comments and frontline
reports. A manager sees the subtree of their own unit inside the programme, never a person.
Decision 0042."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from voxloop.errors import NotFound
from voxloop.pulse.models import Invite, Programme, Report, Wave
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.models import OrgUnit, ancestor_paths
from voxloop.tenancy.scoping import Capability, Scope


def programmes(scope: Scope) -> QuerySet[Programme]:
    """Programmes at one's unit, below it, or above it (a company-wide programme reaches a
    store manager, who reads the store's part of it)."""
    scope.require(Capability.VIEW)
    above = ancestor_paths(scope.unit_path)
    return (
        Programme.objects.filter(organization_id=scope.organization_id)
        .filter(Q(unit_path__startswith=scope.unit_path) | Q(unit_path__in=above))
        .select_related("unit")
    )


def programme(scope: Scope, programme_id: int) -> Programme:
    found = programmes(scope).filter(pk=programme_id).first()
    if found is None:
        raise NotFound("No such pulse programme.")
    return found


def can_configure(scope: Scope, programme: Programme) -> bool:
    return scope.can(Capability.CONFIGURE) and scope.covers_path(programme.unit_path)


def top_path(scope: Scope, programme: Programme) -> str:
    """The highest node one may read in a programme: the deeper of the two units."""
    if programme.unit_path.startswith(scope.unit_path):
        return programme.unit_path
    return scope.unit_path


def unit_in(scope: Scope, programme: Programme, unit_id: int | None) -> OrgUnit:
    """A unit to read results for: inside both the programme and one's subtree, else 404."""
    top = top_path(scope, programme)
    if unit_id is None:
        return (
            programme.unit
            if top == programme.unit_path
            else tenancy_selectors.unit(scope, scope.unit_id)
        )
    found = tenancy_selectors.unit(scope, unit_id)
    if not found.path.startswith(top):
        raise NotFound("No such org unit.", "unit")
    return found


def waves(programme: Programme) -> QuerySet[Wave]:
    return programme.waves.order_by("number")


def reports(scope: Scope, programme: Programme) -> QuerySet[Report]:
    """Frontline reports of one's subtree (managers and admins: they act on them)."""
    scope.require(Capability.ACT)
    top = top_path(scope, programme)
    return Report.objects.filter(
        organization_id=scope.organization_id,
        programme=programme,
        unit_path__startswith=top,
    ).select_related("unit", "plan")


def report(scope: Scope, report_id: int) -> Report:
    scope.require(Capability.ACT)
    return scope.get(Report.objects.select_related("unit"), path_field="unit_path", pk=report_id)


def invite_by_token(token: str) -> Invite:
    found = (
        Invite.objects.select_related("wave", "wave__programme", "unit", "user")
        .filter(token=token[:48])
        .first()
    )
    if found is None:
        raise NotFound("No such pulse.")
    return found
