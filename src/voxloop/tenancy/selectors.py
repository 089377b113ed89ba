"""Every read of organisations, units, memberships, staff and the audit log, always scoped."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db.models import CharField, Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Cast

from voxloop import rows
from voxloop.errors import Forbidden, NotFound
from voxloop.recent import Recent
from voxloop.tenancy.models import (
    PATH_SEGMENT_WIDTH,
    AuditEntry,
    Membership,
    Organization,
    OrgUnit,
    Role,
    Staff,
    subtree_q,
)
from voxloop.tenancy.scoping import Capability, Scope

UNIT_COLUMNS = tuple(f.attname for f in OrgUnit._meta.concrete_fields)
STAFF_COLUMNS = tuple(f.attname for f in Staff._meta.concrete_fields)
IN_SCOPE = "organization_id = %s AND path >= %s AND path < %s"


def memberships_of(user: User) -> QuerySet[Membership]:
    """The memberships a signed-in user may switch between."""
    return (
        Membership.objects.filter(user=user)
        .select_related("organization", "unit", "user")
        .order_by("organization__name")
    )


def visible_units(
    scope: Scope, kind: str | None = None, parent_id: int | None = None, search: str = ""
) -> QuerySet[OrgUnit]:
    units = scope.units()
    if kind:
        units = units.filter(kind=kind)
    if parent_id is not None:
        units = units.filter(parent_id=parent_id)
    if search:
        units = units.filter(Q(name__icontains=search) | Q(code__iexact=search))
    return units.order_by("path")


def unit(scope: Scope, unit_id: int) -> OrgUnit:
    return _unit_in_scope(scope, "id = %s", unit_id)


def unit_by_code(scope: Scope, code: str) -> OrgUnit:
    """Every response from a kiosk or QR code names its unit so: one prepared lookup."""
    return _unit_in_scope(scope, "code = %s", code)


# Units the capture path found by code, by (organisation, code); emptied on any unit change
# (tenancy.receivers).
recent_units = Recent()


def capture_unit(scope: Scope, code: str) -> OrgUnit:
    """unit_by_code for the capture path: the unit as this process read it in the last few
    seconds (voxloop.recent), checked against the scope on every call."""
    key = (scope.organization_id, code)
    found = recent_units.recall(key)
    if found is None and _can_match(code):
        found = rows.fetch(
            OrgUnit, UNIT_COLUMNS, "organization_id = %s AND code = %s", [key[0], code]
        )
        if found is not None and found.path:  # a unit being created has no path yet
            recent_units.remember(key, found)
    if found is None or not scope.covers(found):
        raise NotFound(f"No such {OrgUnit._meta.verbose_name}.")
    return copy.copy(found)  # the held instance is shared between threads


def _unit_in_scope(scope: Scope, condition: str, value: int | str) -> OrgUnit:
    low, high = scope.path_range
    found = None
    if _can_match(value):
        found = rows.fetch(
            OrgUnit,
            UNIT_COLUMNS,
            f"{IN_SCOPE} AND {condition}",
            [scope.organization_id, low, high, value],
        )
    if found is None:
        raise NotFound(f"No such {OrgUnit._meta.verbose_name}.")
    return found


def unit_named_by(scope: Scope, code: str | None, field: str = "unit_code") -> OrgUnit:
    """The unit an API request names by code, or the scope's own unit when it names none."""
    if not code:
        return scope_root(scope)
    try:
        return unit_by_code(scope, code)
    except NotFound:
        raise NotFound("No unit with this code in your scope.", field=field) from None


def unit_for_field(scope: Scope, unit_id: int, field: str) -> OrgUnit:
    """A unit a request names by id, in scope; the error names the request's field."""
    try:
        return unit(scope, unit_id)
    except NotFound:
        raise NotFound(f"No such unit: {unit_id}.", field=field) from None


def scope_root(scope: Scope) -> OrgUnit:
    return OrgUnit.objects.select_related("organization").get(pk=scope.unit_id)


