"""Sending invitations: claim, check the policy, render, send, record. The task calls this.

Each batch claims its invitations in one UPDATE (queued → sending, with a claim mark and the
time, its lease), so two workers never send the same one. Before each message goes to the
server it is marked as handed over (handed_at) by a compare-and-set UPDATE that also records
the previous message as sent (`steps`, decision 0052): a message is recorded sent only after
the server accepted it, and a killed worker leaves at most one message of its batch unknown.
When the server cannot be reached, the rest of the batch goes back to queued and is retried
with backoff. When a worker dies, the recovery sweep (`recover_expired`) returns its unhanded
rows to the queue once the lease has expired (each hand-over renews it), and fails the one it
was handing over: nothing is lost, and nothing is sent twice (decision 0008).
"""

from __future__ import annotations

import contextlib
import secrets
import smtplib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import get_connection
from django.db import connection as db
from django.db import connections
from django.db.models import Q
from django.utils import timezone

from voxloop.contacts import services as contact_services
from voxloop.distribution.delivery import policy, prepared
from voxloop.distribution.delivery.steps import Steps, advance
from voxloop.distribution.models import (
    CampaignStatus,
    Channel,
    Invitation,
    InvitationStatus,
)
from voxloop.distribution.signals import announce_bounce

MAX_ATTEMPTS = 8
BATCH_SIZE = 100
MIN_PER_LANE = 10  # a smaller batch is sent in fewer lanes


@dataclass
class BatchOutcome:
    sent: int = 0
    skipped: int = 0
    bounced: int = 0
    deferred: dict[datetime, list[int]] = field(default_factory=dict)  # retry/quiet: when → ids
    paused: list[int] = field(default_factory=list)


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def lease() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "INVITATION_CLAIM_LEASE_SECONDS", 600)))


def claim(invitation_ids: list[int], now: datetime) -> tuple[str, list[Invitation]]:
    """Claim what is still queued among these invitations for this batch, with a lease."""
    token = secrets.token_hex(8)
    Invitation.objects.filter(pk__in=invitation_ids, status=InvitationStatus.QUEUED).update(
        status=InvitationStatus.SENDING, claim=token, claimed_at=now, handed_at=None
    )
    claimed = list(
        Invitation.objects.filter(claim=token, status=InvitationStatus.SENDING)
        .select_related("contact__home_unit", "contact__account__owner", "survey", "campaign")
        .order_by("pk")
    )
    return token, claimed


