"""What a batch records is what the server took (decision 0052): each message is recorded sent
in the statement that hands the next one over, so a worker killed at any moment leaves at most
one message of its batch uncertain; a batch that outlives its lease keeps what it is sending,
sends nothing twice and records what the server accepted as sent."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.contacts.helpers import add_contact
from tests.distribution.test_claim_recovery import _campaign_started
from voxloop.distribution import services
from voxloop.distribution.delivery import batches, prepared, steps
from voxloop.distribution.models import Invitation, InvitationStatus


class Killed(BaseException):
    """kill -9 of the worker: nothing after it runs (see `_no_cleanup`)."""


def _uncertain() -> int:
    """Handed over and not recorded: what a kill at this instant would leave unknown."""
    return Invitation.objects.filter(
        status=InvitationStatus.SENDING, handed_at__isnull=False
    ).count()


def _sends(monkeypatch, before=None, after=None) -> None:
    """Run `before(n)` / `after(n)` around the n-th message sent to the server (from 1)."""
    real = prepared.send
    count = [0]

    def send(connection, invitation, reminder=False):
        count[0] += 1
        if before:
            before(count[0])
        message_id = real(connection, invitation, reminder)
        if after:
            after(count[0])
        return message_id

    monkeypatch.setattr(prepared, "send", send)


def _no_cleanup(monkeypatch) -> None:
    # A killed process runs no `finally`: the batch's last record never happens.
    monkeypatch.setattr(steps.Steps, "flush", lambda self: self.recorded)


def _once_each(smtp_settings, ids) -> None:
    recipients = [m.recipients[0] for m in smtp_settings.messages]
    assert len(recipients) == len(set(recipients)) == len(ids)


def test_at_every_instant_at_most_one_message_is_uncertain(
    outreach, smtp_settings, queue, django_capture_on_commit_callbacks, monkeypatch
):
    acme, survey, _people = outreach
    campaign, ids = _campaign_started(acme, survey, queue, django_capture_on_commit_callbacks)
    seen: list[int] = []
    _sends(
        monkeypatch,
        before=lambda n: seen.append(_uncertain()),
        after=lambda n: seen.append(_uncertain()),
    )
    outcome = batches.deliver(ids)
    assert outcome.sent == len(ids) == 5
    # Before a send: the message being handed over; after it: the one accepted, not yet recorded.
    assert seen == [1] * (2 * len(ids))
    assert _uncertain() == 0
    rows = Invitation.objects.filter(campaign=campaign)
    assert set(rows.values_list("status", flat=True)) == {InvitationStatus.SENT}
    assert all(m.startswith("<") for m in rows.values_list("message_id", flat=True))
    _once_each(smtp_settings, ids)


@pytest.mark.parametrize("moment", ["before", "after"])
def test_a_worker_killed_mid_batch_leaves_one_uncertain_and_sends_none_twice(
    outreach, smtp_settings, queue, django_capture_on_commit_callbacks, monkeypatch, moment
):
    acme, survey, _people = outreach
    campaign, ids = _campaign_started(acme, survey, queue, django_capture_on_commit_callbacks)

    def kill(n: int) -> None:
        if n == 3:
            raise Killed

    _sends(monkeypatch, **{moment: kill})
    _no_cleanup(monkeypatch)
    with pytest.raises(Killed):
        batches.deliver(ids)
    # Killed before the third reached the server, or just after it accepted it.
    assert len(smtp_settings.messages) == (2 if moment == "before" else 3)
    assert Invitation.objects.filter(pk__in=ids, status=InvitationStatus.SENT).count() == 2
    assert _uncertain() == 1

    monkeypatch.undo()
    later = timezone.now() + batches.lease() + timedelta(seconds=1)
    assert services.recover_claims(now=later) == {"requeued": 2, "failed": 1}
    queue.run()
    smtp_settings.wait_for(4 if moment == "before" else 5)
    rows = Invitation.objects.filter(campaign=campaign)
    assert sorted(rows.values_list("status", flat=True)) == ["failed"] + ["sent"] * 4
    recipients = [m.recipients[0] for m in smtp_settings.messages]
    assert len(recipients) == len(set(recipients))  # none twice


def test_a_batch_that_outlives_its_lease_keeps_its_messages(
    outreach, smtp_settings, queue, django_capture_on_commit_callbacks, monkeypatch
):
    acme, survey, _people = outreach
    campaign, ids = _campaign_started(acme, survey, queue, django_capture_on_commit_callbacks)
    swept: list[dict] = []
    real_claim = batches.claim

    def claimed_long_ago(invitation_ids, now):
        token, claimed = real_claim(invitation_ids, now)
        long_ago = timezone.now() - batches.lease() * 2
        Invitation.objects.filter(claim=token).update(claimed_at=long_ago)
        return token, claimed

    monkeypatch.setattr(batches, "claim", claimed_long_ago)
    # The sweep runs while the batch sends its third message: the claim is two leases old,
    # but the batch handed a message over just now, so it is alive.
    _sends(monkeypatch, before=lambda n: n == 3 and swept.append(services.recover_claims()))
    assert batches.deliver(ids).sent == 5
    assert swept == [{"requeued": 0, "failed": 0}]
    queue.run()
    rows = Invitation.objects.filter(campaign=campaign)
    assert set(rows.values_list("status", flat=True)) == {InvitationStatus.SENT}
    _once_each(smtp_settings, ids)


def test_a_send_slower_than_the_lease_ends_recorded_sent_and_nothing_twice(
    outreach, smtp_settings, queue, django_capture_on_commit_callbacks, monkeypatch
):
    """The sweep runs as if the second send had hung for longer than a lease: it fails that
    message as uncertain and takes the rest back. The server then accepts it: the batch
    records it sent, skips what it lost, and another batch sends those, once."""
    acme, survey, _people = outreach
    campaign, ids = _campaign_started(acme, survey, queue, django_capture_on_commit_callbacks)
    swept: list[dict] = []
    later = timezone.now() + batches.lease() + timedelta(seconds=5)
    _sends(
        monkeypatch, before=lambda n: n == 2 and swept.append(services.recover_claims(now=later))
    )
    assert batches.deliver(ids).sent == 2
    assert swept == [{"requeued": 3, "failed": 1}]
    queue.run()
    smtp_settings.wait_for(5)
    rows = Invitation.objects.filter(campaign=campaign)
    assert set(rows.values_list("status", flat=True)) == {InvitationStatus.SENT}
    assert set(rows.values_list("error", flat=True)) == {""}
    _once_each(smtp_settings, ids)


@pytest.mark.django_db(transaction=True)
def test_lanes_send_side_by_side_each_with_at_most_one_uncertain(
    outreach, smtp_settings, queue, django_capture_on_commit_callbacks, monkeypatch, settings
):
    """On PostgreSQL a batch goes out in lanes, each a batch of its own claim in its own
    thread; on SQLite (and inside a transaction) in one."""
    from django.db import connection
    from django.db.models import Count

    acme, survey, _people = outreach
    for n in range(7):
        add_contact(acme, "c1r1s1", f"LANE{n}")
    campaign, ids = _campaign_started(acme, survey, queue, django_capture_on_commit_callbacks)
    settings.INVITATION_SEND_LANES = 3
    monkeypatch.setattr(batches, "MIN_PER_LANE", 2)
    threads: set[str] = set()
    most: list[int] = []

    def look(n: int) -> None:
        threads.add(threading.current_thread().name)
        per_claim = (
            Invitation.objects.filter(status=InvitationStatus.SENDING, handed_at__isnull=False)
            .values("claim")
            .annotate(n=Count("id"))
        )
        most.append(max((row["n"] for row in per_claim), default=0))

    _sends(monkeypatch, before=look, after=look)
    assert batches.deliver(ids).sent == len(ids) == 12
    assert max(most) == 1  # per claim, at every instant
    assert len(threads) == (3 if connection.vendor == "postgresql" else 1)
    rows = Invitation.objects.filter(campaign=campaign)
    assert set(rows.values_list("status", flat=True)) == {InvitationStatus.SENT}
    _once_each(smtp_settings, ids)


def test_the_database_gone_between_two_messages_still_records_the_accepted_one(
    outreach, smtp_settings, queue, django_capture_on_commit_callbacks, monkeypatch
):
    """PostgreSQL restarts between two messages: the statement that would record the first
    and hand the second over fails; the batch records the first once the database answers
    again, then gives up its job; the sweep sends the rest, once each."""
    from django.db import OperationalError

    acme, survey, _people = outreach
    campaign, ids = _campaign_started(acme, survey, queue, django_capture_on_commit_callbacks)
    real, failed = steps.advance, []

    def cut_once(token, done, message_id, hand, now):
        if done is not None and hand is not None and not failed:
            failed.append(hand)
            raise OperationalError("server closed the connection unexpectedly")
        return real(token, done, message_id, hand, now)

    _deliver_through_a_cut(monkeypatch, cut_once, ids)
    first = Invitation.objects.get(pk=min(ids))
    assert first.status == InvitationStatus.SENT and len(smtp_settings.messages) == 1
    monkeypatch.undo()
    _the_sweep_sends_the_rest_once(campaign, ids, smtp_settings, queue)


def test_a_hand_over_committed_as_the_database_went_is_taken_back_not_failed(
    outreach, smtp_settings, queue, django_capture_on_commit_callbacks, monkeypatch
):
    """PostgreSQL cut just after the statement that hands the second message over committed,
    its answer lost: the batch never sent that message, so once the database answers it takes
    the hand-over back, and the sweep sends it with the rest instead of failing it as
    uncertain (cluster bench, decision 0065)."""
    from django.db import OperationalError

    acme, survey, _people = outreach
    campaign, ids = _campaign_started(acme, survey, queue, django_capture_on_commit_callbacks)
    real, cut = steps.advance, []

    def lost_answer(token, done, message_id, hand, now):
        changed = real(token, done, message_id, hand, now)
        if done is not None and hand is not None and not cut:
            cut.append(hand)
            raise OperationalError("server closed the connection unexpectedly")
        return changed

    _deliver_through_a_cut(monkeypatch, lost_answer, ids)
    assert Invitation.objects.get(pk=cut[0]).handed_at is None
    assert len(smtp_settings.messages) == 1
    monkeypatch.undo()
    _the_sweep_sends_the_rest_once(campaign, ids, smtp_settings, queue)


def _deliver_through_a_cut(monkeypatch, advance, ids: list[int]) -> None:
    """Deliver with `advance` standing in for the statement, the waits for the database
    skipped; the batch ends with the database's error."""
    from django.db import OperationalError

    from voxloop import outages

    monkeypatch.setattr(steps, "advance", advance)
    monkeypatch.setattr(outages, "PAUSE", 0.0)
    with pytest.raises(OperationalError):
        batches.deliver(ids)


def _the_sweep_sends_the_rest_once(campaign, ids: list[int], smtp_settings, queue) -> None:
    later = timezone.now() + batches.lease() + timedelta(seconds=1)
    assert services.recover_claims(now=later) == {"requeued": 4, "failed": 0}
    queue.run()
    smtp_settings.wait_for(5)
    rows = Invitation.objects.filter(campaign=campaign)
    assert set(rows.values_list("status", flat=True)) == {InvitationStatus.SENT}
    _once_each(smtp_settings, ids)
