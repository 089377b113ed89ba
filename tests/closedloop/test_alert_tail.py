"""The tail of alert latency under faults (decision 0057): a killed worker's alerts, an SMTP
server away, and the sweeps that catch what the usual path lost, none of it waiting minutes
or behind a campaign's batches, and nothing sent twice."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.closedloop.support import submit
from tests.closedloop.test_batch_evaluation import DETRACTOR, mixed  # noqa: F401 (fixture)
from voxloop.closedloop import evaluation, notifications
from voxloop.closedloop.models import Evaluated, Notification
from voxloop.schedule import services as schedule
from voxloop.schedule.registry import registered

URGENT_PRIORITY = 100


@pytest.fixture(autouse=True)
def _unreachable_forgotten():
    """What this process saw of the SMTP server stays with the test that saw it."""
    yield
    notifications._unreachable_seen.clear()


def test_a_killed_workers_alerts_go_out_seconds_after_not_minutes(
    world,
    mixed,  # noqa: F811
    mailoutbox,
    monkeypatch,
):
    """Killed while sending the third alert of its batch: the rest were claimed with a short
    lease (30 s, not 5 min), so the sweep sends them half a minute later, each once."""
    org = world.acme.root.organization_id
    send, calls = notifications.send, []

    def dies_on_the_third(row, mailer=None):
        calls.append(row.pk)
        if len(calls) == 3:
            raise SystemExit("killed")
        return send(row, mailer)

    monkeypatch.setattr(notifications, "send", dies_on_the_third)
    with pytest.raises(SystemExit):
        evaluation.evaluate_responses(organization_id=org, response_ids=mixed)
    monkeypatch.setattr(notifications, "send", send)
    killed = timezone.now()
    assert len(mailoutbox) == 2
    assert notifications.sweep(killed + timedelta(seconds=20)) == 0  # the claim still holds
    assert notifications.sweep(killed + timedelta(seconds=31)) == 5
    assert notifications.sweep(killed + timedelta(minutes=10)) == 0
    assert len(mailoutbox) == 7 == len({(m.to[0], m.subject) for m in mailoutbox})


def test_no_send_starts_after_the_window_while_the_claim_still_holds(
    world,
    mixed,  # noqa: F811
    mailoutbox,
    monkeypatch,
):
    """A slow SMTP server: the job starts no send past its window (10 s of the 30 s lease)
    and leaves the rest, still claimed, to the sweep once the lease has run out."""
    org = world.acme.root.organization_id
    clock = [1000.0]
    monkeypatch.setattr(evaluation.time, "monotonic", lambda: clock[0])
    send = notifications.send

    def slow(row, mailer=None):
        clock[0] += 6  # each alert takes 6 s: the third would start 12 s after the claim
        return send(row, mailer)

    monkeypatch.setattr(notifications, "send", slow)
    evaluation.evaluate_responses(organization_id=org, response_ids=mixed)
    assert len(mailoutbox) == 2
    assert notifications.sweep(timezone.now() + timedelta(seconds=31)) == 5
    assert len(mailoutbox) == 7


def test_an_alert_the_smtp_server_refused_is_retried_within_seconds_and_urgently(
    world, survey, detractor_rule, monkeypatch
):
    """The SMTP server away: the retry comes 5 s later (30 s before), urgent (here the
    highest priority; on RQ the urgent queue), not behind the campaign's batches."""
    response = submit(survey, DETRACTOR, unit=world.acme.units["c1r1s1"])

    def refused(row, mailer=None):
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(notifications, "send", refused)
    before = timezone.now()
    evaluation.evaluate_responses(
        organization_id=response.organization_id, response_ids=[response.pk]
    )
    row = Notification.objects.get(case__response=response)
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.run_after - before <= timedelta(seconds=6)
    [retry] = DBTaskResult.objects.filter(task_path__endswith="deliver_notification")
    assert retry.priority == URGENT_PRIORITY
    assert retry.args_kwargs["args"] == [row.pk]


def test_the_safety_nets_of_alerts_run_often_and_urgently(db):
    """Both sweeps often (missed evaluations every 5 s, notifications every 10 s) and, like
    the alerts they catch, on the urgent queue: behind a campaign they made alerts 40-80 s late."""
    nets = {
        p.name: p
        for p in registered()
        if p.name in ("closedloop.deliver_due", "closedloop.evaluate_missed")
    }
    assert nets["closedloop.deliver_due"].interval <= timedelta(seconds=10)
    assert nets["closedloop.evaluate_missed"].interval <= timedelta(seconds=5)
    assert sorted(schedule.enqueue_due(periodics=list(nets.values()))) == sorted(nets)
    for name in ("deliver_due", "evaluate_missed"):
        [job] = DBTaskResult.objects.filter(task_path__endswith=f"tasks.{name}")
        assert job.priority == URGENT_PRIORITY


def test_a_missed_evaluation_is_enqueued_urgently(world, survey, detractor_rule):
    response = submit(survey, DETRACTOR, unit=world.acme.units["c1r1s1"])
    DBTaskResult.objects.all().delete()  # the hand-over's own job: lost
    Evaluated.objects.filter(pk=response.pk).delete()
    now = timezone.now()
    found = evaluation.evaluate_missed(
        since=now - timedelta(minutes=15), until=now + timedelta(seconds=1)
    )
    assert found == [response.pk]
    [job] = DBTaskResult.objects.filter(task_path__endswith="evaluate_responses")
    assert job.priority == URGENT_PRIORITY


