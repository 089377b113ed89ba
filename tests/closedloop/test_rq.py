"""The closed loop's tasks are backend-neutral: the alert goes out through an RQ worker."""

import pytest
from django_tasks_rq.backend import Job
from rq import SimpleWorker

from tests.closedloop.support import submit
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
