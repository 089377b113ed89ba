"""The engine on its own (no database): each stage, and the pinned model output that makes
a silent change of weights fail."""

from __future__ import annotations

import socket

import pytest

from tests.textanalytics.support import NetworkBlocked
from voxloop.textanalytics import matching
from voxloop.textanalytics.engine import language, pii, sentences
from voxloop.textanalytics.engine.cues import emotions, intents
from voxloop.textanalytics.engine.keywords import keywords
from voxloop.textanalytics.engine.pipeline import FastAnalyzer
from voxloop.textanalytics.engine.sentiment import default_model
from voxloop.textanalytics.engine.text import fold
from voxloop.textanalytics.engine.themes import ThemeMatcher, ThemeSpec


@pytest.fixture(scope="module")
def engine():
    return FastAnalyzer()


def test_the_network_is_blocked_here():
    with pytest.raises(NetworkBlocked):
        socket.create_connection(("10.255.255.1", 80), timeout=0.1)


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("満足", "ja", "ja"),  # one word of kanji: the response's own locale decides
        ("满意", "zh-Hans", "zh-hans"),
        ("満足", "", "zh-hans"),  # no locale: Chinese, the Han-only default
        ("とても良かったです", "en", "ja"),  # kana is Japanese whatever the locale says
        ("這家店的服務很好", "", "zh-hant"),
        ("这家店的服务很好", "zh-TW", "zh-hant"),
        ("ok", "ro", "ro"),  # too short to overrule the locale
        ("Personalul a fost foarte amabil și m-a ajutat să găsesc tot", "en", "ro"),
        ("The staff were lovely and the queue moved quickly", "ro", "en"),
        ("The staff were lovely", "", "en"),
    ],
)
def test_language_trusts_the_locale_then_the_detector(text, locale, expected):
    assert language.detect(text, locale) == expected


def test_language_stays_within_the_organisations_languages():
    # An organisation working in English and Japanese only: Romanian text is not an option.
    assert language.detect("Personalul a fost foarte amabil", "", ("en", "ja")) == "en"


def test_sentences_split_cjk_and_at_a_contrast():
    assert [s.text for s in sentences.split("店员很热情，但是排队太久了。味道不错！")] == [
        "店员很热情，",
        "但是排队太久了。",
        "味道不错！",
    ]
    parts = sentences.split("Great staff but the queue was awful. Call 3.5 times")
    assert [p.text for p in parts] == ["Great staff", "but the queue was awful.", "Call 3.5 times"]
    text = "スタッフは親切でしたが、レジは遅かったです。"
    assert all(text[p.start : p.end] == p.text for p in sentences.split(text))


@pytest.mark.parametrize(
    ("text", "locale"),
    [
        ("Great staff but the queue was awful", "en"),
        ("店员很热情，但是排队太久了", "zh-hans"),
        ("店員很熱情，但是排隊太久了", "zh-hant"),
        ("スタッフはとても親切でしたが、レジの待ち時間が長すぎました", "ja"),
        ("Personalul a fost foarte amabil, dar coada a fost groaznică", "ro"),
    ],
)
def test_each_sentence_carries_its_own_sentiment(engine, text, locale):
    result = engine.analyse_one(text, locale)
    assert [s.sentiment for s in result.sentences] == ["positive", "negative"]
    assert result.mixed


def test_personal_data_is_masked_before_anything_else(engine):
    text = "Call me on +44 7700 900123 or mail jo.bloggs@example.com, card 4111 1111 1111 1111"
    masked = pii.mask_basic(text)
    assert "7700" not in masked and "example.com" not in masked and "4111" not in masked
    assert masked.count("[number]") == 2 and "[email]" in masked
    result = engine.analyse_one(text, "en")
    assert "jo.bloggs" not in result.text
    assert not any("number" in k or "email" in k for k in result.keywords)


def test_a_custom_masker_is_used():
    shouting = FastAnalyzer(masker=lambda text, lang: text.replace("Anna", "[name]"))
    assert shouting.analyse_one("Anna was great", "en").text == "[name] was great"


