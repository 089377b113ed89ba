"""Background exports. Thin: each task calls a service, whatever backend runs it."""

from datetime import timedelta

from django_tasks import task

from voxloop.exports import services
from voxloop.schedule.registry import every


@task()
def run_export(export_id: int) -> str:
    return services.run(export_id=export_id)


@every(timedelta(minutes=30), name="exports.purge_expired")
@task()
def purge_expired() -> int:
    return services.purge_expired()
