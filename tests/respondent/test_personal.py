"""Personal links (/s/<signed token>) from invitations, and one-click scores from emails."""

import re
import time

import pytest
from django.core import signing
from django.test import Client

from tests.respondent.helpers import Respondent, next_question
from voxloop.contacts.models import Contact
from voxloop.responses.models import Response
from voxloop.surveys import links
from voxloop.surveys import services as survey_services
from voxloop.surveys.respondent.email import render_nps_row


@pytest.fixture
def contact(world):
    store = world.acme.units["c1r1s2"]
    return Contact.objects.create(
        organization_id=store.organization_id,
        home_unit=store,
        unit_path=store.path,
        external_id="C-1",
        first_name="Mei",
        locale="zh-hans",
    )


def test_personal_link_is_answered_once(client, survey, contact):
    token = links.personal_token(survey.pk, "inv-1", contact.pk, "en")
    respondent = Respondent(client, token)
    assert respondent.open().status_code == 200
    respondent.answer("nps", "10")
    respondent.answer("csat", "5")
    assert next_question(respondent.answer("comment", "")) == ""
    response = Response.objects.get()
    assert response.is_complete and response.source_key == "inv:inv-1"
    assert response.contact == contact and response.unit == contact.home_unit
    assert response.locale == "en"  # the invitation's language wins over the contact's

    again = Respondent(client.__class__(), token)
    page = again.open()
    assert page.status_code == 409
    assert "Thank you, we already have your answers" in page.content.decode()
    assert again.answer("nps", "0").status_code == 409
    assert Response.objects.count() == 1 and Response.objects.get().nps == 10


