"""The closed loop's tasks are backend-neutral: the alert goes out through an RQ worker."""

import uuid

import django_rq
import pytest
from django_tasks import TaskResult, task
from django_tasks.signals import task_started
from django_tasks_rq.backend import Job
from rq import SimpleWorker

from tests.closedloop.support import submit
from tests.tasks.test_rq_delivery import REDIS_URL
from tests.tasks.test_rq_delivery import rq_queue as rq_queue_fixture
from voxloop.closedloop.models import Case

pytestmark = pytest.mark.redis
rq_queue = rq_queue_fixture  # the same fixture: a Redis queue of this test's own


def test_detractor_alert_through_an_rq_worker(
    request,
    world,
    survey,
    detractor_rule,
    smtp_settings,
    django_capture_on_commit_callbacks,
    monkeypatch,
):
    from voxloop.closedloop import tasks

    queue = request.getfixturevalue("rq_queue")
    # Production enqueues on "default"; here the test's own queue, so runs never share jobs.
    monkeypatch.setattr(
        tasks, "evaluate_responses", tasks.evaluate_responses.using(queue_name=queue.name)
    )
    # The dashboards count the same response in a task of their own.
    from voxloop.analytics import tasks as analytics_tasks

    monkeypatch.setattr(
        analytics_tasks,
        "reconcile_responses",
        analytics_tasks.reconcile_responses.using(queue_name=queue.name),
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(survey, {"nps": 1, "improve": ["queue"]}, unit=world.acme.units["c1r1s1"])
    assert queue.count == 2 and not Case.objects.exists()
    SimpleWorker([queue], connection=queue.connection, job_class=Job).work(burst=True)
    [mail] = smtp_settings.wait_for(1)
    assert mail.recipients == [world.acme.user("store").email]
    assert Case.objects.get(response=response).assignee == world.acme.user("store")


@task()
def ordinary_job(n: int) -> int:
    """Stands for a campaign's send batch: work without a latency goal."""
    return n


def test_an_alert_enqueued_behind_ordinary_jobs_runs_first(world, survey, detractor_rule, settings):
    """RQ has no priorities (decision 0054): the alert goes to the urgent queue, which every
    worker `voxloop worker` starts takes from first, so it does not wait behind the jobs
    already queued on the other one."""
    from voxloop.cli.running import rq_queue_names
    from voxloop.closedloop.receivers import _evaluate_together

    suffix = uuid.uuid4().hex[:12]
    urgent, ordinary = f"vx-test-urgent-{suffix}", f"vx-test-{suffix}"
    settings.RQ_QUEUES = {
        name: {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 60} for name in (ordinary, urgent, "default")
    }
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": [ordinary, urgent]}
    }
    settings.URGENT_QUEUE = urgent
    queues = {name: django_rq.get_queue(name, job_class=Job) for name in (ordinary, urgent)}
    ran: list[str] = []

    def started(sender: object, task_result: TaskResult, **kwargs: object) -> None:
        ran.append(task_result.task.name)

    task_started.connect(started, dispatch_uid="test.rq.order")
    try:
        # Submitted without its on-commit hand-over; the alert is enqueued below, after
        # the ordinary jobs, the way the receiver enqueues it.
        response = submit(survey, {"nps": 1, "improve": ["queue"]}, unit=world.acme.units["c1r1s1"])
        for n in range(5):
            ordinary_job.using(queue_name=ordinary).enqueue(n)
        _evaluate_together(response.organization_id, [response.pk])
        assert queues[ordinary].count == 5 and queues[urgent].count == 1
        names = rq_queue_names()
        assert names[0] == urgent  # ahead of the queue configured first
        worker_queues = [queues[name] for name in names if name in queues]
        SimpleWorker(worker_queues, connection=queues[urgent].connection, job_class=Job).work(
            burst=True
        )
    finally:
        task_started.disconnect(dispatch_uid="test.rq.order")
        for queue in queues.values():
            queue.delete(delete_jobs=True)
    assert ran == ["evaluate_responses"] + ["ordinary_job"] * 5
    assert Case.objects.filter(response=response).count() == 1
