"""The survey builder pages, driven as an admin would: forms posted, pages read back."""

from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import Resolver404, resolve

from tests.factories import YES
from tests.surveys.builders import store_visit_survey
from voxloop.responses.models import Response
from voxloop.surveys.models import Survey


def signed_in(org, name: str) -> Client:
    client = Client()
    client.force_login(org.user(name))
    return client


def _question(client, survey, **fields):
    data = {"type": "nps", "title": "", "logic_op": "lte", **fields}
    return client.post(f"/surveys/{survey.pk}/questions/add/", data)


def test_admin_builds_publishes_and_the_public_link_answers(world):
    admin = signed_in(world.acme, "admin")
    created = admin.post(
        "/surveys/new/",
        {"name": "Store visit", "kind": "transactional", "unit_code": "", "default_locale": "en"},
    )
    survey = Survey.objects.get(name="Store visit")
    assert created.status_code == 302 and created["Location"] == f"/surveys/{survey.pk}/"

    assert (
        _question(
            admin,
            survey,
            key="nps",
            type="nps",
            title="Recommend {{unit}}?",
            required="on",
            low="Not likely",
            high="Very likely",
        ).status_code
        == 302
    )
    assert (
        _question(
            admin,
            survey,
            key="improve",
            type="multiple_choice",
            title="What should we improve?",
            choices="queue | Queue\nFriendly staff",
            allow_other="on",
            required="on",
            logic_question="nps",
            logic_op="lte",
            logic_value="6",
        ).status_code
        == 302
    )
    assert (
        _question(
            admin, survey, key="comment", type="long_text", title="Anything else?"
        ).status_code
        == 302
    )
    improve = survey.questions.get(key="improve")
    assert improve.show_if == {"all": [{"question": "nps", "op": "lte", "value": 6}]}
    assert improve.config["choices"][1] == {
        "key": "friendly_staff",
        "label": {"en": "Friendly staff"},
    }
    assert improve.config["allow_other"] is True

    page = admin.get(f"/surveys/{survey.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "What should we improve?" in html and f"/s/{survey.public_slug}" in html
    assert f"/surveys/{survey.pk}/preview/" in html

    preview = admin.get(f"/surveys/{survey.pk}/preview/?locale=en")
    assert preview.status_code == 200 and preview["X-Frame-Options"] == "SAMEORIGIN"
    assert "Recommend Store 42?" in preview.content.decode()

    published = admin.post(f"/surveys/{survey.pk}/publish/")
    assert published.status_code == 302
    survey.refresh_from_db()
    assert survey.status == "live"

    # The public link answers: a respondent page when the respondent app is mounted,
    # and in any case the survey now takes responses through the capture service.
    from voxloop.responses.services import Submission, submit

    outcome = submit(submission=Submission(survey=survey, answers={"nps": 3, "improve": ["queue"]}))
    assert outcome.created and outcome.response.nps_group == "detractor"
    listed = admin.get("/surveys/").content.decode()
    assert "Store visit" in listed


def test_public_link_opens_the_respondent_page(world):
    try:
        resolve("/s/abc")
    except Resolver404:
        pytest.skip("the respondent pages are not mounted in this checkout")
    survey = store_visit_survey(world.acme)
    link = signed_in(world.acme, "admin").get(f"/surveys/{survey.pk}/").context["public_url"]
    answer = Client().get(urlsplit(link).path, follow=True)
    assert answer.status_code == 200
    assert "How was your visit?" in answer.content.decode()


def test_errors_are_shown_next_to_their_field_and_nothing_is_saved(world):
    admin = signed_in(world.acme, "admin")
    survey = store_visit_survey(world.acme, publish=False)
    duplicate_key = _question(admin, survey, key="nps", type="nps", title="Again?")
    assert duplicate_key.status_code == 400
    assert duplicate_key.context["form"].errors["key"]
    bad_scale = _question(admin, survey, key="stars", type="rating", title="Stars?", scale="1")
    assert bad_scale.status_code == 400 and bad_scale.context["form"].errors["scale"]
    no_choices = _question(admin, survey, key="pick", type="single_choice", title="Pick")
    assert no_choices.status_code == 400 and no_choices.context["form"].errors["choices"]
    bad_value = _question(
        admin,
        survey,
        key="why",
        type="long_text",
        title="Why?",
        logic_question="nps",
        logic_op="lte",
        logic_value="six",
    )
    assert bad_value.status_code == 400 and bad_value.context["form"].errors["logic_value"]
    colour = admin.post(
        f"/surveys/{survey.pk}/settings/",
        {"name": "Store visit", "default_locale": "en", "colour": "red", "logo_url": ""},
    )
    assert colour.status_code == 400
    assert colour.context["settings_form"].errors["colour"]
    assert [q.key for q in survey.questions.all()] == ["nps", "improve", "csat", "comment"]
    survey.refresh_from_db()
    assert survey.branding == {}


def test_edit_reorder_delete_and_translate(world):
    admin = signed_in(world.acme, "admin")
    survey = store_visit_survey(world.acme, publish=False)
    edited = admin.post(
        f"/surveys/{survey.pk}/questions/csat/",
        {
            "type": "rating",
            "title": "Rate us",
            "scale": "7",
            "style": "stars",
            "required": "on",
            "logic_question": "nps",
            "logic_op": "gte",
            "logic_value": "7",
        },
    )
    assert edited.status_code == 302
    csat = survey.questions.get(key="csat")
    assert (csat.type, csat.config, csat.required) == (
        "rating",
        {"scale": 7, "style": "stars"},
        True,
    )
    assert csat.show_if["all"][0] == {"question": "nps", "op": "gte", "value": 7}

    # Up/down are plain POST forms: no JavaScript needed.
    admin.post(f"/surveys/{survey.pk}/questions/comment/move/", {"direction": "up"})
    assert list(survey.questions.values_list("key", flat=True)) == [
        "nps",
        "improve",
        "comment",
        "csat",
    ]
    # 'improve' depends on 'nps': moving it above is refused and the order kept.
    admin.post(f"/surveys/{survey.pk}/questions/improve/move/", {"direction": "up"})
    assert survey.questions.first().key == "nps"
    # 'nps' cannot be deleted while 'improve' looks at it.
    admin.post(f"/surveys/{survey.pk}/questions/nps/delete/", YES)
    assert survey.questions.filter(key="nps").exists()
    admin.post(f"/surveys/{survey.pk}/questions/comment/delete/", YES)
    assert not survey.questions.filter(key="comment").exists()

    page = admin.get(f"/surveys/{survey.pk}/translations/")
    assert page.status_code == 200 and "您的到店体验如何？" in page.content.decode()
    saved = admin.post(
        f"/surveys/{survey.pk}/translations/",
        {
            "s|title|en": "How was your visit?",
            "s|title|zh-hans": "到店体验",
            "q|csat|title|en": "Rate us",
            "q|csat|title|zh-hans": "请打分",
            "o|improve|choices|queue|en": "Queue",
            "o|improve|choices|queue|zh-hans": "排队时间",
        },
    )
    assert saved.status_code == 302
    survey.refresh_from_db()
    assert survey.texts["title"] == {"en": "How was your visit?", "zh-hans": "到店体验"}
    assert survey.questions.get(key="csat").texts["title"]["zh-hans"] == "请打分"
    improve = survey.questions.get(key="improve")
    assert improve.config["choices"][0]["label"]["zh-hans"] == "排队时间"
    preview = admin.get(f"/surveys/{survey.pk}/preview/?locale=zh-hans").content.decode()
    assert "请打分" in preview and "排队时间" in preview


def test_thank_you_branches_and_lifecycle(world):
    admin = signed_in(world.acme, "admin")
    survey = store_visit_survey(world.acme)
    saved = admin.post(
        f"/surveys/{survey.pk}/thank-you/",
        {
            "branch-TOTAL_FORMS": "1",
            "branch-INITIAL_FORMS": "0",
            "branch-0-question": "nps",
            "branch-0-op": "gte",
            "branch-0-value": "9",
            "branch-0-text": "Thanks! Tell others?",
            "branch-0-link": "https://reviews.example/acme",
        },
    )
    assert saved.status_code == 302, saved.content
    survey.refresh_from_db()
    assert survey.thank_you_branches == [
        {
            "when": {"all": [{"question": "nps", "op": "gte", "value": 9}]},
            "text": {"en": "Thanks! Tell others?"},
            "link": "https://reviews.example/acme",
        }
    ]
    bad_link = admin.post(
        f"/surveys/{survey.pk}/thank-you/",
        {
            "branch-TOTAL_FORMS": "1",
            "branch-INITIAL_FORMS": "0",
            "branch-0-text": "Hi",
            "branch-0-op": "eq",
            "branch-0-link": "javascript:alert(1)",
        },
    )
    assert bad_link.status_code == 400

    admin.post(f"/surveys/{survey.pk}/close/", YES)
    survey.refresh_from_db()
    assert survey.status == "closed"
    copied = admin.post(f"/surveys/{survey.pk}/duplicate/")
    copy = Survey.objects.exclude(pk=survey.pk).get()
    assert copied["Location"] == f"/surveys/{copy.pk}/"
    assert copy.status == "draft" and copy.questions.count() == 4


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("store", 403),
        ("regional", 403),
        ("viewer", 403),
        ("analyst", 403),
        ("agent", 403),
        ("director", 403),
        ("country_admin", 403),
    ],
)
def test_non_admins_and_lower_admins_are_refused(world, name, status):
    survey = store_visit_survey(world.acme)
    client = signed_in(world.acme, name)
    for path in ("", "translations/", "preview/", "questions/nps/"):
        assert client.get(f"/surveys/{survey.pk}/{path}").status_code == status, path
    assert client.post(f"/surveys/{survey.pk}/close/", YES).status_code == status
    survey.refresh_from_db()
    assert survey.status == "live"


