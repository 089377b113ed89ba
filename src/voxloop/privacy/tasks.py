"""Background work of privacy. Thin: the periodic task calls the retention service."""

from datetime import timedelta

from django_tasks import task

from voxloop.privacy import retention
from voxloop.schedule.registry import every


@every(timedelta(hours=1), name="privacy.apply_retention")
@task()
def apply_retention() -> int:
    # Hourly: what is due is read from the data each time, and each run is bounded.
    return retention.apply_everywhere()