def unit_tree(scope: Scope, max_depth: int = 3, root_id: int | None = None) -> dict[str, Any]:
    """The subtree under a visible unit (the scope's own by default) as nested dicts."""
    root = unit(scope, root_id) if root_id else scope_root(scope)
    nodes = visible_units(scope).filter(subtree_q(root.path), depth__lte=root.depth + max_depth)
    by_id: dict[int, dict[str, Any]] = {}
    for row in nodes.values("id", "parent_id", "name", "kind", "code", "depth"):
        node: dict[str, Any] = {**row, "children": []}
        by_id[node["id"]] = node
        parent = by_id.get(node["parent_id"])
        if parent is not None and node["id"] != root.pk:
            parent["children"].append(node)
    return by_id[root.pk]


def ancestors(scope: Scope, unit_obj: OrgUnit) -> list[OrgUnit]:
    """The visible units from the scope's root down to (not including) the given unit."""
    ids = unit_obj.ancestor_ids()[:-1]
    by_id = {u.pk: u for u in scope.units().filter(pk__in=ids)}
    return [by_id[i] for i in ids if i in by_id]


def subtree_counts(scope: Scope, unit_obj: OrgUnit) -> dict[str, int]:
    """How many units of each kind lie under a visible unit."""
    rows = (
        visible_units(scope)
        .filter(subtree_q(unit_obj.path))
        .exclude(pk=unit_obj.pk)
        .order_by()  # an ordering column would split the GROUP BY into one row per unit
        .values("kind")
        .annotate(n=Count("id"))
    )
    return {row["kind"]: row["n"] for row in rows}


def visible_memberships(scope: Scope) -> QuerySet[Membership]:
    scope.require(Capability.CONFIGURE)
    return scope.filter(Membership.objects.select_related("user", "unit")).order_by(
        "unit__path", "user__username"
    )


def colleagues(scope: Scope, search: str = "", limit: int = 20) -> QuerySet[Membership]:
    """People working inside the actor's subtree (cases can be handed to them), for a
    manager's or admin's picker; names only, matched on username, name or email."""
    if not (scope.can(Capability.ACT) or scope.can(Capability.CONFIGURE)):
        raise Forbidden("Only managers and admins hand work to others.")
    members = scope.filter(Membership.objects.select_related("user", "unit")).filter(
        user__is_active=True, role__in=(Role.ADMIN, Role.MANAGER, Role.AGENT)
    )
    if search:
        members = members.filter(
            Q(user__username__icontains=search)
            | Q(user__first_name__icontains=search)
            | Q(user__last_name__icontains=search)
            | Q(user__email__iexact=search)
        )
    return members.order_by("user__username")[:limit]


def membership(scope: Scope, membership_id: int) -> Membership:
    scope.require(Capability.CONFIGURE)
    return scope.get(Membership.objects.select_related("user", "unit"), pk=membership_id)


def visible_users(scope: Scope, search: str = "") -> QuerySet:
    """Users holding a membership inside the admin's subtree."""
    members = visible_memberships(scope)
    users = get_user_model().objects.filter(pk__in=members.values("user_id")).order_by("username")
    if search:
        users = users.filter(Q(username__icontains=search) | Q(email__icontains=search))
    return users


def user_membership(scope: Scope, user_id: int) -> Membership:
    scope.require(Capability.CONFIGURE)
    return scope.get(Membership.objects.select_related("user", "unit"), user_id=user_id)


def visible_staff(scope: Scope, unit_id: int | None = None, search: str = "") -> QuerySet[Staff]:
    """The staff directory (names, codes, emails): roles that read records."""
    scope.require(Capability.READ_RECORDS)
    staff = scope.filter(Staff.objects.select_related("unit")).order_by("name")
    if unit_id is not None:
        staff = staff.filter(unit_id=unit_id)
    if search:
        staff = staff.filter(Q(name__icontains=search) | Q(code__iexact=search))
    return staff


def _can_match(value: int | str) -> bool:
    """Ids past what a bigint holds and codes with a NUL name no row; the database would raise
    instead of answering."""
    if isinstance(value, int):
        return abs(value) < 2**63
    return "\x00" not in value


def staff_by_code(scope: Scope, code: str) -> Staff | None:
    """A staff member of the subtree by employee code, with their unit (capture path)."""
    if not _can_match(code):
        return None
    member = rows.fetch(
        Staff,
        STAFF_COLUMNS,
        "organization_id = %s AND code = %s",
        [
            scope.organization_id,
            code,
        ],
    )
    if member is None:
        return None
    try:
        member.unit = unit(scope, member.unit_id)
    except NotFound:
        return None
    return member


