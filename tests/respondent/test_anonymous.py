"""The anonymous link (/s/<public slug>), e.g. from a QR code on a store counter."""

import pytest
from django.test import Client

from tests.respondent.helpers import Respondent, next_question
from voxloop.responses.models import Response
from voxloop.surveys import services as survey_services


def test_unit_and_staff_codes_place_the_response(client, world, survey):
    respondent = Respondent(client, survey.public_slug, u="AC1R1S1", e="AE111", src="qr")
    page = respondent.open()
    assert page.status_code == 200
    assert "Store 1.1.1" in page.content.decode()  # {{unit}} piped into the NPS question
    assert next_question(respondent.answer("nps", "9")) == "csat"
    assert next_question(respondent.answer("csat", "5")) == "comment"
    assert next_question(respondent.answer("comment", "Quick and friendly")) == ""
    response = Response.objects.get()
    assert response.is_complete and response.nps == 9 and response.csat == 5
    assert response.unit == world.acme.units["c1r1s1"]
    assert response.staff.code == "AE111"
    assert response.channel == "qr"
    assert response.answers["comment"] == "Quick and friendly"


def test_unit_code_of_another_organisation_is_ignored(client, world, survey):
    respondent = Respondent(client, survey.public_slug, u="BC1R1S1", e="BE111")
    page = respondent.open()
    assert "Store 1.1.1" not in page.content.decode()
    respondent.answer("nps", "10")
    response = Response.objects.get()
    assert response.unit is None and response.staff is None
    assert response.unit_path == survey.unit_path
    assert response.organization_id == world.acme.root.organization_id


def test_detractor_is_asked_what_to_improve_promoter_is_not(client, survey):
    detractor = Respondent(client, survey.public_slug)
    assert next_question(detractor.answer("nps", "3")) == "improve"
    page = detractor.open(q="improve").content.decode()
    assert "What should we improve?" in page
    assert next_question(detractor.answer("improve", ["queue"])) == "csat"

    promoter = Respondent(Client(), survey.public_slug)
    assert next_question(promoter.answer("nps", "10")) == "csat"
    assert "What should we improve?" not in promoter.open(q="improve").content.decode()


def test_partial_response_saved_after_page_one_and_resumable(client, survey):
    respondent = Respondent(client, survey.public_slug, u="AC1R1S1")
    respondent.answer("nps", "8")
    partial = Response.objects.get()
    assert not partial.is_complete and partial.nps == 8 and partial.resume_token
    assert respondent.token == partial.resume_token

    # Same browser, later: the signed cookie brings the respondent back to where they were.
    again = client.get(f"/s/{survey.public_slug}")
    assert again.status_code == 200
    assert 'name="q" value="csat"' in again.content.decode()
    # Another device, with the resume link.
    elsewhere = Respondent(Client(), survey.public_slug)
    elsewhere.token = partial.resume_token
    assert 'name="q" value="csat"' in elsewhere.open().content.decode()
    elsewhere.answer("csat", "4")
    elsewhere.answer("comment", "")
    finished = Response.objects.get()
    assert finished.is_complete and finished.nps == 8 and finished.csat == 4


def test_back_keeps_earlier_answers_and_shows_them(client, survey):
    respondent = Respondent(client, survey.public_slug)
    respondent.answer("nps", "7")
    back = respondent.answer("csat", "2", action="back")
    assert next_question(back) == "nps"
    page = respondent.follow(back).content.decode()
    assert 'value="7" checked' in page
    assert Response.objects.get().answers == {"nps": 7, "csat": 2}


def test_bad_score_is_refused_next_to_the_question_and_nothing_is_lost(client, survey):
    respondent = Respondent(client, survey.public_slug)
    respondent.answer("nps", "9")
    refused = respondent.answer("csat", "9")
    assert refused.status_code == 400
    html = refused.content.decode()
    assert 'id="err-csat"' in html and "from 1 to 5" in html
    assert html.index("Satisfied?") < html.index('id="err-csat"') < html.index('name="csat"')
    response = Response.objects.get()
    assert response.answers == {"nps": 9} and not response.is_complete
    also_refused = respondent.answer("csat", "five")
    assert also_refused.status_code == 400
    assert Response.objects.get().answers == {"nps": 9}


