"""Sending invitations: claim, check the policy, render, send, record. The task calls this.

Each batch claims its invitations in one UPDATE (queued → sending, with a claim mark), so two
workers never send the same one. A message is marked sent only after the server accepted it;
when the server cannot be reached, the rest of the batch goes back to queued and is retried
with backoff, so nothing is lost and nothing is sent twice.
"""

from __future__ import annotations

import contextlib
import secrets
import smtplib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.mail import get_connection
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.utils import timezone

from voxloop.contacts import services as contact_services
from voxloop.distribution import policy
from voxloop.distribution.emails import build_message
from voxloop.distribution.models import (
    CampaignStatus,
    Channel,
    Invitation,
    InvitationStatus,
)

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


def deliver(invitation_ids: list[int], now: datetime | None = None) -> BatchOutcome:
    """Send what is still queued among these invitations; see the module docstring."""
    now = now or timezone.now()
    outcome = BatchOutcome()
    claim = secrets.token_hex(8)
    Invitation.objects.filter(pk__in=invitation_ids, status=InvitationStatus.QUEUED).update(
        status=InvitationStatus.SENDING, claim=claim
    )
    claimed = list(
        Invitation.objects.filter(claim=claim, status=InvitationStatus.SENDING)
        .select_related("contact__home_unit", "contact__account__owner", "survey", "campaign")
        .order_by("pk")
    )
    if not claimed:
        return outcome
    policies: dict[int, object] = {}
    seen = policy.seen_before(claimed, now)
    sent: list[Invitation] = []
    connection = None
    try:
        for index, invitation in enumerate(claimed):
            campaign = invitation.campaign
            if campaign is not None and campaign.status == CampaignStatus.PAUSED:
                _release(invitation, outcome.paused)
                continue
            if campaign is not None and campaign.status == CampaignStatus.CANCELLED:
                _skip(invitation, policy.SkipReason.CANCELLED, outcome)
                continue
            rules = policies.get(invitation.organization_id)
            if rules is None:
                rules = policies[invitation.organization_id] = policy.policy_for(
                    invitation.organization_id
                )
            decision = policy.decide(invitation, rules, now, seen)
            if decision.skip:
                _skip(invitation, decision.skip, outcome)
                continue
            if decision.defer_until is not None:
                _requeue(invitation, send_after=decision.defer_until)
                outcome.deferred.setdefault(decision.defer_until, []).append(invitation.pk)
                continue
            if invitation.channel == Channel.SMS:
                from voxloop.distribution.sms import send_sms

                if send_sms(invitation):
                    sent.append(invitation)
                else:
                    _skip(invitation, "sms_failed", outcome)
                continue
            try:
                if connection is None:
                    # Opened here, so every message of the batch shares one SMTP session
                    # (send_messages on a closed connection opens and closes one per call).
                    connection = get_connection(fail_silently=False)
                    connection.open()
                message = build_message(invitation, connection=connection)
                connection.send_messages([message])
            except smtplib.SMTPRecipientsRefused as error:
                _bounced(invitation, error, outcome)
            except (smtplib.SMTPException, OSError) as error:
                # The server is down or refused for now: this one and the rest wait.
                _transient(claimed[index:], error, now, outcome)
                break
            else:
                invitation.message_id = message.extra_headers["Message-ID"]
                sent.append(invitation)
                if len(sent) >= RECORD_EVERY:
                    outcome.sent += _record_sent(sent, now)
                    sent = []
    finally:
        # Whatever happened after them, the messages the server accepted are recorded.
        outcome.sent += _record_sent(sent, now)
        if connection is not None:
            with contextlib.suppress(Exception):  # a dead connection must not hide the cause
                connection.close()
    return outcome


def _record_sent(invitations: list[Invitation], now: datetime) -> int:
    """Mark accepted messages sent in one UPDATE (this batch holds their claim). The
    Message-ID is `<ref@domain>`, so it is rebuilt from the row rather than sent row by row."""
    by_domain: dict[str, list[int]] = {}
    for invitation in invitations:
        domain = invitation.message_id.rpartition("@")[2].rstrip(">")
        by_domain.setdefault(domain, []).append(invitation.pk)
    for domain, ids in by_domain.items():
        Invitation.objects.filter(pk__in=ids, status=InvitationStatus.SENDING).update(
            status=InvitationStatus.SENT,
            sent_at=now,
            last_sent_at=now,
            message_id=Concat(Value("<"), F("ref"), Value(f"@{domain}>")),
            attempts=F("attempts") + 1,
            error="",
            claim="",
        )
    return len(invitations)


def _skip(invitation: Invitation, reason: str, outcome: BatchOutcome) -> None:
    Invitation.objects.filter(pk=invitation.pk).update(
        status=InvitationStatus.SKIPPED, skip_reason=reason, claim=""
    )
    outcome.skipped += 1


def _release(invitation: Invitation, bucket: list[int]) -> None:
    _requeue(invitation)
    bucket.append(invitation.pk)


def _requeue(invitation: Invitation, send_after: datetime | None = None, **extra) -> None:
    Invitation.objects.filter(pk=invitation.pk).update(
        status=InvitationStatus.QUEUED, claim="", send_after=send_after, **extra
    )


def _bounced(invitation: Invitation, error: smtplib.SMTPRecipientsRefused, outcome) -> None:
    code, text = next(iter(error.recipients.values()), (550, b""))
    detail = f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
    if 500 <= int(code) < 600:
        status = InvitationStatus.HARD_BOUNCED
        contact_services.mark_address_invalid(invitation.contact_id, "email", detail)
    else:
        status = InvitationStatus.SOFT_BOUNCED
    Invitation.objects.filter(pk=invitation.pk).update(
        status=status, bounced_at=timezone.now(), error=detail[:300], claim=""
    )
    outcome.bounced += 1


def _transient(rest: list[Invitation], error: Exception, now: datetime, outcome) -> None:
    detail = f"{type(error).__name__}: {error}"[:300]
    for invitation in rest:
        attempts = invitation.attempts + 1
        if attempts >= MAX_ATTEMPTS:
            Invitation.objects.filter(pk=invitation.pk).update(
                status=InvitationStatus.FAILED, attempts=attempts, error=detail, claim=""
            )
            continue
        when = now + backoff(attempts)
        _requeue(invitation, send_after=when, attempts=attempts, error=detail)
        outcome.deferred.setdefault(when, []).append(invitation.pk)
