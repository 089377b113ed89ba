"""Which RQ queues `voxloop worker` listens to, in which order (decision 0054), and its urgent
lane (decision 0057)."""

import uuid

import pytest
from django_tasks import task

from voxloop.cli.running import rq_queue_names


def test_the_urgent_queue_comes_first_whatever_the_configured_order(settings):
    settings.URGENT_QUEUE = "urgent"
    settings.RQ_QUEUES = {"default": {}, "exports": {}, "urgent": {}}
    assert rq_queue_names() == ["urgent", "default", "exports"]


def test_queues_named_on_the_command_line_are_all_it_takes_urgent_still_first(settings):
    settings.URGENT_QUEUE = "urgent"
    settings.RQ_QUEUES = {"urgent": {}, "default": {}}
    assert rq_queue_names(("default",)) == ["default"]
    assert rq_queue_names(("default", "urgent")) == ["urgent", "default"]


# --- the urgent lane (decision 0057) -------------------------------------------------------

ran: list[str] = []


@task()
def slow_work(n: int) -> int:
    """Stands for a send batch or a comment embedding."""
    ran.append(f"slow {n}")
    return n


@task()
def alert_work(n: int) -> int:
    ran.append(f"alert {n}")
    return n


def test_a_worker_runs_an_urgent_lane_only_when_it_takes_other_work_too(settings):
    from voxloop.cli.running import _wants_lane

    settings.URGENT_QUEUE = "urgent"
    assert _wants_lane(["urgent", "default"])
    assert not _wants_lane(["urgent"])  # already all it does
    assert not _wants_lane(["default"])


@pytest.mark.redis
def test_on_rq_the_lane_runs_in_a_thread_of_its_own_and_takes_urgent_work_only(settings):
    """RQ's worker expects the main thread (signals, SIGALRM timeouts); the lane runs beside
    the worker's own loop in another thread all the same."""
    import threading

    import django_rq
    from django_tasks_rq.backend import Job

    from tests.tasks.test_rq_delivery import REDIS_URL
    from voxloop.cli.running import _rq_lane
    from voxloop.closedloop.tasks import urgent

    suffix = uuid.uuid4().hex[:12]
    lane, ordinary = f"vx-test-urgent-{suffix}", f"vx-test-{suffix}"
    settings.RQ_QUEUES = {
        name: {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 60} for name in (ordinary, lane, "default")
    }
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": [ordinary, lane]}
    }
    settings.URGENT_QUEUE = lane
    queues = {name: django_rq.get_queue(name, job_class=Job) for name in (ordinary, lane)}
    ran.clear()
    failed: list[BaseException] = []

    def run() -> None:
        try:
            _rq_lane(burst=True)
        except BaseException as error:  # reported below, in the test's thread
            failed.append(error)

    try:
        for n in range(3):
            slow_work.using(queue_name=ordinary).enqueue(n)
        urgent(alert_work).enqueue(1)
        thread = threading.Thread(target=run)
        thread.start()
        thread.join(30)
        assert not failed and not thread.is_alive()
        assert ran == ["alert 1"]
        assert queues[ordinary].count == 3 and queues[lane].count == 0
    finally:
        for queue in queues.values():
            queue.delete(delete_jobs=True)
