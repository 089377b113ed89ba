"""Background work of 360 feedback. Thin: each task calls a service."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from voxloop.feedback360 import notices, services
from voxloop.schedule.registry import every


@task()
def send_invitations(cycle_id: int) -> int:
    return notices.send_invitations(cycle_id=cycle_id)


@every(timedelta(hours=1), name="feedback360.remind_and_close")
@task()
def remind_and_close() -> dict[str, int]:
    return services.remind_and_close_due(today=timezone.localdate())