THEMES = [
    ThemeSpec("service", "Service"),
    ThemeSpec(
        "queue",
        "Queues",
        parent="service",
        names={"ja": "待ち時間"},
        keywords={"en": ("queue", "till"), "zh-hans": ("排队",), "ro": ("coadă",)},
        examples={"en": ("We waited ages to pay at the counter",)},
    ),
]


def test_themes_by_keyword_any_form_and_script():
    matcher = ThemeMatcher(THEMES, "t:1")
    assert [h.key for h in matcher.match(fold("The queues were long", "en"), "en")] == ["queue"]
    assert [h.key for h in matcher.match(fold("排隊太久", "zh-hant"), "zh-hant")] == ["queue"]
    assert [h.how for h in matcher.match(fold("Am stat la coada", "ro"), "ro")] == ["keyword"]
    assert matcher.match(fold("Tilted shelves everywhere", "en"), "en") == []
    assert matcher.path("queue") == ["service", "queue"]


def test_themes_by_likeness_to_an_example():
    matcher = ThemeMatcher(THEMES, "t:1")
    [hit] = matcher.match(fold("we waited ages to pay", "en"), "en")
    assert (hit.key, hit.how) == ("queue", "example")
    assert hit.score >= 0.45


def test_default_taxonomies_cover_every_language():
    matcher = matching.default_matcher()
    for text, locale, theme in [
        ("The cashier was rude", "en", "staff"),
        ("结账排了很久的队", "zh-hans", "queue"),
        ("結帳排了很久的隊", "zh-hant", "queue"),
        ("レジで長く待たされました", "ja", "queue"),
        ("Livrarea a întârziat o săptămână", "ro", "delivery"),
        ("We were invoiced twice", "en", "billing"),
    ]:
        found = {h.key for h in matcher.match(fold(text, locale), locale)}
        assert theme in found, (text, found)


def test_keywords_per_language():
    assert "battery life" in keywords("The battery life is terrible and support ignored me", "en")
    assert "livrarea" in " ".join(keywords("Livrarea a durat prea mult", "ro"))
    assert "外卖" in keywords("外卖送得太慢了，饭菜都凉了", "zh-hans")
    assert "駐車場" in keywords("駐車場が狭くて停めにくいです", "ja")


def test_intents_and_emotions_come_from_explicit_cues():
    assert intents("please add more tills", "please add more tills", "en", 0.0) == ["suggestion"]
    assert "churn_threat" in intents(fold("我再也不会来了", "zh-hans"), "", "zh-hans", -0.9)
    assert "question" in intents("do you open on sunday", "Do you open on Sunday?", "en", 0)
    assert intents("", "", "en", -0.8) == ["complaint"]
    assert emotions(fold("Sunt foarte dezamăgită", "ro"), "ro") == ["disappointment"]
    assert emotions("the food was fine", "en") == []


def test_unsupported_languages_are_marked_not_guessed(engine):
    result = engine.analyse_one("서비스가 아주 좋았어요", "ko")
    assert (result.language, result.supported, result.sentiment) == ("ko", False, "neutral")


# The weights are part of the product: these pins fail if they change without anyone noticing
# (retrain, then update the digest and the reference scores together).
MODEL_DIGEST = "f6308323f4"
REFERENCE = {
    ("The staff were wonderful", "en"): 0.8224,
    ("配送太慢了，饭都凉了", "zh-hans"): -0.977,
    ("スタッフがとても親切でした", "ja"): 0.9594,
    ("Produsul s-a stricat după o săptămână", "ro"): -0.9621,
}


def test_model_output_is_pinned(engine):
    assert engine.version.endswith("@" + MODEL_DIGEST)
    for (text, locale), score in REFERENCE.items():
        assert engine.analyse_one(text, locale).score == pytest.approx(score, abs=1e-3), text


def test_model_loads_from_the_package_alone():
    model = default_model()
    assert len(model.vocabulary) > 10_000 and len(model.lexicon.entries) > 1_000
