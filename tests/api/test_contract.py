"""What every operation answers the same way (decision 0028): ETags and If-Match, idempotency
keys, rate limits, cursor pagination with a `Link` to the next page."""

from __future__ import annotations

import pytest

from tests.surveys.api_client import ApiClient, as_member
from tests.surveys.builders import store_visit_survey
from voxloop.contacts.models import Segment


@pytest.fixture
def acme(world):
    return world.acme


@pytest.fixture
def admin(acme) -> ApiClient:
    return as_member(acme, "admin")


def _survey(acme):
    return store_visit_survey(acme)


# --- ETags and If-Match -----------------------------------------------------------------------


def test_a_read_carries_an_etag_and_an_unchanged_object_answers_304(acme, admin):
    survey = _survey(acme)
    first = admin.get(f"/surveys/{survey.pk}")
    assert first.status_code == 200 and first["ETag"].startswith('"')
    again = admin.call("get", f"/surveys/{survey.pk}", **{"If-None-Match": first["ETag"]})
    assert again.status_code == 304 and again["ETag"] == first["ETag"]


def test_two_editors_cannot_lose_an_update(acme, admin):
    survey = _survey(acme)
    other = as_member(acme, "admin")
    tag = admin.get(f"/surveys/{survey.pk}")["ETag"]
    # Both read the same version; the first write wins and answers the new tag.
    won = other.call("patch", f"/surveys/{survey.pk}", {"name": "Mine"}, **{"If-Match": tag})
    assert won.status_code == 200 and won["ETag"] != tag
    lost = admin.call("patch", f"/surveys/{survey.pk}", {"name": "Yours"}, **{"If-Match": tag})
    assert lost.status_code == 412
    assert lost.json()["error"]["code"] == "precondition_failed"
    assert lost["ETag"] == won["ETag"]
    assert admin.get(f"/surveys/{survey.pk}").json()["name"] == "Mine"
    # Re-read, retry with the fresh tag: it goes through.
    retried = admin.call(
        "patch", f"/surveys/{survey.pk}", {"name": "Yours"}, **{"If-Match": lost["ETag"]}
    )
    assert retried.status_code == 200 and retried.json()["name"] == "Yours"


def test_if_match_guards_rules_and_deletes_too(acme, admin):
    created = admin.post(
        "/alert-rules",
        {"name": "Low", "conditions": {"items": [{"field": "nps", "op": "lte", "value": 3}]}},
    )
    rule = created.json()["id"]
    tag = admin.get(f"/alert-rules/{rule}")["ETag"]
    assert admin.call("patch", f"/alert-rules/{rule}", {"sla_hours": 12}).status_code == 200
    assert admin.call("delete", f"/alert-rules/{rule}", **{"If-Match": tag}).status_code == 412
    fresh = admin.get(f"/alert-rules/{rule}")["ETag"]
    assert admin.call("delete", f"/alert-rules/{rule}", **{"If-Match": fresh}).status_code == 204
    assert admin.get(f"/alert-rules/{rule}").status_code == 404


def test_a_deployment_can_require_if_match(acme, admin, settings):
    settings.API_REQUIRE_IF_MATCH = True
    survey = _survey(acme)
    refused = admin.patch(f"/surveys/{survey.pk}", {"name": "Blind"})
    assert refused.status_code == 428
    assert refused.json()["error"]["code"] == "precondition_required"
    star = admin.call("patch", f"/surveys/{survey.pk}", {"name": "Any"}, **{"If-Match": "*"})
    assert star.status_code == 200
    # A write to something that is not there is still a 404, not a 428.
    assert admin.patch("/surveys/999999", {"name": "x"}).status_code == 404


def test_a_stale_tag_of_another_tenants_object_reveals_nothing(world, acme):
    survey = _survey(acme)
    stranger = as_member(world.other, "admin")
    answer = stranger.call("patch", f"/surveys/{survey.pk}", {"name": "x"}, **{"If-Match": '"0"'})
    assert answer.status_code == 404 and "ETag" not in answer


# --- idempotency keys -------------------------------------------------------------------------


