"""Tracking an invitation forward through its lifecycle: delivery events (webhooks, SMTP),
opens, clicks, and the respondent starting and completing the survey.

Events only move an invitation forward (models.PROGRESS): a late "delivered" never undoes a
"clicked", and each timestamp keeps the first time it happened.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from voxloop.contacts import services as contact_services
from voxloop.distribution.models import FINAL, PROGRESS, Invitation, InvitationStatus
from voxloop.distribution.signals import announce_bounce

STAMP: dict[str, str] = {
    InvitationStatus.DELIVERED: "delivered_at",
    InvitationStatus.SOFT_BOUNCED: "bounced_at",
    InvitationStatus.HARD_BOUNCED: "bounced_at",
    InvitationStatus.OPENED: "opened_at",
    InvitationStatus.CLICKED: "clicked_at",
    InvitationStatus.STARTED: "started_at",
    InvitationStatus.COMPLETED: "completed_at",
    InvitationStatus.UNSUBSCRIBED: "unsubscribed_at",
}
BOUNCES = (InvitationStatus.SOFT_BOUNCED, InvitationStatus.HARD_BOUNCED)

# An anonymous survey's invitation keeps no trace of its person answering (decision 0016):
# no started or completed, and opens and clicks only by the day, so no time on it can be set
# beside an answer's.
UNRECORDED_WHEN_ANONYMOUS = {InvitationStatus.STARTED, InvitationStatus.COMPLETED}
DAY_ONLY_WHEN_ANONYMOUS = {InvitationStatus.OPENED, InvitationStatus.CLICKED}


def advance(
    invitation: Invitation, status: str, at: datetime | None = None, error: str = ""
) -> bool:
    """Move one invitation to `status` if that is forward; stamp the time either way. The
    error (a provider's failure code) is kept only when the status moves."""
    at = at or timezone.now()
    with transaction.atomic():
        row = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("survey")
            .filter(pk=invitation.pk)
            .first()
        )
        if row is None:
            return False
        if row.survey.is_anonymous:
            if status in UNRECORDED_WHEN_ANONYMOUS:
                return False
            if status in DAY_ONLY_WHEN_ANONYMOUS:
                at = _start_of_day(at)
        changed: list[str] = []
        field = STAMP.get(status)
        if field and getattr(row, field) is None:
            setattr(row, field, at)
            changed.append(field)
        if _moves_forward(row.status, status):
            row.status = status
            changed.append("status")
            if error:
                row.error = error[:300]
                changed.append("error")
        if changed:
            row.save(update_fields=changed)
        if "status" in changed and status in BOUNCES:
            announce_bounce(row, hard=status == InvitationStatus.HARD_BOUNCED)
        invitation.status = row.status
        return "status" in changed


def _start_of_day(at: datetime) -> datetime:
    local = timezone.localtime(at)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def _moves_forward(current: str, new: str) -> bool:
    if new == InvitationStatus.COMPLETED:
        return current != InvitationStatus.COMPLETED
    if current in FINAL:
        return False
    if new in (
        InvitationStatus.HARD_BOUNCED,
        InvitationStatus.FAILED,
        InvitationStatus.UNSUBSCRIBED,
    ):
        # A bounce after the person clicked is a provider's confusion; keep what they did.
        return PROGRESS.get(current, 0) < PROGRESS[InvitationStatus.OPENED]
    return PROGRESS.get(new, -1) > PROGRESS.get(current, 0)


def record_progress(ref: str, status: str, at: str | datetime | None = None) -> bool:
    """The respondent started or completed the survey (from the responses' events)."""
    invitation = Invitation.objects.filter(ref=ref).first()
    if invitation is None:
        return False
    when = parse_datetime(at) if isinstance(at, str) else at
    if status == InvitationStatus.STARTED:
        advance(invitation, InvitationStatus.CLICKED, when)  # they must have opened the link
    return advance(invitation, status, when)


EVENT_STATUS = {
    "delivered": InvitationStatus.DELIVERED,
    "opened": InvitationStatus.OPENED,
    "clicked": InvitationStatus.CLICKED,
    "deferred": InvitationStatus.SOFT_BOUNCED,
    "bounced": InvitationStatus.HARD_BOUNCED,
    "rejected": InvitationStatus.HARD_BOUNCED,
    "complained": InvitationStatus.UNSUBSCRIBED,
    "unsubscribed": InvitationStatus.UNSUBSCRIBED,
}


def apply_event(event: dict) -> str:
    """One anymail-normalised tracking event: {event_type, message_id, timestamp, metadata:
    {invitation}, reject_reason}. Returns what happened ('applied', 'ignored', 'unknown')."""
    kind = str(event.get("event_type") or "")
    status = EVENT_STATUS.get(kind)
    if status is None:
        return "ignored"
    ref = str((event.get("metadata") or {}).get("invitation") or "")
    found = Invitation.objects.filter(ref=ref).first() if ref else None
    if found is None and event.get("message_id"):
        found = Invitation.objects.filter(message_id=str(event["message_id"])).first()
    if found is None:
        return "unknown"
    at = _time(event.get("timestamp"))
    if kind == "bounced" and event.get("reject_reason") in {"timed_out", "other"}:
        status = InvitationStatus.SOFT_BOUNCED  # anymail's names for a temporary failure
    advance(found, status, at)
    if status == InvitationStatus.HARD_BOUNCED:
        contact_services.mark_address_invalid(
            contact_id=found.contact_id, channel=found.channel, reason=kind
        )
    if status == InvitationStatus.UNSUBSCRIBED:
        contact_services.unsubscribe(
            contact_id=found.contact_id, organization_id=found.organization_id, how=kind
        )
    return "applied"


def _time(value: object) -> datetime | None:
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, tz=UTC)
    if isinstance(value, str):
        parsed = parse_datetime(value)
        if parsed is not None and timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed, timezone.get_default_timezone())
        return parsed
    return None


def unsubscribed(organization_id: int, contact_id: int, ref: str) -> bool:
    """The contact used the unsubscribe link or header of this invitation."""
    changed = contact_services.unsubscribe(
        contact_id=contact_id, organization_id=organization_id, how="link"
    )
    invitation = Invitation.objects.filter(
        ref=ref, organization_id=organization_id, contact_id=contact_id
    ).first()
    if invitation is not None:
        advance(invitation, InvitationStatus.UNSUBSCRIBED)
    # Nothing else still waiting for this contact goes out.
    Invitation.objects.filter(contact_id=contact_id, status=InvitationStatus.QUEUED).update(
        status=InvitationStatus.SKIPPED, skip_reason="unsubscribed"
    )
    return changed