def test_required_question_left_empty_is_refused(client, survey):
    refused = Respondent(client, survey.public_slug).answer("nps", None)
    assert refused.status_code == 400
    assert "Please answer this question." in refused.content.decode()
    assert not Response.objects.exists()


def test_invalid_utf8_is_a_clear_400(client, survey):
    for body in (b"q=comment&comment=%FF%FE", b"q=comment&comment=\xff\xfe"):
        refused = client.post(
            f"/s/{survey.public_slug}", body, content_type="application/x-www-form-urlencoded"
        )
        assert refused.status_code == 400
        assert "UTF-8" in refused.content.decode()
    assert not Response.objects.exists()


def test_html_in_a_comment_is_stored_verbatim_and_rendered_escaped(client, survey):
    comment = '<script>alert("x")</script><b>bold</b>'
    respondent = Respondent(client, survey.public_slug)
    respondent.answer("nps", "9")
    respondent.answer("csat", "5")
    back = respondent.answer("comment", comment, action="back")
    assert Response.objects.get().answers["comment"] == comment
    page = respondent.open(q="comment").content.decode()
    assert "<script>alert" not in page and "<b>bold" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert back.status_code == 303


def test_chinese_page_for_zh_hans(client, survey):
    respondent = Respondent(client, survey.public_slug, u="AC1R1S1")
    page = client.get(
        f"/s/{survey.public_slug}?u=AC1R1S1", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9,en;q=0.5"
    )
    html = page.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "您向朋友推荐Store 1.1.1的可能性有多大？" in html
    assert "第 1 题，共 3 题" in html  # the page's own words are translated too
    respondent.answer("nps", "10", lang="zh-hans")
    assert Response.objects.get().locale == "zh-hans"


