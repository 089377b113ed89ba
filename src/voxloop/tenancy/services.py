"""Every write to organisations, units, memberships, staff and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import available_timezones

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q
from django.db.models.functions import Length

from voxloop.errors import Conflict, Forbidden, InvalidInput
from voxloop.tenancy.audit_context import client_ip
from voxloop.tenancy.models import (
    PATH_SEGMENT_WIDTH,
    AuditEntry,
    Membership,
    Organization,
    OrgUnit,
    Role,
    Staff,
    UnitKind,
    path_segment,
    repath_copies,
    repathed,
    subtree_q,
)
from voxloop.tenancy.scoping import Capability, Scope
from voxloop.tenancy.signals import unit_moved, unit_time_zone_changed

UNIT_FIELDS = ("name", "kind", "code", "is_active", "time_zone")
STAFF_FIELDS = ("name", "code", "email", "job_title", "is_active")
MAX_PATH_LENGTH = OrgUnit._meta.get_field("path").max_length


def record_audit(
    *,
    actor: Scope | None,
    action: str,
    target: Any = None,
    changes: dict | None = None,
    organization_id: int | None = None,
) -> AuditEntry:
    """Append one entry to the audit log; every service that changes state calls this."""
    unit_path = ""
    if isinstance(target, OrgUnit):
        unit_path = target.path
    elif getattr(target, "unit", None) is not None and isinstance(target.unit, OrgUnit):
        unit_path = target.unit.path
    return AuditEntry.objects.create(
        organization_id=organization_id or (actor.organization_id if actor else None),
        unit_path=unit_path or (actor.unit_path if actor else ""),
        actor_id=actor.user_id if actor else None,
        actor_label=actor.actor_label if actor else "system",
        action=action,
        target_type=target._meta.model_name if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:255] if target is not None else "",
        changes=changes or {},
        ip_address=client_ip.get(),
    )


# --- organisations and units -----------------------------------------------------------


@transaction.atomic
def create_organization(*, name: str, slug: str, root_name: str | None = None) -> OrgUnit:
    """A new organisation with its root unit (the company); returns the root."""
    if Organization.objects.filter(slug=slug).exists():
        raise Conflict(f"An organisation with slug '{slug}' already exists.", field="slug")
    organization = Organization.objects.create(name=name, slug=slug)
    root = _insert_unit(organization, None, root_name or name, UnitKind.COMPANY, "ROOT")
    record_audit(actor=Scope.system(root), action="organization.create", target=organization)
    return root


def _path_fits(path_length: int) -> None:
    """Refuse a unit whose materialized path would not fit the path column (25 levels)."""
    if path_length > MAX_PATH_LENGTH:
        levels = MAX_PATH_LENGTH // PATH_SEGMENT_WIDTH
        raise InvalidInput(f"The organisation tree is at most {levels} levels deep.", "parent")


def _insert_unit(
    organization: Organization, parent: OrgUnit | None, name: str, kind: str, code: str
) -> OrgUnit:
    _path_fits(len(parent.path if parent else "") + PATH_SEGMENT_WIDTH)
    try:
        with transaction.atomic():
            unit = OrgUnit.objects.create(
                organization=organization, parent=parent, name=name, kind=kind, code=code
            )
    except IntegrityError:
        raise Conflict(f"The unit code '{code}' is already used.", field="code") from None
    unit.path = (parent.path if parent else "") + path_segment(unit.pk)
    unit.depth = parent.depth + 1 if parent else 0
    OrgUnit.objects.filter(pk=unit.pk).update(path=unit.path, depth=unit.depth)
    return unit


def _check_unit_fields(fields: dict) -> None:
    if "name" in fields and not str(fields["name"]).strip():
        raise InvalidInput("A unit needs a name.", field="name")
    if "code" in fields and not str(fields["code"]).strip():
        raise InvalidInput("A unit needs an external code.", field="code")
    if "kind" in fields and fields["kind"] not in UnitKind.values:
        allowed = ", ".join(UnitKind.values)
        raise InvalidInput(f"Unknown unit kind; use one of: {allowed}.", field="kind")
    zone = fields.get("time_zone")
    if zone and str(zone).strip() not in available_timezones():
        raise InvalidInput("Unknown time zone; use a name such as Asia/Tokyo.", "time_zone")


def create_unit(*, actor: Scope, parent: OrgUnit, name: str, kind: str, code: str) -> OrgUnit:
    actor.require(Capability.CONFIGURE)
    if not actor.covers(parent):
        raise Forbidden("The parent unit is outside your part of the organisation.", "parent")
    _check_unit_fields({"name": name, "kind": kind, "code": code})
    with transaction.atomic():
        unit = _insert_unit(parent.organization, parent, name.strip(), kind, code.strip())
        record_audit(
            actor=actor,
            action="unit.create",
            target=unit,
            changes={"parent": parent.pk, "code": unit.code},
        )
    return unit


def update_unit(*, actor: Scope, unit: OrgUnit, **fields: Any) -> OrgUnit:
    actor.require(Capability.CONFIGURE)
    if not actor.covers(unit):
        raise Forbidden("This unit is outside your part of the organisation.")
    unknown = set(fields) - set(UNIT_FIELDS)
    if unknown:
        raise InvalidInput(f"Unknown field: {sorted(unknown)[0]}.", field=sorted(unknown)[0])
    _check_unit_fields(fields)
    fields = {k: v.strip() if isinstance(v, str) else v for k, v in fields.items()}
    changes = {k: [getattr(unit, k), v] for k, v in fields.items() if getattr(unit, k) != v}
    if not changes:
        return unit  # nothing changed: no write, no audit entry
    for key in changes:
        setattr(unit, key, fields[key])
    try:
        with transaction.atomic():
            unit.save(update_fields=[*changes])
            record_audit(actor=actor, action="unit.update", target=unit, changes=changes)
            if "time_zone" in changes:
                unit_time_zone_changed.send(
                    OrgUnit, organization_id=unit.organization_id, path=unit.path
                )
    except IntegrityError:
        raise Conflict(f"The unit code '{unit.code}' is already used.", field="code") from None
    return unit


def move_unit(*, actor: Scope, unit: OrgUnit, new_parent: OrgUnit) -> OrgUnit:
    """Re-hang a unit and its whole subtree under another parent, keeping every path right."""
    actor.require(Capability.CONFIGURE)
    if not actor.covers(unit) or unit.pk == actor.unit_id or unit.parent_id is None:
        raise Forbidden("You cannot move this unit.")
    if not actor.covers(new_parent):
        raise Forbidden("The new parent is outside your part of the organisation.", "parent")
    if new_parent.path.startswith(unit.path):
        raise InvalidInput("A unit cannot move under itself or its own descendants.", "parent")
    with transaction.atomic():
        unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
        old_path, old_parent_id = unit.path, unit.parent_id
        new_path = new_parent.path + path_segment(unit.pk)
        depth_delta = new_parent.depth + 1 - unit.depth
        subtree = OrgUnit.objects.filter(subtree_q(old_path), organization_id=unit.organization_id)
        deepest = subtree.aggregate(n=Max(Length("path")))["n"] or len(old_path)
        _path_fits(deepest - len(old_path) + len(new_path))
        subtree.update(
            path=repathed(old_path, new_path),
            depth=F("depth") + depth_delta,
        )
        OrgUnit.objects.filter(pk=unit.pk).update(parent=new_parent)
        # The audit log is read by subtree too: its history must follow the unit, or the
        # admin of the part it left keeps reading it and the new part's admin never does.
        repath_copies(
            AuditEntry.objects.filter(organization_id=unit.organization_id), old_path, new_path
        )
        unit_moved.send(
            OrgUnit, organization_id=unit.organization_id, old_path=old_path, new_path=new_path
        )
        unit.refresh_from_db()
        record_audit(
            actor=actor,
            action="unit.move",
            target=unit,
            changes={"parent": [old_parent_id, new_parent.pk]},
        )
    return unit


# --- memberships -----------------------------------------------------------------------


def grant_membership(
    *, actor: Scope, user: AbstractBaseUser, unit: OrgUnit, role: str, title: str = ""
) -> Membership:
    """Give a user a role at a unit of the actor's organisation (one membership per org)."""
    actor.require(Capability.CONFIGURE)
    if not actor.covers(unit):
        raise Forbidden("The unit is outside your part of the organisation.", "unit")
    if role not in Role.values:
        raise InvalidInput(f"Unknown role; use one of: {', '.join(Role.values)}.", "role")
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                user=user, organization_id=unit.organization_id, unit=unit, role=role, title=title
            )
            record_audit(
                actor=actor,
                action="membership.create",
                target=membership,
                changes={"role": role, "unit": unit.pk},
            )
    except IntegrityError:
        raise Conflict("This user already has a membership in the organisation.", "user") from None
    return membership


