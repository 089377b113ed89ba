"""Background work of analytics. Thin: each task calls a service, whatever backend runs it."""

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from voxloop.analytics import anonymity, digests, services, staff_boards
from voxloop.schedule.registry import every

# Longer than a web process holds responses before handing them over, with a margin for a
# worker that was down a few minutes.
MISSED_WINDOW_MINUTES = 15


@task()
def reconcile_responses(response_ids: list[int]) -> int:
    return services.reconcile(response_ids=response_ids)


@task()
def recount_subtree(organization_id: int, path: str) -> int:
    return services.recount_subtree(organization_id=organization_id, path=path)


@task()
def move_archived(organization_id: int, old_path: str, new_path: str) -> int:
    return services.move_archived(
        organization_id=organization_id, old_path=old_path, new_path=new_path
    )


@task()
def rebuild_rollups(organization_id: int) -> int:
    return services.rebuild(organization_id=organization_id)


@every(timedelta(minutes=1), name="analytics.count_missed")
@task()
def count_missed() -> int:
    return services.count_missed(since=timezone.now() - timedelta(minutes=MISSED_WINDOW_MINUTES))


@every(timedelta(hours=1), name="analytics.weekly_digests")
@task()
def send_weekly_digests() -> int:
    # Hourly check; each manager's digest goes out once a week (digests.send_due_digests).
    return digests.send_due_digests()


@every(timedelta(hours=1), name="analytics.view_digests")
@task()
def send_view_digests() -> int:
    # Hourly check; each subscription to a saved view goes out weekly or monthly.
    return digests.send_due_view_digests()


@every(timedelta(minutes=10), name="analytics.anonymity_ahead")
@task()
def work_out_anonymity() -> int:
    # A closed month whose rollups changed is worked out before its first reader asks.
    return anonymity.work_out_stale()


@every(timedelta(minutes=5), name="analytics.staff_boards")
@task()
def refresh_staff_boards() -> int:
    # Preset periods' staff tables worked out ahead; stale ones again (decision 0053).
    return staff_boards.refresh_due()
