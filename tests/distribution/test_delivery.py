"""Sending through a real SMTP server: the fatigue and consent policy on every send, bounces,
and a server that goes away mid-campaign (nothing lost, nothing sent twice)."""

from __future__ import annotations

from datetime import timedelta

from aiosmtpd.controller import Controller
from django.utils import timezone

from tests.contacts.helpers import add_contact
from tests.smtp import Mailbox, free_port
from voxloop.distribution import services
from voxloop.distribution.delivery.batches import deliver
from voxloop.distribution.models import Invitation, InvitationStatus, OutreachPolicy


def point_at(settings, host: str, port: int) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = host, port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5


def campaign_for(acme, survey, unit="c1r1s1", **fields):
    fields.setdefault("name", "Pulse")
    fields.setdefault("channel", "email")
    return services.create_campaign(
        actor=acme.scope("admin"), unit=acme.units[unit], survey=survey, segment=None, **fields
    )


def test_server_down_mid_campaign_loses_nothing_and_sends_nothing_twice(
    outreach, settings, queue, django_capture_on_commit_callbacks
):
    acme, survey, _people = outreach
    for n in range(4):
        add_contact(acme, "c1r1s1", f"EXTRA{n}")
    mailbox = Mailbox(host="127.0.0.1", port=free_port())
    server = Controller(mailbox, hostname=mailbox.host, port=mailbox.port)
    server.start()
    point_at(settings, mailbox.host, mailbox.port)
    # Two a minute: three batches of two, a minute apart.
    campaign = campaign_for(acme, survey, throttle_per_minute=2)
    with django_capture_on_commit_callbacks(execute=True):
        services.launch(actor=acme.scope("admin"), campaign=campaign)
    now = timezone.now()
    queue.run_due(now)  # starts the campaign: invitations and three batches
    queue.run_due(now)  # the first batch
    assert len(mailbox.wait_for(2)) == 2
    server.stop()
    queue.run_due(now + timedelta(minutes=3))  # the other two batches, server down
    waiting = Invitation.objects.filter(campaign=campaign, status=InvitationStatus.QUEUED)
    assert waiting.count() == 4
    assert all(i.attempts == 1 and i.error and i.send_after for i in waiting)
    assert len(mailbox.messages) == 2
    server = Controller(mailbox, hostname=mailbox.host, port=mailbox.port)
    server.start()
    try:
        queue.run_due(now + timedelta(hours=1))  # the retries
        assert len(mailbox.wait_for(6)) == 6
        # A repeated batch (a worker retrying a task) sends nothing again.
        ids = list(Invitation.objects.filter(campaign=campaign).values_list("pk", flat=True))
        assert deliver(ids).sent == 0
    finally:
        server.stop()
    recipients = [m.recipients[0] for m in mailbox.messages]
    assert len(recipients) == len(set(recipients)) == 6
    assert set(Invitation.objects.filter(campaign=campaign).values_list("status", flat=True)) == {
        InvitationStatus.SENT
    }


