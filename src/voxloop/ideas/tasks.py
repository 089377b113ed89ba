"""Background work of idea boards. Thin: each task calls a service."""

from __future__ import annotations

from django_tasks import task

from voxloop.ideas import notices


@task()
def notify_status_change(change_id: int) -> int:
    return notices.notify_status_change(change_id=change_id)
