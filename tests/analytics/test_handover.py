"""Submitted responses reach the rollups through one task per hand-over, and none is lost
when a process stops before handing them over."""

import threading
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.analytics.support import cx_survey, respond
from voxloop.analytics import receivers, services
from voxloop.analytics.models import Counted
from voxloop.responses.models import Response


class Recorder:
    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.handed = threading.Event()

    def enqueue(self, ids: list[int]) -> None:
        self.batches.append(list(ids))
        self.handed.set()


def test_responses_submitted_together_are_counted_in_one_task(settings, monkeypatch):
    settings.ANALYTICS_COUNT_DELAY_SECONDS = 0.05
    recorder = Recorder()
    monkeypatch.setattr(receivers.tasks, "reconcile_responses", recorder)
    for response_id in (11, 12, 13):
        receivers.count_submitted(None, response_id=response_id)
    assert recorder.batches == []  # held, not one task each
    assert recorder.handed.wait(5)
    assert recorder.batches == [[11, 12, 13]]
    receivers.count_submitted(None, response_id=14)  # the next hand-over starts afresh
    recorder.handed.clear()
    assert recorder.handed.wait(5)
    assert recorder.batches == [[11, 12, 13], [14]]


def test_the_sweep_counts_responses_whose_hand_over_was_lost(
    world, immediate_tasks, django_capture_on_commit_callbacks
):
    survey = cx_survey(world.acme)
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        counted = respond(survey, world.acme.units["c1r1s1"], nps=9, at=now)
        lost = respond(survey, world.acme.units["c1r1s2"], nps=2, at=now)
        old = respond(survey, world.acme.units["c1r1s2"], nps=5, at=now - timedelta(hours=2))
    assert Counted.objects.filter(pk=counted.pk).exists()
    Counted.objects.filter(pk__in=[lost.pk, old.pk]).delete()  # as if never handed over
    assert services.count_missed(since=now - timedelta(minutes=15)) == 1
    held = set(Counted.objects.values_list("pk", flat=True))
    assert {counted.pk, lost.pk} <= held
    assert old.pk not in held  # outside the window: the sweep reads recent responses only
    assert services.count_missed(since=now - timedelta(minutes=15)) == 0


def test_the_sweep_finds_only_what_the_ledger_lacks_in_one_anti_join(
    world, immediate_tasks, django_capture_on_commit_callbacks
):
    # Decision 0062: the same responses as reading the window's ids and subtracting the
    # ledger in Python, but only the missing rows leave the database.
    survey = cx_survey(world.acme)
    now, store = timezone.now(), world.acme.units["c1r1s1"]
    with django_capture_on_commit_callbacks(execute=True):
        held = [respond(survey, store, nps=9, at=now) for _ in range(3)]
        lost = [respond(survey, store, nps=2, at=now - timedelta(minutes=5)) for _ in range(2)]
        old = respond(survey, store, nps=5, at=now - timedelta(hours=2))
        started = respond(survey, store, nps=7, at=now)
    Counted.objects.filter(pk__in=[r.pk for r in (*lost, old, started)]).delete()
    Response.objects.filter(pk=started.pk).update(is_complete=False)
    since = now - timedelta(minutes=15)
    recent = Response.objects.filter(is_complete=True, submitted_at__gte=since)
    old_way = set(recent.values_list("pk", flat=True)) - set(
        Counted.objects.values_list("pk", flat=True)
    )
    assert old_way == {r.pk for r in lost}
    with CaptureQueriesContext(connection) as queries:
        assert services.count_missed(since=since) == len(lost)
    sweep = queries.captured_queries[0]["sql"]
    assert "NOT EXISTS" in sweep and "analytics_counted" in sweep
    assert {r.pk for r in (*held, *lost)} <= set(Counted.objects.values_list("pk", flat=True))
    assert not Counted.objects.filter(pk__in=[old.pk, started.pk]).exists()
    with CaptureQueriesContext(connection) as queries:
        assert services.count_missed(since=since) == 0
    assert len(queries.captured_queries) == 1  # nothing missing: one query, no ids read
