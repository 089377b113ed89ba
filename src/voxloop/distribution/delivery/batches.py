"""Sending invitations: claim, check the policy, render, send, record. The task calls this.

Each batch claims its invitations in one UPDATE (queued → sending, with a claim mark and the
time, its lease), so two workers never send the same one. Before each message goes to the
server it is marked as handed over (handed_at), in one compare-and-set UPDATE. A message is marked
sent only after the server accepted it; when the server cannot be reached, the rest of the
batch goes back to queued and is retried with backoff. When a worker dies, the recovery sweep
(`recover_expired`) returns its unhanded rows to the queue once the lease has expired, and
fails the few it was handing over: nothing is lost, and nothing is sent twice (decision 0008).
"""

from __future__ import annotations

import contextlib
import secrets
import smtplib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, cast

from django.conf import settings
from django.core.mail import get_connection
from django.db import connection as db
from django.db.models import F, Field, Q, Value
from django.db.models.functions import Concat
from django.utils import timezone

from voxloop.contacts import services as contact_services
from voxloop.distribution.delivery import policy
from voxloop.distribution.delivery.emails import build_message
from voxloop.distribution.models import (
    CampaignStatus,
    Channel,
    Invitation,
    InvitationStatus,
)
from voxloop.distribution.signals import announce_bounce

MAX_ATTEMPTS = 8
BATCH_SIZE = 100
RECORD_EVERY = 25  # sent messages recorded together, in one UPDATE


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
    """Send what is still queued among these invitations; see the module docstring."""
    now = now or timezone.now()
    outcome = BatchOutcome()
    token, claimed = claim(invitation_ids, now)
    if not claimed:
        return outcome
    to_send = _apply_policy(claimed, now, outcome)
    connection = None
    try:
        for start in range(0, len(to_send), RECORD_EVERY):
            chunk = to_send[start : start + RECORD_EVERY]
            sent: list[Invitation] = []
            try:
                for index, invitation in enumerate(chunk):
                    if not _hand_over(token, invitation):
                        continue  # the recovery sweep gave it to another batch
                    if invitation.channel == Channel.SMS:
                        from voxloop.distribution.sms.sending import send_sms

                        message_id = send_sms(invitation)
                        if message_id is None:
                            _skip(invitation, "sms_failed", outcome)
                        else:
                            invitation.message_id = message_id
                            sent.append(invitation)
                        continue
                    try:
                        if connection is None:
                            # Opened here, so every message of the batch shares one SMTP
                            # session (send_messages on a closed connection opens one per call).
                            connection = get_connection(fail_silently=False)
                            connection.open()
                        message = build_message(invitation, connection=connection)
                        connection.send_messages([message])
                    except smtplib.SMTPRecipientsRefused as error:
                        _bounced(invitation, error, outcome)
                    except (smtplib.SMTPException, OSError) as error:
                        # The server is down or refused for now: this one and the rest wait.
                        rest = _still_claimed(token, chunk[index:] + to_send[start + len(chunk) :])
                        _transient(rest, error, now, outcome)
                        return outcome
                    else:
                        invitation.message_id = message.extra_headers["Message-ID"]
                        sent.append(invitation)
            finally:
                # Whatever happened after them, the messages the server accepted are recorded.
                outcome.sent += _record_sent(sent, now)
    finally:
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
    """Mark one message as being handed to the server, by a compare-and-set UPDATE against
    this batch's claim; False when the recovery sweep took it back (lease expired). One
    message at a time: a worker killed while sending leaves at most the one message it was
    handing over uncertain (failed, never resent), the rest of its batch goes back to the queue."""
    # The same statement for every message, as SQL: building it through the ORM cost as
    # much as the round trip (psycopg prepares it after a few runs).
    with db.cursor() as cursor:
        cursor.execute(
            _hand_over_sql(), [timezone.now(), invitation.pk, token, InvitationStatus.SENDING]
        )
        return cursor.rowcount == 1


@lru_cache(maxsize=1)
def _hand_over_sql() -> str:
    meta = Invitation._meta

    def column(name: str) -> str:
        return db.ops.quote_name(str(cast(Field, meta.get_field(name)).column))

    table, handed = db.ops.quote_name(meta.db_table), column("handed_at")
    return (
        f"UPDATE {table} SET {handed} = %s WHERE {column('id')} = %s "  # noqa: S608 - names only
        f"AND {column('claim')} = %s AND {column('status')} = %s AND {handed} IS NULL"
    )


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
    may have been accepted, so they are failed, never sent twice (decision 0008)."""
    now = now or timezone.now()
    cutoff = now - lease()
    expired = Invitation.objects.filter(status=InvitationStatus.SENDING, claimed_at__lt=cutoff)
    ids = list(expired.filter(handed_at__isnull=True).values_list("pk", flat=True))
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
    # Handed over longer than a lease ago: no send takes that long, the worker is gone.
    uncertain = Invitation.objects.filter(
        status=InvitationStatus.SENDING, handed_at__lt=cutoff
    ).update(
        status=InvitationStatus.FAILED,
        claim="",
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


def _record_sent(invitations: list[Invitation], now: datetime) -> int:
    """Mark accepted messages sent (this batch holds their claim). An email's Message-ID is
    `<ref@domain>`, so it is rebuilt from the row in one UPDATE per domain; a text keeps the
    id its provider gave it."""
    by_domain: dict[str, list[int]] = {}
    done = {
        "status": InvitationStatus.SENT,
        "sent_at": now,
        "last_sent_at": now,
        "attempts": F("attempts") + 1,
        "error": "",
        "claim": "",
    }
    for invitation in invitations:
        if invitation.channel == Channel.SMS:
            Invitation.objects.filter(pk=invitation.pk, status=InvitationStatus.SENDING).update(
                message_id=invitation.message_id, **done
            )
            continue
        domain = invitation.message_id.rpartition("@")[2].rstrip(">")
        by_domain.setdefault(domain, []).append(invitation.pk)
    for domain, ids in by_domain.items():
        Invitation.objects.filter(pk__in=ids, status=InvitationStatus.SENDING).update(
            message_id=Concat(Value("<"), F("ref"), Value(f"@{domain}>")), **done
        )
    return len(invitations)


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