def test_a_repeated_create_with_its_key_is_replayed_not_repeated(acme, admin):
    body = {"name": "Locals", "filters": []}
    first = admin.post("/segments", body, **{"Idempotency-Key": "seg-1"})
    again = admin.post("/segments", body, **{"Idempotency-Key": "seg-1"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Segment.objects.filter(organization=acme.root.organization, name="Locals").count() == 1


def test_the_same_key_with_another_body_is_refused(admin):
    admin.post("/segments", {"name": "A", "filters": []}, **{"Idempotency-Key": "k"})
    answer = admin.post("/segments", {"name": "B", "filters": []}, **{"Idempotency-Key": "k"})
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "idempotency_key_reused"


def test_keys_are_each_callers_own(acme, admin):
    other = as_member(acme, "country_admin")
    body = {"name": "Mine", "filters": []}
    mine = admin.post("/segments", body, **{"Idempotency-Key": "shared"})
    theirs = other.post("/segments", body, **{"Idempotency-Key": "shared"})
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"]


def test_a_refused_create_does_not_burn_the_key_on_a_conflict(acme, admin):
    body = {"key": "visit", "name": "Visit"}
    assert admin.post("/interaction-types", body).status_code == 201
    clash = admin.post("/interaction-types", body, **{"Idempotency-Key": "t1"})
    assert clash.status_code == 409
    admin.delete(f"/interaction-types/{admin.get('/interaction-types').json()[0]['id']}")
    retried = admin.post("/interaction-types", body, **{"Idempotency-Key": "t1"})
    assert retried.status_code == 201 and "Idempotent-Replayed" not in retried


def test_a_malformed_key_names_the_header(admin):
    answer = admin.post("/segments", {"name": "A", "filters": []}, **{"Idempotency-Key": "x" * 191})
    assert answer.status_code == 422
    assert answer.json()["error"]["field"] == "Idempotency-Key"


# --- rate limits ------------------------------------------------------------------------------


def test_every_answer_says_how_much_of_the_limit_is_left(admin, settings):
    settings.API_RATE_LIMIT = "100/60"
    first, second = admin.get("/me"), admin.get("/me")
    assert first["RateLimit-Limit"] == "100"
    assert int(first["RateLimit-Remaining"]) == int(second["RateLimit-Remaining"]) + 1
    assert 1 <= int(second["RateLimit-Reset"]) <= 60


def test_past_the_limit_a_token_waits_and_another_does_not(acme, admin, settings):
    settings.API_RATE_LIMIT = "3/60"
    answers = [admin.get("/me").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    refused = admin.get("/me")
    assert refused.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(refused["Retry-After"]) <= 60 and refused["RateLimit-Remaining"] == "0"
    assert as_member(acme, "admin").get("/me").status_code == 200


def test_requests_without_a_credential_are_not_counted(client, settings):
    settings.API_RATE_LIMIT = "1/60"
    statuses = [client.get("/api/v1/me").status_code for _ in range(3)]
    assert statuses == [401, 401, 401]


# --- cursor pagination ------------------------------------------------------------------------


def _follow(client: ApiClient, path: str) -> list[list[int]]:
    pages = []
    while path:
        answer = client.client.get(path, headers=client.headers)
        assert answer.status_code == 200
        pages.append([item["id"] for item in answer.json()])
        link = answer.get("Link", "")
        path = link[1 : link.index(">")] if link else ""
    return pages


def test_a_plain_list_pages_by_cursor_through_its_link_header(acme, admin):
    for name in ("Delta", "Alpha", "Charlie", "Bravo", "Echo"):
        admin.post("/segments", {"name": name, "filters": []})
    pages = _follow(admin, "/api/v1/segments?limit=2")
    assert [len(p) for p in pages] == [2, 2, 1]
    names = [s.name for s in Segment.objects.order_by("name")]
    flat = [i for p in pages for i in p]
    assert [Segment.objects.get(pk=i).name for i in flat] == names
    backwards = admin.get("/segments", ordering="-name", limit=500).json()
    assert [s["name"] for s in backwards] == names[::-1]


def test_an_envelope_list_pages_by_cursor_with_next_and_link(acme, admin):
    from tests.contacts.helpers import add_contact

    for i in range(5):
        add_contact(acme, "c1r1s1", f"P{i}")
    first = admin.get("/contacts", limit=2)
    body = first.json()
    assert body["count"] == 5 and body["next"] and "after=" in first["Link"]
    second = admin.get("/contacts", limit=2, after=body["next"]).json()
    assert not {c["id"] for c in body["items"]} & {c["id"] for c in second["items"]}
    assert admin.get("/contacts", after="not-a-cursor").status_code == 400


def test_an_unknown_ordering_is_refused_naming_it(admin):
    answer = admin.get("/segments", ordering="filters")
    assert answer.status_code == 422 and answer.json()["error"]["field"] == "ordering"


def test_cases_page_by_cursor_in_the_order_asked(acme, admin):
    from voxloop.closedloop import casework
    from voxloop.responses.services import Submission, submit

    survey = _survey(acme)
    opened = []
    for _ in range(3):
        answers = {"nps": 3, "improve": ["queue"]}
        outcome = submit(
            submission=Submission(survey=survey, answers=answers, unit=acme.units["c1r1s1"])
        )
        case = casework.open_case(actor=acme.scope("admin"), response_id=outcome.response.pk)
        opened.append(case.pk)
    seen, after = [], None
    while True:
        params = {"box": "all", "ordering": "-created_at", "limit": 1}
        body = admin.get("/cases", **params, **({"after": after} if after else {})).json()
        seen += [c["id"] for c in body["items"]]
        after = body["next"]
        if not after:
            break
    assert seen == sorted(opened, reverse=True)


def test_editing_a_part_of_a_survey_checks_the_surveys_tag(acme, admin):
    survey = _survey(acme)
    tag = admin.get(f"/surveys/{survey.pk}")["ETag"]
    question = f"/surveys/{survey.pk}/questions/comment"
    first = admin.call("patch", question, {"required": True}, **{"If-Match": tag})
    assert first.status_code == 200 and first["ETag"] != tag
    assert first["ETag"] == admin.get(f"/surveys/{survey.pk}")["ETag"]
    # A second editor still holding the first read loses nothing: 412.
    stale = admin.call("patch", question, {"required": False}, **{"If-Match": tag})
    assert stale.status_code == 412
    renamed = admin.call("patch", f"/surveys/{survey.pk}", {"name": "x"}, **{"If-Match": tag})
    assert renamed.status_code == 412


def test_an_upload_with_its_key_is_imported_once(acme, admin):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.surveys.importing.support import shared_file
    from voxloop.surveys.models import Survey

    path = shared_file("limesurvey/colors.lsa")

    def upload():
        form = {"file": SimpleUploadedFile(path.name, path.read_bytes()), "unit_code": "AC1"}
        headers = {**admin.headers, "Idempotency-Key": "import-1"}
        return admin.client.post("/api/v1/surveys/import", form, headers=headers)

    first, again = upload(), upload()
    assert first.status_code == again.status_code == 201, first.content
    assert again.json()["survey_id"] == first.json()["survey_id"]
    assert Survey.objects.filter(unit=acme.units["c1"]).count() == 1


def test_an_answer_redis_could_not_keep_is_still_given_not_done_twice(acme, admin, monkeypatch):
    """Redis went away between the work and keeping its answer: the caller gets the answer
    (a 503 would send it to retry work already committed) and the key frees nothing early."""
    from django.core.cache import caches
    from redis.exceptions import ConnectionError as RedisConnectionError

    cache = caches["default"]
    real_set = cache.set

    def away(key, *args, **kwargs):
        if key.startswith("vx:idem:"):
            raise RedisConnectionError("Error 111 connecting to redis. Connection refused.")
        return real_set(key, *args, **kwargs)

    monkeypatch.setattr(cache, "set", away)
    body = {"name": "Locals", "filters": []}
    first = admin.post("/segments", body, **{"Idempotency-Key": "seg-away"})
    assert first.status_code == 201
    monkeypatch.setattr(cache, "set", real_set)
    again = admin.post("/segments", body, **{"Idempotency-Key": "seg-away"})
    assert again.status_code == 409  # still marked running: retried later, not done twice
    assert Segment.objects.filter(organization=acme.root.organization, name="Locals").count() == 1
