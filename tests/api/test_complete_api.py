"""Every resource a user manages on a page can be managed over /api/v1 (#21): read, update and
delete (or archive where deleting would lose history) for segments, triggers, playbooks,
interaction types, campaigns and root causes; responses exported as a background job. Each
new read is also probed from a neighbouring unit and from another organisation."""

from __future__ import annotations

import csv
import io

import pytest

from tests.contacts.helpers import add_contact
from tests.surveys.api_client import ApiClient, as_member
from tests.surveys.builders import store_visit_survey
from voxloop.closedloop import casework
from voxloop.closedloop.models import Case, RootCause
from voxloop.contacts import services as contact_services
from voxloop.distribution import services as outreach
from voxloop.distribution.models import Campaign, Invitation, Trigger
from voxloop.responses.services import Submission, submit
from voxloop.tenancy.models import AuditEntry

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def acme(world):
    return world.acme


@pytest.fixture
def admin(acme) -> ApiClient:
    return as_member(acme, "admin")


def _audited(action: str) -> bool:
    return AuditEntry.objects.filter(action=action).exists()


# --- segments -------------------------------------------------------------------------------


def test_a_segment_is_read_changed_and_deleted(acme, admin):
    created = admin.post("/segments", {"name": "Locals", "filters": [], "unit_code": "AC1R1S1"})
    segment = created.json()["id"]
    assert admin.get(f"/segments/{segment}").json()["name"] == "Locals"
    items = [{"field": "locale", "op": "eq", "value": "ro"}]
    changed = admin.patch(f"/segments/{segment}", {"name": "Romanians", "filters": items})
    assert changed.status_code == 200, changed.content
    assert changed.json()["name"] == "Romanians" and changed.json()["filters"]["items"]
    assert admin.patch(f"/segments/{segment}", {"name": None}).status_code == 422
    assert admin.delete(f"/segments/{segment}").status_code == 204
    assert admin.get(f"/segments/{segment}").status_code == 404
    assert _audited("segment.update") and _audited("segment.delete")


def test_a_segment_a_campaign_used_is_kept(acme, admin):
    survey = store_visit_survey(acme)
    segment = admin.post("/segments", {"name": "All", "filters": []}).json()["id"]
    body = {"name": "Pulse", "survey_id": survey.pk, "segment_id": segment}
    assert admin.post("/campaigns", body).status_code == 201
    answer = admin.delete(f"/segments/{segment}")
    assert answer.status_code == 409 and answer.json()["error"]["code"] == "conflict"


def test_a_stores_segment_is_not_found_next_door_or_abroad(world, acme, admin):
    segment = admin.post("/segments", {"name": "Mine", "filters": [], "unit_code": "AC1R1S1"})
    path = f"/segments/{segment.json()['id']}"
    for client in (as_member(acme, "sibling_store"), as_member(world.other, "admin")):
        assert client.get(path).status_code == 404
        assert client.patch(path, {"name": "x"}).status_code in (403, 404)
        assert client.delete(path).status_code in (403, 404)
    # A store manager reads it but may not change it (configuring is for admins).
    assert as_member(acme, "store").get(path).status_code == 200
    assert as_member(acme, "store").patch(path, {"name": "x"}).status_code == 403


# --- interaction types ------------------------------------------------------------------------


def test_an_interaction_type_is_read_alone(world, acme, admin):
    created = admin.post("/interaction-types", {"key": "visit", "name": "Visit"}).json()
    assert admin.get(f"/interaction-types/{created['id']}").json()["key"] == "visit"
    stranger = as_member(world.other, "admin")
    assert stranger.get(f"/interaction-types/{created['id']}").status_code == 404


# --- triggers -------------------------------------------------------------------------------


def _trigger(acme, admin) -> int:
    survey = store_visit_survey(acme)
    contact_services.define_interaction_type(
        actor=acme.system, unit=acme.root, key="visit", name="Visit"
    )
    body = {
        "name": "After visit",
        "survey_id": survey.pk,
        "interaction_type": "visit",
        "unit_code": "AC1R1",
    }
    created = admin.post("/triggers", body)
    assert created.status_code == 201, created.content
    return created.json()["id"]


