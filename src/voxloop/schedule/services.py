"""The clock's one write: claim the runs that are due and enqueue them."""

from __future__ import annotations

import logging
from datetime import datetime

from django.utils import timezone

from voxloop.schedule.models import PeriodicJob
from voxloop.schedule.registry import Periodic, registered

log = logging.getLogger(__name__)


def enqueue_due(
    *, now: datetime | None = None, periodics: list[Periodic] | None = None
) -> list[str]:
    """Enqueue every periodic task whose time has come; the names enqueued."""
    now = now or timezone.now()
    started = []
    for periodic in registered() if periodics is None else periodics:
        if _claim(periodic, now):
            periodic.to_enqueue().enqueue()  # type: ignore[attr-defined]
            started.append(periodic.name)
    return started


def _claim(periodic: Periodic, now: datetime) -> bool:
    job, _ = PeriodicJob.objects.get_or_create(name=periodic.name, defaults={"next_run_at": now})
    if job.next_run_at > now:
        return False
    # Compare-and-set on the time read: of two clocks that read the same row, one moves it.
    moved = PeriodicJob.objects.filter(name=job.name, next_run_at=job.next_run_at).update(
        next_run_at=now + periodic.interval, last_enqueued_at=now
    )
    return moved == 1
