"""Background work on stored responses. Thin: each task calls a service."""

from datetime import timedelta

from django_tasks import task

from voxloop.responses import anonymity, services
from voxloop.schedule.registry import every


@task()
def heal_unit_paths(organization_id: int, old_path: str) -> int:
    return services.heal_unit_paths(organization_id=organization_id, old_path=old_path)


@every(timedelta(hours=6), name="responses.forget_anonymous_keys")
@task()
def forget_anonymous_keys() -> int:
    return anonymity.forget_old_keys()
