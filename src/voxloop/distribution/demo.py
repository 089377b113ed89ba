"""The demo's outreach: interaction types, segments, a support trigger, three campaigns, a web
widget and a realistic invitation history (the funnel narrows from sent to completed; some
bounce, a few unsubscribe), so the outreach pages have something true-looking to show."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.conf import settings

from voxloop.contacts import selectors as contact_selectors
from voxloop.contacts import services as contact_services
from voxloop.contacts.interactions import import_history
from voxloop.contacts.models import Interaction
from voxloop.distribution import services
from voxloop.distribution.campaigns import triggers
from voxloop.distribution.models import (
    Campaign,
    CampaignStatus,
    Channel,
    Invitation,
    InvitationStatus,
    OutreachPolicy,
)
from voxloop.distribution.widget import services as widgets
from voxloop.origins import normal_origin
from voxloop.tenancy.scoping import Scope

TYPES = (
    ("ticket_closed", "Support ticket closed"),
    ("store_visit", "Store visit"),
    ("purchase", "Online purchase"),
    ("delivery", "Delivery"),
)
HISTORY_CONTACTS = 4000
TICKETS = 600


def add_outreach(system: Scope, tree, surveys, rng: random.Random, anchor: datetime) -> int:
    """Returns how many invitations the history holds."""
    OutreachPolicy.objects.get_or_create(organization_id=system.organization_id)
    kinds = {
        key: contact_services.define_interaction_type(
            actor=system, unit=tree.root, key=key, name=name
        )
        for key, name in TYPES
    }
    loyal = contact_services.save_segment(
        actor=system,
        unit=tree.root,
        name="Loyal and VIP customers",
        filters=[{"field": "attributes.segment", "op": "in", "value": ["loyal", "vip"]}],
    )
    # A demo seeded without B2B accounts has no decision makers to segment.
    has_b2b = (
        contact_selectors.people_of(system.organization_id)
        .filter(attributes__has_key="decision_maker")
        .exists()
    )
    decision = (
        contact_services.save_segment(
            actor=system,
            unit=tree.root,
            name="B2B decision makers",
            filters=[{"field": "attributes.decision_maker", "op": "eq", "value": True}],
        )
        if has_b2b
        else None
    )
    triggers.create_trigger(
        system,
        tree.root,
        surveys.support,
        kinds["ticket_closed"],
        name="After a support ticket",
        channel=Channel.EMAIL,
        delay_minutes=5,
    )
    quarterly = _campaign(
        system,
        tree,
        surveys.relationship,
        loyal,
        "Quarterly relationship pulse",
        CampaignStatus.DONE,
        anchor - timedelta(days=45),
    )
    b2b = None
    if decision is not None:
        b2b = _campaign(
            system,
            tree,
            surveys.relationship,
            decision,
            "B2B health check",
            CampaignStatus.SENDING,
            anchor - timedelta(days=6),
        )
    _campaign(
        system, tree, surveys.store_visit, None, "Spring store survey", CampaignStatus.DRAFT, None
    )
    contacts = list(
        contact_selectors.people_of(system.organization_id)
        .order_by("pk")
        .values_list("pk", "unit_path", "locale")[:HISTORY_CONTACTS]
    )
    split = HISTORY_CONTACTS * 3 // 4 if b2b else len(contacts)
    made = _history(quarterly, contacts[:split], rng)
    if b2b:
        made += _history(b2b, contacts[split:], rng)
    made += _tickets(system, tree, kinds["ticket_closed"], surveys.support, rng, anchor)
    _widget(system, tree, surveys.relationship)
    return made


def _widget(system: Scope, tree, survey) -> None:
    """The web shop's NPS panel: every account page, after ten seconds, one visitor in five."""
    base = normal_origin(settings.BASE_URL) or "http://127.0.0.1:8000"
    widgets.create_widget(
        actor=system,
        unit=tree.root,
        survey=survey,
        name="Web shop NPS",
        allowed_origins=[base, "https://shop.example.com"],
        url_patterns=["/account/*", "/orders/*"],
        delay_seconds=10,
        sample_percent=20,
        suppress_days=90,
    )


