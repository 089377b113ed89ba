"""Which connectors are due a sync, claimed so that however many workers run the clock, each
is enqueued once (a conditional UPDATE, as the reviews app claims its sources)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from voxloop.crm.models import CrmConnector

LEASE = timedelta(minutes=15)
BATCH = 200


def claim_due(now: datetime | None = None) -> list[int]:
    now = now or timezone.now()
    due = list(
        CrmConnector.objects.filter(is_active=True)
        .filter(Q(next_sync_at__isnull=True) | Q(next_sync_at__lte=now))
        .values_list("pk", "next_sync_at")[:BATCH]
    )
    claimed = []
    for pk, seen in due:
        if CrmConnector.objects.filter(pk=pk, next_sync_at=seen).update(next_sync_at=now + LEASE):
            claimed.append(pk)
    return claimed
