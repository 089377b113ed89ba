"""The closed loop's part of erasing a person: their cases stay (the unit's figures count
them) but no longer name them; notes, timeline entries and every message copy are scrubbed of
their name, ids, email and phone; messages to them that have not gone out never will; their
advocate flag and the praise quoting them are deleted."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q

from voxloop.closedloop.models import (
    Advocate,
    Case,
    CaseEvent,
    Notification,
    NotificationStatus,
    Praise,
)
from voxloop.privacy.redaction import KnownPerson, mask_known, mask_known_in


def _mentioning(field: str, person: KnownPerson) -> Q:
    """Rows whose `field` contains the person's whole name, email or id (any record may)."""
    found = Q(pk__in=[])
    for value in person.mentions():
        found |= Q(**{f"{field}__icontains": value})
    return found


def forget_person(
    *,
    organization_id: int,
    contact_id: int,
    response_ids: list[int],
    person: KnownPerson,
    now: datetime,
) -> dict[str, int]:
    cases = list(
        Case.objects.filter(organization_id=organization_id).filter(
            Q(contact_id=contact_id) | Q(response_id__in=response_ids)
        )
    )
    for case in cases:
        case.contact, case.title = None, mask_known(case.title, person)[:200]
        case.save(update_fields=["contact", "title"])
    case_ids = [c.pk for c in cases]
    events = CaseEvent.objects.filter(case__organization_id=organization_id).filter(
        Q(case_id__in=case_ids) | _mentioning("text", person)
    )
    scrubbed_events = 0
    for event in events:
        text, data = mask_known(event.text, person), mask_known_in(event.data, person)
        if (text, data) != (event.text, event.data):
            event.text, event.data = text, data
            event.save(update_fields=["text", "data"])
            scrubbed_events += 1
    return {
        "cases": len(cases),
        "case_events": scrubbed_events,
        "notifications": _scrub_notifications(organization_id, case_ids, response_ids, person),
        "advocates": Advocate.objects.filter(
            organization_id=organization_id, contact_id=contact_id
        ).delete()[0],
        "praise": Praise.objects.filter(
            organization_id=organization_id, response_id__in=response_ids
        ).delete()[0],
    }


def _scrub_notifications(
    organization_id: int, case_ids: list[int], response_ids: list[int], person: KnownPerson
) -> int:
    addresses = {email.casefold() for email in person.emails}
    notifications = Notification.objects.filter(organization_id=organization_id).filter(
        Q(case_id__in=case_ids) | Q(response_id__in=response_ids) | _mentioning("body", person)
    )
    count = 0
    for row in notifications:
        row.subject = mask_known(row.subject, person)[:255]
        row.body = mask_known(row.body, person)
        row.payload = mask_known_in(row.payload, person)
        if row.recipient.casefold() in addresses:
            row.recipient = f"erased:{row.pk}"  # unique with its subject and purpose still
            if row.status == NotificationStatus.PENDING:
                row.status, row.last_error = NotificationStatus.FAILED, "recipient erased"
        row.save(update_fields=["subject", "body", "payload", "recipient", "status", "last_error"])
        count += 1
    return count
