"""The organisation API: units and their tree, memberships, frontline staff, the audit log.

Handlers stay thin: resolve every referenced object through a scoped selector (so anything
outside the caller's subtree is a 404), check the role, call a service, return a schema.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Status

from voxloop.api.context import actor
from voxloop.api.pages import page
from voxloop.api.schemas import Id
from voxloop.tenancy import selectors, services
from voxloop.tenancy.models import Membership, OrgUnit, Staff
from voxloop.tenancy.schemas import (
    AuditFilters,
    AuditPage,
    MembershipFilters,
    MembershipOut,
    MembershipPage,
    MembershipUpdateIn,
    StaffCreateIn,
    StaffFilters,
    StaffOut,
    StaffPage,
    StaffUpdateIn,
    UnitCreateIn,
    UnitFilters,
    UnitMoveIn,
    UnitNode,
    UnitOut,
    UnitPage,
    UnitUpdateIn,
)
from voxloop.tenancy.scoping import Capability

router = Router(tags=["organisation"])


# --- units -----------------------------------------------------------------------------


@router.get("/org-units", response={200: UnitPage}, url_name="unit_list")
def list_units(request: HttpRequest, filters: Query[UnitFilters]) -> dict:
    """The units in your subtree, in tree order."""
    scope = actor(request)
    units = selectors.visible_units(scope, filters.kind, filters.parent, filters.q.strip())
    return page(units, filters, request=request)


@router.get("/org-units/tree", response={200: UnitNode}, url_name="unit_tree")
def unit_tree(
    request: HttpRequest, root: Id | None = None, depth: int = Query(3, ge=0, le=10)
) -> dict:
    """Your subtree (or a visible unit's) as nested nodes, `depth` levels deep."""
    scope = actor(request)
    root_id = selectors.unit_for_field(scope, root, "root").pk if root is not None else None
    return selectors.unit_tree(scope, max_depth=depth, root_id=root_id)


@router.get("/org-units/{int:unit_id}", response={200: UnitOut}, url_name="unit_detail")
def get_unit(request: HttpRequest, unit_id: Id) -> OrgUnit:
    return selectors.unit(actor(request), unit_id)


@router.post("/org-units", response={201: UnitOut}, url_name="unit_create")
def create_unit(request: HttpRequest, payload: UnitCreateIn) -> Status:
    """Add a unit under a parent in your subtree (admins)."""
    scope = actor(request)
    scope.require(Capability.CONFIGURE)
    parent = selectors.unit_for_field(scope, payload.parent, "parent")
    unit = services.create_unit(
        actor=scope, parent=parent, name=payload.name, kind=payload.kind, code=payload.code
    )
    return Status(201, unit)


@router.patch("/org-units/{int:unit_id}", response={200: UnitOut}, url_name="unit_update")
def update_unit(request: HttpRequest, unit_id: Id, payload: UnitUpdateIn) -> OrgUnit:
    scope = actor(request)
    unit = selectors.unit(scope, unit_id)
    return services.update_unit(actor=scope, unit=unit, **payload.changes())


@router.post(
    "/org-units/{int:unit_id}/move",
    response={200: UnitOut},
    url_name="unit_move",
)
def move_unit(request: HttpRequest, unit_id: Id, payload: UnitMoveIn) -> OrgUnit:
    """Re-hang a unit, with everything under it, below another parent (admins)."""
    scope = actor(request)
    unit = selectors.unit(scope, unit_id)
    scope.require(Capability.CONFIGURE)
    new_parent = selectors.unit_for_field(scope, payload.parent, "parent")
    return services.move_unit(actor=scope, unit=unit, new_parent=new_parent)


# --- memberships -----------------------------------------------------------------------


@router.get("/memberships", response={200: MembershipPage}, url_name="membership_list")
def list_memberships(request: HttpRequest, filters: Query[MembershipFilters]) -> dict:
    """Who holds which role where in your subtree (admins)."""
    memberships = selectors.visible_memberships(actor(request))
    if filters.role:
        memberships = memberships.filter(role=filters.role)
    if filters.unit is not None:
        memberships = memberships.filter(unit_id=filters.unit)
    return page(memberships, filters, request=request)


@router.get(
    "/memberships/{int:membership_id}",
    response={200: MembershipOut},
    url_name="membership_detail",
)
def get_membership(request: HttpRequest, membership_id: Id) -> Membership:
    return selectors.membership(actor(request), membership_id)


@router.patch(
    "/memberships/{int:membership_id}",
    response={200: MembershipOut},
    url_name="membership_update",
)
def update_membership(
    request: HttpRequest, membership_id: Id, payload: MembershipUpdateIn
) -> Membership:
    """Move a person to another unit, or change their role or title (admins)."""
    scope = actor(request)
    membership = selectors.membership(scope, membership_id)
    changes = payload.changes()
    unit = selectors.unit_for_field(scope, changes["unit"], "unit") if "unit" in changes else None
    return services.change_membership(
        actor=scope,
        membership=membership,
        unit=unit,
        role=changes.get("role"),
        title=changes.get("title"),
    )


@router.delete(
    "/memberships/{int:membership_id}",
    response={204: None},
    url_name="membership_delete",
)
def delete_membership(request: HttpRequest, membership_id: Id) -> Status:
    """Take a person's access to the organisation away (admins)."""
    scope = actor(request)
    membership = selectors.membership(scope, membership_id)
    services.revoke_membership(actor=scope, membership=membership)
    return Status(204, None)


# --- staff -----------------------------------------------------------------------------


@router.get("/staff", response={200: StaffPage}, url_name="staff_list")
def list_staff(request: HttpRequest, filters: Query[StaffFilters]) -> dict:
    """Frontline staff in your subtree."""
    staff = selectors.visible_staff(actor(request), filters.unit, filters.q.strip())
    return page(staff, filters, request=request)


@router.get("/staff/{int:staff_id}", response={200: StaffOut}, url_name="staff_detail")
def get_staff(request: HttpRequest, staff_id: Id) -> Staff:
    return selectors.staff_member(actor(request), staff_id)


@router.post("/staff", response={201: StaffOut}, url_name="staff_create")
def create_staff(request: HttpRequest, payload: StaffCreateIn) -> Status:
    """Add a frontline employee at a unit in your subtree (admins)."""
    scope = actor(request)
    scope.require(Capability.CONFIGURE)
    unit = selectors.unit_for_field(scope, payload.unit, "unit")
    fields = payload.model_dump(exclude={"unit", "name", "code"})
    staff = services.add_staff(
        actor=scope, unit=unit, name=payload.name, code=payload.code, **fields
    )
    return Status(201, staff)


@router.patch("/staff/{int:staff_id}", response={200: StaffOut}, url_name="staff_update")
def update_staff(request: HttpRequest, staff_id: Id, payload: StaffUpdateIn) -> Staff:
    scope = actor(request)
    staff = selectors.staff_member(scope, staff_id)
    scope.require(Capability.CONFIGURE)
    changes = payload.changes()
    unit = (
        selectors.unit_for_field(scope, changes.pop("unit"), "unit") if "unit" in changes else None
    )
    return services.update_staff(actor=scope, staff=staff, unit=unit, **changes)


# --- audit log -------------------------------------------------------------------------


@router.get("/audit-log", response={200: AuditPage}, url_name="audit_list")
def list_audit(request: HttpRequest, filters: Query[AuditFilters]) -> dict:
    """Every change made in your subtree, newest first (admins)."""
    entries = selectors.audit_log(actor(request), filters.action.strip(), filters.actor)
    return page(entries, filters, request=request)
