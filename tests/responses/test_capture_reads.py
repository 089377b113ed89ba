"""The capture path's recent reads (voxloop.recent) and its lone-row commit: a submission
usually reads nothing, yet every change made here takes effect on the next one, each caller's
scope is checked every time, and what another process changed is read again within
RECENT_SECONDS."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.surveys.api_client import as_member
from tests.surveys.builders import store_visit_survey
from voxloop import recent
from voxloop.responses import commit_group
from voxloop.responses.models import Response
from voxloop.surveys import services as survey_services
from voxloop.surveys.models import Survey, SurveyStatus
from voxloop.tenancy import services as tenancy_services

READ_TABLES = ("surveys_survey", "surveys_question", "tenancy_orgunit")


def body(survey, **fields):
    return {"survey_id": survey.pk, "answers": {"nps": 9, "csat": 5}, **fields}


def tables_read(queries) -> set[str]:
    return {
        t for q in queries for t in READ_TABLES if q["sql"].startswith("SELECT") and t in q["sql"]
    }


def post_counting(client, payload):
    with CaptureQueriesContext(connection) as seen:
        answer = client.post("/responses", payload)
    return answer, tables_read(seen.captured_queries)


def test_a_repeat_submission_reads_neither_the_survey_nor_the_unit(world):
    survey = store_visit_survey(world.acme)
    admin = as_member(world.acme, "admin")
    first, read_first = post_counting(admin, body(survey, unit_code="AC1R1S2"))
    again, read_again = post_counting(admin, body(survey, unit_code="AC1R1S2"))
    assert (first.status_code, again.status_code) == (201, 201), again.content
    assert read_first == set(READ_TABLES)
    assert read_again == set()
    assert {r.unit_id for r in Response.objects.all()} == {world.acme.units["c1r1s2"].pk}


def test_with_recent_seconds_zero_every_submission_reads_again(world, settings):
    settings.RECENT_SECONDS = 0
    survey = store_visit_survey(world.acme)
    admin = as_member(world.acme, "admin")
    post_counting(admin, body(survey, unit_code="AC1R1S2"))
    again, read_again = post_counting(admin, body(survey, unit_code="AC1R1S2"))
    assert again.status_code == 201
    assert {"surveys_survey", "tenancy_orgunit"} <= read_again


def test_closing_a_survey_refuses_the_very_next_submission(world):
    survey = store_visit_survey(world.acme)
    kiosk = as_member(world.acme, "store")
    assert kiosk.post("/responses", body(survey)).status_code == 201
    survey_services.close(actor=world.acme.scope("admin"), survey=survey)
    refused = kiosk.post("/responses", body(survey))
    assert refused.status_code == 409 and refused.json()["error"]["field"] == "survey_id"
    assert Response.objects.count() == 1


def test_a_question_added_to_a_live_survey_is_asked_for_at_once(world):
    survey = store_visit_survey(world.acme)
    kiosk = as_member(world.acme, "store")
    assert kiosk.post("/responses", body(survey)).status_code == 201
    survey_services.add_question(
        actor=world.acme.scope("admin"),
        survey=survey,
        key="ces",
        type="ces",
        texts={},
        required=True,
    )
    refused = kiosk.post("/responses", body(survey))
    assert refused.status_code == 400 and refused.json()["error"]["field"] == "answers.ces"
    accepted = kiosk.post("/responses", body(survey, answers={"nps": 9, "ces": 6}))
    assert accepted.status_code == 201 and accepted.json()["ces"] == 6


def test_a_held_unit_is_checked_against_every_callers_scope(world):
    survey = store_visit_survey(world.acme)
    assert (
        as_member(world.acme, "admin")
        .post("/responses", body(survey, unit_code="AC1R1S2"))
        .status_code
        == 201
    )
    # The sibling store's code is held now; the neighbouring store's kiosk still may not use it.
    neighbour = as_member(world.acme, "store").post("/responses", body(survey, unit_code="AC1R1S2"))
    assert neighbour.status_code == 404 and neighbour.json()["error"]["field"] == "unit_code"
    # Another organisation neither sees the survey nor the unit.
    other = as_member(world.other, "admin").post("/responses", body(survey, unit_code="AC1R1S2"))
    assert other.status_code == 404 and other.json()["error"]["field"] == "survey_id"
    assert Response.objects.count() == 1


def test_a_renamed_unit_code_takes_effect_at_once(world):
    survey = store_visit_survey(world.acme)
    admin = as_member(world.acme, "admin")
    assert admin.post("/responses", body(survey, unit_code="AC1R1S2")).status_code == 201
    store = world.acme.units["c1r1s2"]
    tenancy_services.update_unit(actor=world.acme.scope("admin"), unit=store, code="AC1R1S2-NEW")
    assert admin.post("/responses", body(survey, unit_code="AC1R1S2")).status_code == 404
    moved = admin.post("/responses", body(survey, unit_code="AC1R1S2-NEW"))
    assert moved.status_code == 201 and moved.json()["unit_id"] == store.pk


def test_a_moved_unit_leaves_the_old_regions_reach_at_once(world):
    survey = store_visit_survey(world.acme)
    regional = as_member(world.acme, "regional")  # manager of c1r1
    assert regional.post("/responses", body(survey, unit_code="AC1R1S2")).status_code == 201
    tenancy_services.move_unit(
        actor=world.acme.scope("admin"),
        unit=world.acme.units["c1r1s2"],
        new_parent=world.acme.units["c2r1"],
    )
    refused = regional.post("/responses", body(survey, unit_code="AC1R1S2"))
    assert refused.status_code == 404 and refused.json()["error"]["field"] == "unit_code"
    stored = as_member(world.acme, "admin").post("/responses", body(survey, unit_code="AC1R1S2"))
    assert stored.status_code == 201
    assert Response.objects.get(pk=stored.json()["id"]).unit_path.startswith(
        world.acme.units["c2r1"].path
    )


def test_what_another_process_changed_is_read_again_within_recent_seconds(
    world, settings, monkeypatch
):
    settings.RECENT_SECONDS = 5
    survey = store_visit_survey(world.acme)
    kiosk = as_member(world.acme, "store")
    assert kiosk.post("/responses", body(survey)).status_code == 201
    # As another process would: a closed survey and a new revision, without this process's
    # model signals.
    Survey.objects.filter(pk=survey.pk).update(status=SurveyStatus.CLOSED, revision="elsewhere")
    # Within the seconds this process trusts what it read, the survey is still open here...
    assert kiosk.post("/responses", body(survey)).status_code == 201
    # ...and once they have passed, the change is read and the survey refuses.
    later = recent.time.monotonic() + 6
    monkeypatch.setattr(recent.time, "monotonic", lambda: later)
    assert kiosk.post("/responses", body(survey)).status_code == 409
    assert Response.objects.count() == 2


def test_forgetting_inside_a_transaction_forgets_again_on_commit(
    db, django_capture_on_commit_callbacks
):
    held = recent.Recent()
    with django_capture_on_commit_callbacks(execute=True):
        held.remember("k", 1)
        held.forget_all()
        assert held.recall("k") is None
        held.remember("k", 2)  # another thread reading the old state before the commit
    assert held.recall("k") is None


def _row(survey, token: str) -> Response:
    return Response(
        organization_id=survey.organization_id,
        survey=survey,
        unit_path=survey.unit_path,
        resume_token=token,
        channel="api",
        started_at=timezone.now(),
    )


@pytest.mark.django_db(transaction=True)
def test_a_lone_response_is_a_single_insert_without_begin_or_commit():
    from tests.factories import build_org

    survey = store_visit_survey(build_org("lone", "L"))
    row = _row(survey, "lone-1")
    with CaptureQueriesContext(connection) as seen:
        commit_group.store(row)
    assert [q["sql"].split()[0] for q in seen.captured_queries] == ["INSERT"]
    assert Response.objects.filter(pk=row.pk, resume_token="lone-1").exists()


@pytest.mark.django_db(transaction=True)
def test_one_bad_row_in_a_shared_commit_fails_only_its_own_request():
    from tests.factories import build_org

    survey = store_visit_survey(build_org("group", "G"))
    batch = [commit_group._Pending(_row(survey, t)) for t in ("g-1", "g-1", "g-3")]
    commit_group._commit(batch)
    assert [p.done for p in batch] == [True, True, True]
    assert batch[0].error is None and batch[2].error is None
    assert batch[1].error is not None  # the same resume token twice
    assert sorted(Response.objects.values_list("resume_token", flat=True)) == ["g-1", "g-3"]
    assert batch[0].row.pk and batch[2].row.pk
