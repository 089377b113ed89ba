"""A worker killed after claiming invitations (decision 0008): once the claim's lease has
expired, the recovery sweep puts what was never handed to the server back in the queue, and
it is sent exactly once, through a real SMTP server; what was being handed over is failed,
never sent twice."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import default_task_backend

from tests.contacts.helpers import add_contact
from voxloop.distribution import services
from voxloop.distribution.delivery import batches
from voxloop.distribution.models import Invitation, InvitationStatus
from voxloop.schedule.registry import registered


def _campaign_started(acme, survey, queue, capture):
    for n in range(3):
        add_contact(acme, "c1r1s1", f"EXTRA{n}")
    campaign = services.create_campaign(
        actor=acme.scope("admin"),
        unit=acme.units["c1r1s1"],
        survey=survey,
        segment=None,
        name="Pulse",
        channel="email",
    )
    with capture(execute=True):
        services.launch(actor=acme.scope("admin"), campaign=campaign)
    queue.run_due(timezone.now())  # the start task: invitations and one send batch
    ids = list(Invitation.objects.filter(campaign=campaign).values_list("pk", flat=True))
    return campaign, ids


def test_a_worker_killed_after_claiming_is_recovered_and_each_mail_sent_once(
    outreach, smtp_settings, queue, django_capture_on_commit_callbacks
):
    acme, survey, _people = outreach
    campaign, ids = _campaign_started(acme, survey, queue, django_capture_on_commit_callbacks)
    claimed_at = timezone.now()
    _token, claimed = batches.claim(ids, claimed_at)  # the worker claims the batch, then dies
    assert len(claimed) == len(ids) == 5
    queue.run()  # the batch's task (run again by the queue) finds nothing queued to send
    assert smtp_settings.messages == []
    assert services.recover_claims(now=claimed_at + timedelta(minutes=5)) == {
        "requeued": 0,
        "failed": 0,
    }  # still within the lease: the worker may be alive

    outcome = services.recover_claims(now=claimed_at + batches.lease() + timedelta(seconds=1))
    assert outcome == {"requeued": 5, "failed": 0}
    assert [n.rsplit(".", 1)[-1] for n in queue.names()] == ["send_invitations"]
    assert queue.run() == 1
    assert len(smtp_settings.wait_for(5)) == 5

    # Sweeping and running again sends nothing more.
    later = timezone.now() + batches.lease() * 3
    assert services.recover_claims(now=later) == {"requeued": 0, "failed": 0}
    queue.run()
    recipients = [m.recipients[0] for m in smtp_settings.messages]
    assert len(recipients) == len(set(recipients)) == 5
    rows = Invitation.objects.filter(campaign=campaign)
    assert set(rows.values_list("status", flat=True)) == {InvitationStatus.SENT}
    assert set(rows.values_list("claim", flat=True)) == {""}


def test_a_worker_killed_while_handing_over_never_sends_those_again(
    outreach, smtp_settings, queue, django_capture_on_commit_callbacks
):
    acme, survey, _people = outreach
    _campaign, ids = _campaign_started(acme, survey, queue, django_capture_on_commit_callbacks)
    token, claimed = batches.claim(ids, timezone.now())
    queue.run()  # the batch's own task finds nothing queued
    # It marked the first two as being handed to the server (one by one), then died: the
    # server may have them already, so they must not go out again.
    handed = claimed[:2]
    assert all(batches._hand_over(token, invitation) for invitation in handed)
    assert not batches._hand_over("another-batch", claimed[2])  # only the claim's holder
    later = timezone.now() + batches.lease() + timedelta(seconds=1)
    assert services.recover_claims(now=later) == {"requeued": 3, "failed": 2}
    queue.run()
    assert len(smtp_settings.wait_for(3)) == 3
    for invitation in handed:
        invitation.refresh_from_db()
        assert invitation.status == InvitationStatus.FAILED
        assert "not sent again" in invitation.error
        assert smtp_settings.to(invitation.contact.email) == []
    assert len(smtp_settings.messages) == 3


def test_a_slow_worker_that_lost_its_lease_sends_nothing(
    outreach, smtp_settings, queue, django_capture_on_commit_callbacks
):
    acme, survey, _people = outreach
    _campaign, ids = _campaign_started(acme, survey, queue, django_capture_on_commit_callbacks)
    slow_token, slow_claimed = batches.claim(ids, timezone.now() - batches.lease() * 2)
    queue.run()
    assert smtp_settings.messages == []
    services.recover_claims()  # its lease has run out: the rows go back, a new batch sends them
    queue.run()
    assert len(smtp_settings.wait_for(5)) == 5
    # The slow worker wakes up: its compare-and-set hand-over finds none of them its own.
    assert not any(batches._hand_over(slow_token, i) for i in slow_claimed)
    assert len(smtp_settings.messages) == 5


def test_the_sweep_runs_on_the_worker_clock():
    assert "distribution.recover_claims" in {p.name for p in registered()}


def test_a_queued_invitation_whose_delayed_task_was_lost_is_sent_once(
    outreach, smtp_settings, queue, django_capture_on_commit_callbacks
):
    """A Redis restart can take RQ's scheduler (and its delayed jobs) with it: the sweep sends
    what has been due for longer than a lease, once."""
    acme, survey, _people = outreach
    campaign, ids = _campaign_started(acme, survey, queue, django_capture_on_commit_callbacks)
    now = timezone.now()
    default_task_backend.clear()  # the batch's task is lost
    Invitation.objects.filter(pk__in=ids).update(send_after=now - timedelta(minutes=1))
    assert services.recover_claims(now=now) == {"requeued": 0, "failed": 0}  # not yet overdue
    later = now + batches.lease()
    assert services.recover_claims(now=later) == {"requeued": 0, "failed": 0, "overdue": 5}
    assert services.recover_claims(now=later) == {"requeued": 0, "failed": 0}  # marked due now
    queue.run()
    assert len(smtp_settings.wait_for(5)) == 5
    rows = Invitation.objects.filter(campaign=campaign)
    assert set(rows.values_list("status", flat=True)) == {InvitationStatus.SENT}


def test_a_queued_invitation_whose_first_batch_failed_is_sent_once(
    outreach, smtp_settings, queue, django_capture_on_commit_callbacks
):
    """A batch job that failed outright (the database cut mid-job) leaves its invitations
    queued with no send_after: the sweep counts their lease from when they were queued."""
    acme, survey, _people = outreach
    _campaign, ids = _campaign_started(acme, survey, queue, django_capture_on_commit_callbacks)
    now = timezone.now()
    default_task_backend.clear()  # the batch's task failed and is gone
    assert not Invitation.objects.filter(pk__in=ids, send_after__isnull=False).exists()
    assert services.recover_claims(now=now) == {"requeued": 0, "failed": 0}  # not yet overdue
    later = now + batches.lease() + timedelta(seconds=1)
    assert services.recover_claims(now=later) == {"requeued": 0, "failed": 0, "overdue": 5}
    assert services.recover_claims(now=later) == {"requeued": 0, "failed": 0}  # marked due now
    queue.run()
    assert len(smtp_settings.wait_for(5)) == 5
