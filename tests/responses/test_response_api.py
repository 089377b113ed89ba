import pytest

from tests.surveys.api_client import as_member
from tests.surveys.builders import store_visit_survey
from voxloop.contacts.models import Contact
from voxloop.responses.models import Response
from voxloop.surveys import services as survey_services


def body(survey, **fields):
    return {"survey_id": survey.pk, "answers": {"nps": 9, "csat": 5}, **fields}


def test_idempotency_key_yields_one_response(world):
    survey = store_visit_survey(world.acme)
    kiosk = as_member(world.acme, "store")
    first = kiosk.post("/responses", body(survey), **{"Idempotency-Key": "kiosk-7-00042"})
    again = kiosk.post("/responses", body(survey), **{"Idempotency-Key": "kiosk-7-00042"})
    assert first.status_code == 201, first.content
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert Response.objects.count() == 1
    stored = Response.objects.get()
    assert stored.source_key.endswith(":kiosk-7-00042")
    # A kiosk's responses land at its own store, where its manager can read them back.
    assert stored.unit == world.acme.units["c1r1s1"]
    assert (stored.nps, stored.nps_group, stored.channel) == (9, "promoter", "api")
    other = kiosk.post("/responses", body(survey), **{"Idempotency-Key": "kiosk-7-00043"})
    assert other.status_code == 201 and Response.objects.count() == 2


def test_context_codes_are_resolved_and_scored(world):
    survey = store_visit_survey(world.acme)
    admin = as_member(world.acme, "admin")
    answer = admin.post(
        "/responses",
        body(
            survey,
            answers={"nps": "4", "improve": ["queue", "other"], "improve:other": "Parking"},
            unit_code="AC1R2S1",
            staff_code="AE121",
            channel="api",
            device="unknown",
            locale="zh-hans",
        ),
    )
    assert answer.status_code == 201, answer.content
    data = answer.json()
    assert (data["unit_code"], data["staff_code"], data["nps_group"]) == (
        "AC1R2S1",
        "AE121",
        "detractor",
    )
    assert data["answers"]["improve:other"] == "Parking"


