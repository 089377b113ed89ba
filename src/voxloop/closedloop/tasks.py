"""Background work of the closed loop. Thin: each task calls a service, whatever backend runs it."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TASK_MAX_PRIORITY

from voxloop.closedloop import escalation, evaluation, notifications
from voxloop.outages import through_database_outage
from voxloop.schedule.registry import every

# A hand-over lost with its web node (kill -9) is found by the sweep: these bound that alert
# to ~8 s (it was 10-25 s; cluster run R: 15-24 s). An evaluation job normally ends within
# 3 s (p99 < 1 s on the cluster bench); one still running is evaluated twice, sending once.
MISSED_AFTER_SECONDS = 3
MISSED_EVERY = timedelta(seconds=5)
SWEEP_EVERY = timedelta(seconds=10)  # the notification sweep; one indexed query when idle


@task()
def evaluate_response(response_id: int, text_only: bool = False) -> int:
    """Rules → cases → alerts for one submitted response; the number of cases opened.
    `text_only`: the rules on what was written, once its comments are analysed. (Kept for
    jobs enqueued before `evaluate_responses` took over.)"""
    return len(evaluation.evaluate_response(response_id=response_id, text_only=text_only))


EVALUATION_BATCH = 200  # responses per evaluation job at most (a sweep after an outage)


@task()
def evaluate_responses(
    organization_id: int, response_ids: list[int], text_only: bool = False
) -> int:
    """Rules → cases → alerts for the responses of one organisation handed over together
    (decision 0049); the number of cases opened. Evaluation is idempotent (`Evaluated`), so
    a try the database cut short is simply made again, rather than leaving the responses to
    `evaluate_missed` (decision 0065)."""
    return len(
        through_database_outage(
            lambda: evaluation.evaluate_responses(
                organization_id=organization_id, response_ids=response_ids, text_only=text_only
            ),
            name="closedloop.evaluate_responses",
        )
    )


@task()
def deliver_notification(notification_id: int) -> str:
    return notifications.deliver(notification_id)


@every(timedelta(minutes=1), name="closedloop.escalate_overdue")
@task()
def escalate_overdue() -> int:
    return escalation.escalate_overdue()


@every(SWEEP_EVERY, name="closedloop.deliver_due", via=lambda work: urgent(work))
@task()
def deliver_due() -> int:
    """The safety net: retries whose enqueue was lost, leases of killed workers. Often and
    urgent: the alerts of a worker killed while sending go out with it once their short lease
    has run out (decision 0057)."""
    return notifications.sweep()


@every(MISSED_EVERY, name="closedloop.evaluate_missed", via=lambda work: urgent(work))
@task()
def evaluate_missed() -> int:
    """The safety net of alerts: responses of the last 15 minutes whose evaluation task was
    lost (a web node killed before its hand-over, a worker killed in the job). Often and
    urgent: on the cluster bench it ran behind the campaign's batches, and the alerts it
    found arrived 40-80 s late (decision 0057)."""
    now = timezone.now()
    since, until = now - timedelta(minutes=15), now - timedelta(seconds=MISSED_AFTER_SECONDS)
    return len(evaluation.evaluate_missed(since=since, until=until))


@every(timedelta(minutes=15), name="closedloop.send_digests")
@task()
def send_digests() -> int:
    return notifications.send_digests()


REVIEWS_PER_TASK = 100


@task()
def evaluate_review(event: dict) -> int:
    """Rules on online reviews → cases → alerts for one new review (its plain-data event).
    Kept for tasks queued before `evaluate_reviews`."""
    from voxloop.closedloop import review_alerts

    return len(review_alerts.evaluate_review(event))


@task()
def evaluate_reviews(events: list[dict]) -> int:
    """The same for a page of new reviews (at most REVIEWS_PER_TASK); cases opened. Each
    review is evaluated on its own, so one that fails to route leaves the others' cases."""
    from voxloop.closedloop import review_alerts

    return sum(len(review_alerts.evaluate_review(event)) for event in events)


def urgent(work: Any) -> Any:
    """The task ahead of every other job: an alert has a latency goal (p99 ≤ 2 s), counting,
    text analysis and embeddings or a campaign's batches have none. Where the backend orders
    by priority (the database queue) the highest priority (decision 0049); on RQ, which
    refuses priorities, the urgent queue that every worker takes from first (decision 0054)."""
    backend = work.get_backend()
    if backend.supports_priority:
        return work.using(priority=TASK_MAX_PRIORITY)
    if settings.URGENT_QUEUE in backend.queues:
        return work.using(queue_name=settings.URGENT_QUEUE)
    return work
