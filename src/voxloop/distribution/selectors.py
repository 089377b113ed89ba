"""Scoped reads of campaigns, triggers and invitations, and the outreach statistics.

Campaigns and triggers are seen by the subtree of the unit that owns them; invitations (and
so every statistic) by the contact's unit, so a store manager sees how a company-wide
campaign did at their store and nothing of the store next door.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek

from voxloop.analytics.hooks import DashboardFilters
from voxloop.contacts import selectors as contact_selectors
from voxloop.distribution.models import (
    Campaign,
    Invitation,
    InvitationStatus,
    SegmentRule,
    Trigger,
    Widget,
)
from voxloop.errors import InvalidInput
from voxloop.surveys.models import ANONYMOUS_KINDS
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.models import subtree_q
from voxloop.tenancy.scoping import Capability, Scope


def visible_campaigns(scope: Scope, status: str = "") -> QuerySet[Campaign]:
    campaigns = scope.filter(Campaign.objects.all(), path_field="unit_path")
    if status:
        campaigns = campaigns.filter(status=status)
    return campaigns.select_related("survey", "segment", "unit")


def campaign(scope: Scope, campaign_id: int) -> Campaign:
    return scope.get(visible_campaigns(scope), path_field="unit_path", pk=campaign_id)


def audience_size(scope: Scope, campaign_obj: Campaign) -> int:
    """How many contacts a launch would invite now (its unit's subtree and its segment);
    `campaign_obj` comes from `campaign(scope, …)`."""
    from voxloop.distribution.services import audience

    return audience(campaign=campaign_obj).count()


def invitation_counts(scope: Scope, campaign_obj: Campaign) -> dict[str, int]:
    """The campaign's invitations still queued and already sent (a cancel's consequences)."""
    invitations = Invitation.objects.filter(campaign_id=campaign_obj.pk)
    queued = invitations.filter(status=InvitationStatus.QUEUED).count()
    return {"queued": queued, "sent": invitations.count() - queued}


def visible_triggers(scope: Scope) -> QuerySet[Trigger]:
    return scope.filter(Trigger.objects.all(), path_field="unit_path").select_related(
        "survey", "interaction_type", "unit"
    )


def trigger(scope: Scope, trigger_id: int) -> Trigger:
    return scope.get(visible_triggers(scope), path_field="unit_path", pk=trigger_id)


def visible_widgets(scope: Scope) -> QuerySet[Widget]:
    return scope.filter(Widget.objects.all(), path_field="unit_path").select_related(
        "survey", "unit"
    )


def widget(scope: Scope, widget_id: int) -> Widget:
    return scope.get(visible_widgets(scope), path_field="unit_path", pk=widget_id)


def widget_by_key(key: str) -> Widget | None:
    """Unscoped by design: a visitor's page names the widget by its unguessable key."""
    if not key or len(key) > 32 or "\x00" in key:
        return None
    return Widget.objects.select_related("survey", "unit").filter(key=key).first()


def visible_invitations(
    scope: Scope, campaign_id: int | None = None, status: str = ""
) -> QuerySet[Invitation]:
    """Invitations one by one (who was asked, when): roles that read records."""
    scope.require(Capability.READ_RECORDS)
    invitations = _invitations_in_scope(scope, campaign_id).select_related(
        "contact__home_unit", "campaign", "trigger"
    )
    if status:
        if status not in InvitationStatus.values:
            raise InvalidInput(f"Unknown status '{status}'.", field="status")
        invitations = invitations.filter(status=status)
    return invitations


def _invitations_in_scope(scope: Scope, campaign_id: int | None = None) -> QuerySet[Invitation]:
    """For the statistics (every role that views): never handed out row by row."""
    invitations = scope.filter(Invitation.objects.filter(is_test=False), path_field="unit_path")
    if campaign_id is not None:
        invitations = invitations.filter(campaign_id=campaign_id)
    return invitations


