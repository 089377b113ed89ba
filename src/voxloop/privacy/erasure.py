"""Erasing a person (the right to erasure, GDPR art. 17, PIPL art. 47) and giving them a copy
of their data (access and portability, GDPR art. 15 and 20, PIPL art. 45).

Erasure asks every app to scrub its own rows in one transaction (`contact_erasing`): the
contact becomes a row of counts with nothing personal in it; responses keep their scores and
lose the person and their words; invitations, cases, notifications and the audit log keep
what happened and lose who it happened to. Every dashboard figure stays as it was. One audit
entry records who erased which contact id and how many rows of each kind changed: never the
data.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from voxloop.closedloop import selectors as closedloop_selectors
from voxloop.contacts import selectors as contact_selectors
from voxloop.contacts.models import Contact
from voxloop.distribution import selectors as distribution_selectors
from voxloop.privacy.redaction import KnownPerson
from voxloop.privacy.services import require_whole_organisation
from voxloop.privacy.signals import contact_erasing
from voxloop.responses import selectors as response_selectors
from voxloop.tenancy.scoping import Capability, Scope
from voxloop.tenancy.services import record_audit

EXPORT_FORMAT = "voxloop.person/1"


@dataclass
class ErasureReport:
    """How many rows of each kind an erasure changed (or would change)."""

    contact_id: int
    counts: dict[str, int] = field(default_factory=dict)
    erased_at: datetime | None = None


class _Rehearsal(Exception):
    """Raised inside a rehearsal's transaction to undo everything it did."""


def erase_contact(*, actor: Scope, contact_id: int, rehearse: bool = False) -> ErasureReport:
    """Erase one contact of the actor's organisation, everywhere in it. Admins at the
    organisation's top unit only: other roles are refused before any lookup (403), a
    contact out of the admin's sight is not found (404), one in sight of an admin lower down
    is refused (403). `rehearse` does it all and rolls it back: the counts of what erasing
    would change, for the confirmation page."""
    actor.require(Capability.CONFIGURE)
    contact = contact_selectors.contact(actor, contact_id)
    require_whole_organisation(actor=actor, capability=Capability.CONFIGURE)
    report = ErasureReport(contact_id=contact.pk)
    try:
        with transaction.atomic():
            report.counts, report.erased_at = _erase(actor, contact)
            if rehearse:
                raise _Rehearsal
    except _Rehearsal:
        report.erased_at = None
    return report


def erase_by_retention(*, system: Scope, contact_ids: list[int]) -> int:
    """Erase contacts whose inactivity passed the organisation's period (the periodic task);
    each gets its own audit entry, by the retention policy."""
    erased = 0
    for contact in contact_selectors.people_by_ids(system.organization_id, contact_ids):
        with transaction.atomic():
            _erase(system, contact)
        erased += 1
    return erased


def _erase(actor: Scope, contact: Contact) -> tuple[dict[str, int], datetime]:
    now = timezone.now()
    person = KnownPerson.of(
        contact.first_name, contact.last_name, contact.email, contact.phone, contact.external_id
    )
    organization_id = contact.organization_id
    response_ids = response_selectors.ids_of_contact(organization_id, contact.pk)
    answers = contact_erasing.send(
        Contact,
        organization_id=organization_id,
        contact_id=contact.pk,
        person=person,
        response_ids=response_ids,
        now=now,
    )
    counts: Counter[str] = Counter()
    for _receiver, counted in answers:
        counts.update(counted or {})
    # Named by its erased id only: the entry must not bring back what was just erased.
    tombstone = Contact(pk=contact.pk, external_id=f"erased:{contact.pk}")
    record_audit(
        actor=actor,
        action="contact.erase",
        target=tombstone,
        changes={"counts": dict(sorted(counts.items()))},
    )
    return dict(sorted(counts.items())), now


def export_person(*, actor: Scope, contact_id: int) -> dict:
    """Everything the organisation holds about one contact, as JSON-ready data: their record,
    attributes and consent, responses with answers as given, invitations, cases with their
    timelines, interactions and status history. Admins and analysts at the organisation's
    top unit; audited (what was exported, never the data)."""
    actor.require(Capability.EXPORT)
    contact = contact_selectors.contact(actor, contact_id)
    require_whole_organisation(actor=actor, capability=Capability.EXPORT)
    organization_id = contact.organization_id
    response_ids = response_selectors.ids_of_contact(organization_id, contact.pk)
    record = contact_selectors.person_record(contact)
    data = {
        "format": EXPORT_FORMAT,
        "generated_at": timezone.now(),
        "organization": contact.organization.name,
        "contact": record["contact"],
        "attributes": record["attributes"],
        "consent": record["consent"],
        "responses": response_selectors.of_contact(organization_id, contact.pk),
        "invitations": distribution_selectors.invitations_of(organization_id, contact.pk),
        "cases": closedloop_selectors.cases_about(organization_id, contact.pk, response_ids),
        "interactions": record["interactions"],
        "status_history": record["status_history"],
    }
    counts = {k: len(v) for k, v in data.items() if isinstance(v, list)}
    record_audit(actor=actor, action="contact.export", target=contact, changes={"counts": counts})
    return data
