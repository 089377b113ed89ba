"""Event webhooks' part of erasing a person: stored payloads (sent, failed or waiting) no longer
name them — the contact reference goes, and their names, ids, email and phone are masked in
what remains. Waiting deliveries still go out, scrubbed: the receiver learns of the event, not
of the person."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from voxloop.privacy.redaction import KnownPerson, mask_known_in
from voxloop.webhooks.models import Delivery


def forget_person(
    *, organization_id: int, contact_id: int, response_ids: list[int], person: KnownPerson
) -> dict[str, int]:
    about = Q(payload__data__contact__id=contact_id)
    if response_ids:
        about |= Q(payload__data__response__id__in=list(response_ids))
    count = 0
    for row in Delivery.objects.filter(organization_id=organization_id).filter(about):
        payload: dict[str, Any] = mask_known_in(row.payload, person)
        data = payload.get("data") or {}
        if isinstance(data.get("contact"), dict):
            data["contact"] = None
        row.payload = payload
        row.save(update_fields=["payload"])
        count += 1
    return {"webhook_deliveries": count}
