"""Background work of the reviews app. Thin: each task calls a service."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from voxloop.reviews import fetching, scheduling
from voxloop.schedule.registry import every


@task()
def fetch_source(source_id: int) -> int:
    """One source's pass, from its cursor. A pass cut at the page limit goes on at once; a rate
    limit or an outage sets the source's next fetch at the provider's Retry-After (or the
    backoff), which the clock (`fetch_due`) honours. Reviews stored or changed."""
    outcome = fetching.fetch(source_id)
    if outcome.retry_in == timedelta(0):
        fetch_source.enqueue(source_id)
    return len(outcome.stored.new) + len(outcome.stored.edited)


@every(timedelta(minutes=1), name="reviews.fetch_due")
@task()
def fetch_due() -> int:
    """Enqueue the sources whose next fetch is due (each claimed once across workers)."""
    ids = scheduling.claim_due()
    for source_id in ids:
        fetch_source.enqueue(source_id)
    return len(ids)


@every(timedelta(hours=6), name="reviews.forget_authors")
@task()
def forget_authors() -> int:
    """Authors' names past the organisation's contact retention period are erased."""
    from voxloop.reviews import forgetting

    return forgetting.apply_retention()