def test_language_switcher_overrides_the_browser(client, survey):
    page = client.get(f"/s/{survey.public_slug}?lang=zh-hans", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert "您的到店体验如何？" in html
    assert 'hreflang="en"' in html and 'hreflang="zh-hans"' in html


def test_rate_limit_answers_429(client, survey, settings):
    settings.SURVEY_SUBMIT_RATE_LIMIT = 3
    respondent = Respondent(client, survey.public_slug)
    codes = [respondent.answer("nps", "5").status_code for _ in range(4)]
    assert codes[:3] == [303, 303, 303]
    assert codes[3] == 429
    assert Response.objects.count() == 1


def test_forms_keep_csrf_protection(survey):
    strict = Client(enforce_csrf_checks=True)
    page = strict.get(f"/s/{survey.public_slug}").content.decode()
    assert 'name="csrfmiddlewaretoken"' in page
    refused = strict.post(f"/s/{survey.public_slug}", {"q": "nps", "nps": "9"})
    assert refused.status_code == 403
    assert not Response.objects.exists()


def test_double_tap_on_submit_lands_on_the_thank_you_page(client, survey):
    respondent = Respondent(client, survey.public_slug)
    respondent.answer("nps", "9")
    respondent.answer("csat", "5")
    first = respondent.answer("comment", "Great")
    second = respondent.answer("comment", "Great")
    assert "/done" in first["Location"] and "/done" in second["Location"]
    assert Response.objects.filter(is_complete=True).count() == 1


def test_survey_branding_and_sender(client, world, survey):
    from voxloop.surveys import services as survey_services

    survey_services.update_survey(
        actor=world.acme.scope("admin"),
        survey=survey,
        branding={
            "colour": "#ffd500",
            "logo_url": "https://cdn.example.com/acme.png",
            "sender_name": {"en": "Ada, CEO of Acme"},
        },
    )
    html = client.get(f"/s/{survey.public_slug}").content.decode()
    # A light brand colour gets dark text on its buttons, for contrast.
    assert "body{--brand:#ffd500;--on-brand:#000000}</style>" in html  # a nonce'd style block
    logo = '<img class="logo" src="https://cdn.example.com/acme.png" alt="Ada, CEO of Acme">'
    assert logo in html
    assert "From Ada, CEO of Acme" in html


@pytest.mark.parametrize(
    ("agent", "device"),
    [
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148", "mobile"),
        ("Mozilla/5.0 (Linux; Android 14; Pixel 8) Chrome/120.0 Mobile Safari/537.36", "mobile"),
        ("Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15", "tablet"),
        ("Mozilla/5.0 (Linux; Android 13; SM-X200) Chrome/120.0 Safari/537.36", "tablet"),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0 Safari/537.36", "desktop"),
    ],
)
def test_device_from_the_user_agent(client, survey, agent, device):
    client.post(f"/s/{survey.public_slug}", {"q": "nps", "nps": "9"}, HTTP_USER_AGENT=agent)
    assert Response.objects.get().device == device


@pytest.mark.parametrize("param", ["u", "e", "r"])
def test_nul_in_a_link_code_or_resume_token_is_no_500(client, survey, param):
    # PostgreSQL refuses a NUL even in a comparison: the code must be ignored, not queried.
    page = client.get(f"/s/{survey.public_slug}?{param}=AC1R1S1%00")
    assert page.status_code == 200
    saved = client.post(f"/s/{survey.public_slug}", {"q": "nps", "nps": "9", param: "x\x00"})
    assert saved.status_code == 303
    assert Response.objects.get().unit is None
    done = client.get(f"/s/{survey.public_slug}/done?{param}=%00")
    assert done.status_code in (200, 303)


def test_nul_in_the_link_key_is_404(client, survey):
    assert client.get("/s/abc%00").status_code == 404
    assert client.get(f"/s/{'x' * 40}%00/nps/9").status_code == 404


def test_question_deleted_while_live_does_not_strand_respondents_half_way(client, world, survey):
    respondent = Respondent(client, survey.public_slug)
    respondent.answer("nps", "9")
    respondent.answer("csat", "5")
    survey_services.remove_question(
        actor=world.acme.scope("admin"), question=survey.questions.get(key="csat")
    )
    finished = respondent.answer("comment", "Nice")
    assert finished.status_code == 303 and next_question(finished) == ""
    response = Response.objects.get()
    assert response.is_complete and response.nps == 9
    # What was accepted before the edit is kept, under its key, as it was.
    assert response.answers == {"nps": 9, "csat": 5, "comment": "Nice"}


def test_changing_from_other_to_a_listed_choice_drops_the_other_text(client, survey):
    respondent = Respondent(client, survey.public_slug)
    respondent.answer("nps", "3")
    respondent.answer("improve", ["other"], **{"improve:other": "Parking"})
    assert Response.objects.get().answers["improve:other"] == "Parking"
    respondent.answer("improve", ["queue"], **{"improve:other": ""})
    answers = Response.objects.get().answers
    assert answers["improve"] == ["queue"] and "improve:other" not in answers
    # Ticking "other" again but clearing its text leaves no empty text behind either.
    respondent.answer("improve", ["queue", "other"], **{"improve:other": ""})
    assert "improve:other" not in Response.objects.get().answers


def test_closed_page_pipes_the_store_into_its_texts(client, world, survey):
    admin = world.acme.scope("admin")
    texts = {"title": {"en": "Your visit to {{unit}}"}, "closed": {"en": "{{unit}} has moved."}}
    survey_services.update_survey(actor=admin, survey=survey, texts=texts)
    survey_services.close(actor=admin, survey=survey)
    page = client.get(f"/s/{survey.public_slug}?u=AC1R1S1")
    html = page.content.decode()
    assert page.status_code == 410
    assert "Store 1.1.1 has moved." in html
    assert "{{" not in html


def test_a_half_answered_survey_at_one_store_is_not_resumed_from_another_stores_qr(
    client, world, survey
):
    first = Respondent(client, survey.public_slug, u="AC1R1S1", src="qr")
    first.answer("nps", "2")
    # Days later, same phone, another store's counter.
    second = Respondent(client, survey.public_slug, u="AC1R1S2", src="qr")
    page = second.open().content.decode()
    assert "Store 1.1.2" in page and 'name="q" value="nps"' in page
    second.answer("nps", "10")
    placed = sorted(Response.objects.values_list("unit__code", "nps"))
    assert placed == [("AC1R1S1", 2), ("AC1R1S2", 10)]
