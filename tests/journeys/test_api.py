"""The journeys API: whole definitions in one body (stages and touchpoints in order), errors
that name the field, translations, and the map's figures under the caller's scope."""

from __future__ import annotations

import pytest

from tests.journeys.support import PERIOD, build
from tests.surveys.api_client import ApiClient
from voxloop.journeys.models import Journey

pytestmark = pytest.mark.django_db


def _definition(built, **extra):
    return {
        "name": "Support ticket",
        "names": {"ja": "サポートチケット", "ro": "Tichet de asistență"},
        "stages": [
            {
                "name": "Open",
                "touchpoints": [
                    {
                        "name": "Ticket opened",
                        "interaction_type_id": built.types["visit"].pk,
                        "measure": "survey",
                        "survey_id": built.survey.pk,
                    }
                ],
            },
            {
                "name": "Resolve",
                "names": {"zh-hans": "解决"},
                "touchpoints": [
                    {
                        "name": "Ticket closed",
                        "interaction_type_id": built.types["purchase"].pk,
                        "measure": "question",
                        "survey_id": built.survey.pk,
                        "question_key": "ces",
                    }
                ],
            },
        ],
        **extra,
    }


def test_create_read_update_delete_a_whole_journey(world):
    built = build(world.acme)
    api = ApiClient(membership=world.acme.members["admin"])
    created = api.post("/journeys", _definition(built))
    assert created.status_code == 201, created.content
    body = created.json()
    assert [s["name"] for s in body["stages"]] == ["Open", "Resolve"]
    assert body["names"]["ja"] == "サポートチケット"
    assert body["stages"][1]["touchpoints"][0]["question_key"] == "ces"
    journey_id = body["id"]
    got = api.get(f"/journeys/{journey_id}")
    assert got.status_code == 200 and got.json()["stages"][0]["names"] == {}
    patched = api.patch(
        f"/journeys/{journey_id}",
        {"name": "Support", "stages": [{"name": "Only", "touchpoints": []}]},
    )
    assert patched.status_code == 200, patched.content
    assert patched.json()["name"] == "Support"
    assert [s["name"] for s in patched.json()["stages"]] == ["Only"]
    listed = api.get("/journeys")
    assert {j["id"] for j in listed.json()["items"]} >= {journey_id, built.journey.pk}
    assert api.delete(f"/journeys/{journey_id}").status_code == 204
    assert not Journey.objects.filter(pk=journey_id).exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"question_key": "comment"}, "stages.1.touchpoints.0.question_key"),
        ({"survey_id": 999999}, "stages.1.touchpoints.0.survey_id"),
        ({"measure": "reviews", "survey_id": None}, "stages.1.touchpoints.0.review_source_id"),
    ],
)
def test_a_bad_touchpoint_is_a_400_naming_it_and_nothing_is_stored(world, change, field):
    built = build(world.acme)
    api = ApiClient(membership=world.acme.members["admin"])
    body = _definition(built)
    body["stages"][1]["touchpoints"][0].update(change)
    before = Journey.objects.count()
    answer = api.post("/journeys", body)
    assert answer.status_code in (400, 404, 422), answer.content
    assert field in answer.content.decode()
    assert Journey.objects.count() == before


def test_unknown_languages_and_fields_are_refused(world):
    built = build(world.acme)
    api = ApiClient(membership=world.acme.members["admin"])
    answer = api.post("/journeys", {"name": "X", "names": {"xx": "?"}})
    assert answer.status_code == 400 and "names.xx" in answer.content.decode()
    assert api.post("/journeys", {"name": "X", "colour": "red"}).status_code == 422
    assert api.patch(f"/journeys/{built.journey.pk}", {"name": None}).status_code == 422


def test_the_map_over_the_api_is_scoped_like_the_page(world):
    built = build(world.acme)
    store = ApiClient(membership=world.acme.members["store"])
    answer = store.get(f"/journeys/{built.journey.pk}/map", **PERIOD)
    assert answer.status_code == 200, answer.content
    visit = answer.json()["stages"][0]["touchpoints"][0]
    assert visit["responses"] == 12 and visit["volume"] == 12
    assert visit["headline"]["n"] == 12
    assert "score_rows" not in visit
    bad = store.get(f"/journeys/{built.journey.pk}/map", period="forever")
    assert bad.status_code == 400 and "period" in bad.content.decode()
    analytics = store.get(f"/journeys/{built.journey.pk}/analytics", **PERIOD)
    assert [s["customers"] for s in analytics.json()["funnel"]["steps"]] == [12, 8, 4]
    other = ApiClient(membership=world.other.members["admin"])
    assert other.get(f"/journeys/{built.journey.pk}/map").status_code == 404
