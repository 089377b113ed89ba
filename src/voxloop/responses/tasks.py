"""Background work on stored responses. Thin: each task calls a service."""

from django_tasks import task

from voxloop.responses import services


@task()
def heal_unit_paths(organization_id: int, old_path: str) -> int:
    return services.heal_unit_paths(organization_id, old_path)
