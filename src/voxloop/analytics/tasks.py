"""Background work of analytics. Thin: each task calls a service, whatever backend runs it."""

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from voxloop.analytics import anonymity, digests, services, staff_boards
from voxloop.outages import through_database_outage
from voxloop.schedule.registry import every

# Longer than a web process holds responses before handing them over, with a margin for a
# worker that was down a few minutes.
MISSED_WINDOW_MINUTES = 15
# The sweep's cadence, as the alerts' (decision 0062): one anti-join, cheap when nothing is
# missing. It leaves the last seconds to the web processes' hand-overs (one a second).
MISSED_EVERY = timedelta(seconds=15)
MISSED_AFTER_SECONDS = 5


@task()
def reconcile_responses(response_ids: list[int]) -> int:
    # A try the database cut short was rolled back whole, so it is made again rather than
    # leaving these responses to the sweep (decisions 0062 and 0065, as the alerts' jobs do).
    return through_database_outage(
        lambda: services.reconcile(response_ids=response_ids),
        name="analytics.reconcile_responses",
    )


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


@every(MISSED_EVERY, name="analytics.count_missed")
@task()
def count_missed() -> int:
    """The safety net of the dashboards: responses of the last 15 minutes the ledger lacks
    (a hand-over lost with its web process, a counting job that gave up)."""
    now = timezone.now()
    return services.count_missed(
        since=now - timedelta(minutes=MISSED_WINDOW_MINUTES),
        until=now - timedelta(seconds=MISSED_AFTER_SECONDS),
    )


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