def test_a_trigger_is_read_changed_paused_and_deleted(acme, admin):
    trigger = _trigger(acme, admin)
    assert admin.get(f"/triggers/{trigger}").json()["delay_minutes"] == 5
    changed = admin.patch(f"/triggers/{trigger}", {"delay_minutes": 60, "channel": "sms"})
    assert changed.status_code == 200
    assert changed.json()["delay_minutes"] == 60 and changed.json()["channel"] == "sms"
    paused = admin.patch(f"/triggers/{trigger}", {"is_active": False}).json()
    assert paused["is_active"] is False
    assert admin.patch(f"/triggers/{trigger}", {"channel": "fax"}).status_code == 422
    assert admin.delete(f"/triggers/{trigger}").status_code == 204
    assert not Trigger.objects.filter(pk=trigger).exists() and _audited("trigger.delete")


def test_a_trigger_that_invited_people_is_deactivated_not_deleted(acme, admin):
    trigger = _trigger(acme, admin)
    contact = add_contact(acme, "c1r1s1", "ANN")
    found = Trigger.objects.get(pk=trigger)
    Invitation.objects.create(
        organization_id=found.organization_id,
        unit_path=contact.unit_path,
        survey=found.survey,
        contact=contact,
        trigger=found,
        channel="email",
    )
    answer = admin.delete(f"/triggers/{trigger}")
    assert answer.status_code == 409 and Trigger.objects.filter(pk=trigger).exists()


def test_a_regions_trigger_is_not_found_below_or_abroad(world, acme, admin):
    path = f"/triggers/{_trigger(acme, admin)}"
    for client in (as_member(acme, "store"), as_member(world.other, "admin")):
        assert client.get(path).status_code == 404
        assert client.delete(path).status_code in (403, 404)


# --- playbooks -------------------------------------------------------------------------------


PLAYBOOK = {"name": "Sorry", "kind": "follow_up", "subject": "Sorry", "body": "We are sorry."}


def test_a_playbook_is_read_changed_and_deleted(acme, admin):
    playbook = admin.post("/playbooks", PLAYBOOK).json()["id"]
    assert admin.get(f"/playbooks/{playbook}").json()["kind"] == "follow_up"
    changed = admin.patch(f"/playbooks/{playbook}", {"subject": "Our apologies"})
    assert changed.status_code == 200 and changed.json()["subject"] == "Our apologies"
    assert admin.patch(f"/playbooks/{playbook}", {"kind": "poem"}).status_code == 422
    assert admin.delete(f"/playbooks/{playbook}").status_code == 204
    assert admin.get(f"/playbooks/{playbook}").status_code == 404


def test_a_company_playbook_is_read_below_but_changed_only_at_the_top(world, acme, admin):
    playbook = admin.post("/playbooks", PLAYBOOK).json()["id"]
    country = as_member(acme, "country_admin")
    assert country.get(f"/playbooks/{playbook}").status_code == 200
    assert country.patch(f"/playbooks/{playbook}", {"name": "x"}).status_code == 403
    assert country.delete(f"/playbooks/{playbook}").status_code == 403
    assert as_member(world.other, "admin").get(f"/playbooks/{playbook}").status_code == 404


def test_a_playbook_a_rule_sends_is_kept(admin):
    playbook = admin.post("/playbooks", {**PLAYBOOK, "kind": "thank_you"}).json()["id"]
    rule = {
        "name": "Thanks",
        "conditions": {"items": [{"field": "nps", "op": "gte", "value": 9}]},
        "open_case": False,
        "thank_you_playbook_id": playbook,
    }
    assert admin.post("/alert-rules", rule).status_code == 201
    assert admin.delete(f"/playbooks/{playbook}").status_code == 409


# --- root causes ------------------------------------------------------------------------------


def test_root_causes_are_listed_created_renamed_and_deleted(acme, admin):
    staff = admin.post("/root-causes", {"name": "Staff"}).json()
    rude = admin.post("/root-causes", {"name": "Rudeness", "parent_id": staff["id"]}).json()
    assert rude["path"] == "Staff › Rudeness"
    listed = {c["name"] for c in admin.get("/root-causes").json()}
    assert listed == {"Staff", "Rudeness"}
    renamed = admin.patch(f"/root-causes/{rude['id']}", {"name": "Rude staff"})
    assert renamed.json()["path"] == "Staff › Rude staff"
    assert admin.post("/root-causes", {"name": "Staff"}).status_code == 409
    # Deleting a branch takes its children with it.
    assert admin.delete(f"/root-causes/{staff['id']}").status_code == 204
    assert not RootCause.objects.filter(pk__in=[staff["id"], rude["id"]]).exists()


