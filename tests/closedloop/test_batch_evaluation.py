"""Alert evaluation in one job per organisation and hand-over (decision 0049): the same cases
and alerts as one job per response, and each exactly once however often it runs."""

import re
import threading

import pytest
from django.db import transaction
from django.utils import timezone

from tests.closedloop.support import submit
from tests.factories import make_member
from voxloop.closedloop import evaluation, notifications, receivers
from voxloop.closedloop.models import Case, Evaluated, Notification

DETRACTOR = {"nps": 2, "improve": ["staff"], "comment": "Nobody helped me"}
PROMOTER = {"nps": 10, "comment": "Lovely"}


class Rollback(Exception):
    pass


@pytest.fixture
def mixed(world, survey, detractor_rule):
    """Detractors and promoters across stores, one with two managers taking turns."""
    acme = world.acme
    make_member(acme.system, "second-manager", acme.units["c1r1s1"], "manager")
    plan = [
        ("c1r1s1", DETRACTOR),
        ("c1r1s2", DETRACTOR),
        ("c1r1s1", PROMOTER),
        ("c1r1s1", DETRACTOR),
        ("c2r1s1", DETRACTOR),  # no manager up the tree in c2: a case without an assignee
        ("c1r1s1", DETRACTOR),
    ]
    return [submit(survey, answers, unit=acme.units[unit]).pk for unit, answers in plan]


def outcome(mailoutbox) -> tuple[list, list, list]:
    """Cases, notifications and emails, a case named by its response (a rolled-back case's
    number is not given again on PostgreSQL)."""
    named = dict(Case.objects.values_list("pk", "response_id"))

    def plain(text: str) -> str:
        return re.sub(r"(#|/cases/|case:)(\d+)", lambda m: f"{m[1]}r{named[int(m[2])]}", text)

    cases = sorted(
        (c.response_id, c.rule_id, c.assignee_id, c.title, c.priority) for c in Case.objects.all()
    )
    rows = sorted(
        (plain(n.about), n.key, n.channel, n.recipient, plain(n.subject), plain(n.body), n.status)
        for n in Notification.objects.all()
    )
    mails = sorted((m.to[0], plain(m.subject), plain(m.body)) for m in mailoutbox)
    return cases, rows, mails


def test_a_batch_equals_one_evaluation_per_response(world, mixed, mailoutbox):
    org = world.acme.root.organization_id
    with pytest.raises(Rollback), transaction.atomic():
        for pk in mixed:
            evaluation.evaluate_response(response_id=pk)
        one_by_one = outcome(mailoutbox)
        raise Rollback
    mailoutbox.clear()
    opened = evaluation.evaluate_responses(organization_id=org, response_ids=mixed)
    together = outcome(mailoutbox)
    assert together == one_by_one
    # Two managers at c1r1s1, one at c1r1s2, nobody up c2's tree (a case, no alert).
    assert len(opened) == 5 and len(together[2]) == 2 + 1 + 2 + 2
    # The two managers of c1r1s1 took turns within the batch too.
    turns = [c.assignee.username for c in opened if c.unit.code == "AC1R1S1"]
    assert turns == ["a-store", "second-manager", "a-store"]


def test_running_a_batch_again_alerts_nobody_twice(world, mixed, mailoutbox):
    org = world.acme.root.organization_id
    evaluation.evaluate_responses(organization_id=org, response_ids=mixed)
    first = outcome(mailoutbox)
    assert Evaluated.objects.filter(pk__in=mixed).count() == len(mixed)
    # A retry of the job, the sweep's batch and a per-response job of an older release.
    assert evaluation.evaluate_responses(organization_id=org, response_ids=mixed) == []
    Evaluated.objects.all().delete()  # even without the ledger, nothing is opened or sent again
    assert evaluation.evaluate_responses(organization_id=org, response_ids=mixed[::-1]) == []
    assert evaluation.evaluate_response(response_id=mixed[0]) == []
    assert outcome(mailoutbox) == first


