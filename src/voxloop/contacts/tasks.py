"""Background work about contacts. Thin: each task calls a service."""

from django.utils.dateparse import parse_datetime
from django_tasks import task

from voxloop.contacts import services


@task()
def note_response(contact_id: int, submitted_at: str, nps_group: str | None) -> None:
    at = parse_datetime(submitted_at)
    if at is None:  # enqueued as isoformat(), so always readable
        raise ValueError(f"not a date and time: {submitted_at!r}")
    services.note_response(contact_id=contact_id, submitted_at=at, nps_group=nps_group)