def staff_member(scope: Scope, staff_id: int) -> Staff:
    scope.require(Capability.READ_RECORDS)
    return scope.get(Staff.objects.select_related("unit"), pk=staff_id)


def staff_names(scope: Scope, staff_ids: Iterable[int]) -> dict[int, str]:
    """Names of the subtree's staff among these ids, to label a dashboard's figures by staff
    member (every role that views; no codes, no emails)."""
    staff = scope.filter(Staff.objects.filter(pk__in=list(staff_ids)))
    return dict(staff.values_list("id", "name"))


def visible_staff_ids(scope: Scope) -> set[int]:
    """Ids of every staff member of the subtree (a leaderboard ranks only these)."""
    return set(scope.filter(Staff.objects.all()).values_list("id", flat=True))


def visible_staff_keys(scope: Scope) -> QuerySet[Any, Any]:
    """The same ids as text (how rollups key staff), as a subquery: the staff leaderboard
    filters its grouped read in the database instead of fetching every id."""
    return scope.filter(Staff.objects.all()).annotate(key=Cast("id", CharField())).values("key")


def staff_count(scope: Scope) -> int:
    return scope.filter(Staff.objects.all()).count()


def units_with_many_staff(organization_id: int, at_least: int) -> list[tuple[int, str]]:
    """(id, path) of every unit whose subtree has at least `at_least` staff: the nodes whose
    staff table is worth working out ahead (analytics' staff boards). Unscoped by design:
    background work, one grouped read per organisation (staff per unit)."""
    per_unit = (
        Staff.objects.filter(organization_id=organization_id)
        .values_list("unit__path")
        .annotate(k=Count("id"))
        .order_by()
    )
    below: dict[str, int] = {}
    for path, k in per_unit:
        for end in range(PATH_SEGMENT_WIDTH, len(path) + 1, PATH_SEGMENT_WIDTH):
            below[path[:end]] = below.get(path[:end], 0) + k
    busy = [p for p, k in below.items() if k >= at_least]
    units = OrgUnit.objects.filter(organization_id=organization_id, path__in=busy)
    return sorted(units.values_list("id", "path"), key=lambda r: r[1])


def audit_log(scope: Scope, action: str = "", actor_id: int | None = None) -> QuerySet[AuditEntry]:
    """Audit entries about the admin's subtree; admins only."""
    scope.require(Capability.CONFIGURE)
    entries = scope.filter(AuditEntry.objects.all(), path_field="unit_path")
    if action:
        entries = entries.filter(action__startswith=action)
    if actor_id:
        entries = entries.filter(actor_id=actor_id)
    return entries.order_by("-at", "-id")


def unit_by_code_in_org(organization_id: int, code: str) -> OrgUnit | None:
    """Unscoped by design: respondent links (QR codes) name a unit by its code, and the
    survey's organisation, not a signed-in member, bounds the lookup."""
    if not code:
        return None
    return OrgUnit.objects.filter(organization_id=organization_id, code=code).first()


def staff_by_code_in_org(organization_id: int, code: str) -> Staff | None:
    """Unscoped by design, like unit_by_code_in_org: staff codes on respondent links."""
    if not code:
        return None
    return (
        Staff.objects.select_related("unit")
        .filter(organization_id=organization_id, code=code, is_active=True)
        .first()
    )


def organization_root(organization_id: int) -> OrgUnit:
    """The organisation's top unit (system work: the periodic tasks act as its admin)."""
    return OrgUnit.objects.get(organization_id=organization_id, parent__isnull=True)


def audit_entries_before(organization_id: int, before: datetime) -> QuerySet[AuditEntry]:
    """The organisation's audit entries older than `before` (retention's report)."""
    return AuditEntry.objects.filter(organization_id=organization_id, at__lt=before)


# --- time zones ------------------------------------------------------------------------------


def time_zones(organization_id: int) -> dict[str, str]:
    """Path → zone of the units that set their own (the others inherit from above)."""
    return dict(
        OrgUnit.objects.filter(organization_id=organization_id)
        .exclude(time_zone="")
        .values_list("path", "time_zone")
    )


