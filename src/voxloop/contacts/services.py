"""Every write to contacts and accounts."""

from collections.abc import Iterable

from django.db import transaction

from voxloop.contacts.models import Account, Contact
from voxloop.errors import Forbidden
from voxloop.tenancy.models import repath_copies
from voxloop.tenancy.scoping import Capability, Scope
from voxloop.tenancy.services import record_audit


def bulk_add_accounts(actor: Scope, accounts: Iterable[Account]) -> list[Account]:
    """Insert prepared accounts in one go (seeding, imports); fills the scope copy of the path."""
    actor.require(Capability.CONFIGURE)
    rows = [_placed(actor, account, account.unit) for account in accounts]
    with transaction.atomic():
        created = Account.objects.bulk_create(rows, batch_size=1000)
        record_audit(actor, "account.bulk_create", None, {"count": len(created)})
    return created


def bulk_add_contacts(actor: Scope, contacts: Iterable[Contact], batch_size: int = 2000) -> int:
    """Insert prepared contacts in batches; returns how many were written."""
    actor.require(Capability.CONFIGURE)
    written = 0
    batch: list[Contact] = []
    with transaction.atomic():
        for contact in contacts:
            batch.append(_placed(actor, contact, contact.home_unit))
            if len(batch) >= batch_size:
                Contact.objects.bulk_create(batch)
                written += len(batch)
                batch = []
        if batch:
            Contact.objects.bulk_create(batch)
            written += len(batch)
        record_audit(actor, "contact.bulk_create", None, {"count": written})
    return written


def _placed(actor: Scope, row, unit):
    if not actor.covers(unit):
        raise Forbidden(f"The unit {unit} is outside your part of the organisation.", "unit")
    row.organization_id = unit.organization_id
    row.unit_path = unit.path
    return row


def repath_after_move(organization_id: int, old_path: str, new_path: str) -> None:
    """Keep the copied unit paths right when a unit moves (called on tenancy's unit_moved)."""
    for model in (Contact, Account):
        repath_copies(model.objects.filter(organization_id=organization_id), old_path, new_path)