class Refusing(Mailbox):
    """A server that knows no mailbox called nosuch@…, and is busy for busy@…."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("nosuch@"):
            return "550 5.1.1 No such user"
        if address.startswith("busy@"):
            return "452 4.2.2 Mailbox full"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_hard_bounce_marks_the_address_invalid_and_later_sends_skip_it(
    outreach, settings, queue, django_capture_on_commit_callbacks
):
    acme, survey, _people = outreach
    gone = add_contact(acme, "c1r1s1", "GONE", email="nosuch@example.test")
    full = add_contact(acme, "c1r1s1", "FULL", email="busy@example.test")
    mailbox = Refusing(host="127.0.0.1", port=free_port())
    server = Controller(mailbox, hostname=mailbox.host, port=mailbox.port)
    server.start()
    point_at(settings, mailbox.host, mailbox.port)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.launch(actor=acme.scope("admin"), campaign=campaign_for(acme, survey))
        queue.run()
        mailbox.wait_for(2)  # Ann and Bo
        status = dict(Invitation.objects.values_list("contact__external_id", "status"))
        assert status["GONE"] == InvitationStatus.HARD_BOUNCED
        assert status["FULL"] == InvitationStatus.SOFT_BOUNCED
        gone.refresh_from_db()
        full.refresh_from_db()
        assert gone.email_invalid and not full.email_invalid
        with django_capture_on_commit_callbacks(execute=True):
            services.launch(
                actor=acme.scope("admin"), campaign=campaign_for(acme, survey, name="Second")
            )
        queue.run()
        second = Invitation.objects.get(contact=gone, campaign__name="Second")
        assert (second.status, second.skip_reason) == (InvitationStatus.SKIPPED, "invalid_address")
    finally:
        server.stop()


def test_every_send_honours_consent_unsubscribe_and_fatigue_with_a_recorded_reason(
    outreach, smtp_settings, queue, django_capture_on_commit_callbacks
):
    acme, survey, people = outreach
    OutreachPolicy.objects.filter(organization=acme.root.organization).update(
        min_days_between=0, max_per_90_days=1
    )
    add_contact(acme, "c1r1s1", "NOMAIL", consent_email=False)
    add_contact(acme, "c1r1s1", "GONE", unsubscribed_at=timezone.now())
    add_contact(acme, "c1r1s1", "BLANK", email="")
    with django_capture_on_commit_callbacks(execute=True):
        services.launch(
            actor=acme.scope("admin"), campaign=campaign_for(acme, survey, name="First")
        )
    queue.run()
    reasons = dict(
        Invitation.objects.filter(campaign__name="First").values_list(
            "contact__external_id", "skip_reason"
        )
    )
    assert reasons == {
        "ANN": "",
        "BO": "",
        "NOMAIL": "no_consent",
        "GONE": "unsubscribed",
        "BLANK": "no_address",
    }
    with django_capture_on_commit_callbacks(execute=True):
        services.launch(
            actor=acme.scope("admin"), campaign=campaign_for(acme, survey, name="Second")
        )
    queue.run()
    second = dict(
        Invitation.objects.filter(campaign__name="Second").values_list(
            "contact__external_id", "skip_reason"
        )
    )
    assert second["ANN"] == second["BO"] == "too_many"
    OutreachPolicy.objects.filter(organization=acme.root.organization).update(
        min_days_between=30, max_per_90_days=10
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.launch(
            actor=acme.scope("admin"), campaign=campaign_for(acme, survey, name="Third")
        )
    queue.run()
    third = Invitation.objects.get(campaign__name="Third", contact=people["ann"])
    assert third.skip_reason == "too_soon"
    assert len(smtp_settings.messages) == 2


def test_quiet_hours_in_the_contacts_time_zone_defer_the_send(
    outreach, smtp_settings, queue, django_capture_on_commit_callbacks
):
    acme, survey, _people = outreach
    OutreachPolicy.objects.filter(organization=acme.root.organization).update(
        quiet_start_hour=21, quiet_end_hour=8
    )
    # Whatever the time now, one of these two zones is in its quiet hours... pick by offset.
    now = timezone.now()
    zone = next(
        z
        for z in (
            "Pacific/Kiritimati",
            "Asia/Tokyo",
            "Europe/London",
            "America/New_York",
            "Pacific/Honolulu",
            "Asia/Kolkata",
            "Australia/Sydney",
            "America/Sao_Paulo",
        )
        if _quiet(now, z)
    )
    night = add_contact(acme, "c1r1s2", "NIGHT", timezone=zone)
    campaign = campaign_for(acme, survey, unit="c1r1s2")
    with django_capture_on_commit_callbacks(execute=True):
        services.launch(actor=acme.scope("admin"), campaign=campaign)
    queue.run(now=now)
    invitation = Invitation.objects.get(contact=night)
    assert invitation.status == InvitationStatus.QUEUED and invitation.send_after > now
    assert smtp_settings.to(night.email) == []
    local_end = invitation.send_after.astimezone(__import__("zoneinfo").ZoneInfo(zone))
    assert (local_end.hour, local_end.minute) == (8, 0)


def _quiet(now, zone: str) -> bool:
    from zoneinfo import ZoneInfo

    hour = now.astimezone(ZoneInfo(zone)).hour
    return hour >= 21 or hour < 8