def test_other_organisation_gets_404_and_lists_stay_apart(world):
    survey = store_visit_survey(world.acme)
    other = signed_in(world.other, "admin")
    for path in ("", "translations/", "preview/", "thank-you/", "questions/nps/"):
        assert other.get(f"/surveys/{survey.pk}/{path}").status_code == 404, path
    assert other.post(f"/surveys/{survey.pk}/publish/").status_code == 404
    assert "Store visit" not in other.get("/surveys/").content.decode()
    assert signed_in(world.acme, "store").get("/surveys/").status_code == 403
    assert Client().get("/surveys/").status_code == 302  # to the sign-in page


def test_country_admin_builds_in_their_country_only(world):
    client = signed_in(world.acme, "country_admin")
    answer = client.post(
        "/surveys/new/",
        {"name": "C1 pulse", "kind": "employee", "unit_code": "AC2", "default_locale": "en"},
    )
    assert answer.status_code == 400 and answer.context["form"].errors["unit_code"]
    client.post("/surveys/new/", {"name": "C1 pulse", "kind": "employee", "default_locale": "en"})
    survey = Survey.objects.get(name="C1 pulse")
    assert survey.unit == world.acme.units["c1"]
    store_visit_survey(world.acme)
    listed = client.get("/surveys/").content.decode()
    assert "C1 pulse" in listed and "Store visit" not in listed
    assert not Response.objects.exists()