def non_responders(scope: Scope, campaign_id: int | None = None) -> QuerySet[Invitation]:
    """Reached but silent: sent and not bounced, never started — for follow-up calls. Never
    an anonymous survey's invitations: who did not answer says who did (decision 0016)."""
    return (
        visible_invitations(scope, campaign_id)
        .exclude(survey__kind__in=ANONYMOUS_KINDS)
        .filter(sent_at__isnull=False, started_at__isnull=True, completed_at__isnull=True)
        .filter(contact__erased_at__isnull=True)  # nobody to call back
        .exclude(status__in=[InvitationStatus.HARD_BOUNCED, InvitationStatus.FAILED])
        .order_by("contact__last_name", "contact__first_name", "pk")
    )


GROUPS = {
    "campaign": ("campaign_id", "campaign__name"),
    "channel": ("channel",),
    "segment": ("campaign__segment_id", "campaign__segment__name"),
    "unit": ("contact__home_unit_id", "contact__home_unit__name"),
    "trigger": ("trigger_id", "trigger__name"),
}
PERIODS = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}
COUNTERS = (
    "invited",
    "sent",
    "delivered",
    "bounced",
    "opened",
    "clicked",
    "started",
    "completed",
    "unsubscribed",
    "skipped",
    "expired",
)


def outreach_stats(
    scope: Scope,
    by: str = "campaign",
    since: datetime | None = None,
    until: datetime | None = None,
    campaign_id: int | None = None,
) -> list[dict]:
    """Per group: invited, sent, delivered, bounced, opened, clicked, started, completed,
    unsubscribed, skipped, expired, response rate (completed / delivered) and the mean time
    from send to completion. A send the server accepted counts as delivered unless a bounce
    came back (SMTP reports no delivery; a provider's webhook does)."""
    invitations = _invitations_in_scope(scope, campaign_id)
    if since:
        invitations = invitations.filter(queued_at__gte=since)
    if until:
        invitations = invitations.filter(queued_at__lt=until)
    if by in PERIODS:
        invitations = invitations.annotate(period=PERIODS[by]("queued_at"))
        keys: tuple[str, ...] = ("period",)
    elif by in GROUPS:
        keys = GROUPS[by]
    else:
        allowed = ", ".join([*GROUPS, *PERIODS])
        raise InvalidInput(f"Group by one of: {allowed}.", field="by")
    sent = Q(sent_at__isnull=False)
    rows = (
        invitations.order_by()
        .values(*keys)
        .annotate(
            invited=Count("pk"),
            sent=Count("pk", filter=sent),
            delivered=Count(
                "pk",
                filter=Q(delivered_at__isnull=False)
                | (sent & Q(bounced_at__isnull=True) & ~Q(status=InvitationStatus.FAILED)),
            ),
            bounced=Count("pk", filter=Q(bounced_at__isnull=False)),
            opened=Count("pk", filter=Q(opened_at__isnull=False)),
            clicked=Count("pk", filter=Q(clicked_at__isnull=False)),
            started=Count("pk", filter=Q(started_at__isnull=False)),
            completed=Count("pk", filter=Q(completed_at__isnull=False)),
            unsubscribed=Count("pk", filter=Q(unsubscribed_at__isnull=False)),
            skipped=Count("pk", filter=Q(status=InvitationStatus.SKIPPED)),
            expired=Count("pk", filter=Q(status=InvitationStatus.EXPIRED)),
            time_to_respond=Avg(
                ExpressionWrapper(F("completed_at") - F("sent_at"), output_field=DurationField()),
                filter=Q(completed_at__isnull=False, sent_at__isnull=False),
            ),
        )
        .order_by(*keys)
    )
    out = []
    for row in rows:
        group = {k: row[k] for k in keys}
        label = row[keys[-1]] if len(keys) > 1 else row[keys[0]]
        delivered = row["delivered"]
        out.append(
            {
                "group": group,
                "label": label,
                **{name: row[name] for name in COUNTERS},
                "response_rate": round(row["completed"] / delivered, 4) if delivered else None,
                "non_response_rate": round(1 - row["completed"] / delivered, 4)
                if delivered
                else None,
                "time_to_respond_seconds": row["time_to_respond"].total_seconds()
                if row["time_to_respond"] is not None
                else None,
            }
        )
    return out