def test_once_a_retry_goes_through_the_other_alerts_the_server_turned_away_go_too(
    world, survey, detractor_rule, monkeypatch, mailoutbox
):
    """Three alerts refused while the SMTP server was away. When the first one's retry goes
    through, the second goes with it rather than at its own retry time; the third, under
    another worker's claim, is left to that worker: each is sent once."""
    units = world.acme.units
    responses = [submit(survey, DETRACTOR, unit=units[u]) for u in ("c1r1s1", "c1r1s2", "c1r1s1")]
    send = notifications.send

    def refused(row, mailer=None):
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(notifications, "send", refused)
    for response in responses:
        evaluation.evaluate_responses(
            organization_id=response.organization_id, response_ids=[response.pk]
        )
    first, second, third = (Notification.objects.get(case__response=r) for r in responses)
    assert [n.last_error.split(":")[0] for n in (first, second)] == ["ConnectionRefusedError"] * 2
    now = timezone.now()
    Notification.objects.filter(pk=second.pk).update(run_after=now + timedelta(seconds=20))
    [held] = notifications.claim_many([third.pk], now + timedelta(seconds=10))  # another worker
    monkeypatch.setattr(notifications, "send", send)
    assert notifications.deliver(first.pk, now=now + timedelta(seconds=10)) == "sent"
    statuses = dict(Notification.objects.values_list("pk", "status"))
    assert (statuses[first.pk], statuses[second.pk], statuses[third.pk]) == (
        "sent",
        "sent",
        "pending",
    )
    assert len(mailoutbox) == 2
    assert notifications.deliver(second.pk, now=now + timedelta(seconds=20)) == "skipped"
    assert notifications.deliver_claimed(held, now) == "sent"  # the other worker's send
    assert len(mailoutbox) == 3 == len({(m.to[0], m.subject) for m in mailoutbox})


def test_the_first_fresh_alert_through_after_an_outage_takes_the_waiting_ones_along(
    world, survey, detractor_rule, monkeypatch, mailoutbox
):
    """A fresh alert usually reaches the server before any retry does: once it went through,
    the one the server turned away goes too, not at its retry time."""
    units = world.acme.units
    early, late = (submit(survey, DETRACTOR, unit=units[u]) for u in ("c1r1s1", "c1r1s2"))
    send = notifications.send

    def refused(row, mailer=None):
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(notifications, "send", refused)
    evaluation.evaluate_responses(organization_id=early.organization_id, response_ids=[early.pk])
    waiting = Notification.objects.get(case__response=early)
    assert waiting.status == "pending" and waiting.run_after > timezone.now()
    monkeypatch.setattr(notifications, "send", send)
    evaluation.evaluate_responses(organization_id=late.organization_id, response_ids=[late.pk])
    assert sorted(Notification.objects.values_list("status", flat=True)) == ["sent", "sent"]
    assert len(mailoutbox) == 2
    # Its own retry, when it comes, finds it sent.
    assert notifications.deliver(waiting.pk, now=waiting.run_after) == "skipped"
    assert len(mailoutbox) == 2


def test_while_the_queue_is_away_the_web_process_evaluates_the_alert_itself(
    world, survey, detractor_rule, monkeypatch, mailoutbox, django_capture_on_commit_callbacks
):
    """Redis restarting: the hand-over cannot enqueue, so the process that took the response
    evaluates it and the manager hears at once; a sweep afterwards sends nothing twice."""
    from voxloop.closedloop import tasks
    from voxloop.closedloop.models import Case

    class Away:
        def enqueue(self, *args, **kwargs):
            raise ConnectionError("Error 111 connecting to redis. Connection refused.")

    real = tasks.urgent
    monkeypatch.setattr(tasks, "urgent", lambda work: Away())
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(survey, DETRACTOR, unit=world.acme.units["c1r1s1"])
    assert Case.objects.filter(response=response).count() == 1
    assert len(mailoutbox) == 1
    monkeypatch.setattr(tasks, "urgent", real)
    now = timezone.now()
    evaluation.evaluate_missed(since=now - timedelta(minutes=15), until=now + timedelta(seconds=1))
    evaluation.evaluate_responses(
        organization_id=response.organization_id, response_ids=[response.pk]
    )
    notifications.sweep()
    assert Case.objects.filter(response=response).count() == 1
    assert len(mailoutbox) == 1


def test_an_evaluation_job_the_database_cut_short_is_made_again_at_once(
    world, survey, detractor_rule, monkeypatch, mailoutbox
):
    """PostgreSQL cut as the job began: the job waits the outage out (decision 0065) instead
    of leaving the alert to `evaluate_missed`, 10-25 s later."""
    from django.db import OperationalError

    from voxloop import outages
    from voxloop.closedloop import tasks
    from voxloop.closedloop.models import Case

    response = submit(survey, DETRACTOR, unit=world.acme.units["c1r1s1"])
    Evaluated.objects.filter(pk=response.pk).delete()
    Case.objects.filter(response=response).delete()
    mailoutbox.clear()
    real, cuts = evaluation.evaluate_responses, [2]

    def cut_twice(**kwargs):
        if cuts[0]:
            cuts[0] -= 1
            raise OperationalError("server closed the connection unexpectedly")
        return real(**kwargs)

    monkeypatch.setattr(evaluation, "evaluate_responses", cut_twice)
    monkeypatch.setattr(outages, "PAUSE", 0.0)
    opened = tasks.evaluate_responses.call(response.organization_id, [response.pk])
    assert (opened, cuts[0]) == (1, 0)
    assert Case.objects.filter(response=response).count() == 1
    assert len(mailoutbox) == 1
