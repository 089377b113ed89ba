"""Alert rules on what a comment says: "a comment mentions rude staff" opens a case once the
comment is analysed — a moment after submission — and not for a comment praising the staff,
nor again when old comments are re-read."""

from __future__ import annotations

import pytest

from tests.closedloop.support import submit
from tests.surveys.builders import store_visit_survey
from voxloop.closedloop import services as closedloop_services
from voxloop.closedloop.conditions import clean_conditions, matches
from voxloop.closedloop.models import Case
from voxloop.errors import InvalidInput
from voxloop.textanalytics import analysis, services

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
RUDE_STAFF = {
    "match": "all",
    "items": [{"field": "comment_theme", "op": "mentions_negative", "value": "staff"}],
}


@pytest.fixture
def shop(world, settings):
    settings.TASKS = IMMEDIATE
    settings.TEXT_ANALYSE_DELAY_SECONDS = 0
    settings.TEXT_EMBEDDINGS = False
    acme = world.acme
    services.install_default_taxonomy(scope=acme.system, kind="retail")
    survey = store_visit_survey(acme)
    rule = closedloop_services.create_rule(
        actor=acme.scope("admin"), unit=acme.root, name="Rude staff", conditions=RUDE_STAFF
    )
    return acme, survey, rule


def _send(acme, survey, text, nps=8, capture=None):
    with capture(execute=True):
        return submit(survey, {"nps": nps, "comment": text}, unit=acme.units["c1r1s1"])


def test_a_negative_comment_about_staff_opens_a_case(shop, django_capture_on_commit_callbacks):
    acme, survey, rule = shop
    response = _send(
        acme, survey, "The cashier was rude and ignored me.", 8, django_capture_on_commit_callbacks
    )
    case = Case.objects.get(response=response)
    assert case.rule_id == rule.pk and case.unit_id == acme.units["c1r1s1"].pk


@pytest.mark.parametrize(
    "text",
    ["The staff were lovely and so helpful.", "The queue was far too long.", "店员很热情。"],
)
def test_praise_of_staff_or_other_complaints_open_none(
    shop, django_capture_on_commit_callbacks, text
):
    acme, survey, _ = shop
    response = _send(acme, survey, text, 8, django_capture_on_commit_callbacks)
    assert not Case.objects.filter(response=response).exists()


def test_it_reads_every_language(shop, django_capture_on_commit_callbacks):
    acme, survey, _ = shop
    for text in ("店员态度很差，很不耐烦。", "Personalul a fost nepoliticos."):
        response = _send(acme, survey, text, 8, django_capture_on_commit_callbacks)
        assert Case.objects.filter(response=response).exists(), text


def test_re_reading_old_comments_opens_no_case(shop, django_capture_on_commit_callbacks):
    acme, survey, rule = shop
    rule.is_active = False
    rule.save()
    response = _send(acme, survey, "The cashier was rude.", 8, django_capture_on_commit_callbacks)
    rule.is_active = True
    rule.save()
    with django_capture_on_commit_callbacks(execute=True):
        analysis.backfill(organization_id=acme.root.organization_id, force=True)
    assert not Case.objects.filter(response=response).exists()


def test_sentiment_and_intent_conditions(shop, django_capture_on_commit_callbacks):
    acme, survey, _ = shop
    conditions = clean_conditions(
        {
            "match": "all",
            "items": [
                {"field": "comment_sentiment", "op": "eq", "value": "negative"},
                {"field": "comment_intent", "op": "includes", "value": "churn_threat"},
            ],
        }
    )
    quitting = _send(
        acme,
        survey,
        "Awful service, never coming back.",
        8,
        django_capture_on_commit_callbacks,
    )
    happy = _send(acme, survey, "Lovely shop.", 8, django_capture_on_commit_callbacks)
    from voxloop.textanalytics.selectors import findings_of_response

    assert matches(conditions, quitting, lambda: findings_of_response(quitting.pk))
    assert not matches(conditions, happy, lambda: findings_of_response(happy.pk))
    assert not matches(conditions, happy, lambda: None)  # not analysed yet: holds nothing


@pytest.mark.parametrize(
    "item",
    [
        {"field": "comment_sentiment", "op": "eq", "value": "furious"},
        {"field": "comment_sentiment", "op": "lte", "value": "negative"},
        {"field": "comment_theme", "op": "mentions", "value": "Not A Key!"},
        {"field": "comment_theme", "op": "eq", "value": "staff"},
        {"field": "comment_intent", "op": "includes", "value": "rant"},
        {"field": "nps", "op": "mentions", "value": 3},
    ],
)
def test_bad_text_conditions_are_refused(item):
    with pytest.raises(InvalidInput):
        clean_conditions({"items": [item]})


def test_a_text_rule_evaluation_goes_ahead_of_other_jobs(world):
    """Rules on what a comment says alert as detractor rules do: their evaluation, queued once
    the comment is read, is urgent too (decisions 0049 and 0054)."""
    from django_tasks_db.models import DBTaskResult

    from voxloop.closedloop import receivers

    acme = world.acme
    survey = store_visit_survey(acme)
    closedloop_services.create_rule(
        actor=acme.scope("admin"), unit=acme.root, name="Rude staff", conditions=RUDE_STAFF
    )
    response = submit(survey, {"nps": 8, "comment": "Rude."}, unit=acme.units["c1r1s1"])
    receivers.evaluate_text_rules_later(None, response_ids=[response.pk])
    [queued] = DBTaskResult.objects.filter(task_path__endswith="evaluate_responses")
    assert queued.args_kwargs["args"] == [response.organization_id, [response.pk]]
    assert queued.args_kwargs["kwargs"] == {"text_only": True}
    assert queued.priority == 100
