"""A campaign end to end: launch, invitations, the email a contact receives, the links in it,
and the invitation moving through its lifecycle as the respondent answers."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.respondent.helpers import Respondent
from voxloop.distribution import services
from voxloop.distribution.models import CampaignStatus, Invitation, InvitationStatus
from voxloop.errors import Conflict
from voxloop.responses.models import Response
from voxloop.surveys import services as survey_services

LINK = re.compile(r"https://cx\.example\.test(/o/c/[^\s\"<>?]+)(?:\?score=(\d+))?")


def launch(acme, survey, unit="root", **fields):
    fields.setdefault("name", "Spring pulse")
    fields.setdefault("channel", "email")
    campaign = services.create_campaign(
        actor=acme.scope("admin"), unit=acme.units[unit], survey=survey, segment=None, **fields
    )
    return services.launch(actor=acme.scope("admin"), campaign=campaign)


def test_campaign_sends_each_contact_one_multipart_translated_email(
    outreach, smtp_settings, queue, django_capture_on_commit_callbacks
):
    acme, survey, people = outreach
    with django_capture_on_commit_callbacks(execute=True):
        campaign = launch(
            acme,
            survey,
            unit="c1r1",
            sender_name="Jane Doe, CEO",
            sender_email="ceo@acme.test",
            reply_to="am@acme.test",
            texts={"subject": {"en": "{{first_name}}, how was {{unit}}?"}},
        )
    queue.run()
    mails = smtp_settings.wait_for(3)
    assert sorted(m.recipients[0] for m in mails) == sorted(
        [people["ann"].email, people["bo"].email, people["cy"].email]
    )  # the region's contacts only; Di lives in another country
    ann = smtp_settings.to(people["ann"].email)[0].message
    assert ann["Subject"] == "Ann, how was Store 1.1.1?"
    assert ann["From"] == '"Jane Doe, CEO" <ceo@acme.test>'
    assert ann["Reply-To"] == "am@acme.test"
    assert ann["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert ann["List-Unsubscribe"].strip().startswith("<https://cx.example.test/o/u/")
    html = ann.get_body(("html",)).get_content()
    text = ann.get_body(("plain",)).get_content()
    scores = [int(m.group(2)) for m in LINK.finditer(html) if m.group(2)]
    assert scores == list(range(11))
    assert "How likely are you to recommend Store 1.1.1?" in html
    assert "/o/c/" in text and "/o/u/" in text
    bo = smtp_settings.to(people["bo"].email)[0].message
    assert "推荐" in bo.get_body(("html",)).get_content()
    assert bo["Subject"] == "关于Store 1.1.1的一个小问题"  # no English subject on a Chinese email
    assert "回答调查" in bo.get_body(("html",)).get_content()  # the product's own words too
    invitations = Invitation.objects.filter(campaign=campaign)
    assert {i.status for i in invitations} == {InvitationStatus.SENT}
    assert all(i.message_id for i in invitations)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENDING


def test_click_score_start_and_complete_move_the_invitation_forward(
    outreach, smtp_settings, queue, django_capture_on_commit_callbacks
):
    acme, survey, people = outreach
    with django_capture_on_commit_callbacks(execute=True):
        launch(acme, survey, unit="c1r1s1")
    queue.run()
    ann_mail = smtp_settings.to(people["ann"].email)[0].message
    html = ann_mail.get_body(("html",)).get_content()
    nine = next(m for m in LINK.finditer(html) if m.group(2) == "9")
    client = Client()
    pixel = client.get(re.search(r"https://cx\.example\.test(/o/p/[^\"]+)", html).group(1))
    assert pixel.status_code == 200 and pixel["Content-Type"] == "image/gif"
    invitation = Invitation.objects.get(contact=people["ann"])
    assert invitation.status == InvitationStatus.OPENED
    with django_capture_on_commit_callbacks(execute=True):
        redirect = client.get(f"{nine.group(1)}?score=9")
        assert redirect.status_code == 302
        token = redirect["Location"].split("/")[2]
        confirm = client.get(redirect["Location"])  # the score shown, nothing stored yet
        assert confirm.status_code == 200 and not Response.objects.exists()
        stored = client.post(redirect["Location"], {"q": "nps", "nps": "9"})
        assert stored.status_code == 303  # the score the respondent confirmed is recorded
    queue.run()
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.STARTED
    assert invitation.clicked_at and invitation.started_at
    respondent = Respondent(client, token)
    with django_capture_on_commit_callbacks(execute=True):
        respondent.answer("csat", "4")
        respondent.answer("comment", "ok")
    queue.run()
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.COMPLETED
    assert invitation.completed_at is not None


def test_a_campaign_for_a_closed_survey_is_refused(outreach):
    acme, survey, _ = outreach
    survey_services.close(actor=acme.scope("admin"), survey=survey)
    with pytest.raises(Conflict) as refused:
        launch(acme, survey)
    assert refused.value.field == "survey"
