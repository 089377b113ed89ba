"""What fuzzing found (each was a 500 or an HTML page): unbounded whole numbers, a query key put
into an ORM path, ids that are not whole numbers, and deep offsets; plus keyset pages."""

from __future__ import annotations

import pytest

from tests.api.support import error_field
from tests.closedloop.support import submit
from tests.surveys.builders import store_visit_survey
from voxloop.api.schemas import MAX_OFFSET

HUGE = "9" * 25


@pytest.fixture
def survey(api_world):
    return store_visit_survey(api_world.world.acme)


@pytest.mark.parametrize(
    ("path", "field"),
    [
        (f"/api/v1/responses?survey={HUGE}", "survey"),
        (f"/api/v1/responses?offset={HUGE}", "offset"),
        (f"/api/v1/cases?offset={HUGE}", "offset"),
        (f"/api/v1/invitations?campaign={HUGE}", "campaign"),
        (f"/api/v1/outreach/stats?campaign={HUGE}", "campaign"),
        (f"/api/v1/contacts?segment={HUGE}", "segment"),
        (f"/api/v1/analytics/metrics?survey={HUGE}", "survey"),
        ("/api/v1/analytics/metrics?survey=%C2%B2", "survey"),  # "²": isdigit() but not int()
        ("/api/v1/analytics/metrics?start=0001-01-01", "start"),
        (f"/api/v1/responses?offset={MAX_OFFSET + 1}", "offset"),
    ],
)
def test_out_of_range_numbers_are_a_4xx_naming_the_parameter(api_world, path, field):
    answer = api_world.call("admin", "GET", path)
    assert answer.status_code in (400, 422), answer.content[:300]
    assert error_field(answer) == field


def test_a_lookup_is_not_a_question_key(api_world, survey):
    unit = api_world.world.acme.units["c1r1s1"]
    submit(survey, {"nps": 3, "improve": ["queue"]}, unit=unit)
    base = f"/api/v1/analytics/choices?survey={survey.pk}&question="
    for bad in ("nps__gt", "answers__x", "comment", "nope"):
        answer = api_world.call("admin", "GET", base + bad)
        assert answer.status_code == 400, (bad, answer.content[:200])
        assert error_field(answer) == "question"
    assert api_world.call("admin", "GET", base + "improve").status_code == 200


@pytest.mark.parametrize(
    "path",
    ["/api/v1/responses/abc", "/api/v1/surveys/1.5/publish", "/api/v1/cases/-1", "/api/v1/x\n"],
)
def test_paths_that_are_no_operation_answer_json(api_world, path):
    for method in ("GET", "POST", "PATCH", "DELETE"):
        answer = api_world.call("admin", method, path, {"a": 1})
        assert answer.status_code == 404, (method, path)
        assert answer["Content-Type"].startswith("application/json")
        assert answer.json()["error"]["code"] == "not_found"


def test_a_plan_cannot_start_before_the_calendar_does(api_world):
    body = {"title": "Queues", "starts_on": "0001-01-01", "window_days": 365}
    answer = api_world.call("admin", "POST", "/api/v1/action-plans", body)
    assert answer.status_code in (400, 422) and error_field(answer) == "starts_on"


def test_keyset_pages_walk_the_whole_list_in_order(api_world, survey):
    unit = api_world.world.acme.units["c1r1s1"]
    for score in range(7):
        submit(survey, {"nps": score, "improve": ["queue"]}, unit=unit)
    by_offset = [
        item["id"]
        for offset in range(0, 7, 3)
        for item in api_world.call(
            "admin", "GET", f"/api/v1/responses?limit=3&offset={offset}"
        ).json()["items"]
    ]
    walked, cursor = [], ""
    while True:
        page = api_world.call("admin", "GET", f"/api/v1/responses?limit=3{cursor}").json()
        walked += [item["id"] for item in page["items"]]
        if not page["next"]:
            break
        cursor = f"&after={page['next']}"
    assert walked == by_offset and len(walked) == 7
    for bad in ("x", "WyJhIl0", "bm90IGpzb24"):
        answer = api_world.call("admin", "GET", f"/api/v1/responses?after={bad}")
        assert answer.status_code == 400 and error_field(answer) == "after"
    both = api_world.call("admin", "GET", f"/api/v1/responses?offset=3&after={page['next']}")
    assert both.status_code in (200, 400)


def test_every_operation_documents_its_json_errors(db):
    from django.test import Client

    document = Client().get("/api/v1/openapi.json").json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status in ("400", "401", "403", "404", "422"):
                content = operation["responses"][status]["content"]["application/json"]
                assert content["schema"]["$ref"].endswith("/ErrorOut"), (method, path, status)
