"""Which sources are due, claimed so that however many workers run the clock, each fetch is
enqueued once (a conditional UPDATE on the row, as the closed loop claims notifications)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from voxloop.reviews.models import ReviewSource, SourceKind

LEASE = timedelta(minutes=15)  # a claimed fetch that never ran is due again after this
BATCH = 200


def claim_due(now: datetime | None = None) -> list[int]:
    now = now or timezone.now()
    due = list(
        ReviewSource.objects.filter(is_active=True)
        .exclude(kind=SourceKind.FILE)
        .filter(Q(next_fetch_at__isnull=True) | Q(next_fetch_at__lte=now))
        .values_list("pk", "next_fetch_at")[:BATCH]
    )
    claimed = []
    for pk, seen in due:
        if ReviewSource.objects.filter(pk=pk, next_fetch_at=seen).update(next_fetch_at=now + LEASE):
            claimed.append(pk)
    return claimed
