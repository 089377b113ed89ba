"""POST /api/v1/surveys/import: a multipart upload, admins only, scoped to their units, with a
clear 400 naming what is wrong with a bad file."""

from __future__ import annotations

import json

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.surveys.api_client import as_member
from tests.surveys.builders import store_visit_survey
from tests.surveys.importing.support import shared_file
from voxloop.surveys.models import Survey


def _upload(client, name: str, content: bytes, **fields):
    form = {"file": SimpleUploadedFile(name, content), **fields}
    return client.client.post("/api/v1/surveys/import", form, headers=client.headers)


def test_admin_uploads_a_file_and_gets_the_report(world):
    path = shared_file("limesurvey/colors.lsa")
    admin = as_member(world.acme, "admin")
    answered = _upload(admin, path.name, path.read_bytes(), unit_code="AC1")
    assert answered.status_code == 201, answered.content
    body = answered.json()
    survey = Survey.objects.get(pk=body["survey_id"])
    assert survey.status == "draft" and survey.unit.code == "AC1"
    assert [q["key"] for q in body["questions"]] == ["q00", "g01q02", "g01q03", "g02q04"]
    assert body["languages"] == ["en"]


def test_a_bad_file_is_a_400_naming_the_problem(world):
    admin = as_member(world.acme, "admin")
    answered = _upload(admin, "survey.qsf", b"{broken")
    assert answered.status_code == 400
    assert "not valid JSON" in json.dumps(answered.json())
    missing = admin.post("/surveys/import", {})
    assert missing.status_code == 400 and "file" in json.dumps(missing.json())


def test_only_admins_of_the_unit_import(world):
    path = shared_file("xlsform/specify_other.xlsx")
    manager = as_member(world.acme, "regional")
    assert _upload(manager, path.name, path.read_bytes()).status_code == 403
    other = as_member(world.other, "admin")
    outside = _upload(other, path.name, path.read_bytes(), unit_code="AC1")
    assert outside.status_code == 404
    assert not Survey.objects.filter(organization=world.acme.root.organization).exists()


def test_export_as_voxloop_and_surveyjs(world):
    survey = store_visit_survey(world.acme)
    viewer = as_member(world.acme, "viewer")
    exported = viewer.get(f"/surveys/{survey.pk}/export")
    assert exported.status_code == 200 and exported.json()["format"] == "voxloop-survey"
    surveyjs = viewer.get(f"/surveys/{survey.pk}/export", format="surveyjs")
    assert surveyjs.json()["pages"][0]["elements"][0]["name"] == "nps"
    other = as_member(world.other, "admin")
    assert other.get(f"/surveys/{survey.pk}/export").status_code == 404