def test_a_worker_dying_mid_batch_loses_and_repeats_nothing(world, mixed, mailoutbox, monkeypatch):
    """Killed while sending the third alert (after the batch's cases, notifications and
    ledger rows were committed together, decision 0054): the re-run opens nothing and the
    notification sweep delivers the rest, each alert exactly once."""
    org = world.acme.root.organization_id
    send, calls = notifications.send, []

    def dies_on_the_third(row, mailer=None):
        calls.append(row.pk)
        if len(calls) == 3:
            raise SystemExit("killed")  # not an Exception: nothing in the job catches it
        return send(row, mailer)

    monkeypatch.setattr(notifications, "send", dies_on_the_third)
    with pytest.raises(SystemExit):
        evaluation.evaluate_responses(organization_id=org, response_ids=mixed)
    monkeypatch.setattr(notifications, "send", send)
    assert len(mailoutbox) == 2 and Case.objects.count() == 5
    assert Evaluated.objects.count() == len(mixed)  # committed with the cases
    assert evaluation.evaluate_responses(organization_id=org, response_ids=mixed) == []
    # The rest were claimed with the batch: nobody sends them while the lease holds...
    assert notifications.sweep() == 0 and len(mailoutbox) == 2
    # ...and the sweep sends them, once, when it has run out.
    assert notifications.sweep(timezone.now() + notifications.LEASE) == 5
    assert Case.objects.count() == 5
    assert len(mailoutbox) == 7 == len({(m.to[0], m.subject) for m in mailoutbox})
    assert Notification.objects.filter(status="sent").count() == 7


def test_a_worker_dying_before_the_batch_commits_leaves_it_all_to_the_rerun(
    world, mixed, mailoutbox, monkeypatch
):
    """Killed while writing the fourth response's case: nothing of the batch was committed,
    nothing sent; the re-run (a retry or `evaluate_missed`) opens and sends it all once."""
    org = world.acme.root.organization_id
    original, seen = evaluation.open_case_for, []

    def dies_on_the_fourth(**kwargs):
        seen.append(kwargs["response"].pk)
        if len(seen) == 4:
            raise SystemExit("killed")
        return original(**kwargs)

    monkeypatch.setattr(evaluation, "open_case_for", dies_on_the_fourth)
    with pytest.raises(SystemExit):
        evaluation.evaluate_responses(organization_id=org, response_ids=mixed)
    monkeypatch.setattr(evaluation, "open_case_for", original)
    assert not Case.objects.exists() and not Notification.objects.exists()
    assert not Evaluated.objects.exists() and mailoutbox == []
    assert len(evaluation.evaluate_responses(organization_id=org, response_ids=mixed)) == 5
    assert len(mailoutbox) == 7 == len({(m.to[0], m.subject) for m in mailoutbox})


def test_one_failing_response_does_not_hold_back_the_others(world, mixed, monkeypatch):
    org = world.acme.root.organization_id
    original = evaluation._evaluate

    def fails_for_the_first(response, *args):
        if response.pk == mixed[0]:
            raise RuntimeError("a rule that cannot be read")
        return original(response, *args)

    monkeypatch.setattr(evaluation, "_evaluate", fails_for_the_first)
    assert len(evaluation.evaluate_responses(organization_id=org, response_ids=mixed)) == 4
    # Not in the ledger: the missed-evaluation sweep tries it again.
    assert set(Evaluated.objects.values_list("pk", flat=True)) == set(mixed[1:])


def test_submissions_are_handed_over_in_one_job_per_organisation(settings, monkeypatch):
    settings.ALERT_EVALUATION_DELAY_SECONDS = 0.05
    handed, done = [], threading.Event()

    class Task:
        @staticmethod
        def enqueue(organization_id, response_ids, **kwargs):
            handed.append((organization_id, response_ids))
            if len(handed) == 2:
                done.set()

    from voxloop.closedloop import tasks

    monkeypatch.setattr(tasks, "evaluate_responses", Task)
    monkeypatch.setattr(tasks, "urgent", lambda work: work)
    for org, pk in ((1, 11), (2, 21), (1, 12), (1, 11), (1, 13)):
        receivers.submitted.add(org, pk)
    assert handed == []  # held, not one job each
    assert done.wait(5)
    assert sorted(handed) == [(1, [11, 12, 13]), (2, [21])]


def test_the_sweep_evaluates_what_was_never_handed_over(world, mixed, immediate_tasks, mailoutbox):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    window = {"since": now - timedelta(minutes=15), "until": now + timedelta(seconds=1)}
    assert evaluation.evaluate_missed(**window) == sorted(mixed)  # one job for the organisation
    assert Case.objects.count() == 5 and len(mailoutbox) == 7
    assert evaluation.evaluate_missed(**window) == []