def test_a_root_cause_a_case_names_is_kept(acme, admin):
    survey = store_visit_survey(acme)
    answers = {"nps": 2, "improve": ["queue"]}
    outcome = submit(
        submission=Submission(survey=survey, answers=answers, unit=acme.units["c1r1s1"])
    )
    case = Case.objects.filter(response=outcome.response).first() or casework.open_case(
        actor=acme.scope("admin"), response_id=outcome.response.pk
    )
    cause = admin.post("/root-causes", {"name": "Wait"}).json()["id"]
    assert admin.patch(f"/cases/{case.pk}", {"root_cause_id": cause}).status_code == 200
    assert admin.delete(f"/root-causes/{cause}").status_code == 409


def test_root_causes_are_the_organisations_own(world, acme, admin):
    cause = admin.post("/root-causes", {"name": "Price"}).json()["id"]
    stranger = as_member(world.other, "admin")
    assert stranger.get(f"/root-causes/{cause}").status_code == 404
    assert stranger.delete(f"/root-causes/{cause}").status_code == 404
    assert cause not in [c["id"] for c in stranger.get("/root-causes").json()]
    assert as_member(acme, "viewer").get("/root-causes").status_code == 403
    assert as_member(acme, "store").post("/root-causes", {"name": "x"}).status_code == 403


# --- campaigns -------------------------------------------------------------------------------


def test_a_draft_campaign_is_changed_and_deleted_a_launched_one_is_not(acme, admin):
    survey = store_visit_survey(acme)
    campaign = admin.post("/campaigns", {"name": "Pulse", "survey_id": survey.pk}).json()["id"]
    changed = admin.patch(f"/campaigns/{campaign}", {"name": "Spring pulse", "reminders": 1})
    assert changed.status_code == 200, changed.content
    assert changed.json()["name"] == "Spring pulse" and changed.json()["reminders"] == 1
    assert admin.delete(f"/campaigns/{campaign}").status_code == 204
    assert not Campaign.objects.filter(pk=campaign).exists()
    launched = admin.post("/campaigns", {"name": "Live", "survey_id": survey.pk}).json()["id"]
    outreach.launch(actor=acme.scope("admin"), campaign=Campaign.objects.get(pk=launched))
    assert admin.patch(f"/campaigns/{launched}", {"name": "x"}).status_code == 409
    assert admin.delete(f"/campaigns/{launched}").status_code == 409


def test_a_regions_campaign_is_not_changed_from_below_or_abroad(world, acme, admin):
    survey = store_visit_survey(acme)
    body = {"name": "Pulse", "survey_id": survey.pk, "unit_code": "AC1R1"}
    path = f"/campaigns/{admin.post('/campaigns', body).json()['id']}"
    for client in (as_member(acme, "store"), as_member(world.other, "admin")):
        assert client.patch(path, {"name": "x"}).status_code == 404
        assert client.delete(path).status_code == 404


# --- responses exported as a job ---------------------------------------------------------------


def test_responses_export_as_a_job_polled_and_downloaded_by_its_requester_only(
    acme, admin, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    settings.EXPORTS_ROOT = tmp_path / "exports"
    survey = store_visit_survey(acme)
    for unit, nps in [("c1r1s1", 7), ("c2r1s1", 10)]:
        submit(submission=Submission(survey=survey, answers={"nps": nps}, unit=acme.units[unit]))
    analyst = as_member(acme, "analyst")  # country c1: one of the two responses
    body = {"kind": "responses", "fmt": "csv", "filters": {"period": "30d"}}
    with django_capture_on_commit_callbacks(execute=True):
        queued = analyst.post("/exports", body)
    assert queued.status_code == 202, queued.content
    job = analyst.get(f"/exports/{queued.json()['id']}").json()
    assert job["status"] == "done" and job["percent"] == 100
    download = analyst.client.get(job["download_url"], headers=analyst.headers)
    assert download.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(download).decode("utf-8-sig"))))
    assert len(rows) == 1
    # Nobody else sees or downloads it, not even the organisation's admin.
    assert admin.get(f"/exports/{job['id']}").status_code == 404
    assert admin.client.get(job["download_url"], headers=admin.headers).status_code == 404
    assert [e["id"] for e in analyst.get("/exports").json()] == [job["id"]]
    assert admin.get("/exports").json() == []


def test_an_export_a_role_may_not_make_is_refused_at_once(acme):
    answer = as_member(acme, "viewer").post("/exports", {"kind": "contacts"})
    assert answer.status_code == 403
    assert as_member(acme, "viewer").post("/exports", {"kind": "everything"}).status_code == 422
