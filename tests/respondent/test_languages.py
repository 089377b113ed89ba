"""The page's own words follow the language picked on the page, and an anonymous visitor's
thank-you reads well without a name (#17)."""

from __future__ import annotations

from tests.respondent.helpers import Respondent
from voxloop.surveys import services as survey_services
from voxloop.surveys.definition import pick_locale, piped


def test_other_follows_the_on_page_language_switcher(client, survey):
    respondent = Respondent(client, survey.public_slug, lang="zh-hans")
    respondent.answer("nps", "3")
    page = respondent.open(q="improve", lang="zh-hans").content.decode()
    assert "排队" in page and "其他" in page
    assert ">Other<" not in page and "Other</" not in page


def test_anonymous_thank_you_drops_the_missing_name(client, world, survey):
    texts = {
        "en": "Thank you, {{first_name}}! We read every answer.",
        "zh-hans": "谢谢您，{{first_name}}！每一条回答我们都会认真阅读。",
    }
    survey_services.update_survey(
        actor=world.acme.scope("admin"), survey=survey, texts={**survey.texts, "thank_you": texts}
    )
    for lang, expected in [("en", "Thank you! We read every answer."), ("zh-hans", "谢谢您！")]:
        respondent = Respondent(client.__class__(), survey.public_slug, lang=lang)
        respondent.answer("nps", "10")
        respondent.answer("csat", "5")
        done = respondent.follow(respondent.answer("comment", "")).content.decode()
        assert expected in done
        assert "Thank you, !" not in done and "谢谢您，！" not in done


def test_a_missing_name_takes_its_comma_and_honorific():
    assert piped("{{first_name}}様、ありがとうございました。", {}) == "ありがとうございました。"
    assert piped("Vă mulțumim, {{first_name}}!", {}) == "Vă mulțumim!"
    assert piped("Thank you, {{first_name}}!", {"first_name": "Ana"}) == "Thank you, Ana!"
    assert piped("{{first_name}}様、どうも", {"first_name": "Aki"}) == "Aki様、どうも"


class _Offers:
    default_locale = "en"
    locales = ["en", "zh-hans", "zh-hant"]


def test_taiwan_and_hong_kong_get_traditional_chinese():
    assert pick_locale(_Offers, ["zh-TW"]) == "zh-hant"
    assert pick_locale(_Offers, ["zh-HK", "en"]) == "zh-hant"
    assert pick_locale(_Offers, ["zh-CN"]) == "zh-hans"
    _Offers.locales = ["en", "zh-hans"]
    assert pick_locale(_Offers, ["zh-TW"]) == "zh-hans"
