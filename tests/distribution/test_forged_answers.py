"""Nobody can answer as a customer from what staff can read (issue 14, item 1).

The staff API lists every invitation's `ref` to every role that can read outreach. The
reference must open nothing: not the survey, not a score, not the open pixel. Only the links
in the email itself (the reference with an HMAC only the server can make) do.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.api.support import MEMBER_ACTORS
from tests.distribution.support import invite
from tests.surveys.api_client import ApiClient
from voxloop.distribution import services
from voxloop.distribution.campaigns import preview
from voxloop.distribution.delivery.emails import build_message
from voxloop.distribution.models import Invitation, InvitationStatus
from voxloop.distribution.sms.sending import text_of
from voxloop.responses.models import Response

CLICK = re.compile(r"https://cx\.example\.test(/o/c/[^\s\"<>?]+)")
PIXEL = re.compile(r"https://cx\.example\.test(/o/p/[^\"]+)")
UNSUBSCRIBE = re.compile(r"https://cx\.example\.test(/o/u/[^\s\"<>]+)")


def _html(invitation: Invitation) -> str:
    message = build_message(invitation)
    return next(content for content, mime in message.alternatives if mime == "text/html")


def _client_for(world, actor: str) -> ApiClient:
    if actor == "other_admin":
        return ApiClient(membership=world.other.members["admin"])
    return ApiClient(membership=world.acme.members[actor])


def test_no_role_can_turn_a_listed_reference_into_an_answer(outreach, world):
    """Every role that reads invitations tries the old credential: the bare reference."""
    invitation = invite(outreach)
    seen_by = []
    for actor in MEMBER_ACTORS:
        answer = _client_for(world, actor).get("/invitations")
        if actor == "viewer":  # reads figures only: no invitation at all (docs/security.md)
            assert answer.status_code == 403
            continue
        listed = answer.json()["items"]
        refs = [item["ref"] for item in listed if "ref" in item]
        seen_by += [actor] if refs else []
        for ref in refs:
            browser = Client()
            for path in (f"/o/c/{ref}?score=0", f"/o/c/{ref}"):
                page = browser.get(path)
                assert page.status_code in (404, 410), (actor, path, page.status_code)
                assert "Location" not in page  # no personal survey link handed out
            browser.get(f"/o/p/{ref}.gif")
    assert "analyst" in seen_by and "store" in seen_by  # the test tried what they can read
    assert not Response.objects.exists()
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.SENT  # neither clicked nor opened
    assert invitation.clicked_at is None and invitation.opened_at is None


def test_the_emails_own_links_open_the_survey_and_count_the_open(outreach):
    invitation = invite(outreach)
    html = _html(invitation)
    link = CLICK.search(html).group(1)
    assert invitation.ref in link and link != f"/o/c/{invitation.ref}"
    browser = Client()
    assert browser.get(PIXEL.search(html).group(1)).status_code == 200
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.OPENED
    opened = browser.get(link)
    assert opened.status_code == 302 and opened["Location"].startswith("/s/")
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.CLICKED


def test_a_score_that_is_not_an_ascii_number_opens_the_survey_without_one(outreach):
    """A "²" passes str.isdigit but not int(): it was a 500; any odd score is now ignored."""
    link = CLICK.search(_html(invite(outreach))).group(1)
    for odd in ("²", "11", "-1", "٣", "1e1"):
        opened = Client().get(link, {"score": odd})
        assert opened.status_code == 302, odd
        assert "/nps/" not in opened["Location"], odd


def test_a_key_opens_only_its_own_invitation_and_only_for_its_purpose(outreach, settings):
    ann, bo = invite(outreach, "ann"), invite(outreach, "bo")
    html = _html(ann)
    click_key = CLICK.search(html).group(1).removeprefix("/o/c/")
    pixel_key = PIXEL.search(html).group(1).removeprefix("/o/p/").removesuffix(".gif")
    mac = click_key.rpartition(".")[2]
    browser = Client()
    for forged in (
        f"{bo.ref}.{mac}",  # Ann's signature on Bo's reference
        pixel_key,  # the pixel's URL, as an image proxy saw it, is no click credential
        f"{ann.ref}.{'A' * 16}",
        f"{ann.ref}.",
        f"{ann.ref}.{mac}x",
    ):
        assert browser.get(f"/o/c/{forged}").status_code in (404, 410), forged
    browser.get(f"/o/p/{click_key}.gif")
    for invitation in (ann, bo):
        invitation.refresh_from_db()
        assert invitation.status == InvitationStatus.SENT
    # After the secret key is rotated, links already sent keep working through the fallback.
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-" + "x" * 40
    assert browser.get(f"/o/c/{click_key}").status_code == 302


def test_a_campaign_preview_hands_out_no_working_link(outreach, world):
    acme, survey, people = outreach
    campaign = services.create_campaign(
        actor=acme.scope("admin"),
        unit=acme.units["c1r1s1"],
        survey=survey,
        segment=None,
        name="Pulse",
        channel="email",
    )
    shown = preview.preview(acme.scope("admin"), campaign, people["ann"])
    browser = Client()
    for pattern in (CLICK, UNSUBSCRIBE):
        for match in pattern.finditer(shown["html"]):
            assert browser.get(match.group(1)).status_code in (404, 410), match.group(1)
            assert browser.post(match.group(1)).status_code in (403, 404, 405, 410)
    people["ann"].refresh_from_db()
    assert people["ann"].unsubscribed_at is None
    assert not Response.objects.exists()


@pytest.mark.parametrize("reminder", [False, True])
def test_a_text_message_carries_the_signed_link_not_the_bare_reference(outreach, reminder):
    invitation = invite(outreach)
    invitation.channel = "sms"
    text = text_of(invitation, reminder=reminder)
    link = re.search(r"/o/c/(\S+)", text).group(1)
    assert link.startswith(f"{invitation.ref}.") and len(text) < 160
    assert Client().get(f"/o/c/{link}").status_code == 302


def test_a_test_sends_answers_are_staffs_not_the_contacts(outreach, world):
    """A test send goes to an address the sender picks (often their own): whoever answers
    it is not the contact, so the answer is marked as entered by staff."""
    acme, survey, people = outreach
    campaign = services.create_campaign(
        actor=acme.scope("admin"),
        unit=acme.units["c1r1s1"],
        survey=survey,
        segment=None,
        name="Pulse",
        channel="email",
    )
    tried = services.test_send(actor=acme.scope("admin"), campaign=campaign, contact=people["ann"])
    real = invite(outreach, "bo")
    for invitation, origin in ((tried, "staff"), (real, "respondent")):
        browser = Client()
        opened = browser.get(CLICK.search(_html(invitation)).group(1) + "?score=10")
        confirm = browser.get(opened["Location"])
        assert confirm.status_code == 200
        assert browser.post(opened["Location"], {"q": "nps", "nps": "10"}).status_code == 303
        stored = Response.objects.get(source_key=f"inv:{invitation.ref}")
        assert stored.origin == origin and stored.channel == "email"