def change_membership(
    *,
    actor: Scope,
    membership: Membership,
    unit: OrgUnit | None = None,
    role: str | None = None,
    title: str | None = None,
) -> Membership:
    actor.require(Capability.CONFIGURE)
    if not actor.covers(membership.unit):
        raise Forbidden("This membership is outside your part of the organisation.")
    if membership.pk == actor.membership_id:
        raise Forbidden("You cannot change your own membership; ask another admin.")
    changes: dict[str, list] = {}
    if unit is not None and unit.pk != membership.unit_id:
        if not actor.covers(unit):
            raise Forbidden("The unit is outside your part of the organisation.", "unit")
        changes["unit"] = [membership.unit_id, unit.pk]
        membership.unit = unit
    if role is not None and role != membership.role:
        if role not in Role.values:
            raise InvalidInput(f"Unknown role; use one of: {', '.join(Role.values)}.", "role")
        changes["role"] = [membership.role, role]
        membership.role = role
    if title is not None and title != membership.title:
        changes["title"] = [membership.title, title]
        membership.title = title
    if not changes:
        return membership
    with transaction.atomic():
        membership.save()
        record_audit(actor=actor, action="membership.update", target=membership, changes=changes)
    return membership


def revoke_membership(*, actor: Scope, membership: Membership) -> None:
    actor.require(Capability.CONFIGURE)
    if not actor.covers(membership.unit):
        raise Forbidden("This membership is outside your part of the organisation.")
    if membership.pk == actor.membership_id:
        raise Forbidden("You cannot revoke your own membership; ask another admin.")
    with transaction.atomic():
        record_audit(
            actor=actor,
            action="membership.delete",
            target=membership,
            changes={"role": membership.role},
        )
        membership.delete()


