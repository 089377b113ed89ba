"""Reminders to non-responders and expiry of unanswered invitations (run by the clock).

A reminder goes only to a contact who has not started the survey, at most the campaign's
number of times, each D days after the last send; opt-outs, invalid addresses and quiet hours
are honoured as for a first send (fatigue limits are not: a reminder is the same ask).
"""

from __future__ import annotations

import contextlib
import smtplib
from collections.abc import Iterator
from datetime import datetime, timedelta
from itertools import islice

from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from voxloop.distribution.delivery import policy
from voxloop.distribution.delivery.emails import build_message
from voxloop.distribution.models import (
    FINAL,
    Campaign,
    CampaignStatus,
    Channel,
    Invitation,
    InvitationStatus,
)
from voxloop.distribution.sms import sending
from voxloop.responses import anonymity
from voxloop.responses import selectors as response_selectors

WAITING = [
    InvitationStatus.SENT,
    InvitationStatus.DELIVERED,
    InvitationStatus.OPENED,
    InvitationStatus.CLICKED,
    InvitationStatus.SOFT_BOUNCED,
]
REMINDERS_PER_RUN = 5000


def run(now: datetime | None = None) -> dict:
    now = now or timezone.now()
    return {"expired": expire(now), "reminded": remind(now), "finished": finish_campaigns()}


def finish_campaigns() -> int:
    """A sending campaign with nothing left queued or being sent has been sent."""
    busy = Invitation.objects.filter(
        campaign=OuterRef("pk"), status__in=[InvitationStatus.QUEUED, InvitationStatus.SENDING]
    )
    return (
        Campaign.objects.filter(status=CampaignStatus.SENDING)
        .exclude(Exists(busy))
        .update(status=CampaignStatus.DONE)
    )


def expire(now: datetime) -> int:
    return (
        Invitation.objects.filter(expires_at__lte=now)
        .exclude(status__in=[*FINAL, InvitationStatus.STARTED, InvitationStatus.SENDING])
        .update(status=InvitationStatus.EXPIRED)
    )


def due_reminders(now: datetime) -> Iterator[Invitation]:
    """Invitations whose campaign wants another reminder now, oldest send first."""
    campaigns = Campaign.objects.filter(
        reminders__gt=0, status__in=[CampaignStatus.SENDING, CampaignStatus.DONE]
    ).select_related("survey")
    for campaign in campaigns:
        due = (
            Invitation.objects.filter(
                campaign=campaign,
                is_test=False,
                channel__in=(Channel.EMAIL, Channel.SMS),
                status__in=WAITING,
                reminders_sent__lt=campaign.reminders,
                last_sent_at__lte=now - timedelta(days=campaign.reminder_after_days),
                expires_at__gt=now,
            )
            .select_related("contact__home_unit", "contact__account__owner", "survey", "campaign")
            .order_by("last_sent_at")[:REMINDERS_PER_RUN]
        )
        yield from (
            _not_answered(campaign, list(due), now) if campaign.survey.is_anonymous else due
        )


def _not_answered(campaign: Campaign, invitations: list[Invitation], now: datetime) -> list:
    """An anonymous survey's invitations never say who answered (decision 0016): whether a
    person did is asked of the responses here, by the one-way key of their answer this
    month or in the month they were last asked, and nothing of it is kept."""
    survey = campaign.survey
    keys: dict[int, set[str]] = {}
    for invitation in invitations:
        person = anonymity.person_of(invitation.contact_id, invitation.ref)
        months = {anonymity.month_of(now), anonymity.month_of(invitation.last_sent_at or now)}
        keys[invitation.pk] = {
            anonymity.source_key(survey.organization_id, survey.pk, person, m) for m in months
        }
    answered = response_selectors.completed_source_keys(
        survey.organization_id, {k for ks in keys.values() for k in ks}
    )
    return [i for i in invitations if not keys[i.pk] & answered]


def remind(now: datetime) -> int:
    """Send the reminders due now, by email and by SMS; a channel whose server or provider
    fails is left alone for the rest of the run (its reminders are given back and retried)."""
    sent = 0
    rules: dict[int, policy.OutreachPolicy] = {}
    emails = _EmailReminders()
    down: set[str] = set()
    try:
        for invitation in _with_senders(due_reminders(now)):
            if invitation.channel in down:
                continue
            org_rules = rules.setdefault(
                invitation.organization_id, policy.policy_for(invitation.organization_id)
            )
            if policy.reachable(invitation.contact, invitation.channel):
                continue
            if policy._quiet_until(invitation.contact.timezone, org_rules, now):
                continue  # the next run after the quiet hours sends it
            # Claim this reminder: a second clock run or worker finds the count moved on.
            claimed = Invitation.objects.filter(
                pk=invitation.pk, reminders_sent=invitation.reminders_sent, status__in=WAITING
            ).update(reminders_sent=F("reminders_sent") + 1, last_sent_at=now)
            if not claimed:
                continue
            if invitation.channel == Channel.SMS:
                delivered = _text_reminder(invitation)
            else:
                delivered = emails.send(invitation)
            if not delivered:
                _give_back(invitation)
                down.add(invitation.channel)
                continue
            sent += 1
    finally:
        emails.close()
    return sent


def _with_senders(invitations: Iterator[Invitation], size: int = 200) -> Iterator[Invitation]:
    """The reminders, each marked for the account owner as sender when a rule of its contact's
    segments asks for a personal email, like the first send (decision 0041)."""
    while chunk := list(islice(invitations, size)):
        found = policy.cadences(chunk)
        for invitation in chunk:
            cadence = found.get(invitation.contact_id)
            invitation.ask_personally = cadence is not None and cadence.personal
            yield invitation


def _give_back(invitation: Invitation) -> None:
    """The reminder did not go out: the next run tries again."""
    Invitation.objects.filter(pk=invitation.pk).update(
        reminders_sent=F("reminders_sent") - 1, last_sent_at=invitation.last_sent_at
    )


def _text_reminder(invitation: Invitation) -> bool:
    message_id = sending.send_sms(invitation, reminder=True)
    if message_id is None:
        return False
    if message_id:  # delivery reports now name the reminder's text
        Invitation.objects.filter(pk=invitation.pk).update(message_id=message_id)
    return True


class _EmailReminders:
    """One SMTP session for the run's email reminders, opened at the first one."""

    def __init__(self) -> None:
        self.connection: BaseEmailBackend | None = None

    def send(self, invitation: Invitation) -> bool:
        try:
            if self.connection is None:
                self.connection = get_connection(fail_silently=False)
                self.connection.open()
            self.connection.send_messages([build_message(invitation, reminder=True)])
        except (smtplib.SMTPException, OSError):
            return False
        return True

    def close(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(Exception):  # a dead connection must not hide the cause
                self.connection.close()
