"""Background work of the CRM app. Thin: each task calls a service."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from voxloop.crm import inbound, scheduling, syncing, writeback
from voxloop.schedule.registry import every


@task()
def sync_connector(connector_id: int) -> int:
    """One connector's passes from their cursors; cut at the page limit, it goes on at once;
    a rate limit or outage sets its next sync at Retry-After (or the backoff)."""
    outcome = syncing.sync(connector_id)
    if outcome.retry_in == timedelta(0):
        sync_connector.enqueue(connector_id)
    return outcome.tally.created + outcome.tally.updated + outcome.tally.pushed


@every(timedelta(minutes=1), name="crm.sync_due")
@task()
def sync_due() -> int:
    """Enqueue the connectors whose next sync is due (each claimed once across workers)."""
    ids = scheduling.claim_due()
    for connector_id in ids:
        sync_connector.enqueue(connector_id)
    return len(ids)


@task()
def take_in_event(event_id: int) -> str:
    return inbound.take_in(event_id)


@task()
def deliver_writeback(job_id: int) -> str:
    return writeback.deliver(job_id)


@every(timedelta(minutes=1), name="crm.deliver_due")
@task()
def deliver_due() -> int:
    """Write-backs whose retry time came (and any whose enqueue was lost)."""
    ids = writeback.due()
    for job_id in ids:
        deliver_writeback.enqueue(job_id)
    return len(ids)
