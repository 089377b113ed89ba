"""Background work of analytics. Thin: each task calls a service, whatever backend runs it."""

from datetime import timedelta

from django_tasks import task

from voxloop.analytics import digests, services
from voxloop.schedule.registry import every


@task()
def reconcile_responses(response_ids: list[int]) -> int:
    return services.reconcile(response_ids)


@task()
def recount_subtree(organization_id: int, path: str) -> int:
    return services.recount_subtree(organization_id, path)


@task()
def rebuild_rollups(organization_id: int) -> int:
    return services.rebuild(organization_id)


@every(timedelta(hours=1), name="analytics.weekly_digests")
@task()
def send_weekly_digests() -> int:
    # Hourly check; each manager's digest goes out once a week (digests.send_due_digests).
    return digests.send_due_digests()
