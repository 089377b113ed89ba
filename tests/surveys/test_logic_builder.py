"""Display logic with several conditions, built on the question page (no JSON typed), kept
as they are when the page saves again, with a live count of who would have seen it."""

from __future__ import annotations

import json

from django.test import Client

from tests.closedloop.support import submit
from tests.surveys.builders import store_visit_survey
from voxloop.surveys.models import Question

TWO = {"match": "any", "items": [
    {"field": "nps", "op": "lte", "value": 6},
    {"field": "improve", "op": "in", "value": ["staff"]},
]}  # fmt: skip


def admin_client(world) -> Client:
    client = Client()
    client.force_login(world.acme.user("admin"))
    return client


def _save(client, survey, logic) -> object:
    data = {"type": "long_text", "title": "Tell us more", "logic": json.dumps(logic)}
    return client.post(f"/surveys/{survey.pk}/questions/comment/", data)


def test_several_conditions_are_saved_and_shown_back(world):
    survey = store_visit_survey(world.acme, publish=False)
    client = admin_client(world)
    assert _save(client, survey, TWO).status_code == 302
    question = Question.objects.get(survey=survey, key="comment")
    assert question.show_if == {"any": [
        {"question": "nps", "op": "lte", "value": 6},
        {"question": "improve", "op": "in", "value": ["staff"]},
    ]}  # fmt: skip
    page = client.get(f"/surveys/{survey.pk}/questions/comment/").content.decode()
    assert 'data-condition-builder="logic-builder"' in page and "keeps only the first" not in page
    # Saving the page again keeps both conditions (it used to keep only the first).
    initial = page.split('name="logic"')[1].split(">", 1)[1].split("</textarea>")[0]
    assert "improve" in initial
    assert _save(client, survey, TWO).status_code == 302
    assert len(Question.objects.get(pk=question.pk).show_if["any"]) == 2


def test_a_bad_condition_is_named_on_the_page(world):
    survey = store_visit_survey(world.acme, publish=False)
    bad = {"match": "all", "items": [{"field": "nps", "op": "lte", "value": "six"}]}
    answer = _save(admin_client(world), survey, bad)
    assert answer.status_code == 400 and answer.context["form"].errors["logic"]
    groups = {"match": "all", "items": [{"match": "any", "items": []}]}
    assert _save(admin_client(world), survey, groups).status_code == 400


def test_live_count_of_who_would_have_seen_it(world):
    survey = store_visit_survey(world.acme)
    store = world.acme.units["c1r1s1"]
    for score, picks in ((3, ["queue"]), (9, None), (10, None), (5, ["staff"])):
        submit(survey, {"nps": score, **({"improve": picks} if picks else {})}, unit=store)
    url = f"/surveys/{survey.pk}/logic-count/"
    low = {"match": "all", "items": [{"field": "nps", "op": "lte", "value": 6}]}
    answer = admin_client(world).get(url, {"conditions": json.dumps(low)}).json()
    assert (answer["count"], answer["of"]) == (2, 4)
    assert answer["text"] == "2 of the last 4 responses would have seen it."
    bad = {"match": "all", "items": [{"field": "later", "op": "answered"}]}
    assert admin_client(world).get(url, {"conditions": json.dumps(bad)}).status_code == 400


def test_the_api_keeps_every_condition_and_the_page_shows_them(world):
    from tests.surveys.api_client import ApiClient

    survey = store_visit_survey(world.acme, publish=False)
    api = ApiClient(world.acme.members["admin"])
    rule = {"any": [{"question": "nps", "op": "lte", "value": 6},
                    {"question": "improve", "op": "in", "value": ["staff", "queue"]}]}  # fmt: skip
    answer = api.patch(f"/surveys/{survey.pk}/questions/comment", {"show_if": rule})
    assert answer.status_code == 200 and answer.json()["show_if"] == rule
    page = admin_client(world).get(f"/surveys/{survey.pk}/questions/comment/").content.decode()
    initial = json.loads(
        page.split('name="logic"')[1]
        .split(">", 1)[1]
        .split("</textarea>")[0]
        .replace("&quot;", '"')
    )
    assert initial["match"] == "any" and len(initial["items"]) == 2
