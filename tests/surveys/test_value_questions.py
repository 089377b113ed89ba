"""Number and date questions (decision 0032): their settings, the answers they take, the
respondent page, the builder, and the way out and back in through the exports."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tests.respondent.helpers import Respondent, next_question
from tests.surveys.api_client import as_member
from voxloop.errors import InvalidInput
from voxloop.responses.models import Response
from voxloop.surveys import definition, importing, services, validation
from voxloop.surveys.importing import surveyjs_export, voxloop_json
from voxloop.surveys.models import Survey


class Q:
    def __init__(self, type: str, **config) -> None:
        self.key, self.type, self.config = "q", type, config


@pytest.mark.parametrize(
    ("question", "raw", "stored"),
    [
        (Q("number"), "42", 42),
        (Q("number"), " 3,5 ", 3.5),
        (Q("number"), 2.0, 2),
        (Q("number", min=0, max=120), "120", 120),
        (Q("number", integer=True), "-7", -7),
        (Q("date"), "2026-02-28", "2026-02-28"),
        (Q("date", earliest="2026-01-01", latest="2026-12-31"), "2026-01-01", "2026-01-01"),
    ],
)
def test_good_answers_are_stored_as_numbers_and_iso_dates(question, raw, stored):
    assert definition.clean_answer(question, raw) == stored


@pytest.mark.parametrize(
    ("question", "raw", "says"),
    [
        (Q("number"), "twelve", "needs a number"),
        (Q("number"), True, "needs a number"),
        (Q("number"), "1e400", "needs a number"),
        (Q("number"), 1e20, "too large"),
        (Q("number", integer=True), "2.5", "whole number"),
        (Q("number", min=0, max=120), "121", "at most 120"),
        (Q("number", min=0), "-1", "at least 0"),
        (Q("date"), "31/12/2026", "YYYY-MM-DD"),
        (Q("date"), "2026-02-30", "YYYY-MM-DD"),
        (Q("date", earliest="2026-01-01"), "2025-12-31", "on or after 2026-01-01"),
        (Q("date", latest="2026-01-01"), "2026-01-02", "on or before 2026-01-01"),
    ],
)
def test_bad_answers_are_refused_with_a_clear_message(question, raw, says):
    with pytest.raises(definition.AnswerError) as refused:
        definition.clean_answer(question, raw)
    assert says in refused.value.message and refused.value.field == "q"


@pytest.mark.parametrize(
    ("kind", "config", "field"),
    [
        ("number", {"min": "ten"}, "config.min"),
        ("number", {"min": 5, "max": 1}, "config.min"),
        ("number", {"unit": "x" * 21}, "config.unit"),
        ("date", {"earliest": "01/02/2026"}, "config.earliest"),
        ("date", {"earliest": "2026-05-01", "latest": "2026-04-01"}, "config.earliest"),
    ],
)
def test_bad_settings_are_refused_naming_the_field(kind, config, field):
    with pytest.raises(InvalidInput) as refused:
        validation.check_config(kind, config)
    assert refused.value.field == field


def test_good_settings_are_kept():
    assert validation.check_config("number", {"min": 0, "max": 9.5, "unit": " kg "}) == {
        "min": 0,
        "max": 9.5,
        "unit": "kg",
        "integer": False,
    }
    assert validation.check_config("date", {"earliest": "2026-01-01", "latest": ""}) == {
        "earliest": "2026-01-01"
    }


def _value_survey(org) -> Survey:
    actor = org.scope("admin")
    survey = services.create_survey(
        actor=actor,
        unit=org.root,
        name="Stay",
        kind="transactional",
        default_locale="en",
        locales=["ja"],
    )
    services.add_question(
        actor=actor,
        survey=survey,
        key="nights",
        type="number",
        required=True,
        texts={"title": {"en": "How many nights did you stay?"}},
        config={"min": 1, "max": 60, "integer": True, "unit": "nights"},
    )
    services.add_question(
        actor=actor,
        survey=survey,
        key="arrived",
        type="date",
        texts={"title": {"en": "When did you arrive?"}},
        config={"earliest": "2020-01-01", "latest": "2030-12-31"},
    )
    services.add_question(
        actor=actor,
        survey=survey,
        key="more",
        type="nps",
        texts={"title": {"en": "Recommend us?"}},
        show_if={"all": [{"question": "nights", "op": "gte", "value": 2}]},
    )
    services.publish(actor=actor, survey=survey)
    return survey


def test_respondent_page_shows_phone_friendly_labelled_inputs(world, client):
    survey = _value_survey(world.acme)
    respondent = Respondent(client, survey.public_slug)
    page = respondent.open().content.decode()
    assert '<label for="nights">' in page
    assert 'type="number" inputmode="numeric"' in page
    assert 'min="1"' in page and 'max="60"' in page and 'step="1"' in page
    assert 'aria-describedby="nights-unit"' in page and ">nights</span>" in page
    date_page = respondent.open(q="arrived").content.decode()
    assert 'type="date"' in date_page and 'min="2020-01-01"' in date_page


def test_respondent_submits_good_and_bad_answers(world, client):
    survey = _value_survey(world.acme)
    respondent = Respondent(client, survey.public_slug)
    respondent.open()
    refused = respondent.answer("nights", "0")
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "Please enter a whole number from 1 to 60." in text and 'aria-invalid="true"' in text
    assert next_question(respondent.answer("nights", "3")) == "arrived"
    bad_date = respondent.answer("arrived", "2019-12-31")
    assert "Please enter a date from 2020-01-01 to 2030-12-31." in bad_date.content.decode()
    assert next_question(respondent.answer("arrived", "2026-03-01")) == "more"
    respondent.answer("more", "9")
    answers = Response.objects.get(survey=survey).answers
    assert answers["nights"] == 3 and answers["arrived"] == "2026-03-01"


def test_respondent_error_is_in_their_language(world, client):
    survey = _value_survey(world.acme)
    respondent = Respondent(client, survey.public_slug, lang="ja")
    respondent.open()
    page = respondent.answer("nights", "abc").content.decode()
    assert "1から60までの整数を入力してください。" in page


def test_builder_adds_number_and_date_questions_without_json(world):
    admin = Client()
    admin.force_login(world.acme.user("admin"))
    survey = services.create_survey(
        actor=world.acme.scope("admin"),
        unit=world.acme.root,
        name="Built",
        kind="transactional",
        default_locale="en",
    )
    form = admin.get(f"/surveys/{survey.pk}/questions/add/").content.decode()
    assert 'value="number"' in form and 'value="date"' in form
    assert 'name="earliest"' in form and 'type="date"' in form and 'name="unit"' in form
    base = {"title": "How old?", "logic_op": "lte"}
    added = admin.post(
        f"/surveys/{survey.pk}/questions/add/",
        {
            **base,
            "key": "age",
            "type": "number",
            "minimum": "0",
            "maximum": "120",
            "integer": "on",
            "unit": "years",
        },
    )
    assert added.status_code == 302
    dated = admin.post(
        f"/surveys/{survey.pk}/questions/add/",
        {**base, "key": "born", "type": "date", "earliest": "1900-01-01"},
    )
    assert dated.status_code == 302
    refused = admin.post(
        f"/surveys/{survey.pk}/questions/add/",
        {**base, "key": "bad", "type": "number", "minimum": "10", "maximum": "1"},
    )
    assert refused.status_code == 400
    assert "The smallest number is above the largest." in refused.content.decode()
    by_key = {q.key: q for q in survey.questions.all()}
    assert by_key["age"].config == {"min": 0, "max": 120, "integer": True, "unit": "years"}
    assert by_key["born"].config == {"earliest": "1900-01-01"}
    edit = admin.get(f"/surveys/{survey.pk}/questions/age/").content.decode()
    assert 'name="unit"' in edit and 'value="years"' in edit


def test_voxloop_json_and_surveyjs_round_trips_keep_the_types(world):
    survey = _value_survey(world.acme)
    exported = surveyjs_export.export(survey)
    nights, arrived = exported["pages"][0]["elements"][:2]
    assert nights == {
        "name": "nights",
        "title": "How many nights did you stay?",
        "type": "text",
        "inputType": "number",
        "min": 1,
        "max": 60,
        "step": 1,
        "isRequired": True,
    }
    assert arrived["inputType"] == "date" and arrived["min"] == "2020-01-01"
    again = importing.read_file("back.json", json.dumps(exported).encode())
    typed = {q.key: (q.type, q.config.get("min"), q.config.get("integer")) for q in again.questions}
    assert typed["nights"] == ("number", 1, True)
    assert again.by_source()["arrived"].config["latest"] == "2030-12-31"


def test_voxloop_json_round_trip_keeps_settings(world):
    survey = _value_survey(world.acme)
    exported = json.dumps(voxloop_json.export(survey)).encode()
    imported = services.import_survey(
        actor=world.acme.scope("admin"), unit=world.acme.root, filename="v.json", content=exported
    )
    again = {q.key: (q.type, q.config) for q in imported.survey.questions.all()}
    assert again["nights"] == ("number", {"min": 1, "max": 60, "integer": True, "unit": "nights"})
    assert again["arrived"] == ("date", {"earliest": "2020-01-01", "latest": "2030-12-31"})
    assert imported.survey.questions.get(key="more").show_if["all"][0]["value"] == 2


def test_the_api_takes_number_and_date_questions_and_refuses_bad_settings(world):
    admin = as_member(world.acme, "admin")
    survey_id = admin.post("/surveys", {"name": "Api", "kind": "transactional"}).json()["id"]
    made = admin.post(
        f"/surveys/{survey_id}/questions",
        {
            "key": "age",
            "type": "number",
            "texts": {"title": {"en": "Age?"}},
            "config": {"min": 0, "max": 120, "integer": True},
        },
    )
    assert made.status_code == 201, made.content
    assert made.json()["type"] == "number" and made.json()["config"]["max"] == 120
    refused = admin.post(
        f"/surveys/{survey_id}/questions",
        {
            "key": "day",
            "type": "date",
            "texts": {"title": {"en": "When?"}},
            "config": {"earliest": "tomorrow"},
        },
    )
    assert refused.status_code == 400 and "YYYY-MM-DD" in refused.content.decode()


def test_builder_preview_shows_the_number_and_date_inputs(world):
    survey = _value_survey(world.acme)
    admin = Client()
    admin.force_login(world.acme.user("admin"))
    page = admin.get(f"/surveys/{survey.pk}/preview/").content.decode()
    assert 'type="number" name="nights"' in page and 'min="1"' in page and "nights" in page
    assert 'type="date" name="arrived"' in page and 'max="2030-12-31"' in page
