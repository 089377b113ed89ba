"""The one place that decides what an actor may see and do. Every selector goes through it.

A membership sees its unit's subtree in its organisation, never more. A subtree is the range
[unit.path, upper bound of unit.path) on the indexed path column, so its cost does not grow with
the size of the organisation.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from voxloop.errors import Forbidden, NotFound
from voxloop.tenancy.models import Membership, OrgUnit, Role, path_upper_bound, subtree_q

Row = TypeVar("Row", bound=Model)


class Capability(StrEnum):
    # Figures of the subtree (dashboards, digests, statistics) and its configuration.
    VIEW = "view"
    # Individual records: answers and comments, contacts and accounts, staff, invitations,
    # interactions, segment members, praise. Without it a role sees aggregates only.
    READ_RECORDS = "read_records"
    EXPORT = "export"
    ACT = "act"
    OWN_CASES = "own_cases"
    CONFIGURE = "configure"


# What each role may do; docs/security.md has the same as a table, which
# tests/test_role_reach.py checks against every API operation and page (decision 0015).
ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.ADMIN: frozenset(Capability),
    Role.ANALYST: frozenset({Capability.VIEW, Capability.READ_RECORDS, Capability.EXPORT}),
    Role.MANAGER: frozenset(
        {Capability.VIEW, Capability.READ_RECORDS, Capability.ACT, Capability.OWN_CASES}
    ),
    Role.AGENT: frozenset({Capability.VIEW, Capability.READ_RECORDS, Capability.OWN_CASES}),
    Role.VIEWER: frozenset({Capability.VIEW}),
}


@dataclass(frozen=True)
class Scope:
    """What one membership may see (a subtree of one organisation) and do (its role)."""

    organization_id: int
    unit_id: int
    unit_path: str
    role: str
    user_id: int | None = None
    membership_id: int | None = None
    actor_label: str = ""

    @classmethod
    def of(cls, membership: Membership) -> Scope:
        return cls(
            organization_id=membership.organization_id,
            unit_id=membership.unit_id,
            unit_path=membership.unit.path,
            role=membership.role,
            user_id=membership.user_id,
            membership_id=membership.pk,
            actor_label=membership.user.get_username(),
        )

    @classmethod
    def system(cls, root: OrgUnit, label: str = "system") -> Scope:
        """Full admin scope over an organisation, for the CLI and seeding, never for requests."""
        return cls(
            organization_id=root.organization_id,
            unit_id=root.pk,
            unit_path=root.path,
            role=Role.ADMIN,
            actor_label=label,
        )

    # --- what it may do ---------------------------------------------------------------------
    def can(self, capability: Capability) -> bool:
        return capability in ROLE_CAPABILITIES.get(self.role, frozenset())

    def require(self, capability: Capability) -> None:
        if not self.can(capability):
            raise Forbidden(f"Your role ({self.role}) does not allow this.")

    # --- what it may see --------------------------------------------------------------------
    @property
    def path_range(self) -> tuple[str, str]:
        return self.unit_path, path_upper_bound(self.unit_path)

    def covers_path(self, path: str) -> bool:
        return bool(path) and path.startswith(self.unit_path)

    def covers(self, unit: OrgUnit) -> bool:
        return unit.organization_id == self.organization_id and self.covers_path(unit.path)

    def filter(self, queryset: QuerySet[Row], path_field: str = "unit__path") -> QuerySet[Row]:
        """Rows of this organisation whose unit lies in the subtree."""
        return queryset.filter(
            subtree_q(self.unit_path, path_field), organization_id=self.organization_id
        )

    def units(self) -> QuerySet[OrgUnit]:
        return self.filter(OrgUnit.objects.all(), path_field="path")

    def get(self, queryset: QuerySet[Row], path_field: str = "unit__path", **lookup: Any) -> Row:
        """One row in scope, or NotFound: out-of-scope rows are indistinguishable from absent."""
        try:
            return self.filter(queryset, path_field).get(**lookup)
        except (ObjectDoesNotExist, ValueError, TypeError):
            raise NotFound(f"No such {queryset.model._meta.verbose_name}.") from None


class ScopedRequest(HttpRequest):
    """A request past `tenancy.middleware` on a page or handler that requires a membership:
    for type checking only (views annotate `request: ScopedRequest`); the middleware sets
    these attributes on Django's own request object."""

    scope: Scope
    membership: Membership