def response_rate_counts(scope: Scope, filters: DashboardFilters) -> tuple[int, int]:
    """(delivered, completed) invitations sent in the dashboard's period and scope: the
    response-rate card of the analytics dashboards (registered as its provider)."""
    start, end = filters.bounds()
    invitations = _invitations_in_scope(scope).filter(sent_at__gte=start, sent_at__lt=end)
    if filters.survey_id:
        invitations = invitations.filter(survey_id=filters.survey_id)
    if filters.unit_id:
        unit = tenancy_selectors.unit(scope, filters.unit_id)
        invitations = invitations.filter(subtree_q(unit.path, "unit_path"))
    if filters.channel:
        invitations = invitations.filter(channel=filters.channel)
    if filters.segment_id:
        members = contact_selectors.segment_member_ids(scope, filters.segment_id)
        invitations = invitations.filter(contact_id__in=members)
    counts = invitations.exclude(bounced_at__isnull=False).aggregate(
        delivered=Count("pk", filter=~Q(status=InvitationStatus.FAILED)),
        completed=Count("pk", filter=Q(completed_at__isnull=False)),
    )
    return counts["delivered"], counts["completed"]


# --- a person's invitations, and who is still being asked (privacy) ----------------------


def invitations_of(organization_id: int, contact_id: int) -> list[dict]:
    """Every invitation sent (or meant) to a contact, with what became of it."""
    invitations = (
        Invitation.objects.filter(organization_id=organization_id, contact_id=contact_id)
        .select_related("survey", "campaign")
        .order_by("queued_at", "pk")
    )
    return [
        {
            "id": i.pk,
            "survey": {"id": i.survey_id, "name": i.survey.name},
            "campaign": i.campaign.name if i.campaign is not None else None,
            "channel": i.channel,
            "locale": i.locale,
            "status": i.status,
            "skip_reason": i.skip_reason,
            "queued_at": i.queued_at,
            "sent_at": i.sent_at,
            "delivered_at": i.delivered_at,
            "opened_at": i.opened_at,
            "clicked_at": i.clicked_at,
            "started_at": i.started_at,
            "completed_at": i.completed_at,
            "unsubscribed_at": i.unsubscribed_at,
            "reminders_sent": i.reminders_sent,
        }
        for i in invitations
    ]


def invited_contact_ids(organization_id: int, since: datetime) -> QuerySet:
    """Contacts invited (or queued for it) since then: still being asked, not inactive."""
    return (
        Invitation.objects.filter(organization_id=organization_id)
        .filter(Q(queued_at__gte=since) | Q(sent_at__gte=since))
        .values("contact_id")
    )


def asks_of_contacts(
    organization_id: int, contact_ids: list[int], until: datetime, last: int = 3
) -> dict[int, list[bool]]:
    """Per contact, whether each of their last `last` invitations sent before `until` was
    answered by then, newest first (system work: health scores' "silence" signal)."""
    rows = (
        Invitation.objects.filter(
            organization_id=organization_id,
            contact_id__in=contact_ids,
            is_test=False,
            sent_at__lt=until,
        )
        .order_by("contact_id", "-sent_at")
        .values_list("contact_id", "completed_at")
    )
    found: dict[int, list[bool]] = {}
    for contact_id, completed_at in rows:
        answers = found.setdefault(contact_id, [])
        if len(answers) < last:
            answers.append(completed_at is not None and completed_at < until)
    return found


def segment_rules(organization_id: int) -> list[dict[str, Any]]:
    """The organisation's rules per segment (tiers, personas), as the API and pages show them."""
    rows = (
        SegmentRule.objects.filter(organization_id=organization_id)
        .select_related("segment")
        .order_by("segment__name", "pk")
    )
    return [
        {
            "segment_id": rule.segment_id,
            "segment_name": rule.segment.name,
            "min_days_between": rule.min_days_between,
            "max_per_90_days": rule.max_per_90_days,
            "ask_by": rule.ask_by,
        }
        for rule in rows
    ]


def interaction_of_invitation(organization_id: int, ref: str) -> int | None:
    """The interaction whose trigger sent the invitation with this ref, if one did (what a
    CRM connector writes a response back to: the ticket that interaction came from)."""
    if not ref:
        return None
    return (
        Invitation.objects.filter(organization_id=organization_id, ref=ref)
        .values_list("interaction_id", flat=True)
        .first()
    )
