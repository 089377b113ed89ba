"""A NUL character anywhere in a survey or response body is a 4xx naming the field.

PostgreSQL refuses NUL in text and jsonb (and even in a comparison), so an unchecked one was a
500 there while SQLite quietly stored it.
"""

import pytest

from tests.surveys.api_client import as_member
from tests.surveys.builders import store_visit_survey
from voxloop.errors import InvalidInput
from voxloop.surveys import services

NUL = "\x00"


def _refused(call, field):
    with pytest.raises(InvalidInput) as refused:
        call()
    assert refused.value.field == field


def test_nul_in_survey_definitions_is_refused_by_the_services(world):
    # The services, not only the API's schemas: the builder, the admin and the CLI write too.
    actor = world.acme.scope("admin")
    root = world.acme.root
    survey = store_visit_survey(world.acme, publish=False)
    nps = survey.questions.get(key="nps")
    _refused(
        lambda: services.create_survey(actor=actor, unit=root, name=f"a{NUL}", kind="relationship"),
        "name",
    )
    _refused(
        lambda: services.create_survey(
            actor=actor, unit=root, name="a", kind="relationship", texts={"title": {"en": NUL}}
        ),
        "texts.title.en",
    )
    _refused(
        lambda: services.update_survey(actor=actor, survey=survey, texts={"intro": {"en": NUL}}),
        "texts.intro.en",
    )
    _refused(
        lambda: services.update_survey(actor=actor, survey=survey, branding={"sender_name": NUL}),
        "branding.sender_name",
    )
    _refused(
        lambda: services.update_survey(
            actor=actor, survey=survey, thank_you_branches=[{"text": {"en": NUL}}]
        ),
        "thank_you_branches.0.text.en",
    )
    _refused(
        lambda: services.add_question(
            actor=actor,
            survey=survey,
            key="k",
            type="single_choice",
            texts={"title": {"en": "x"}},
            config={"choices": [{"key": "a", "label": {"en": f"b{NUL}"}}]},
        ),
        "config.choices.0.label.en",
    )
    _refused(
        lambda: services.add_question(
            actor=actor,
            survey=survey,
            key="k",
            type="short_text",
            texts={"title": {"en": "x"}},
            show_if={"all": [{"question": "comment", "op": "eq", "value": NUL}]},
        ),
        "show_if.all.0.value",
    )
    _refused(
        lambda: services.update_question(actor=actor, question=nps, texts={"title": {"en": NUL}}),
        "texts.title.en",
    )
    _refused(lambda: services.duplicate(actor=actor, survey=survey, name=f"a{NUL}"), "name")


@pytest.mark.parametrize(
    ("fields", "status", "field"),
    [
        ({"unit_code": f"AC1R1S1{NUL}"}, 404, "unit_code"),
        ({"staff_code": NUL}, 404, "staff_code"),
        ({"contact_external_id": NUL}, 404, "contact_external_id"),
        ({"locale": f"en{NUL}"}, 400, "locale"),
    ],
)
def test_nul_in_response_context(world, fields, status, field):
    survey = store_visit_survey(world.acme)
    body = {"survey_id": survey.pk, "answers": {"nps": 9}, **fields}
    answer = as_member(world.acme, "admin").post("/responses", body)
    assert answer.status_code == status, answer.content
    assert answer.json()["error"]["field"] == field


def test_nul_in_query_filters(world):
    admin = as_member(world.acme, "admin")
    assert admin.get("/responses", unit=f"AC1{NUL}").status_code == 422
    assert admin.get("/surveys", status=NUL).status_code in (400, 422)


LONE = "\ud800"  # what JSON's "\ud800" escape decodes to: no character at all


@pytest.mark.parametrize(
    ("fields", "status", "field"),
    [
        ({"answers": {"nps": 9, "comment": f"a{LONE}"}}, 400, "answers.comment"),
        ({"answers": {"nps": 3, "improve": ["other"], "improve:other": LONE}}, 400, None),
    ],
)
def test_lone_surrogates_in_a_response_are_refused(world, fields, status, field):
    survey = store_visit_survey(world.acme)
    body = {"survey_id": survey.pk, "answers": {"nps": 9}, **fields}
    answer = as_member(world.acme, "admin").post("/responses", body)
    assert answer.status_code == status, answer.content
    assert answer.json()["error"]["field"] == (field or "answers.improve:other")


def test_lone_surrogates_in_a_survey_definition_are_refused(world):
    survey = store_visit_survey(world.acme, publish=False)
    _refused(
        lambda: services.update_survey(
            actor=world.acme.scope("admin"), survey=survey, texts={"intro": {"en": LONE}}
        ),
        "texts.intro.en",
    )
