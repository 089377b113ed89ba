"""Every write to contacts, accounts, consent, interaction types and segments.

Imports (contacts.importing) and interaction events (contacts.interactions) are services too,
in their own modules because they are long.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone

from voxloop.contacts import churn_rollup, selectors
from voxloop.contacts.models import (
    Account,
    AccountTier,
    Contact,
    Interaction,
    InteractionType,
    Segment,
    StatusChange,
)
from voxloop.contacts.signals import contact_unsubscribed
from voxloop.errors import Conflict, Forbidden, InvalidInput
from voxloop.tenancy.models import OrgUnit, ancestor_paths, repath_copies, subtree_q
from voxloop.tenancy.scoping import Capability, Scope
from voxloop.tenancy.services import record_audit

_Placed = TypeVar("_Placed", Account, Contact)


def bulk_add_accounts(*, actor: Scope, accounts: Iterable[Account]) -> list[Account]:
    """Insert prepared accounts in one go (seeding, imports); fills the scope copy of the path."""
    actor.require(Capability.CONFIGURE)
    rows = [_placed(actor, account, account.unit) for account in accounts]
    with transaction.atomic():
        created = Account.objects.bulk_create(rows, batch_size=1000)
        churn_rollup.reconcile(kind="account", ids=[a.pk for a in created])
        record_audit(
            actor=actor, action="account.bulk_create", target=None, changes={"count": len(created)}
        )
    return created


def bulk_add_contacts(*, actor: Scope, contacts: Iterable[Contact], batch_size: int = 2000) -> int:
    """Insert prepared contacts in batches; returns how many were written."""
    actor.require(Capability.CONFIGURE)
    written = 0
    batch: list[Contact] = []
    with transaction.atomic():
        for contact in contacts:
            batch.append(_placed(actor, contact, contact.home_unit))
            if len(batch) >= batch_size:
                written += _insert_contacts(batch)
                batch = []
        if batch:
            written += _insert_contacts(batch)
        record_audit(
            actor=actor, action="contact.bulk_create", target=None, changes={"count": written}
        )
    return written


def _insert_contacts(batch: list[Contact]) -> int:
    Contact.objects.bulk_create(batch)  # bulk_create sends no post_save: count them here
    churn_rollup.reconcile(kind="contact", ids=[c.pk for c in batch])
    return len(batch)


def _placed(actor: Scope, row: _Placed, unit: OrgUnit) -> _Placed:
    if not actor.covers(unit):
        raise Forbidden(f"The unit {unit} is outside your part of the organisation.", "unit")
    row.organization_id = unit.organization_id
    row.unit_path = unit.path
    return row


def sync_accounts(
    *, actor: Scope, unit: OrgUnit, accounts: dict[str, dict[str, Any]]
) -> dict[str, Account]:
    """Create or update accounts a connected system keeps (a CRM's companies), keyed by their
    external id: {"external id": {"name": …, "attributes": {…}}}. New ones are placed at
    `unit`; one that exists outside the actor's subtree is left alone (absent from the
    answer). One audit entry per batch. The accounts by external id."""
    actor.require(Capability.CONFIGURE)
    if not actor.covers(unit):
        raise Forbidden("The unit is outside your part of the organisation.", "unit")
    found = {
        a.external_id: a
        for a in Account.objects.filter(
            organization_id=actor.organization_id, external_id__in=list(accounts)
        )
    }
    kept: dict[str, Account] = {}
    created = updated = 0
    with transaction.atomic():
        for external_id, values in accounts.items():
            account = found.get(external_id)
            name = str(values.get("name") or "").strip()[:200]
            extra = values.get("attributes") or {}
            if account is None:
                account = Account.objects.create(
                    organization_id=actor.organization_id,
                    unit=unit,
                    unit_path=unit.path,
                    external_id=external_id[:100],
                    name=name or external_id[:200],
                    tier=AccountTier.LOW_TOUCH,
                    attributes=dict(extra),
                )
                created += 1
            elif not actor.covers_path(account.unit_path):
                continue
            else:
                merged = {**(account.attributes or {}), **extra}
                if (name and name != account.name) or merged != account.attributes:
                    account.name = name or account.name
                    account.attributes = merged
                    account.save(update_fields=["name", "attributes"])
                    updated += 1
            kept[external_id] = account
        if created or updated:
            record_audit(
                actor=actor,
                action="account.sync",
                target=None,
                changes={"created": created, "updated": updated},
            )
    return kept


def repath_after_move(*, organization_id: int, old_path: str, new_path: str) -> None:
    """Keep the copied unit paths right when a unit moves (called on tenancy's unit_moved)."""
    for model in (Contact, Account, Segment, InteractionType):
        repath_copies(model.objects.filter(organization_id=organization_id), old_path, new_path)
    repath_copies(Interaction.objects.filter(organization_id=organization_id), old_path, new_path)
    # The churn rollup's rows sit at the moved units and their old and new ancestors: each
    # moved customer's ledger entry (old paths) is taken out and the new one put in.
    churn_rollup.reconcile_subtree(organization_id=organization_id, path=new_path)


def contact_for_visitor(*, unit: OrgUnit, external_id: str) -> Contact:
    """The contact a customer's own site names by its user id, created at `unit` if new.

    No acting user: a visitor's page asserts the id (the web widget). Nothing of an existing
    contact is changed, and no audit entry is written: this is the visitor, not a user.
    """
    external_id = (external_id or "").strip()
    if not external_id or len(external_id) > 100 or "\x00" in external_id:
        raise InvalidInput("A user id is 1 to 100 characters.", field="user_id")
    found = selectors.contact_by_external_id(unit.organization_id, external_id)
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return Contact.objects.create(
                organization_id=unit.organization_id,
                home_unit=unit,
                unit_path=unit.path,
                external_id=external_id,
            )
    except IntegrityError:
        # The same visitor's other tab created it a moment ago.
        return Contact.objects.get(organization_id=unit.organization_id, external_id=external_id)


# --- consent, unsubscribe, invalid addresses ----------------------------------------------

CONSENT_CHANNELS = {"email": "consent_email", "sms": "consent_sms"}


def set_consent(*, actor: Scope, contact: Contact, channel: str, allowed: bool) -> Contact:
    """Record a contact's yes or no to one channel (a staff member acting on their word)."""
    actor.require(Capability.CONFIGURE)
    if not actor.covers_path(contact.unit_path) or contact.organization_id != actor.organization_id:
        raise Forbidden("This contact is outside your part of the organisation.")
    field = CONSENT_CHANNELS.get(channel)
    if field is None:
        raise InvalidInput(f"Unknown channel '{channel}' (email or sms).", field="channel")
    with transaction.atomic():
        setattr(contact, field, allowed)
        contact.save(update_fields=[field, "updated_at"])
        record_audit(
            actor=actor,
            action=f"contact.consent.{channel}",
            target=contact,
            changes={"allowed": allowed},
        )
    return contact


def unsubscribe(*, contact_id: int, organization_id: int, how: str = "link") -> bool:
    """Global unsubscribe, by the contact themself (a link or header in an email): honoured
    for every channel and every campaign from now on. True when it changed anything."""
    with transaction.atomic():
        changed = Contact.objects.filter(
            pk=contact_id, organization_id=organization_id, unsubscribed_at__isnull=True
        ).update(unsubscribed_at=timezone.now(), updated_at=timezone.now())
        if changed:
            record_audit(
                actor=None,
                action="contact.unsubscribe",
                target=Contact(pk=contact_id),
                changes={"how": how},
                organization_id=organization_id,
            )
            row = Contact.objects.filter(pk=contact_id).values("unit_path", "external_id").first()
            if row is not None:
                transaction.on_commit(
                    lambda: contact_unsubscribed.send(
                        Contact,
                        organization_id=organization_id,
                        contact_id=contact_id,
                        how=how,
                        **row,
                    )
                )
    return bool(changed)


def resubscribe(*, actor: Scope, contact: Contact) -> Contact:
    actor.require(Capability.CONFIGURE)
    if not actor.covers_path(contact.unit_path) or contact.organization_id != actor.organization_id:
        raise Forbidden("This contact is outside your part of the organisation.")
    with transaction.atomic():
        contact.unsubscribed_at = None
        contact.save(update_fields=["unsubscribed_at", "updated_at"])
        record_audit(actor=actor, action="contact.resubscribe", target=contact)
    return contact


def set_sms_consent_by_phone(
    *, organization_id: int, phone_e164: str, allowed: bool, how: str
) -> list[Contact]:
    """The person at this number texted STOP (allowed=False) or START (True): every contact of
    the organisation with that number, whatever its formatting, gets the answer, each change
    in the audit log. Returns the contacts with that number (changed or not)."""
    found = selectors.contacts_with_phone(organization_id, phone_e164)
    changed = [c for c in found if c.consent_sms != allowed]
    if changed:
        now = timezone.now()
        with transaction.atomic():
            Contact.objects.filter(pk__in=[c.pk for c in changed]).update(
                consent_sms=allowed, updated_at=now
            )
            for contact in changed:
                contact.consent_sms = allowed
                record_audit(
                    actor=None,
                    action="contact.consent.sms",
                    target=contact,
                    changes={"allowed": allowed, "how": how},
                    organization_id=organization_id,
                )
    return found


def mark_address_invalid(*, contact_id: int, channel: str, reason: str) -> None:
    """A hard bounce (or a provider's report) says the address does not exist."""
    field = {"email": "email_invalid", "sms": "phone_invalid"}.get(channel)
    if field is None:
        return
    Contact.objects.filter(pk=contact_id).update(**{field: True, "updated_at": timezone.now()})


def note_response(*, contact_id: int, submitted_at: datetime, nps_group: str | None) -> None:
    """Keep the contact's last response (and its NPS group) for segments on them."""
    if _noted(contact_id, submitted_at, nps_group):  # churn is split by the latest group
        churn_rollup.reconcile(kind="contact", ids=[contact_id])


def note_responses(*, latest: Mapping[int, tuple[datetime, str | None]]) -> None:
    """`note_response` for many contacts ({id: (submitted_at, group)}: a demo, a backfill),
    with their churn counted again in batches."""
    regrouped = [i for i, (at, group) in latest.items() if _noted(i, at, group)]
    for start in range(0, len(regrouped), 2000):
        churn_rollup.reconcile(kind="contact", ids=regrouped[start : start + 2000])


def _noted(contact_id: int, submitted_at: datetime, nps_group: str | None) -> bool:
    """Write the last response; True when it came with a group (the churn split's key)."""
    updates: dict = {"last_response_at": submitted_at}
    if nps_group:
        updates["last_nps_group"] = nps_group
    moved = (
        Contact.objects.filter(pk=contact_id)
        .exclude(last_response_at__gt=submitted_at)
        .update(**updates)
    )
    return bool(moved and nps_group)


# --- interaction types ------------------------------------------------------------------


def define_interaction_type(*, actor: Scope, unit: OrgUnit, key: str, name: str) -> InteractionType:
    """A new type owned by a unit of the actor's subtree; only an admin of the whole
    organisation can make one company wide (owned by the root)."""
    actor.require(Capability.CONFIGURE)
    if not actor.covers(unit):
        raise Forbidden("The unit is outside your part of the organisation.", "unit_code")
    key = (key or "").strip().lower()
    if not key or not key.replace("_", "").replace("-", "").isalnum() or len(key) > 60:
        raise InvalidInput("A key is 1–60 letters, digits, '-' or '_'.", field="key")
    if not (name or "").strip():
        raise InvalidInput("Give the interaction type a name.", field="name")
    # Along the unit's path only: the actor sees it all, and a sibling's keys stay unknown.
    clash = (
        InteractionType.objects.filter(organization_id=actor.organization_id, key=key)
        .filter(Q(unit_path__in=ancestor_paths(unit.path)) | subtree_q(unit.path, "unit_path"))
        .select_related("unit")
        .first()
    )
    if clash is not None:
        raise Conflict(
            f"The interaction type '{key}' exists already at {clash.unit.name}.", field="key"
        )
    with transaction.atomic():
        kind = InteractionType.objects.create(
            organization_id=actor.organization_id,
            unit=unit,
            unit_path=unit.path,
            key=key,
            name=name.strip()[:120],
        )
        record_audit(
            actor=actor, action="interaction_type.create", target=kind, changes={"unit": unit.code}
        )
    return kind


def _owned(actor: Scope, kind: InteractionType) -> None:
    """Types of units above the actor's are visible to them, but not theirs to change."""
    actor.require(Capability.CONFIGURE)
    if kind.organization_id != actor.organization_id or not actor.covers_path(kind.unit_path):
        raise Forbidden("This interaction type belongs to a unit above yours.")


def update_interaction_type(
    *, actor: Scope, kind: InteractionType, name: str | None = None, archived: bool | None = None
) -> InteractionType:
    """Rename, archive (no new events or triggers; history kept) or restore a type."""
    _owned(actor, kind)
    changes: dict[str, list] = {}
    if name is not None:
        if not name.strip():
            raise InvalidInput("Give the interaction type a name.", field="name")
        if name.strip()[:120] != kind.name:
            changes["name"] = [kind.name, name.strip()[:120]]
            kind.name = name.strip()[:120]
    if archived is not None and archived != (kind.archived_at is not None):
        changes["archived"] = [not archived, archived]
        kind.archived_at = timezone.now() if archived else None
    if changes:
        with transaction.atomic():
            kind.save(update_fields=["name", "archived_at"])
            record_audit(
                actor=actor, action="interaction_type.update", target=kind, changes=changes
            )
    return kind


def delete_interaction_type(*, actor: Scope, kind: InteractionType) -> None:
    """Delete a type nothing refers to; one with events or triggers is archived instead."""
    _owned(actor, kind)
    try:
        with transaction.atomic():
            record_audit(
                actor=actor,
                action="interaction_type.delete",
                target=kind,
                changes={"key": kind.key},
            )
            kind.delete()
    except ProtectedError:
        raise Conflict(
            "Events or triggers use this interaction type: archive it instead.", field="id"
        ) from None


# --- segments ---------------------------------------------------------------------------


def save_segment(
    *, actor: Scope, unit: OrgUnit, name: str, filters: list, segment: Segment | None = None
) -> Segment:
    """Create or change a segment; its filters are checked now so a typo is a clear error."""
    from voxloop.contacts.segments import clean_filters

    actor.require(Capability.CONFIGURE)
    if not actor.covers(unit):
        raise Forbidden("The unit is outside your part of the organisation.", "unit")
    if not (name or "").strip():
        raise InvalidInput("Give the segment a name.", field="name")
    filters = clean_filters(actor.organization_id, filters)
    creating = segment is None
    segment = segment or Segment(organization_id=actor.organization_id)
    if not creating and not actor.covers_path(segment.unit_path):
        raise Forbidden("This segment is outside your part of the organisation.")
    before = {"name": segment.name, "filters": segment.filters}
    segment.unit, segment.unit_path = unit, unit.path
    segment.name, segment.filters = name.strip()[:200], filters
    with transaction.atomic():
        segment.save()
        action = "segment.create" if creating else "segment.update"
        record_audit(
            actor=actor,
            action=action,
            target=segment,
            changes={"before": before, "filters": filters},
        )
    return segment


def delete_segment(*, actor: Scope, segment: Segment) -> None:
    """Delete a segment owned in the actor's subtree; one a campaign was sent to is kept (the
    campaign's audience must stay explainable): 409."""
    actor.require(Capability.CONFIGURE)
    if segment.organization_id != actor.organization_id or not actor.covers_path(segment.unit_path):
        raise Forbidden("This segment belongs to a unit above yours.")
    try:
        with transaction.atomic():
            record_audit(
                actor=actor, action="segment.delete", target=segment, changes={"name": segment.name}
            )
            segment.delete()
    except ProtectedError:
        raise Conflict("Campaigns use this segment: it cannot be deleted.", field="id") from None


# --- erasure (privacy.erasure sends contact_erasing; this is the contacts app's part) --------


def erase_person(*, organization_id: int, contact_id: int, now: datetime) -> dict[str, int]:
    """Make the contact nobody: every personal field emptied, their interactions deleted, the
    reasons in their status history cleared. The row stays, with its unit, customer dates and
    the NPS group of their latest answer, so customers counted and customers lost stay right;
    it is never listed, found, segmented or invited again (selectors skip erased rows)."""
    interactions, _ = Interaction.objects.filter(
        organization_id=organization_id, contact_id=contact_id
    ).delete()
    reasons = (
        StatusChange.objects.filter(organization_id=organization_id, contact_id=contact_id)
        .exclude(reason="")
        .update(reason="")
    )
    erased = Contact.objects.filter(
        pk=contact_id, organization_id=organization_id, erased_at__isnull=True
    ).update(
        first_name="",
        last_name="",
        email="",
        phone="",
        external_id=f"erased:{contact_id}",
        attributes={},
        locale=Contact._meta.get_field("locale").default,
        timezone="UTC",
        consent_email=False,
        consent_sms=False,
        unsubscribed_at=now,
        email_invalid=False,
        phone_invalid=False,
        last_import="",
        account=None,
        erased_at=now,
        updated_at=now,
    )
    return {"contact": erased, "interactions": interactions, "status_reasons": reasons}
