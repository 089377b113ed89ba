"""Periodic tasks start once per interval, however many workers' clocks look."""

import threading
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks import task

from voxloop.schedule import services
from voxloop.schedule.models import PeriodicJob
from voxloop.schedule.registry import Periodic, every, registered

runs: list[int] = []


@task()
def tick() -> int:
    runs.append(1)
    return len(runs)


@pytest.fixture
def periodic(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    return Periodic("test.tick", timedelta(minutes=5), tick)


def test_due_on_first_look_then_not_until_the_interval_passes(db, periodic):
    now = timezone.now()
    assert services.enqueue_due(now=now, periodics=[periodic]) == ["test.tick"]
    assert services.enqueue_due(now=now + timedelta(minutes=4), periodics=[periodic]) == []
    assert services.enqueue_due(now=now + timedelta(minutes=5), periodics=[periodic]) == [
        "test.tick"
    ]
    job = PeriodicJob.objects.get(name="test.tick")
    assert job.next_run_at == now + timedelta(minutes=10)


def test_two_clocks_that_read_the_same_row_enqueue_once(db, periodic):
    now = timezone.now()
    services.enqueue_due(now=now, periodics=[periodic])
    later = now + timedelta(minutes=6)
    stale = PeriodicJob.objects.get(name="test.tick")
    # The second clock read the row before the first one moved it.
    assert services._claim(periodic, later) is True
    moved = PeriodicJob.objects.filter(name=stale.name, next_run_at=stale.next_run_at).update(
        next_run_at=later
    )
    assert moved == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_clocks_claim_a_due_run_once(periodic):
    now = timezone.now()
    PeriodicJob.objects.create(name="test.tick", next_run_at=now - timedelta(seconds=1))
    claimed: list[bool] = []
    barrier = threading.Barrier(4)

    def clock() -> None:
        from django.db import connection

        barrier.wait()
        try:
            claimed.append(services._claim(periodic, now))
        finally:
            connection.close()

    threads = [threading.Thread(target=clock) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert claimed.count(True) == 1


def test_every_refuses_a_non_positive_interval():
    with pytest.raises(ValueError, match="positive interval"):
        every(timedelta(0))


def test_every_registers_under_the_given_name():
    from voxloop.schedule import registry

    every(timedelta(hours=1), name="test.registered")(tick)
    try:
        assert "test.registered" in [p.name for p in registered()]
    finally:
        registry._registered.pop("test.registered")
