"""Who hears about a response and who owns its case, resolved from the unit tree.

"A role at the response's unit or the nearest unit above that has one": the store manager,
else the regional manager, else the country's, walking the materialized path upwards. These are
reads of tenancy's memberships and contacts' accounts, never writes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import User
from django.db.models import Max

from voxloop.contacts.models import AccountTier
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.models import Membership, OrgUnit

if TYPE_CHECKING:
    from voxloop.closedloop.models import AlertRule
    from voxloop.responses.models import Response


# What one evaluation job has already looked up, for the responses after the first: the role
# holders above a unit, named users (decision 0049). Only reads that no case changes.
Lookups = dict[tuple, object]


def role_holders_up(
    unit: OrgUnit, role: str, skip: int = 0, cache: Lookups | None = None
) -> tuple[OrgUnit | None, list[User]]:
    """The nearest unit at or above `unit` whose members include `role`, and those members'
    users; `skip` passes over that many such levels (escalation: the next level up)."""
    if cache is not None:
        key = ("holders", unit.pk, role, skip)
        if key not in cache:
            cache[key] = role_holders_up(unit, role, skip)
        return cache[key]  # type: ignore[return-value]
    ids = list(reversed(unit.ancestor_ids()))
    holders: dict[int, list[Membership]] = {}
    for member in tenancy_selectors.members_in_units(unit.organization_id, ids, role).order_by(
        "user_id"
    ):
        if member.user.is_active:
            holders.setdefault(member.unit_id, []).append(member)
    levels = [uid for uid in ids if uid in holders]
    if len(levels) <= skip:
        return None, []
    found = holders[levels[skip]]
    return found[0].unit, [m.user for m in found]


def levels_above(unit: OrgUnit, role: str) -> int:
    """How many levels of `role` holders there are at and above the unit."""
    ids = unit.ancestor_ids()
    return (
        tenancy_selectors.members_in_units(unit.organization_id, ids, role)
        .values("unit_id")
        .distinct()
        .count()
    )


def next_in_turn(organization_id: int, users: list[User]) -> User | None:
    """Round-robin among a unit's managers: whoever was last given a case longest ago (or
    never) is next. Derived from the cases themselves, so no counter can drift."""
    if len(users) < 2:  # no turns to take (most stores have one manager): no query
        return users[0] if users else None
    from voxloop.closedloop.models import Case

    last = dict(
        Case.objects.filter(organization_id=organization_id, assignee__in=users)
        .values("assignee_id")
        .annotate(at=Max("assigned_at"))
        .values_list("assignee_id", "at")
    )
    return min(users, key=lambda u: (last.get(u.pk) is not None, last.get(u.pk) or 0, u.pk))


def account_owner(response: Response) -> User | None:
    contact = response.contact
    account = contact.account if contact is not None and contact.account_id else None
    owner = account.owner if account is not None else None
    if owner is None or not owner.is_active:
        return None
    return owner if tenancy_selectors.is_member(response.organization_id, owner.pk) else None


def choose_assignee(
    response: Response, unit: OrgUnit, role: str, cache: Lookups | None = None
) -> User | None:
    """High-touch B2B accounts go to their account manager; everything else to the nearest
    holders of the rule's role, taking turns."""
    contact = response.contact
    account = contact.account if contact is not None and contact.account_id else None
    if account is not None and account.tier == AccountTier.HIGH_TOUCH:
        owner = account_owner(response)
        if owner is not None:
            return owner
    _, users = role_holders_up(unit, role, cache=cache)
    return next_in_turn(response.organization_id, users)  # never cached: the turn moves


def recipients(
    rule: AlertRule, response: Response, unit: OrgUnit | None, cache: Lookups | None = None
) -> list[User]:
    """The users a rule notifies about one response, each once, in the order listed."""
    found: list[User] = []
    for spec in rule.recipients or []:
        kind = spec.get("type")
        if kind == "role" and unit is not None:
            found += role_holders_up(unit, spec.get("role", "manager"), cache=cache)[1]
        elif kind == "team_lead" and response.staff is not None:
            # Tenancy has no "reports to" link: the staff member's lead is the nearest manager
            # at or above the unit they work at (which may differ from where they served).
            found += role_holders_up(response.staff.unit, "manager", cache=cache)[1]
        elif kind == "account_owner":
            owner = account_owner(response)
            found += [owner] if owner else []
        elif kind == "user":
            user = _named_user(response.organization_id, int(spec.get("user_id") or 0), cache)
            found += [user] if user else []
    unique: dict[int, User] = {}
    for user in found:
        unique.setdefault(user.pk, user)
    return list(unique.values())


def _named_user(organization_id: int, user_id: int, cache: Lookups | None) -> User | None:
    key = ("user", user_id)
    if cache is not None and key in cache:
        return cache[key]  # type: ignore[return-value]
    user = User.objects.filter(
        pk=user_id, is_active=True, memberships__organization_id=organization_id
    ).first()
    if cache is not None:
        cache[key] = user
    return user
