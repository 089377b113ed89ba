"""Background work of pulse programmes. Thin: each task calls a service."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from voxloop.pulse import mailing, services
from voxloop.schedule.registry import every


@every(timedelta(hours=1), name="pulse.open_due_waves")
@task()
def open_due_waves() -> int:
    """Open the waves that are due on their programme's cadence and send due reminders."""
    return services.open_due_waves()


@task()
def send_invites(wave_id: int, reminder: bool) -> int:
    return mailing.send_invites(wave_id=wave_id, reminder=reminder)
