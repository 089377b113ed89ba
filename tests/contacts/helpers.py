"""Contacts for tests, through the contacts services."""

from __future__ import annotations

from voxloop.contacts import services
from voxloop.contacts.models import Contact


def add_contact(org, unit_key: str, external_id: str, **fields) -> Contact:
    unit = org.units[unit_key]
    fields.setdefault("email", f"{external_id.lower()}@example.test")
    fields.setdefault("first_name", external_id.title())
    contact = Contact(home_unit=unit, external_id=external_id, **fields)
    services.bulk_add_contacts(actor=org.system, contacts=[contact])
    return Contact.objects.get(organization_id=unit.organization_id, external_id=external_id)
