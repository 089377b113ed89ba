"""Who rates a subject, read from the org hierarchy (and, for customers, the closed loop).

- manager: the admins and managers of the parent unit;
- peers: the other admins and managers of the subject's unit and of its sibling units;
- direct reports: the other members of the subject's unit and the admins and managers of the
  units right below it;
- customers (when the cycle asks for them): the contacts of the cases the subject closed.
Each person rates a subject once, in the first group that applies (manager, reports, peers)."""

from __future__ import annotations

from dataclasses import dataclass

from voxloop.closedloop import selectors as closedloop_selectors
from voxloop.feedback360.models import Relationship
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.models import Membership

LEADS = ("admin", "manager")
CUSTOMERS_PER_SUBJECT = 5


@dataclass(frozen=True)
class Rater:
    relationship: str
    user_id: int | None = None
    contact_id: int | None = None
    email: str = ""
    language: str = ""


def _users(
    org: int,
    *,
    unit_id: int | None = None,
    parent_id: int | None = None,
    roles: tuple[str, ...] | None = None,
) -> list[tuple[int, str]]:
    return tenancy_selectors.people_at(
        organization_id=org, unit_id=unit_id, parent_id=parent_id, roles=roles
    )


def of_membership(membership: Membership, *, customers: bool) -> list[Rater]:
    unit = membership.unit
    org = membership.organization_id
    groups: list[tuple[str, list[tuple[int, str]]]] = [(Relationship.SELF, [])]
    if unit.parent_id:
        groups.append(
            (
                Relationship.MANAGER,
                _users(org, unit_id=unit.parent_id, roles=LEADS),
            )
        )
    reports = _users(org, unit_id=unit.pk) + _users(org, parent_id=unit.pk, roles=LEADS)
    leads_here = set(_users(org, unit_id=unit.pk, roles=LEADS))
    groups.append((Relationship.REPORT, [r for r in reports if r not in leads_here]))
    peers = list(leads_here)
    if unit.parent_id:
        peers += _users(org, parent_id=unit.parent_id, roles=LEADS)
    groups.append((Relationship.PEER, peers))
    seen = {membership.user_id}
    raters = [Rater(Relationship.SELF, user_id=membership.user_id, email=membership.user.email)]
    for relationship, people in groups[1:]:
        for user_id, email in sorted(set(people)):
            if user_id not in seen:
                seen.add(user_id)
                raters.append(Rater(relationship, user_id=user_id, email=email))
    if customers:
        for row in closedloop_selectors.closed_case_contacts(
            organization_id=org, assignee_id=membership.user_id, limit=CUSTOMERS_PER_SUBJECT
        ):
            raters.append(
                Rater(
                    Relationship.CUSTOMER,
                    contact_id=row["contact_id"],
                    email=row["email"],
                    language=row["language"],
                )
            )
    return raters
