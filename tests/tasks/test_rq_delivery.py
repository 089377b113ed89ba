"""The same email task, delivered by an RQ worker through Redis instead of the database."""

import os
import uuid

import django_rq
import pytest
from django_tasks import TaskResultStatus, task_backends
from django_tasks_rq.backend import Job
from rq import SimpleWorker

from tests.factories import make_user
from voxloop.accounts.tasks import send_password_email

REDIS_URL = os.environ.get("VOXLOOP_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")

pytestmark = pytest.mark.redis


@pytest.fixture
def rq_queue(settings):
    """A queue of its own on the test Redis database, so parallel runs never share jobs."""
    name = f"vx-test-{uuid.uuid4().hex[:12]}"
    # django_rq reads results through the "default" connection, so it must be configured too.
    settings.RQ_QUEUES = {
        name: {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 60},
        "default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 60},
    }
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": [name]}}
    queue = django_rq.get_queue(name, job_class=Job)
    yield queue
    queue.delete(delete_jobs=True)


def test_password_email_sent_by_a_burst_rq_worker(db, rq_queue, smtp_settings, settings):
    settings.BASE_URL = "https://cx.example.test"
    user = make_user("clerk")
    result = send_password_email.using(queue_name=rq_queue.name).enqueue(user.pk, "reset", "en")
    assert rq_queue.count == 1
    assert smtp_settings.messages == []  # enqueued, not sent

    worker = SimpleWorker([rq_queue], connection=rq_queue.connection, job_class=Job)
    worker.work(burst=True)

    [delivered] = smtp_settings.wait_for(1)
    assert delivered.recipients == ["clerk@example.test"]
    assert "https://cx.example.test/accounts/reset/" in delivered.part("text/plain")
    stored = task_backends["default"].get_result(result.id)
    assert stored.status == TaskResultStatus.SUCCESSFUL
    assert stored.return_value is True