def _campaign(system, tree, survey, segment, name, status, launched) -> Campaign:
    campaign = services.create_campaign(
        actor=system,
        unit=tree.root,
        survey=survey,
        segment=segment,
        name=name,
        channel=Channel.EMAIL,
        reminders=1,
        reminder_after_days=4,
        sender_name="Northwind CX team",
    )
    Campaign.objects.filter(pk=campaign.pk).update(
        status=status, launched_at=launched, send_at=launched
    )
    campaign.status, campaign.launched_at, campaign.send_at = status, launched, launched
    return campaign


def _funnel(rng: random.Random, invitation: Invitation, sent: datetime) -> None:
    """One invitation's fate: the shares of a typical B2C email survey."""
    if rng.random() < 0.03:
        invitation.status, invitation.skip_reason = InvitationStatus.SKIPPED, "no_consent"
        return
    invitation.sent_at = invitation.last_sent_at = sent
    if rng.random() < 0.025:
        invitation.status, invitation.bounced_at = InvitationStatus.HARD_BOUNCED, sent
        return
    step = sent
    invitation.status = InvitationStatus.SENT
    for status, field, chance, minutes in (
        (InvitationStatus.DELIVERED, "delivered_at", 1.0, 1),
        (InvitationStatus.OPENED, "opened_at", 0.58, 600),
        (InvitationStatus.CLICKED, "clicked_at", 0.62, 30),
        (InvitationStatus.STARTED, "started_at", 0.85, 1),
        (InvitationStatus.COMPLETED, "completed_at", 0.8, 3),
    ):
        if rng.random() >= chance:
            break
        step = step + timedelta(minutes=rng.expovariate(1 / minutes))
        invitation.status = status
        setattr(invitation, field, step)
    if invitation.status in (InvitationStatus.DELIVERED, InvitationStatus.OPENED):
        if rng.random() < 0.02:
            invitation.status, invitation.unsubscribed_at = InvitationStatus.UNSUBSCRIBED, step
        elif rng.random() < 0.5:
            invitation.reminders_sent = 1


def _history(campaign: Campaign, contacts, rng: random.Random) -> int:
    rows = []
    for pk, path, locale in contacts:
        invitation = Invitation(
            organization_id=campaign.organization_id,
            unit_path=path,
            survey=campaign.survey,
            contact_id=pk,
            campaign=campaign,
            channel=campaign.channel,
            locale=locale,
            expires_at=campaign.launched_at + timedelta(days=campaign.expires_after_days),
        )
        sent = campaign.launched_at + timedelta(seconds=rng.uniform(0, 3600))
        _funnel(rng, invitation, sent)
        rows.append(invitation)
    Invitation.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _tickets(system, tree, kind, survey, rng, anchor) -> int:
    """Support tickets over the last 30 days, each invited 5 minutes after it closed."""
    business = list(
        contact_selectors.people_of(system.organization_id)
        .filter(account__isnull=False)
        .select_related("home_unit")[:TICKETS]
    ) or list(
        contact_selectors.people_of(system.organization_id).select_related("home_unit")[:TICKETS]
    )
    interactions = [
        Interaction(
            type=kind,
            contact=c,
            unit=c.home_unit,
            channel="phone",
            external_id=f"TCK-{n:06}",
            occurred_at=anchor - timedelta(minutes=rng.uniform(60, 30 * 24 * 60)),
            attributes={"queue": rng.choice(["billing", "delivery", "returns"])},
        )
        for n, c in enumerate(business)
    ]
    import_history(actor=system, interactions=interactions)
    trigger = triggers.visible_trigger_for(system, kind)
    rows = []
    for interaction in interactions:
        invitation = Invitation(
            organization_id=system.organization_id,
            unit_path=interaction.contact.unit_path,
            survey=survey,
            contact=interaction.contact,
            trigger=trigger,
            interaction=interaction,
            channel=Channel.EMAIL,
            locale=interaction.contact.locale,
            expires_at=interaction.occurred_at + timedelta(days=7),
        )
        _funnel(rng, invitation, interaction.occurred_at + timedelta(minutes=5))
        rows.append(invitation)
    Invitation.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