@pytest.mark.parametrize(
    ("fields", "status", "field"),
    [
        ({"answers": {"nps": 11}}, 400, "answers.nps"),
        ({"answers": {"nps": -1}}, 400, "answers.nps"),
        ({"answers": {"nps": "ten"}}, 400, "answers.nps"),
        ({"answers": {"nps": 7.5}}, 400, "answers.nps"),
        ({"answers": {"csat": 4}}, 400, "answers.nps"),  # nps is required
        ({"answers": {"nps": 3}}, 400, "answers.improve"),  # required for detractors
        ({"answers": {"nps": 9, "wat": 1}}, 400, "answers.wat"),
        ({"answers": {"nps": 3, "improve": ["price"]}}, 400, "answers.improve"),
        ({"answers": {"nps": 9, "comment": "x" * 10_001}}, 400, "answers.comment"),
        ({"answers": {"nps": 9, "comment": "a\x00b"}}, 400, "answers.comment"),
        ({"answers": "nps=9"}, 422, "answers"),
        ({"unit_code": "BC1R1S1"}, 404, "unit_code"),  # the other organisation's store
        ({"staff_code": "BE111"}, 404, "staff_code"),
        ({"contact_external_id": "nobody"}, 404, "contact_external_id"),
        ({"channel": "pigeon"}, 422, "channel"),
        ({"score": 9}, 422, "score"),  # unknown field
        ({"survey_id": 999_999}, 404, "survey_id"),
        ({"submitted_at": "2025-01-01T10:00:00Z"}, 400, "submitted_at"),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(world, fields, status, field):
    survey = store_visit_survey(world.acme)
    answer = as_member(world.acme, "admin").post("/responses", body(survey, **fields))
    assert answer.status_code == status, answer.content
    assert answer.json()["error"]["field"] == field
    assert not Response.objects.exists()


def test_malformed_json_and_bad_idempotency_key(world):
    survey = store_visit_survey(world.acme)
    admin = as_member(world.acme, "admin")
    assert admin.call("post", "/responses", raw='{"survey_id": 1, "answers": {').status_code == 400
    bad_key = admin.post("/responses", body(survey), **{"Idempotency-Key": "x" * 300})
    assert bad_key.status_code == 400
    assert bad_key.json()["error"]["field"] == "Idempotency-Key"
    assert not Response.objects.exists()


def test_html_is_stored_verbatim(world):
    survey = store_visit_survey(world.acme)
    comment = '<script>alert("hi")</script> <b>great</b>'
    answer = as_member(world.acme, "admin").post(
        "/responses", body(survey, answers={"nps": 10, "comment": comment})
    )
    assert answer.status_code == 201
    assert Response.objects.get().answers["comment"] == comment
    assert answer.json()["answers"]["comment"] == comment


def test_closed_survey_refuses_live_capture_but_admins_import_history(world):
    survey = store_visit_survey(world.acme)
    survey_services.close(actor=world.acme.scope("admin"), survey=survey)
    admin = as_member(world.acme, "admin")
    refused = admin.post("/responses", body(survey))
    assert refused.status_code == 409 and refused.json()["error"]["field"] == "survey_id"
    assert not Response.objects.exists()
    imported = admin.post(
        "/responses", body(survey, channel="import", submitted_at="2025-03-04T10:00:00Z")
    )
    assert imported.status_code == 201, imported.content
    assert imported.json()["submitted_at"].startswith("2025-03-04")
    # A store manager may not import, so may not write into a closed survey either.
    manager = as_member(world.acme, "store")
    assert manager.post("/responses", body(survey, channel="import")).status_code == 403
    assert manager.post("/responses", body(survey)).status_code == 409
    future = admin.post("/responses", body(survey, channel="import", submitted_at="2999-01-01"))
    assert future.status_code == 400 and future.json()["error"]["field"] == "submitted_at"
    assert Response.objects.count() == 1


def test_read_only_roles_cannot_submit(world):
    survey = store_visit_survey(world.acme)
    for name in ("viewer", "analyst", "agent", "director"):
        assert as_member(world.acme, name).post("/responses", body(survey)).status_code == 403
    assert not Response.objects.exists()


def _respond(org, survey, unit_key, nps):
    return as_member(org, "admin").post(
        "/responses",
        body(
            survey, answers={"nps": nps, "improve": ["queue"]}, unit_code=org.units[unit_key].code
        ),
    )


def test_store_manager_lists_only_their_store(world):
    survey = store_visit_survey(world.acme)
    other_survey = store_visit_survey(world.other)
    mine = _respond(world.acme, survey, "c1r1s1", 3).json()["id"]
    _respond(world.acme, survey, "c1r1s2", 9)
    _respond(world.acme, survey, "c2r1s1", 10)
    foreign = _respond(world.other, other_survey, "c1r1s1", 2).json()["id"]

    store = as_member(world.acme, "store")
    page = store.get("/responses").json()
    assert page["count"] == 1 and [r["id"] for r in page["items"]] == [mine]
    assert store.get(f"/responses/{foreign}").status_code == 404
    assert store.get("/responses", unit="AC2R1S1").status_code == 404

    regional = as_member(world.acme, "regional").get("/responses").json()
    assert regional["count"] == 2
    admin = as_member(world.acme, "admin")
    assert admin.get("/responses").json()["count"] == 3
    assert admin.get("/responses", nps_group="detractor").json()["count"] == 1
    assert admin.get("/responses", unit="AC1").json()["count"] == 2
    assert admin.get("/responses", survey=other_survey.pk).json()["count"] == 0
    paged = admin.get("/responses", limit=2, offset=2).json()
    assert (paged["count"], len(paged["items"]), paged["limit"], paged["offset"]) == (3, 1, 2, 2)
    assert admin.get("/responses", since="2999-01-01T00:00:00Z").json()["count"] == 0
    assert admin.get("/responses", until="2000-01-01T00:00:00Z").json()["count"] == 0


def test_employee_responses_never_expose_contact_or_staff(world):
    admin_scope = world.acme.scope("admin")
    pulse = survey_services.create_survey(
        actor=admin_scope, unit=world.acme.root, name="Pulse", kind="employee"
    )
    survey_services.add_question(
        actor=admin_scope, survey=pulse, key="enps", type="nps", texts={"title": {"en": "?"}}
    )
    survey_services.publish(actor=admin_scope, survey=pulse)
    Contact.objects.create(
        organization=world.acme.root.organization,
        home_unit=world.acme.units["c1r1s1"],
        unit_path=world.acme.units["c1r1s1"].path,
        external_id="emp-1",
        first_name="Dana",
    )
    admin = as_member(world.acme, "admin")
    answer = admin.post(
        "/responses",
        {
            "survey_id": pulse.pk,
            "answers": {"enps": 8},
            "staff_code": "AE111",
            "contact_external_id": "emp-1",
        },
    )
    assert answer.status_code == 201, answer.content
    for data in (answer.json(),):
        assert data["staff_code"] is None and data["contact_id"] is None
        assert data["contact_external_id"] is None and data["contact_snapshot"] == {}
        assert data["unit_id"] is None and data["unit_code"] is None
    stored = Response.objects.get()
    assert stored.contact_id is None and stored.staff_id is None
    # Single anonymous answers are never read through this API, by any role (decision 0016):
    # they are read as whole released months in the analytics export.
    for reader in ("store", "director", "admin"):
        member = as_member(world.acme, reader)
        assert member.get("/responses").json()["count"] == 0
        assert member.get(f"/responses/{stored.pk}").status_code == 404
        assert member.get("/responses", unit="AC1R1S1").json()["count"] == 0


def test_idempotency_key_of_another_caller_neither_reads_nor_continues_their_response(world):
    # Keys are chosen by each client: two stores' kiosks may well both count from 1.
    survey = store_visit_survey(world.acme)
    store = as_member(world.acme, "store")
    sibling = as_member(world.acme, "sibling_store")
    partial = body(survey, answers={"nps": 2}, complete=False)
    first = store.post("/responses", partial, **{"Idempotency-Key": "kiosk-1"})
    assert first.status_code == 201, first.content
    theirs = sibling.post("/responses", body(survey), **{"Idempotency-Key": "kiosk-1"})
    assert theirs.status_code == 201, theirs.content
    assert theirs.json()["id"] != first.json()["id"]
    assert theirs.json()["unit_code"] == "AC1R1S2"
    mine = Response.objects.get(pk=first.json()["id"])
    assert (mine.answers, mine.is_complete) == ({"nps": 2}, False)
    again = store.post("/responses", body(survey), **{"Idempotency-Key": "kiosk-1"})
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]


def test_longest_idempotency_key_fits_the_source_column(world):
    survey = store_visit_survey(world.acme)
    kiosk = as_member(world.acme, "store")
    key = "k" * 190
    first = kiosk.post("/responses", body(survey), **{"Idempotency-Key": key})
    again = kiosk.post("/responses", body(survey), **{"Idempotency-Key": key})
    assert first.status_code == 201, first.content
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]


def test_a_retry_after_the_survey_closed_answers_as_the_first_time(world):
    survey = store_visit_survey(world.acme)
    kiosk = as_member(world.acme, "store")
    first = kiosk.post("/responses", body(survey), **{"Idempotency-Key": "k-1"})
    assert first.status_code == 201
    survey_services.close(actor=world.acme.scope("admin"), survey=survey)
    again = kiosk.post("/responses", body(survey), **{"Idempotency-Key": "k-1"})
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    late = kiosk.post("/responses", body(survey), **{"Idempotency-Key": "k-2"})
    assert late.status_code == 409
