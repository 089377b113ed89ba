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


def _runs(outcomes: list):
    """A stand-in for `rqworker`: each call ends as the next outcome says."""
    calls = []

    def run() -> None:
        calls.append(1)
        outcome = outcomes[len(calls) - 1]
        if outcome is not None:
            raise outcome

    return run, calls


def test_a_worker_waits_for_redis_and_runs_again_in_the_same_process(monkeypatch):
    import signal

    from redis.exceptions import TimeoutError

    from voxloop.cli import running

    waited = []
    monkeypatch.setattr(running, "_wait_for_redis", lambda: waited.append(1))
    before = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    try:
        # Redis away (rqworker exits 1), a timeout, then an orderly stop: three runs, one process.
        run, calls = _runs([SystemExit(1), TimeoutError("slow"), None])
        running._rq_until_stopped(run, burst=False)
        assert len(calls) == 3 and len(waited) == 2
        assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
    finally:
        signal.signal(signal.SIGTERM, before[0])
        signal.signal(signal.SIGINT, before[1])


@pytest.mark.parametrize(
    ("outcome", "burst"),
    [
        (SystemExit(0), False),
        (SystemExit(2), False),
        (RuntimeError("bug"), False),
        (SystemExit(1), True),  # a burst run ends when Redis does
    ],
)
def test_any_other_end_ends_the_worker(monkeypatch, outcome, burst):
    from voxloop.cli import running

    monkeypatch.setattr(running, "_wait_for_redis", lambda: pytest.fail("must not wait"))
    run, calls = _runs([outcome, None])
    with pytest.raises(type(outcome)):
        running._rq_until_stopped(run, burst=burst)
    assert len(calls) == 1


def test_waiting_for_redis_ends_when_it_answers(monkeypatch):
    import django_rq

    from voxloop.cli import running

    pings = []

    class Flaky:
        def ping(self) -> bool:
            pings.append(1)
            if len(pings) < 3:
                raise ConnectionError("loading")
            return True

    monkeypatch.setattr(django_rq, "get_connection", lambda *a, **k: Flaky())
    running._wait_for_redis(pause=0)
    assert len(pings) == 3
