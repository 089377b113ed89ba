"""Background work of the reviews app. Thin: each task calls a service."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from voxloop.reviews import fetching, scheduling
from voxloop.schedule.registry import every


@task()
def fetch_source(source_id: int) -> int:
    """One source's pass, from its cursor; a rate limit or an outage puts the rest off until
    the provider's Retry-After (or the backoff), enqueued here. Reviews stored."""
    outcome = fetching.fetch(source_id)
    if outcome.retry_in is not None:
        fetch_source.using(run_after=scheduling.after(outcome.retry_in)).enqueue(source_id)
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