def test_settings_save_languages_texts_and_branding(world):
    admin = signed_in(world.acme, "admin")
    survey = store_visit_survey(world.acme, publish=False)
    saved = admin.post(
        f"/surveys/{survey.pk}/settings/",
        {
            "name": "Store visit 2026",
            "default_locale": "en",
            "locales": ["ja", "zh-hans"],
            "title": "How was it?",
            "intro": "",
            "thank_you": "Thank you, {{first_name}}!",
            "closed": "",
            "colour": "#123456",
            "logo_url": "https://cdn.example/logo.png",
            "sender_name": "Ana, CEO",
        },
    )
    assert saved.status_code == 302
    survey.refresh_from_db()
    assert survey.name == "Store visit 2026"
    assert survey.locales == ["en", "ja", "zh-hans"]
    # The other language's title is kept; only the default language was edited here.
    assert survey.texts["title"] == {"en": "How was it?", "zh-hans": "您的到店体验如何？"}
    assert survey.texts["thank_you"] == {"en": "Thank you, {{first_name}}!"}
    assert survey.branding == {
        "colour": "#123456",
        "logo_url": "https://cdn.example/logo.png",
        "sender_name": {"en": "Ana, CEO"},
    }


def test_saving_the_thank_you_page_keeps_the_link_text_and_its_translations(world):
    from voxloop.surveys import services

    survey = store_visit_survey(world.acme)
    services.update_survey(
        actor=world.acme.scope("admin"),
        survey=survey,
        thank_you_branches=[
            {
                "when": {"all": [{"question": "nps", "op": "gte", "value": 9}]},
                "text": {"en": "Tell others?", "zh-hans": "告诉别人？"},
                "link": "https://reviews.example/acme",
                "link_text": {"en": "Write a review", "zh-hans": "撰写评价"},
            }
        ],
    )
    saved = signed_in(world.acme, "admin").post(
        f"/surveys/{survey.pk}/thank-you/",
        {
            "branch-TOTAL_FORMS": "1",
            "branch-INITIAL_FORMS": "1",
            "branch-0-question": "nps",
            "branch-0-op": "gte",
            "branch-0-value": "9",
            "branch-0-text": "Glad you liked it! Tell others?",
            "branch-0-link": "https://reviews.example/acme",
        },
    )
    assert saved.status_code == 302, saved.content
    survey.refresh_from_db()
    branch = survey.thank_you_branches[0]
    assert branch["text"] == {"en": "Glad you liked it! Tell others?", "zh-hans": "告诉别人？"}
    assert branch["link_text"] == {"en": "Write a review", "zh-hans": "撰写评价"}


def test_a_sender_name_given_as_one_string_is_kept_per_language(world):
    # The API and the admin take branding as JSON; the builder reads the name per language.
    from voxloop.surveys import services

    survey = store_visit_survey(world.acme)
    services.update_survey(
        actor=world.acme.scope("admin"), survey=survey, branding={"sender_name": "Ana Pop"}
    )
    assert survey.branding["sender_name"] == {"en": "Ana Pop"}
    admin = signed_in(world.acme, "admin")
    for page in ("", "translations/"):
        shown = admin.get(f"/surveys/{survey.pk}/{page}")
        assert shown.status_code == 200 and "Ana Pop" in shown.content.decode()