def zone_of(zones: dict[str, str], path: str) -> str:
    """The zone a unit counts in: its own, else its nearest ancestor's; "" for the server's."""
    for end in range(len(path), 0, -PATH_SEGMENT_WIDTH):
        if path[:end] in zones:
            return zones[path[:end]]
    return ""


def unit_paths(organization_id: int) -> list[str]:
    """Every unit path of an organisation, in path order (system reads: analytics' rebuild)."""
    return list(
        OrgUnit.objects.filter(organization_id=organization_id)
        .order_by("path")
        .values_list("path", flat=True)
    )


def subtree_zones(organization_id: int, path: str) -> set[str]:
    """Every zone counted in under a unit ("" for the server's)."""
    zones = time_zones(organization_id)
    own = {zone_of(zones, path)}
    below = {z for p, z in zones.items() if p.startswith(path) and p != path}
    return own | below


# --- memberships other apps look up (routing cases, digests, audit of a user's sessions) --


def member_user_ids(scope: Scope) -> QuerySet:
    """The ids of the users with a membership in the scope's subtree (a subquery)."""
    return scope.filter(Membership.objects.all()).values("user_id")


def is_member(organization_id: int, user_id: int) -> bool:
    """Whether the user holds any membership in the organisation."""
    return Membership.objects.filter(organization_id=organization_id, user_id=user_id).exists()


def members_with_roles(
    roles: Iterable[str], organization_id: int | None = None
) -> QuerySet[Membership]:
    """Memberships holding one of `roles` (in one organisation, or in all: the digests)."""
    found = Membership.objects.filter(role__in=list(roles))
    if organization_id is not None:
        found = found.filter(organization_id=organization_id)
    return found.select_related("user", "unit", "organization")


def members_in_units(
    organization_id: int, unit_ids: Iterable[int], role: str
) -> QuerySet[Membership]:
    """The memberships of `role` held directly at one of the units."""
    return Membership.objects.filter(
        organization_id=organization_id, unit_id__in=list(unit_ids), role=role
    ).select_related("user", "unit")


def organization_name(organization_id: int) -> str:
    """The organisation's name ("" when there is none): what a reply text signs with."""
    found = Organization.objects.filter(pk=organization_id).values_list("name", flat=True)
    return found.first() or ""


def current_unit_path(unit_field: str = "unit_id") -> Subquery:
    """The path of the unit the outer row's `unit_field` names, as a subquery (repairs copies
    of the path that a move has not reached)."""
    return Subquery(OrgUnit.objects.filter(pk=OuterRef(unit_field)).values("path")[:1])


# --- organisations, for the operator's command line and the demo ------------------------


def organization_by_slug(slug: str) -> Organization | None:
    return Organization.objects.filter(slug=slug).first()


def organizations() -> list[Organization]:
    """Every organisation on this server, by slug (the operator's command line)."""
    return list(Organization.objects.order_by("slug"))


def any_admin() -> bool:
    """Whether anyone administers an organisation yet (has the server been set up)."""
    return Membership.objects.filter(role=Role.ADMIN).exists()


def membership_in(user: Any, organization_id: int) -> Membership | None:
    """The user's membership in the organisation, if any."""
    return (
        Membership.objects.filter(user=user, organization_id=organization_id)
        .select_related("organization", "unit", "user")
        .first()
    )


def staff_of(organization_id: int) -> QuerySet[Staff]:
    """Every staff member of the organisation, by code, unscoped (system work: the demo)."""
    return Staff.objects.filter(organization_id=organization_id).order_by("code")


def people_at(
    *,
    organization_id: int,
    unit_id: int | None = None,
    parent_id: int | None = None,
    roles: Iterable[str] | None = None,
) -> list[tuple[int, str]]:
    """(user id, email) of the people holding a membership at one unit, or at the units right
    below `parent_id`, optionally of some roles only. System work: 360 feedback derives a
    person's manager, peers and reports from the tree with it."""
    members = Membership.objects.filter(organization_id=organization_id)
    if unit_id is not None:
        members = members.filter(unit_id=unit_id)
    if parent_id is not None:
        members = members.filter(unit__parent_id=parent_id)
    if roles is not None:
        members = members.filter(role__in=list(roles))
    return sorted(set(members.values_list("user_id", "user__email")))