def deliver(invitation_ids: list[int], now: datetime | None = None) -> BatchOutcome:
    """Send what is still queued among these invitations; see the module docstring. On
    PostgreSQL the batch is split into `INVITATION_SEND_LANES` smaller batches sent side by
    side in threads (decision 0052): each waits for its hand-over commit and its server's
    replies while the others build and send, and each keeps its own claim, so a killed worker
    still leaves at most one message per batch unknown."""
    lanes = _lanes(len(invitation_ids))
    if lanes <= 1:
        return _deliver(invitation_ids, now)
    size = -(-len(invitation_ids) // lanes)
    parts = [invitation_ids[start : start + size] for start in range(0, len(invitation_ids), size)]
    with ThreadPoolExecutor(max_workers=len(parts), thread_name_prefix="send-lane") as pool:
        futures = [pool.submit(_lane, part, now) for part in parts]
    outcome = BatchOutcome()
    for future in futures:
        part = future.result()  # a lane's error is the job's error, once all lanes are done
        outcome.sent += part.sent
        outcome.skipped += part.skipped
        outcome.bounced += part.bounced
        outcome.paused += part.paused
        for when, ids in part.deferred.items():
            outcome.deferred.setdefault(when, []).extend(ids)
    return outcome


def _lanes(count: int) -> int:
    """How many lanes a batch of `count` gets. Lanes have their own database connections,
    which see only what is committed: none inside a transaction (a test, a caller's atomic
    block), and none on SQLite, which writes one transaction at a time anyway."""
    wanted = int(getattr(settings, "INVITATION_SEND_LANES", 1))
    if wanted <= 1 or db.vendor != "postgresql" or db.in_atomic_block:
        return 1
    return max(1, min(wanted, count // MIN_PER_LANE))


def _lane(invitation_ids: list[int], now: datetime | None) -> BatchOutcome:
    try:
        return _deliver(invitation_ids, now)
    finally:
        connections.close_all()  # this thread's own connections; the thread ends here


def _deliver(invitation_ids: list[int], now: datetime | None) -> BatchOutcome:
    now = now or timezone.now()
    outcome = BatchOutcome()
    token, claimed = claim(invitation_ids, now)
    if not claimed:
        return outcome
    to_send = _apply_policy(claimed, now, outcome)
    steps = Steps(token, now)
    connection = None
    try:
        for index, invitation in enumerate(to_send):
            if not steps.hand_over(invitation):
                continue  # the recovery sweep gave it to another batch
            if invitation.channel == Channel.SMS:
                from voxloop.distribution.sms.sending import send_sms

                message_id = send_sms(invitation)
                if message_id is None:
                    _skip(invitation, "sms_failed", outcome)
                else:
                    steps.accepted(invitation, message_id)
                continue
            try:
                if connection is None:
                    # Opened here, so every message of the batch shares one SMTP session
                    # (send_messages on a closed connection opens one per call).
                    connection = get_connection(fail_silently=False)
                    connection.open()
                message_id = prepared.send(connection, invitation)
            except smtplib.SMTPRecipientsRefused as error:
                _bounced(invitation, error, outcome)
            except (smtplib.SMTPException, OSError) as error:
                # The server is down or refused for now: this one and the rest wait.
                _transient(_still_claimed(token, to_send[index:]), error, now, outcome)
                return outcome
            else:
                steps.accepted(invitation, message_id)
    finally:
        # Whatever happened after it, the last message the server accepted is recorded.
        outcome.sent += steps.flush()
        if connection is not None:
            with contextlib.suppress(Exception):  # a dead connection must not hide the cause
                connection.close()
    return outcome


def _apply_policy(claimed: list[Invitation], now: datetime, outcome: BatchOutcome) -> list:
    """Skip, defer or release what must not go now; the rest, in order, is to be sent."""
    policies: dict[int, policy.OutreachPolicy] = {}
    seen = policy.seen_before(claimed, now)
    for invitation in claimed:
        if invitation.organization_id not in policies:
            policies[invitation.organization_id] = policy.policy_for(invitation.organization_id)
    cadences = policy.cadences(claimed)
    to_send = []
    for invitation in claimed:
        campaign = invitation.campaign
        if campaign is not None and campaign.status == CampaignStatus.PAUSED:
            _release(invitation, outcome.paused)
            continue
        if campaign is not None and campaign.status == CampaignStatus.CANCELLED:
            _skip(invitation, policy.SkipReason.CANCELLED, outcome)
            continue
        cadence = cadences.get(invitation.contact_id)
        rules = policies[invitation.organization_id]
        decision = policy.decide(invitation, rules, now, seen, cadence)
        if decision.skip:
            _skip(invitation, decision.skip, outcome)
        elif decision.defer_until is not None:
            _requeue(invitation, send_after=decision.defer_until)
            outcome.deferred.setdefault(decision.defer_until, []).append(invitation.pk)
        else:
            # Read by emails.sender: the account owner signs it (decision 0041).
            invitation.ask_personally = cadence is not None and cadence.personal
            to_send.append(invitation)
    return to_send


def _hand_over(token: str, invitation: Invitation) -> bool:
    """Mark one message as being handed to the server (compare-and-set against the batch's
    claim); False when the recovery sweep took it back. Batches do this through `Steps`,
    which records the previous message in the same statement."""
    return invitation.pk in advance(token, None, "", invitation.pk, timezone.now())


def _still_claimed(token: str, invitations: list[Invitation]) -> list[Invitation]:
    """Those of `invitations` this batch still holds (the sweep may have taken some back)."""
    ours = set(
        Invitation.objects.filter(
            pk__in=[i.pk for i in invitations], claim=token, status=InvitationStatus.SENDING
        ).values_list("pk", flat=True)
    )
    return [i for i in invitations if i.pk in ours]


def recover_expired(now: datetime | None = None) -> tuple[list[int], int]:
    """Claims whose lease ran out (the worker died or hangs). Rows never handed to a server
    go back to the queue (returned, to be enqueued again); rows that were being handed over
    may have been accepted, so they are failed, never sent twice (decision 0008).

    A batch that hands a message over renews its lease (decision 0052): while one of its rows
    was handed over within the lease, the batch is alive and keeps the rest, however long it
    has been sending (a slow server, a database restart, a loaded machine)."""
    now = now or timezone.now()
    cutoff = now - lease()
    sending = Invitation.objects.filter(status=InvitationStatus.SENDING)
    alive = sending.filter(handed_at__gte=cutoff).values("claim")
    expired = sending.filter(claimed_at__lt=cutoff, handed_at__isnull=True).exclude(claim__in=alive)
    ids = list(expired.values_list("pk", flat=True))
    requeued = list(ids)
    if ids:
        # The same conditions again: a live worker handing one over meanwhile keeps it.
        Invitation.objects.filter(
            pk__in=ids, status=InvitationStatus.SENDING, handed_at__isnull=True
        ).update(status=InvitationStatus.QUEUED, claim="", claimed_at=None, send_after=now)
        requeued = list(
            Invitation.objects.filter(pk__in=ids, status=InvitationStatus.QUEUED).values_list(
                "pk", flat=True
            )
        )
    # Handed over longer than a lease ago: no send takes that long, the worker is gone. The
    # claim stays, so a batch that was only slow still records it sent when the server took it.
    uncertain = sending.filter(handed_at__lt=cutoff).update(
        status=InvitationStatus.FAILED,
        error="The worker stopped while handing this message over; not sent again.",
    )
    return requeued, uncertain


def overdue_queued(now: datetime | None = None, limit: int = 10_000) -> list[int]:
    """Queued invitations whose time came more than a lease ago: their task was lost (a
    Redis restart that took RQ's scheduler with it, an enqueue that failed). Marked due now,
    so the next sweep waits another lease for them; enqueuing one twice is harmless, a batch
    claims only what is still queued."""
    now = now or timezone.now()
    cutoff = now - lease()
    # Due at once (no send_after) counts from when it was queued: a campaign's first batches
    # that failed (PostgreSQL cut mid-job, bench/cluster.py) were otherwise never sent.
    due = Q(send_after__lt=cutoff) | Q(send_after__isnull=True, queued_at__lt=cutoff)
    ids = list(
        Invitation.objects.filter(due, status=InvitationStatus.QUEUED).values_list("pk", flat=True)[
            :limit
        ]
    )
    if ids:
        Invitation.objects.filter(pk__in=ids, status=InvitationStatus.QUEUED).update(send_after=now)
    return ids


def _skip(invitation: Invitation, reason: str, outcome: BatchOutcome) -> None:
    Invitation.objects.filter(pk=invitation.pk, claim=invitation.claim).update(
        status=InvitationStatus.SKIPPED, skip_reason=reason, claim=""
    )
    outcome.skipped += 1


def _release(invitation: Invitation, bucket: list[int]) -> None:
    _requeue(invitation)
    bucket.append(invitation.pk)


def _requeue(invitation: Invitation, send_after: datetime | None = None, **extra: Any) -> None:
    Invitation.objects.filter(pk=invitation.pk, claim=invitation.claim).update(
        status=InvitationStatus.QUEUED,
        claim="",
        claimed_at=None,
        handed_at=None,
        send_after=send_after,
        **extra,
    )


def _bounced(
    invitation: Invitation, error: smtplib.SMTPRecipientsRefused, outcome: BatchOutcome
) -> None:
    code, text = next(iter(error.recipients.values()), (550, b""))
    detail = f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
    if 500 <= int(code) < 600:
        status = InvitationStatus.HARD_BOUNCED
        contact_services.mark_address_invalid(
            contact_id=invitation.contact_id, channel="email", reason=detail
        )
    else:
        status = InvitationStatus.SOFT_BOUNCED
    if Invitation.objects.filter(pk=invitation.pk, claim=invitation.claim).update(
        status=status, bounced_at=timezone.now(), error=detail[:300], claim=""
    ):
        invitation.status, invitation.error = status, detail[:300]
        announce_bounce(invitation, hard=status == InvitationStatus.HARD_BOUNCED)
    outcome.bounced += 1


def _transient(
    rest: list[Invitation], error: Exception, now: datetime, outcome: BatchOutcome
) -> None:
    detail = f"{type(error).__name__}: {error}"[:300]
    for invitation in rest:
        attempts = invitation.attempts + 1
        if attempts >= MAX_ATTEMPTS:
            Invitation.objects.filter(pk=invitation.pk, claim=invitation.claim).update(
                status=InvitationStatus.FAILED, attempts=attempts, error=detail, claim=""
            )
            continue
        when = now + backoff(attempts)
        _requeue(invitation, send_after=when, attempts=attempts, error=detail)
        outcome.deferred.setdefault(when, []).append(invitation.pk)