def test_personal_link_speaks_the_contacts_language(client, survey, contact):
    token = links.personal_token(survey.pk, "inv-2", contact.pk)
    html = client.get(f"/s/{token}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="zh-hans">' in html and "您的到店体验如何？" in html


def test_closed_survey_shows_its_closed_text(client, world, survey):
    survey_services.update_survey(
        actor=world.acme.scope("admin"),
        survey=survey,
        texts={**survey.texts, "closed": {"en": "We're done."}},
    )
    survey_services.close(actor=world.acme.scope("admin"), survey=survey)
    for key in (survey.public_slug, links.personal_token(survey.pk, "inv-3")):
        page = client.get(f"/s/{key}")
        assert page.status_code == 410
        assert "We&#x27;re done." in page.content.decode()
    assert client.post(f"/s/{survey.public_slug}", {"q": "nps", "nps": "9"}).status_code == 410
    assert not Response.objects.exists()


def test_expired_link(client, survey, settings, monkeypatch):
    settings.SURVEY_LINK_MAX_AGE_DAYS = 1
    now = time.time()
    monkeypatch.setattr(signing.time, "time", lambda: now - 2 * 86400)
    token = links.personal_token(survey.pk, "inv-4")  # signed two days ago
    monkeypatch.setattr(signing.time, "time", lambda: now)
    page = client.get(f"/s/{token}")
    assert page.status_code == 410
    assert "This link has expired" in page.content.decode()
    assert client.get(f"/s/{links.personal_token(survey.pk, 'inv-4b')}").status_code == 200


@pytest.mark.parametrize("key", ["nope", "x" * 40, "abc:def:ghi" * 5])
def test_invalid_link_is_404(client, survey, key):
    page = client.get(f"/s/{key}")
    assert page.status_code == 404
    assert "not valid" in page.content.decode()


def test_token_signed_for_a_missing_survey_is_404(client, survey):
    assert client.get(f"/s/{links.personal_token(survey.pk + 999, 'x')}").status_code == 404


def _confirm_form(page) -> tuple[str, dict[str, str]]:
    """The confirm page's form: where it posts and its hidden fields (CSRF token included)."""
    html = page.content.decode()
    action = re.search(r'<form method="post" action="([^"]+)"', html).group(1)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    return action, fields


def test_a_mail_scanner_fetching_every_score_link_answers_nothing(client, survey, contact):
    """Issue 14, item 2: scanners prefetch every link of an email; a GET stores nothing."""
    token = links.personal_token(survey.pk, "inv-5s", contact.pk, "en")
    for score in range(11):
        page = client.get(f"/s/{token}/nps/{score}")
        assert page.status_code == 200, score
        assert f'value="{score}" checked' in page.content.decode()
    assert not Response.objects.exists()


def test_one_click_shows_the_score_chosen_and_one_button_to_confirm(survey, contact):
    browser = Client(enforce_csrf_checks=True)
    token = links.personal_token(survey.pk, "inv-5", contact.pk, "en")
    page = browser.get(f"/s/{token}/nps/4")
    html = page.content.decode()
    assert page["Cache-Control"] == "no-store"
    assert 'value="4" checked' in html and html.count("checked") == 1
    assert html.count('type="submit"') == 1 and ">Confirm</button>" in html
    assert "Nothing is sent until you confirm it." in html
    action, fields = _confirm_form(page)
    assert action == f"/s/{token}/nps/4" and fields["q"] == "nps"
    forged = Client(enforce_csrf_checks=True).post(action, {"q": "nps", "nps": "0"})
    assert forged.status_code == 403  # another site cannot post a score for the respondent
    assert not Response.objects.exists()

    confirmed = browser.post(action, {**fields, "nps": "4"})
    assert confirmed.status_code == 303
    assert "q=improve" in confirmed["Location"]  # a detractor is asked what to improve next
    response = Response.objects.get()
    assert response.nps == 4 and response.nps_group == "detractor"
    assert response.channel == "email" and not response.is_complete
    assert response.source_key == "inv:inv-5"
    assert "What should we improve?" in browser.get(confirmed["Location"]).content.decode()


def test_the_respondents_own_answer_wins_over_any_prefetch(client, survey, contact):
    token = links.personal_token(survey.pk, "inv-5b", contact.pk, "en")
    for score in (0, 10, 3):  # a scanner, then the person clicks 9 but means 7
        client.get(f"/s/{token}/nps/{score}")
    page = client.get(f"/s/{token}/nps/9")
    action, fields = _confirm_form(page)
    assert "q=csat" in client.post(action, {**fields, "nps": "7"})["Location"]
    assert Response.objects.get().nps == 7
    # Clicking another score in the same email asks again; still one response.
    page = client.get(f"/s/{token}/nps/9")
    assert 'value="9" checked' in page.content.decode()
    action, fields = _confirm_form(page)
    client.post(action, {**fields, "nps": "9"})
    respondent = Respondent(client, token)
    respondent.answer("csat", "4")
    respondent.answer("comment", "ok")
    response = Response.objects.get()
    assert response.is_complete and response.nps == 9 and response.csat == 4
    later = client.get(f"/s/{token}/nps/0")  # a late prefetch changes nothing
    assert later.status_code == 409
    assert Response.objects.get().nps == 9


def test_the_confirm_page_speaks_the_respondents_language(client, survey, contact):
    token = links.personal_token(survey.pk, "inv-5c", contact.pk)  # Mei reads Chinese
    html = client.get(f"/s/{token}/nps/8").content.decode()
    assert "确认之前不会提交任何内容" in html and ">确认</button>" in html


def test_one_click_out_of_range_score_is_400(client, survey):
    token = links.personal_token(survey.pk, "inv-6")
    page = client.get(f"/s/{token}/nps/11")
    assert page.status_code == 400
    assert "from 0 to 10" in page.content.decode()
    assert not Response.objects.exists()


def test_one_click_needs_a_personal_link(client, survey):
    assert client.get(f"/s/{survey.public_slug}/nps/9").status_code == 404


def test_email_fragment_has_eleven_one_click_links(survey, contact, settings):
    settings.BASE_URL = "https://cx.example.com/"
    token = links.personal_token(survey.pk, "inv-7", contact.pk)
    html = render_nps_row(survey, token, "zh-hans", values={"unit": "Store 1.1.1"})
    urls = re.findall(r'href="([^"]+)"', html)
    assert urls == [f"https://cx.example.com/s/{token}/nps/{n}" for n in range(11)]
    assert "您向朋友推荐Store 1.1.1的可能性有多大？" in html
    assert "<style" not in html and "class=" not in html  # inline styles only, for email


def test_first_name_unit_and_staff_are_piped(client, world, survey, contact):
    survey_services.update_survey(
        actor=world.acme.scope("admin"),
        survey=survey,
        texts={
            **survey.texts,
            "title": {"en": "Your visit to {{unit}}"},
            "intro": {"en": "Hi {{first_name}}, you met {{staff}}."},
        },
    )
    token = links.personal_token(survey.pk, "inv-8", contact.pk, "en")
    html = client.get(f"/s/{token}").content.decode()
    assert "Hi Mei, you met." in html  # no staff on an invitation link
    assert "recommend Store 1.1.2?" in html  # the contact's home unit
    assert "Your visit to Store 1.1.2" in html and "{{" not in html  # the title too
    anonymous = client.get(f"/s/{survey.public_slug}?e=AE111").content.decode()
    assert "Hi, you met Clerk 1.1.1." in anonymous  # no name: no stray comma
    assert "recommend Store 1.1.1?" in anonymous  # the staff member's unit


def test_email_fragment_pipes_the_anchors_too(world, survey, contact):
    nps = survey.questions.get(key="nps")
    texts = {**nps.texts, "high": {"en": "Would send friends to {{unit}}"}}
    survey_services.update_question(actor=world.acme.scope("admin"), question=nps, texts=texts)
    token = links.personal_token(survey.pk, "inv-9", contact.pk)
    html = render_nps_row(survey, token, "en", values={"unit": "Store <1.1.1>"})
    assert "Would send friends to Store &lt;1.1.1&gt;" in html and "{{" not in html
