"""Every write about outreach: policy, campaigns (launch, pause, resume, cancel, test send),
and the send batches the tasks run. Triggers: distribution.campaigns.triggers; tracking events:
distribution.tracking.progress; widgets: distribution.widget.services."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from voxloop.contacts import selectors as contact_selectors
from voxloop.contacts.models import Contact, Segment
from voxloop.distribution.delivery import batches
from voxloop.distribution.models import (
    AskBy,
    Campaign,
    CampaignStatus,
    Channel,
    Invitation,
    InvitationStatus,
    OutreachPolicy,
    SegmentRule,
)
from voxloop.errors import Conflict, Forbidden, InvalidInput
from voxloop.surveys import definition
from voxloop.surveys.models import Survey, SurveyStatus
from voxloop.tenancy.models import PATH_SEGMENT_WIDTH, OrgUnit
from voxloop.tenancy.scoping import Capability, Scope
from voxloop.tenancy.services import record_audit

CAMPAIGN_FIELDS = (
    "name",
    "channel",
    "send_at",
    "throttle_per_minute",
    "reminders",
    "reminder_after_days",
    "expires_after_days",
    "texts",
    "sender_name",
    "sender_email",
    "reply_to",
)
MAX_REMINDERS = 5


def check_owned(*, actor: Scope, unit: OrgUnit, survey: Survey, segment: Segment | None) -> None:
    actor.require(Capability.CONFIGURE)
    if not actor.covers(unit):
        raise Forbidden("The unit is outside your part of the organisation.", "unit")
    if survey.organization_id != actor.organization_id:
        raise InvalidInput("No such survey.", field="survey")
    if segment is not None and (
        segment.organization_id != actor.organization_id or not actor.covers_path(segment.unit_path)
    ):
        raise InvalidInput("No such segment.", field="segment")


def update_policy(*, actor: Scope, **values: int) -> OutreachPolicy:
    actor.require(Capability.CONFIGURE)
    if len(actor.unit_path) != PATH_SEGMENT_WIDTH:
        raise Forbidden("The outreach policy is the whole organisation's: ask its admins.")
    rules, _ = OutreachPolicy.objects.get_or_create(organization_id=actor.organization_id)
    limits = {
        "min_days_between": 365,
        "max_per_90_days": 90,
        "quiet_start_hour": 23,
        "quiet_end_hour": 23,
    }
    for name, value in values.items():
        if name not in limits:
            raise InvalidInput(f"Unknown setting '{name}'.", field=name)
        if not isinstance(value, int) or not 0 <= value <= limits[name]:
            raise InvalidInput(f"{name} is a whole number from 0 to {limits[name]}.", field=name)
        setattr(rules, name, value)
    with transaction.atomic():
        rules.save()
        record_audit(actor=actor, action="outreach_policy.update", target=rules, changes=values)
    return rules


def set_segment_rule(
    *,
    actor: Scope,
    segment_id: int,
    min_days_between: int,
    max_per_90_days: int,
    ask_by: str = "automated",
) -> SegmentRule:
    """Give the contacts of one segment (a tier, a persona) their own fatigue rules and way
    of being asked; a second call for the same segment changes them (decision 0041)."""
    _require_org_admin(actor)
    segment = contact_selectors.segment(actor, segment_id)  # NotFound across tenants
    if ask_by not in AskBy.values:
        raise InvalidInput("How they are asked is 'automated' or 'owner'.", field="ask_by")
    for name, value, top in (
        ("min_days_between", min_days_between, 365),
        ("max_per_90_days", max_per_90_days, 90),
    ):
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= top:
            raise InvalidInput(f"{name} is a whole number from 0 to {top}.", field=name)
    values = {
        "min_days_between": min_days_between,
        "max_per_90_days": max_per_90_days,
        "ask_by": ask_by,
    }
    with transaction.atomic():
        policy, _ = OutreachPolicy.objects.get_or_create(organization_id=actor.organization_id)
        rule, created = SegmentRule.objects.update_or_create(
            organization_id=actor.organization_id,
            segment=segment,
            defaults={"policy": policy, **values},
        )
        record_audit(
            actor=actor,
            action="outreach_policy.segment_rule." + ("create" if created else "update"),
            target=rule,
            changes={"segment": segment.pk, **values},
        )
    return rule


def remove_segment_rule(*, actor: Scope, segment_id: int) -> None:
    _require_org_admin(actor)
    rule = SegmentRule.objects.filter(
        organization_id=actor.organization_id, segment_id=segment_id
    ).first()
    if rule is None:
        raise InvalidInput("That segment has no rule.", field="segment")
    with transaction.atomic():
        record_audit(
            actor=actor,
            action="outreach_policy.segment_rule.delete",
            target=rule,
            changes={"segment": segment_id},
        )
        rule.delete()


def replace_segment_rules(*, actor: Scope, rules: list[dict[str, Any]]) -> None:
    """The whole list of rules per segment at once (the API): the ones not named go."""
    _require_org_admin(actor)
    wanted = [int(rule["segment_id"]) for rule in rules]
    if len(set(wanted)) != len(wanted):
        raise InvalidInput("A segment appears twice in the rules.", field="segment_rules")
    with transaction.atomic():
        for rule in rules:
            set_segment_rule(actor=actor, **rule)
        gone = SegmentRule.objects.filter(organization_id=actor.organization_id).exclude(
            segment_id__in=wanted
        )
        for segment_id in gone.values_list("segment_id", flat=True):
            remove_segment_rule(actor=actor, segment_id=segment_id)


def _require_org_admin(actor: Scope) -> None:
    actor.require(Capability.CONFIGURE)
    if len(actor.unit_path) != PATH_SEGMENT_WIDTH:
        raise Forbidden("The outreach policy is the whole organisation's: ask its admins.")


def create_campaign(
    *, actor: Scope, unit: OrgUnit, survey: Survey, segment: Segment | None, **fields: Any
) -> Campaign:
    check_owned(actor=actor, unit=unit, survey=survey, segment=segment)
    campaign = Campaign(
        organization_id=actor.organization_id,
        unit=unit,
        unit_path=unit.path,
        survey=survey,
        segment=segment,
        created_by_id=actor.user_id,
    )
    _set_fields(campaign, fields)
    with transaction.atomic():
        campaign.save()
        record_audit(
            actor=actor,
            action="campaign.create",
            target=campaign,
            changes={k: str(v) for k, v in fields.items()},
        )
    return campaign


def _set_fields(campaign: Campaign, fields: dict) -> None:
    for name, value in fields.items():
        if name not in CAMPAIGN_FIELDS:
            raise InvalidInput(f"Unknown campaign field '{name}'.", field=name)
        setattr(campaign, name, value)
    if not (campaign.name or "").strip():
        raise InvalidInput("Give the campaign a name.", field="name")
    if campaign.channel not in Channel.values:
        raise InvalidInput("The channel is email or sms.", field="channel")
    if campaign.reminders > MAX_REMINDERS:
        raise InvalidInput(f"At most {MAX_REMINDERS} reminders.", field="reminders")
    if campaign.reminders and not campaign.reminder_after_days:
        raise InvalidInput("Reminders need a number of days.", field="reminder_after_days")
    if campaign.throttle_per_minute < 1:
        raise InvalidInput("Send at least one invitation a minute.", field="throttle_per_minute")
    if not isinstance(campaign.texts, dict):
        raise InvalidInput("Texts are {part: {language: text}}.", field="texts")


def update_campaign(
    *,
    actor: Scope,
    campaign: Campaign,
    survey: Survey | None = None,
    segment: Segment | None = None,
    clear_segment: bool = False,
    fields: dict,
) -> Campaign:
    """Change a draft campaign (its audience, survey, texts, schedule); once launched, what
    was sent is history: pause or cancel it instead (409)."""
    _require_campaign(actor, campaign)
    if campaign.status != CampaignStatus.DRAFT:
        raise Conflict("Only a draft campaign can be changed; pause or cancel it.", "status")
    new_segment = None if clear_segment else (segment or campaign.segment)
    check_owned(
        actor=actor, unit=campaign.unit, survey=survey or campaign.survey, segment=new_segment
    )
    campaign.survey = survey or campaign.survey
    campaign.segment = new_segment
    _set_fields(campaign, fields)
    with transaction.atomic():
        campaign.save()
        changes = {k: str(v) for k, v in fields.items()}
        record_audit(actor=actor, action="campaign.update", target=campaign, changes=changes)
    return campaign


def delete_campaign(*, actor: Scope, campaign: Campaign) -> None:
    """Delete a draft that invited nobody; a campaign with invitations is history: cancel it."""
    _require_campaign(actor, campaign)
    if campaign.status != CampaignStatus.DRAFT or campaign.invitations.exists():
        raise Conflict("This campaign has invited people: cancel it instead.", field="status")
    with transaction.atomic():
        record_audit(
            actor=actor, action="campaign.delete", target=campaign, changes={"name": campaign.name}
        )
        campaign.delete()


def _require_campaign(actor: Scope, campaign: Campaign) -> None:
    actor.require(Capability.CONFIGURE)
    if campaign.organization_id != actor.organization_id or not actor.covers_path(
        campaign.unit_path
    ):
        raise Forbidden("This campaign is outside your part of the organisation.")


def launch(*, actor: Scope, campaign: Campaign, now: datetime | None = None) -> Campaign:
    """Schedule the campaign: it starts at its send time (now when none is set)."""
    _require_campaign(actor, campaign)
    if campaign.status != CampaignStatus.DRAFT:
        raise Conflict("Only a draft campaign can be launched.", field="status")
    if campaign.survey.status != SurveyStatus.LIVE:
        raise Conflict("The survey is not live: publish it first.", field="survey")
    now = now or timezone.now()
    campaign.status = CampaignStatus.SCHEDULED
    campaign.send_at = campaign.send_at or now
    with transaction.atomic():
        campaign.save(update_fields=["status", "send_at"])
        record_audit(
            actor=actor,
            action="campaign.launch",
            target=campaign,
            changes={"send_at": str(campaign.send_at)},
        )
    if campaign.send_at <= now:
        _enqueue_start(campaign.pk)
    return campaign


def _enqueue_start(campaign_id: int) -> None:
    from voxloop.distribution.tasks import start_campaign

    transaction.on_commit(lambda: start_campaign.enqueue(campaign_id))


def launch_due(*, now: datetime | None = None) -> int:
    """Start scheduled campaigns whose send time has come (the worker's clock calls this)."""
    now = now or timezone.now()
    due = list(
        Campaign.objects.filter(status=CampaignStatus.SCHEDULED, send_at__lte=now).values_list(
            "pk", flat=True
        )
    )
    for campaign_id in due:
        materialize(campaign_id=campaign_id, now=now)
    return len(due)


def audience(*, campaign: Campaign) -> QuerySet[Contact]:
    """The campaign's contacts: its unit's subtree, narrowed by its segment."""
    filters = campaign.segment.filters if campaign.segment_id else None
    return contact_selectors.audience(campaign.organization_id, campaign.unit_path, filters)


def materialize(*, campaign_id: int, now: datetime | None = None) -> int:
    """One queued invitation per audience contact, then the send batches at the throttle."""
    now = now or timezone.now()
    with transaction.atomic():
        updated = Campaign.objects.filter(pk=campaign_id, status=CampaignStatus.SCHEDULED).update(
            status=CampaignStatus.SENDING, launched_at=now
        )
    if not updated:
        return 0  # started already (a second worker, a repeated task)
    campaign = Campaign.objects.select_related("survey", "segment").get(pk=campaign_id)
    expires = now + timedelta(days=campaign.expires_after_days)
    survey = campaign.survey
    created, last_pk = 0, 0
    while True:
        chunk = list(
            audience(campaign=campaign)
            .filter(pk__gt=last_pk)
            .order_by("pk")
            .values_list("pk", "unit_path", "locale")[:2000]
        )
        if not chunk:
            break
        last_pk = chunk[-1][0]
        Invitation.objects.bulk_create(
            [
                Invitation(
                    organization_id=campaign.organization_id,
                    unit_path=path,
                    survey=survey,
                    contact_id=pk,
                    campaign=campaign,
                    channel=campaign.channel,
                    locale=definition.pick_locale(survey, [locale]),
                    expires_at=expires,
                )
                for pk, path, locale in chunk
            ],
            ignore_conflicts=True,
        )
        created += len(chunk)
    _enqueue_queued(campaign, now)
    return created


def _enqueue_queued(campaign: Campaign, now: datetime) -> int:
    """Send batches for every queued invitation, spaced to keep within the throttle."""
    from voxloop.distribution.tasks import send_invitations

    size = max(1, min(batches.BATCH_SIZE, campaign.throttle_per_minute))
    queued = Invitation.objects.filter(campaign=campaign, status=InvitationStatus.QUEUED)
    index, last_pk, page_size = 0, 0, size * max(1, 2000 // size)  # whole batches per page
    while True:
        # A page read and closed before the writes: on SQLite a write while a read cursor is
        # still open on an older snapshot fails at once ("database is locked") once another
        # worker has committed, and would leave the rest of the campaign without batches.
        page = list(
            queued.filter(pk__gt=last_pk).order_by("pk").values_list("pk", flat=True)[:page_size]
        )
        if not page:
            return index
        last_pk = page[-1]
        for start in range(0, len(page), size):
            _enqueue_batch(send_invitations, page[start : start + size], now, index, size, campaign)
            index += 1


def _enqueue_batch(task_obj, ids, now, index, size, campaign) -> None:
    delay = timedelta(minutes=index * size / campaign.throttle_per_minute)
    if delay >= timedelta(seconds=1):  # shorter: no detour through RQ's scheduler
        task_obj.using(run_after=now + delay).enqueue(list(ids))
    else:
        task_obj.enqueue(list(ids))


def send_batch(*, invitation_ids: list[int]) -> dict:
    """Deliver a batch, then enqueue whatever must wait (a retry, quiet hours)."""
    from voxloop.distribution.tasks import send_invitations

    outcome = batches.deliver(invitation_ids)
    for when, ids in outcome.deferred.items():
        send_invitations.using(run_after=when).enqueue(ids)
    return {
        "sent": outcome.sent,
        "skipped": outcome.skipped,
        "bounced": outcome.bounced,
        "deferred": sum(len(ids) for ids in outcome.deferred.values()),
    }


def recover_claims(*, now: datetime | None = None) -> dict:
    """Return invitations a dead worker had claimed to the queue once their lease expired,
    and send them again in fresh batches, with the queued ones whose (delayed) task was lost
    (the worker's clock runs this)."""
    from voxloop.distribution.tasks import send_invitations

    requeued, uncertain = batches.recover_expired(now)
    overdue = batches.overdue_queued(now)
    again = requeued + [pk for pk in overdue if pk not in set(requeued)]
    for start in range(0, len(again), batches.BATCH_SIZE):
        send_invitations.enqueue(again[start : start + batches.BATCH_SIZE])
    result = {"requeued": len(requeued), "failed": uncertain}
    if overdue:
        result["overdue"] = len(overdue)
    return result


def pause(*, actor: Scope, campaign: Campaign) -> Campaign:
    return _move(
        actor,
        campaign,
        {CampaignStatus.SCHEDULED, CampaignStatus.SENDING},
        CampaignStatus.PAUSED,
        "campaign.pause",
    )


def resume(*, actor: Scope, campaign: Campaign, now: datetime | None = None) -> Campaign:
    campaign = _move(
        actor, campaign, {CampaignStatus.PAUSED}, CampaignStatus.SENDING, "campaign.resume"
    )
    if campaign.launched_at is None:
        Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.SCHEDULED)
        campaign.status = CampaignStatus.SCHEDULED
        return campaign
    transaction.on_commit(lambda: _enqueue_queued(campaign, now or timezone.now()))
    return campaign


def cancel(*, actor: Scope, campaign: Campaign) -> Campaign:
    campaign = _move(
        actor,
        campaign,
        {
            CampaignStatus.DRAFT,
            CampaignStatus.SCHEDULED,
            CampaignStatus.SENDING,
            CampaignStatus.PAUSED,
        },
        CampaignStatus.CANCELLED,
        "campaign.cancel",
    )
    Invitation.objects.filter(campaign=campaign, status=InvitationStatus.QUEUED).update(
        status=InvitationStatus.SKIPPED, skip_reason="cancelled"
    )
    return campaign


def _move(actor: Scope, campaign: Campaign, allowed: set, target: str, action: str) -> Campaign:
    _require_campaign(actor, campaign)
    with transaction.atomic():
        moved = Campaign.objects.filter(pk=campaign.pk, status__in=allowed).update(status=target)
        if not moved:
            raise Conflict(
                f"A {campaign.get_status_display().lower()} campaign cannot be changed so.",
                field="status",
            )
        campaign.status = target
        record_audit(actor=actor, action=action, target=campaign)
    return campaign


def test_send(*, actor: Scope, campaign: Campaign, contact: Contact) -> Invitation:
    """Send the campaign's email now to one contact (e.g. yourself), marked as a test: it
    counts for no fatigue limit and in no statistics."""
    _require_campaign(actor, campaign)
    if contact.organization_id != actor.organization_id or not actor.covers_path(contact.unit_path):
        raise InvalidInput("No such contact.", field="contact")
    invitation = Invitation.objects.create(
        organization_id=campaign.organization_id,
        unit_path=contact.unit_path,
        survey=campaign.survey,
        contact=contact,
        campaign=campaign,
        channel=campaign.channel,
        locale=definition.pick_locale(campaign.survey, [contact.locale]),
        is_test=True,
    )
    record_audit(
        actor=actor, action="campaign.test_send", target=campaign, changes={"contact": contact.pk}
    )
    from voxloop.distribution.tasks import send_invitations

    transaction.on_commit(lambda: send_invitations.enqueue([invitation.pk]))
    return invitation


def forget_person(*, organization_id: int, contact_id: int) -> dict[str, int]:
    """Erasure: the contact's invitations stay as rows (response rates keep counting them),
    without the provider's message id or error text (which may quote the address); those not
    sent yet never will be."""
    invitations = Invitation.objects.filter(organization_id=organization_id, contact_id=contact_id)
    unsent = invitations.filter(
        status__in=(InvitationStatus.QUEUED, InvitationStatus.SENDING), handed_at__isnull=True
    ).update(status=InvitationStatus.SKIPPED, skip_reason="erased", claim="")
    scrubbed = invitations.update(message_id="", error="")
    return {"invitations": scrubbed, "invitations_cancelled": unsent}
