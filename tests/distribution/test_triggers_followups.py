"""Triggers (an interaction invites after a delay, once), reminders to non-responders only,
expiry, unsubscribing from the email, and the provider's tracking webhook."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from voxloop.contacts import services as contact_services
from voxloop.contacts.interactions import record_interactions
from voxloop.distribution import services
from voxloop.distribution.campaigns import triggers
from voxloop.distribution.delivery import followups
from voxloop.distribution.delivery.emails import unsubscribe_token
from voxloop.distribution.models import Invitation, InvitationStatus


@pytest.fixture
def ticket_closed(outreach):
    acme, survey, _ = outreach
    kind = contact_services.define_interaction_type(
        actor=acme.scope("admin"), unit=acme.root, key="ticket_closed", name="Ticket"
    )
    trigger = triggers.create_trigger(
        acme.scope("admin"),
        acme.units["c1"],
        survey,
        kind,
        name="After support",
        channel="email",
        delay_minutes=5,
        filters={"attributes.queue": "billing"},
    )
    return trigger


def test_an_interaction_invites_after_the_delay_once_and_only_when_filters_match(
    outreach, ticket_closed, smtp_settings, queue, django_capture_on_commit_callbacks
):
    acme, _survey, people = outreach
    events = [
        {
            "type": "ticket_closed",
            "contact": "ANN",
            "external_id": "T-1",
            "attributes": {"queue": "billing"},
        },
        {
            "type": "ticket_closed",
            "contact": "BO",
            "external_id": "T-2",
            "attributes": {"queue": "sales"},
        },  # filter does not match
        {
            "type": "ticket_closed",
            "contact": "DI",
            "external_id": "T-3",
            "attributes": {"queue": "billing"},
        },  # outside the trigger's unit (country 1)
        {"type": "visit", "contact": "ANN"},  # unknown type: reported
    ]
    with django_capture_on_commit_callbacks(execute=True):
        report = record_interactions(actor=acme.scope("admin"), records=events)
    assert (report.created, report.failed) == (3, 1)
    assert report.errors[0].column == "type"
    now = timezone.now()
    queue.run_due(now)  # fire_triggers
    [invitation] = Invitation.objects.all()
    assert invitation.contact == people["ann"] and invitation.trigger == ticket_closed
    assert invitation.send_after >= now + timedelta(minutes=4)
    queue.run_due(now)
    assert smtp_settings.messages == []  # not before the delay
    queue.run_due(now + timedelta(minutes=6))
    assert smtp_settings.wait_for(1)[0].recipients == [people["ann"].email]
    # The same batch again (a client retry): known events, no second invitation.
    with django_capture_on_commit_callbacks(execute=True):
        again = record_interactions(actor=acme.scope("admin"), records=events[:1])
    assert (again.created, again.duplicates) == (0, 1)
    # Firing twice for the same interaction (a repeated task) invites once.
    assert triggers.fire_triggers(acme.root.organization_id, [invitation.interaction_id]) == 0
    assert Invitation.objects.count() == 1


def test_interactions_from_a_csv(outreach, ticket_closed, tmp_path, queue):
    from voxloop.contacts.interactions import import_interactions_file

    acme, _, _ = outreach
    path = tmp_path / "events.csv"
    path.write_text(
        "type,contact,external_id,occurred_at,queue\n"
        "ticket_closed,ANN,E1,2026-01-05T10:00:00Z,billing\n"
        "ticket_closed,NOBODY,E2,,billing\n"
        "ticket_closed,BO,E3,yesterday,billing\n"
    )
    report = import_interactions_file(actor=acme.scope("admin"), path=path)
    assert report.created == 1 and report.failed == 2
    assert {e.column for e in report.errors} == {"contact", "occurred_at"}


def _sent_campaign(acme, survey, queue, capture, **fields):
    campaign = services.create_campaign(
        actor=acme.scope("admin"),
        unit=acme.units["c1r1s1"],
        survey=survey,
        segment=None,
        name="Pulse",
        channel="email",
        **fields,
    )
    with capture(execute=True):
        services.launch(actor=acme.scope("admin"), campaign=campaign)
    queue.run()
    return campaign


def test_reminders_go_to_non_responders_only_up_to_the_limit_then_invitations_expire(
    outreach, smtp_settings, queue, django_capture_on_commit_callbacks
):
    acme, survey, people = outreach
    campaign = _sent_campaign(
        acme,
        survey,
        queue,
        django_capture_on_commit_callbacks,
        reminders=1,
        reminder_after_days=3,
        expires_after_days=10,
    )
    assert len(smtp_settings.wait_for(2)) == 2
    answered = Invitation.objects.get(campaign=campaign, contact=people["bo"])
    Invitation.objects.filter(pk=answered.pk).update(
        status=InvitationStatus.COMPLETED, completed_at=timezone.now()
    )
    now = timezone.now()
    assert followups.run(now + timedelta(days=1)) == {"expired": 0, "reminded": 0, "finished": 1}
    campaign.refresh_from_db()
    assert campaign.status == "done"  # nothing left to send; reminders still go out
    assert followups.run(now + timedelta(days=4)) == {"expired": 0, "reminded": 1, "finished": 0}
    reminder = smtp_settings.wait_for(3)[2]
    assert reminder.recipients == [people["ann"].email]
    assert reminder.message["Subject"].startswith("Reminder:")
    assert followups.run(now + timedelta(days=8)) == {"expired": 0, "reminded": 0, "finished": 0}
    assert followups.run(now + timedelta(days=11)) == {"expired": 1, "reminded": 0, "finished": 0}
    statuses = dict(
        Invitation.objects.filter(campaign=campaign).values_list("contact__external_id", "status")
    )
    assert statuses == {"ANN": "expired", "BO": "completed"}


def test_one_click_unsubscribe_from_the_header_and_the_page(
    outreach, smtp_settings, queue, django_capture_on_commit_callbacks
):
    acme, survey, people = outreach
    campaign = _sent_campaign(acme, survey, queue, django_capture_on_commit_callbacks)
    invitation = Invitation.objects.get(campaign=campaign, contact=people["ann"])
    client = Client(enforce_csrf_checks=True)
    url = f"/o/u/{unsubscribe_token(invitation)}"
    page = client.get(url)
    assert page.status_code == 200 and "Unsubscribe" in page.content.decode()
    people["ann"].refresh_from_db()
    assert people["ann"].unsubscribed_at is None  # a link scanner's GET changes nothing
    done = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    people["ann"].refresh_from_db()
    assert people["ann"].unsubscribed_at is not None
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.UNSUBSCRIBED
    assert client.post("/o/u/forged-token").status_code == 404


def test_unsubscribe_endpoint_is_rate_limited(outreach, settings):
    settings.SURVEY_SUBMIT_RATE_LIMIT = 3
    client = Client()
    codes = [client.post("/o/u/whatever").status_code for _ in range(5)]
    assert codes[:3] == [404, 404, 404] and codes[3:] == [429, 429]


def test_tracking_webhook_moves_invitations_forward_and_hard_bounces_invalidate(
    outreach, smtp_settings, queue, django_capture_on_commit_callbacks, settings
):
    acme, survey, people = outreach
    settings.TRACKING_WEBHOOK_SECRET = "hook:s3cret"
    campaign = _sent_campaign(acme, survey, queue, django_capture_on_commit_callbacks)
    ann = Invitation.objects.get(campaign=campaign, contact=people["ann"])
    bo = Invitation.objects.get(campaign=campaign, contact=people["bo"])
    auth = "Basic " + base64.b64encode(b"hook:s3cret").decode()
    events = [
        {"event_type": "delivered", "message_id": ann.message_id},
        {"event_type": "opened", "metadata": {"invitation": ann.ref}},
        {"event_type": "delivered", "message_id": ann.message_id},  # late: no step back
        {"event_type": "bounced", "metadata": {"invitation": bo.ref}, "reject_reason": "bounced"},
        {"event_type": "queued", "message_id": "x"},
    ]
    client = Client()
    refused = client.post("/o/webhooks/email", json.dumps(events), content_type="application/json")
    assert refused.status_code == 401
    answer = client.post(
        "/o/webhooks/email",
        json.dumps(events),
        content_type="application/json",
        HTTP_AUTHORIZATION=auth,
    )
    assert answer.status_code == 200 and answer.json() == {"applied": 4, "ignored": 1}
    ann.refresh_from_db()
    bo.refresh_from_db()
    assert ann.status == InvitationStatus.OPENED and ann.delivered_at and ann.opened_at
    assert bo.status == InvitationStatus.HARD_BOUNCED
    people["bo"].refresh_from_db()
    assert people["bo"].email_invalid
    bad = client.post(
        "/o/webhooks/email", "{nope", content_type="application/json", HTTP_AUTHORIZATION=auth
    )
    assert bad.status_code == 400 and bad.json()["field"] == "body"
