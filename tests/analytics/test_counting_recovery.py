"""Counting catches up within seconds of a fault, not after the minute-long sweep (decision
0062): a hand-over that fails while Redis restarts is tried again, a counting job the
database turned away runs again shortly, and the sweep runs every 15 s."""

import threading
from datetime import timedelta
from itertools import pairwise

import pytest
from django.db import OperationalError
from django.utils import timezone

from voxloop import handover
from voxloop.analytics import receivers, tasks
from voxloop.schedule import clock, services
from voxloop.schedule.registry import registered
from voxloop.textanalytics import receivers as text_receivers
from voxloop.textanalytics import tasks as text_tasks

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


class FlakyQueue:
    """A task's stand-in whose first enqueue fails as it does while Redis restarts."""

    def __init__(self) -> None:
        self.tries: list[list[int]] = []
        self.done = threading.Event()

    def enqueue(self, ids: list[int], **kwargs: object) -> None:
        self.tries.append(list(ids))
        if len(self.tries) == 1:
            raise ConnectionError("Redis is loading the dataset in memory")
        self.done.set()


def test_a_counting_hand_over_that_failed_is_tried_again(settings, monkeypatch):
    settings.ANALYTICS_COUNT_DELAY_SECONDS = 0.01
    monkeypatch.setattr(handover, "RETRY", 0.01)
    queue = FlakyQueue()
    monkeypatch.setattr(receivers.tasks, "reconcile_responses", queue)
    receivers.count_submitted(None, response_id=41)
    receivers.count_submitted(None, response_id=42)
    assert queue.done.wait(5), "the failed hand-over was left to the sweep"
    assert queue.tries == [[41, 42], [41, 42]]


def test_a_text_analysis_hand_over_that_failed_is_tried_again(settings, monkeypatch):
    settings.TEXT_ANALYSE_DELAY_SECONDS = 0.01
    monkeypatch.setattr(handover, "RETRY", 0.01)
    queue = FlakyQueue()
    monkeypatch.setattr(text_tasks, "analyse_responses", queue)
    text_receivers.analyse_submitted(None, response_id=43)
    assert queue.done.wait(5), "the failed hand-over was lost"
    assert queue.tries == [[43], [43]]


def test_a_counting_job_the_database_turned_away_waits_it_out(db, settings, monkeypatch):
    """PostgreSQL cut during a counting job: the job tries again on a fresh connection until
    the database answers (decision 0065), so the dashboards do not wait for the sweep."""
    from voxloop import outages

    settings.TASKS = DUMMY
    real, cuts = tasks.services.reconcile, [2]

    def cut_twice(**kwargs):
        if cuts[0]:
            cuts[0] -= 1
            raise OperationalError("server closed the connection unexpectedly")
        return real(**kwargs)

    monkeypatch.setattr(tasks.services, "reconcile", cut_twice)
    monkeypatch.setattr(outages, "PAUSE", 0.0)
    assert tasks.reconcile_responses.call([5, 6]) == 0  # no such responses: nothing changes
    assert cuts == [0]


def _runs(name: str, seconds: int) -> list[float]:
    """When the clock enqueues `name` over `seconds`, ticking as a worker's clock does with
    the default setting (10 s)."""
    periodic = next(p for p in registered() if p.name == name)
    tick, start, runs = clock.tick_for(10.0), timezone.now(), []
    at = 0.0
    while at <= seconds:
        if services.enqueue_due(now=start + timedelta(seconds=at), periodics=[periodic]):
            runs.append(at)
        at += tick
    return runs


@pytest.mark.parametrize(
    ("name", "seconds"), [("analytics.count_missed", 15.0), ("closedloop.evaluate_missed", 5.0)]
)
def test_the_sweeps_run_as_often_as_set_on_the_default_clock(db, settings, name, seconds):
    settings.TASKS = DUMMY
    runs = _runs(name, 60)
    gaps = {b - a for a, b in pairwise(runs)}
    assert gaps == {seconds}, runs
