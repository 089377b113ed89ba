"""The prepared invitation email (decision 0063) is byte for byte the message Django's build
writes (the same MIME boundary and Date given), for recipients whose names, languages,
campaign texts and senders differ, and what a real SMTP server receives from a campaign is
that message too."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.utils import mktime_tz, parsedate_tz
from types import SimpleNamespace

import pytest
from aiosmtpd.controller import Controller
from django.core import signing
from django.utils import timezone

from tests.contacts.helpers import add_contact
from tests.distribution.test_delivery import campaign_for, point_at
from tests.smtp import Mailbox, free_port
from voxloop.distribution.delivery import prepared
from voxloop.distribution.delivery.batches import deliver
from voxloop.distribution.delivery.emails import build_message
from voxloop.distribution.models import Invitation, InvitationStatus

PEOPLE = [  # external id, first name, last name, language
    ("ANN", "Ann", "Lee", "en"),
    ("JOSE", "José", "Núñez", "en"),  # non-ASCII in an ASCII (7bit) skeleton
    ("ZOE", "Zoë", "Ionescu-Brâncuși", "ro"),
    ("CHEN", "陈小明", "", "zh-hans"),
    ("LIN", "林美玲", "林", "zh-hant"),
    ("SAKURA", "さくら", "山田", "ja"),
    ("NONAME", "", "", "en"),
    ("OBRIEN", 'O\'Brien <&> "Jr"', "Smith & Sons", "en"),
    ("LONG", "Bartholomew", "Long" * 25, "en"),  # the longest last name there is
    ("WIDE", "Ana", "ș" * 100, "ro"),  # 200 bytes, five times: the intro's line passes 998
]

TEXTS = {
    "subject": {
        "en": "{{first_name}}, how was {{unit}}?",
        "ro": "Cum a fost la {{unit}}, {{first_name}}?",
        "zh-hans": "{{unit}}怎么样？",
    },
    "intro": {
        "en": "Dear {{first_name}} {{last_name}}, tell us about {{unit}} and {{survey}}.",
        "ro": "Dragă {{first_name}} {{last_name}}, cum a fost? " + "{{last_name}} " * 4,
        "ja": "{{last_name}}様、ご意見をお聞かせください。" + "ご協力ください。" * 30,
    },
}


def _contacts(outreach):
    acme, _survey, _people = outreach
    return [
        add_contact(acme, "c1r1s1", f"PREP-{code}", first_name=first, last_name=last, locale=locale)
        for code, first, last, locale in PEOPLE
    ]


def _invite(contact, campaign):
    return Invitation.objects.create(
        organization_id=campaign.organization_id,
        unit_path=contact.unit_path,
        survey=campaign.survey,
        campaign=campaign,
        contact=contact,
        channel="email",
        locale=contact.locale,
        status=InvitationStatus.SENDING,
    )


@pytest.fixture
def one_second(monkeypatch):
    """Unsubscribe links carry the time they were signed: both builds sign in the same second."""
    monkeypatch.setattr(signing, "time", SimpleNamespace(time=lambda: 1_765_000_000.0))


def _same_as_django(invitation, reminder=False):
    ours = prepared.written(invitation, reminder)
    reference = build_message(invitation, reminder=reminder)
    mime = reference.message()
    if ours is None:
        return None
    mime.set_boundary(prepared.boundary_of(ours.raw))
    expected = mime.as_bytes(linesep="\r\n")
    assert prepared.comparable(ours.raw) == prepared.comparable(expected), invitation.locale
    # And as a reader sees it: the same headers, the same decoded parts.
    got, want = (message_from_bytes(raw, policy=policy.default) for raw in (ours.raw, expected))
    assert [(k, str(v)) for k, v in got.items() if k != "Date"] == [
        (k, str(v)) for k, v in want.items() if k != "Date"
    ]
    assert [p.get_content() for p in got.iter_parts()] == [
        p.get_content() for p in want.iter_parts()
    ]
    assert abs(mktime_tz(parsedate_tz(str(got["Date"]))) - timezone.now().timestamp()) < 60
    assert ours.message_id == reference.extra_headers["Message-ID"]
    assert ours.recipients == reference.recipients() and ours.sender
    return ours


@pytest.mark.parametrize("reminder", [False, True])
def test_prepared_messages_are_djangos_for_every_kind_of_recipient(outreach, reminder, one_second):
    acme, survey, _ = outreach
    cases = [
        campaign_for(acme, survey, name="Plain"),
        campaign_for(
            acme,
            survey,
            name="Written",
            texts=TEXTS,
            sender_name="Zoë Ionescu, CEO",
            sender_email="ceo@acme.test",
            reply_to="cx@acme.test",
        ),
    ]
    prepared._SKELETONS.clear()
    written = 0
    contacts = _contacts(outreach)
    for campaign in cases:
        for contact in contacts:
            invitation = _invite(contact, campaign)
            ours = _same_as_django(invitation, reminder)
            written += ours is not None
            if invitation.contact.external_id == "PREP-WIDE" and campaign.texts:
                assert ours is None  # quoted-printable in Django's build: left to it
    assert written == 2 * len(PEOPLE) - 1
    # One skeleton per campaign, language and set of empty fields, not one per recipient.
    assert len(prepared._SKELETONS) < written


def test_a_skeleton_that_does_not_write_djangos_message_is_not_used(
    outreach, monkeypatch, one_second
):
    acme, survey, _ = outreach
    campaign = campaign_for(acme, survey, name="Plain")
    invitation = _invite(_contacts(outreach)[0], campaign)
    prepared._SKELETONS.clear()
    real = prepared._fill

    def wrong(skeleton, *args, **kwargs):
        ours = real(skeleton, *args, **kwargs)
        return ours and prepared.Written(
            ours.sender, ours.recipients, ours.raw.replace(b"Ann", b"Anne"), ours.message_id
        )

    monkeypatch.setattr(prepared, "_fill", wrong)
    assert prepared.written(invitation) is None  # checked on its first recipient: refused


def test_a_campaign_delivers_the_prepared_messages(outreach, settings, one_second):
    """Over a real SMTP server: every recipient's message parses to Django's."""
    acme, survey, _ = outreach
    mailbox = Mailbox(host="127.0.0.1", port=free_port())
    server = Controller(mailbox, hostname=mailbox.host, port=mailbox.port)
    server.start()
    try:
        point_at(settings, mailbox.host, mailbox.port)
        campaign = campaign_for(acme, survey, name="Written", texts=TEXTS)
        invitations = [_invite(contact, campaign) for contact in _contacts(outreach)]
        Invitation.objects.filter(pk__in=[i.pk for i in invitations]).update(
            status=InvitationStatus.QUEUED
        )
        prepared._SKELETONS.clear()
        outcome = deliver([i.pk for i in invitations])
        arrived = {m.recipients[0]: m.message for m in mailbox.wait_for(len(invitations))}
    finally:
        server.stop()
    assert outcome.sent == len(invitations)
    for invitation in invitations:
        invitation.refresh_from_db()
        assert invitation.status == InvitationStatus.SENT
        got = arrived[invitation.contact.email]
        want = message_from_bytes(
            build_message(invitation).message().as_bytes(linesep="\r\n"), policy=policy.default
        )
        assert got["Message-ID"] == invitation.message_id == want["Message-ID"]
        for name in ("Subject", "From", "To", "List-Unsubscribe", "X-Voxloop-Invitation"):
            assert str(got[name]) == str(want[name])
        assert [p.get_content() for p in got.iter_parts()] == [
            p.get_content() for p in want.iter_parts()
        ]


def test_a_first_recipient_django_must_write_leaves_the_skeleton_to_the_next(outreach, one_second):
    acme, survey, _ = outreach
    campaign = campaign_for(acme, survey, name="Written", texts=TEXTS)
    by_code = {c.external_id: c for c in _contacts(outreach)}
    prepared._SKELETONS.clear()
    wide = _invite(by_code["PREP-WIDE"], campaign)
    assert prepared.written(wide) is None  # its intro's line passes 998 bytes
    assert not prepared._SKELETONS
    assert _same_as_django(_invite(by_code["PREP-ZOE"], campaign)) is not None
    assert list(prepared._SKELETONS.values()) != [None]