# --- staff -----------------------------------------------------------------------------


def add_staff(*, actor: Scope, unit: OrgUnit, name: str, code: str, **fields: Any) -> Staff:
    actor.require(Capability.CONFIGURE)
    if not actor.covers(unit):
        raise Forbidden("The unit is outside your part of the organisation.", "unit")
    if not name.strip():
        raise InvalidInput("A staff member needs a name.", field="name")
    if not code.strip():
        raise InvalidInput("A staff member needs an employee code.", field="code")
    try:
        with transaction.atomic():
            staff = Staff.objects.create(
                organization_id=unit.organization_id,
                unit=unit,
                name=name.strip(),
                code=code.strip(),
                **fields,
            )
            record_audit(
                actor=actor,
                action="staff.create",
                target=staff,
                changes={"unit": unit.pk, "code": staff.code},
            )
    except IntegrityError:
        raise Conflict(f"The employee code '{code}' is already used.", field="code") from None
    return staff


def update_staff(
    *, actor: Scope, staff: Staff, unit: OrgUnit | None = None, **fields: Any
) -> Staff:
    actor.require(Capability.CONFIGURE)
    if not actor.covers(staff.unit):
        raise Forbidden("This staff member is outside your part of the organisation.")
    unknown = set(fields) - set(STAFF_FIELDS)
    if unknown:
        raise InvalidInput(f"Unknown field: {sorted(unknown)[0]}.", field=sorted(unknown)[0])
    changes = {k: [getattr(staff, k), v] for k, v in fields.items() if getattr(staff, k) != v}
    if unit is not None and unit.pk != staff.unit_id:
        if not actor.covers(unit):
            raise Forbidden("The unit is outside your part of the organisation.", "unit")
        changes["unit"] = [staff.unit_id, unit.pk]
        staff.unit = unit
    if not changes:
        return staff
    for key, value in fields.items():
        setattr(staff, key, value)
    try:
        with transaction.atomic():
            staff.save()
            record_audit(actor=actor, action="staff.update", target=staff, changes=changes)
    except IntegrityError:
        raise Conflict(f"The employee code '{staff.code}' is already used.", "code") from None
    return staff


# --- the audit log and privacy ------------------------------------------------------------


def forget_person_in_audit(*, organization_id: int, contact_id: int, person: Any) -> int:
    """Erasure: entries about the contact keep what was done, when and by whom, but name them
    only by their erased id, with the changed values blanked; other entries naming them are
    masked. Returns how many entries changed."""
    from voxloop.privacy.redaction import mask_known, mask_known_in

    about = Q(target_type="contact", target_id=str(contact_id))
    mentions = Q(pk__in=[])
    for value in person.mentions():
        mentions |= Q(target_label__icontains=value)
    entries = AuditEntry.objects.filter(organization_id=organization_id).filter(about | mentions)
    changed = 0
    for entry in entries:
        if entry.target_type == "contact" and entry.target_id == str(contact_id):
            entry.target_label = f"erased:{contact_id}"
            entry.changes = {key: "[erased]" for key in entry.changes}
        else:
            entry.target_label = mask_known(entry.target_label, person)[:255]
            entry.changes = mask_known_in(entry.changes, person)
        entry.save(update_fields=["target_label", "changes"])
        changed += 1
    return changed


def delete_audit_before(*, organization_id: int, before: datetime, limit: int) -> int:
    """Retention: delete up to `limit` of the organisation's entries older than `before`."""
    ids = list(
        AuditEntry.objects.filter(organization_id=organization_id, at__lt=before)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    return AuditEntry.objects.filter(pk__in=ids).delete()[0] if ids else 0


def delete_organization(*, slug: str) -> bool:
    """Delete an organisation with all its data and the users who belonged only to it (the
    demo's reset); False when there is none by that slug."""
    from voxloop.tenancy.removal import delete_organization as remove

    return remove(slug)
