"""Background work of event webhooks. Thin: each task calls a service, whatever backend runs it."""

from datetime import timedelta

from django_tasks import task

from voxloop.schedule.registry import every
from voxloop.webhooks import delivery


@task()
def deliver_webhook(delivery_id: int) -> str:
    return delivery.deliver(delivery_id)


@every(timedelta(minutes=1), name="webhooks.deliver_due")
@task()
def deliver_due() -> int:
    """The safety net: retries whose enqueue was lost, leases of killed workers."""
    return delivery.sweep()
