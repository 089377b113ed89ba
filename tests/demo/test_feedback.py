"""`voxloop demo` feedback: four live multilingual surveys and a year of valid, realistic,
deterministic responses (patterns by weekday and hour, declining stores, matching comments)."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.demo.support import ANCHOR, ONE_WORKER, SHARED
from voxloop.demo.comment_texts import NEG, POS, THEMES
from voxloop.demo.comments import NAMED_STAFF
from voxloop.demo.feedback import split
from voxloop.responses.models import Response
from voxloop.responses.scoring import headline_scores
from voxloop.responses.services import clean_answers
from voxloop.surveys.models import Survey

pytestmark = [pytest.mark.django_db, ONE_WORKER]

LOCALES = {"en", "zh-hans", "ja", "ro"}


def nps(scores: list[int]) -> float:
    return 100 * (sum(s >= 9 for s in scores) - sum(s <= 6 for s in scores)) / len(scores)


def test_four_live_surveys_translated_with_logic_and_review_branch(demo):
    result = demo
    surveys = {s.kind + ":" + s.name: s for s in Survey.objects.all()}
    assert len(surveys) == 4 and all(s.status == "live" for s in surveys.values())
    assert sorted(s.kind for s in surveys.values()) == [
        "employee",
        "relationship",
        "transactional",
        "transactional",
    ]
    for survey in surveys.values():
        assert survey.published_at < ANCHOR - timedelta(days=365)
        assert set(survey.locales) == LOCALES and survey.default_locale == "en"
        for part in survey.texts.values():
            assert set(part) == LOCALES
        for question in survey.questions.all():
            for part in question.texts.values():
                assert set(part) == LOCALES, (survey.name, question.key)
            for choice in question.config.get("choices", []):
                assert set(choice["label"]) == LOCALES
    feedback = result.feedback
    relationship, store = feedback.surveys.relationship, feedback.surveys.store_visit
    assert relationship.unit_id == result.tree.root.pk
    assert feedback.surveys.support.unit_id == result.tree.division.pk
    assert relationship.questions.get(key="improve").show_if == {
        "all": [{"question": "nps", "op": "lte", "value": 8}]
    }
    assert relationship.questions.get(key="reason").config["allow_other"] is True
    assert store.questions.get(key="improve").type == "multiple_choice"
    [branch] = store.thank_you_branches
    assert branch["when"] == {"all": [{"question": "nps", "op": "gte", "value": 9}]}
    assert branch["link"] == "https://example.com/review" and set(branch["text"]) == LOCALES


def test_counts_match_and_every_response_validates(demo):
    feedback = demo.feedback
    assert feedback.responses == Response.objects.count() == SHARED.responses
    for survey, expected in zip(feedback.surveys.all(), _by_survey(SHARED.responses), strict=True):
        responses = Response.objects.filter(survey=survey).select_related("unit")
        assert responses.count() == expected
        questions = list(survey.questions.all())
        for response in responses[:: max(1, expected // 150)]:
            assert (
                clean_answers(
                    survey=survey, questions=questions, answers=response.answers, complete=True
                )
                == response.answers
            )
            assert headline_scores(questions, response.answers)["nps"] == response.nps
            assert response.is_complete and response.locale in LOCALES
            assert ANCHOR - timedelta(days=365) <= response.submitted_at < ANCHOR
            assert response.unit.path.startswith(survey.unit_path)
    pulse = Response.objects.filter(survey=feedback.surveys.pulse)
    assert not pulse.filter(contact__isnull=False).exists()
    assert not pulse.filter(staff__isnull=False).exists()


def _by_survey(count: int) -> list[int]:
    # split() is in SHARES order; DemoSurveys.all() is relationship, support, store, pulse.
    store, relationship, support, pulse = split(count)
    return [relationship, support, store, pulse]


def test_support_responses_come_from_account_contacts_in_their_own_language(demo):
    result = demo
    support = Response.objects.filter(survey=result.feedback.surveys.support)
    assert support.exists() and not support.filter(contact__account__isnull=True).exists()
    for response in support.select_related("contact", "unit", "staff")[:200]:
        assert response.unit.kind == "team" and response.unit_id == response.contact.home_unit_id
        assert response.locale == response.contact.locale
        assert response.staff is None or response.staff.unit_id == response.unit_id
        assert response.csat is not None and response.ces is not None
    relationship = Response.objects.filter(survey=result.feedback.surveys.relationship)
    for response in relationship.select_related("contact")[:200]:
        assert response.locale == response.contact.locale


def test_declining_stores_score_clearly_lower_in_the_last_three_months(demo):
    feedback = demo.feedback
    assert 3 <= len(feedback.declining) <= 5
    cut = ANCHOR - timedelta(days=90)
    store_visits = Response.objects.filter(survey=feedback.surveys.store_visit)
    earlier_all, later_all = [], []
    for store in feedback.declining:
        mine = store_visits.filter(unit=store)
        earlier = list(mine.filter(submitted_at__lt=cut).values_list("nps", flat=True))
        later = list(mine.filter(submitted_at__gte=cut).values_list("nps", flat=True))
        assert nps(later) < nps(earlier) - 10, store.name
        earlier_all += earlier
        later_all += later
    assert nps(later_all) < nps(earlier_all) - 25
    steady = store_visits.exclude(unit__in=feedback.declining)
    steady_earlier = list(steady.filter(submitted_at__lt=cut).values_list("nps", flat=True))
    steady_later = list(steady.filter(submitted_at__gte=cut).values_list("nps", flat=True))
    assert abs(nps(steady_later) - nps(steady_earlier)) < 10


def _sentences(locale: str, tone: str | None = None) -> set[str]:
    """Every sentence of a language (and tone), named-staff ones by their fixed wording."""
    tones = [tone] if tone else [NEG, "mid", POS]
    found = {s for theme in THEMES.values() for t in tones for s in theme[locale][t]}
    for t in tones:
        for template in NAMED_STAFF[locale].get(t, ()):
            found.add(max(template.split("{staff}"), key=len).strip())
    return found


def _comment_of(answers: dict) -> str:
    improve = answers.get("improve")
    return answers.get("comment") or (improve if isinstance(improve, str) else "")


def test_comments_speak_the_response_language_and_match_the_score(demo):
    with_text = [
        r for r in Response.objects.exclude(survey__kind="employee") if _comment_of(r.answers)
    ]
    share = len(with_text) / Response.objects.exclude(survey__kind="employee").count()
    assert 0.25 < share < 0.45
    locales = set()
    for response in with_text:
        text = _comment_of(response.answers)
        own = _sentences(response.locale)
        assert any(s in text for s in own), (response.locale, text)
        for other in LOCALES - {response.locale}:
            assert not any(s in text for s in _sentences(other)), (response.locale, text)
        score, low, high = (response.nps, 6, 9) if response.csat is None else (response.csat, 2, 5)
        if score <= low:
            assert any(s in text for s in _sentences(response.locale, NEG)), text
        if score >= high:
            assert any(s in text for s in _sentences(response.locale, POS)), text
        locales.add(response.locale)
    assert locales == LOCALES


def test_stores_busy_on_saturdays_support_in_office_hours(demo):
    feedback = demo.feedback
    store_times = [
        r.submitted_at.astimezone(ZoneInfo(tz))
        for r, tz in _with_timezones(Response.objects.filter(survey=feedback.surveys.store_visit))
    ]
    saturday = sum(t.weekday() == 5 for t in store_times) / len(store_times)
    assert saturday > 1 / 7 + 0.05
    late_afternoon = sum(16 <= t.hour <= 18 for t in store_times) / len(store_times)
    assert late_afternoon > 3 / 12 + 0.03  # three of the twelve opening hours
    london = ZoneInfo("Europe/London")
    support = [
        r.submitted_at.astimezone(london)
        for r in Response.objects.filter(survey=feedback.surveys.support)
    ]
    assert sum(t.weekday() >= 5 for t in support) / len(support) < 0.03
    assert all(8 <= t.hour <= 18 for t in support)


def _with_timezones(responses):
    zones = {"GB": "Europe/London", "RO": "Europe/Bucharest", "JP": "Asia/Tokyo"}
    for response in responses.select_related("unit__parent__parent"):
        yield response, zones[response.unit.parent.parent.code]


def test_standout_and_struggling_staff_are_visible_in_their_scores(demo):
    feedback = demo.feedback
    assert feedback.standouts and feedback.strugglers
    store_visits = Response.objects.filter(survey=feedback.surveys.store_visit)
    overall = nps(list(store_visits.values_list("nps", flat=True)))
    for name in feedback.strugglers:
        scores = list(store_visits.filter(staff__name=name).values_list("nps", flat=True))
        assert not scores or nps(scores) < overall - 20, name
    for name in feedback.standouts:
        scores = list(store_visits.filter(staff__name=name).values_list("nps", flat=True))
        assert not scores or nps(scores) > overall + 10, name
