"""The fatigue and consent policy, checked for every send (first sends and reminders).

A send is either allowed, skipped for good (with the reason recorded on the invitation), or
deferred (quiet hours in the contact's time zone: it goes out when they end).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import Count, Max, Q

from voxloop.contacts import selectors as contact_selectors
from voxloop.contacts.models import Contact
from voxloop.distribution.models import AskBy, Channel, Invitation, OutreachPolicy, SegmentRule


class SkipReason:
    UNSUBSCRIBED = "unsubscribed"
    NO_CONSENT = "no_consent"
    NO_ADDRESS = "no_address"
    INVALID_ADDRESS = "invalid_address"
    TOO_SOON = "too_soon"
    TOO_MANY = "too_many"
    SURVEY_CLOSED = "survey_closed"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Decision:
    skip: str = ""
    defer_until: datetime | None = None

    @property
    def allowed(self) -> bool:
        return not self.skip and self.defer_until is None


ALLOW = Decision()


def policy_for(organization_id: int) -> OutreachPolicy:
    found = OutreachPolicy.objects.filter(organization_id=organization_id).first()
    return found or OutreachPolicy(organization_id=organization_id)


@dataclass(frozen=True)
class Cadence:
    """The fatigue rules one contact gets: the organisation's, or the strictest of the rules
    of the segments (tiers, personas) holding them (decision 0041)."""

    min_days_between: int
    max_per_90_days: int
    personal: bool = False


def cadences(invitations: list[Invitation]) -> dict[int, Cadence]:
    """Per contact of the batch, the cadence its segments' rules give; contacts in no segment
    with a rule are absent (the organisation's policy applies). One query per rule's segment."""
    found: dict[int, Cadence] = {}
    by_org: dict[int, set[int]] = {}
    for invitation in invitations:
        by_org.setdefault(invitation.organization_id, set()).add(invitation.contact_id)
    for organization_id, contact_ids in by_org.items():
        rules = list(SegmentRule.objects.filter(organization_id=organization_id))
        if not rules:
            continue
        held = contact_selectors.segments_holding(
            organization_id, [r.segment_id for r in rules], contact_ids
        )
        for rule in rules:
            for contact_id in held.get(rule.segment_id, ()):
                found[contact_id] = strictest(found.get(contact_id), rule)
    return found


def strictest(current: Cadence | None, rule: SegmentRule) -> Cadence:
    personal = rule.ask_by == AskBy.OWNER
    if current is None:
        return Cadence(rule.min_days_between, rule.max_per_90_days, personal)
    return Cadence(
        max(current.min_days_between, rule.min_days_between),
        min(current.max_per_90_days, rule.max_per_90_days),
        current.personal or personal,
    )


def reachable(contact: Contact, channel: str) -> str:
    """'' when the channel may be used for this contact, else the reason it may not."""
    if contact.unsubscribed_at is not None:
        return SkipReason.UNSUBSCRIBED
    if channel == Channel.EMAIL:
        if not contact.consent_email:
            return SkipReason.NO_CONSENT
        if not contact.email:
            return SkipReason.NO_ADDRESS
        if contact.email_invalid:
            return SkipReason.INVALID_ADDRESS
    elif channel == Channel.SMS:
        if not contact.consent_sms:
            return SkipReason.NO_CONSENT
        if not contact.phone:
            return SkipReason.NO_ADDRESS
        if contact.phone_invalid:
            return SkipReason.INVALID_ADDRESS
    return ""


@dataclass(frozen=True)
class Seen:
    """A contact's earlier sends: the last one and how many in the last 90 days."""

    last: datetime | None = None
    recent: int = 0


def seen_before(invitations: list[Invitation], now: datetime) -> dict[int, Seen]:
    """One query for a whole batch: each contact's earlier sends (tests excluded)."""
    contact_ids = {i.contact_id for i in invitations}
    rows = (
        Invitation.objects.filter(contact_id__in=contact_ids, sent_at__isnull=False, is_test=False)
        .exclude(pk__in=[i.pk for i in invitations])
        .values("contact_id")
        .annotate(
            last=Max("sent_at"),
            recent=Count("pk", filter=Q(sent_at__gte=now - timedelta(days=90))),
        )
        .order_by()
    )
    return {row["contact_id"]: Seen(row["last"], row["recent"]) for row in rows}


def decide(
    invitation: Invitation,
    policy: OutreachPolicy,
    now: datetime,
    seen: dict[int, Seen] | None = None,
    cadence: Cadence | None = None,
) -> Decision:
    contact = invitation.contact
    reason = reachable(contact, invitation.channel)
    if reason:
        return Decision(skip=reason)
    if invitation.expires_at and invitation.expires_at <= now:
        return Decision(skip=SkipReason.EXPIRED)
    if invitation.survey.status != "live":
        return Decision(skip=SkipReason.SURVEY_CLOSED)
    if not invitation.is_test:
        history = seen if seen is not None else seen_before([invitation], now)
        rules = cadence or Cadence(policy.min_days_between, policy.max_per_90_days)
        reason = _fatigue(history.get(invitation.contact_id, Seen()), rules, now)
        if reason:
            return Decision(skip=reason)
    quiet_end = _quiet_until(contact.timezone, policy, now)
    if quiet_end is not None:
        return Decision(defer_until=quiet_end)
    return ALLOW


def _fatigue(seen: Seen, policy: Cadence, now: datetime) -> str:
    if seen.last and seen.last > now - timedelta(days=policy.min_days_between):
        return SkipReason.TOO_SOON
    if seen.recent >= policy.max_per_90_days:
        return SkipReason.TOO_MANY
    return ""


def _quiet_until(zone_name: str, policy: OutreachPolicy, now: datetime) -> datetime | None:
    """The end of the quiet hours if `now` falls in them where the contact lives."""
    start, end = policy.quiet_start_hour % 24, policy.quiet_end_hour % 24
    if start == end:
        return None
    try:
        zone = ZoneInfo(zone_name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    local = now.astimezone(zone)
    hour = local.hour
    quiet = (start <= hour < end) if start < end else (hour >= start or hour < end)
    if not quiet:
        return None
    until = local.replace(hour=end, minute=0, second=0, microsecond=0)
    if until <= local:
        until += timedelta(days=1)
    return until
