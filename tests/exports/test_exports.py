"""Background exports (#17): asked on /exports/, written by a worker with progress, kept for
a limited time, downloadable only by who asked; cases, SLA figures and contacts too, each
holding only the requester's units."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from tests.contacts.helpers import add_contact
from tests.surveys.builders import store_visit_survey
from voxloop.closedloop import casework
from voxloop.exports import services
from voxloop.exports.models import Export, ExportStatus
from voxloop.responses.services import Submission, submit

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def acme(world, settings, tmp_path):
    settings.TASKS = IMMEDIATE
    settings.EXPORTS_ROOT = tmp_path / "exports"
    return world.acme


def _client(acme, login: str) -> Client:
    client = Client()
    client.force_login(acme.user(login))
    return client


def _ask(client, django_capture_on_commit_callbacks, **form):
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post("/exports/new/", form)
    return answer


def _download(client, export: Export) -> bytes:
    answer = client.get(f"/exports/{export.pk}/download/")
    assert answer.status_code == 200, answer.status_code
    return b"".join(answer.streaming_content)


def _csv(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def test_responses_xlsx_runs_in_the_background_and_only_its_owner_downloads_it(
    acme, django_capture_on_commit_callbacks
):
    survey = store_visit_survey(acme)
    for unit, nps in [("c1r1s1", 7), ("c1r1s2", 9), ("c2r1s1", 10)]:
        submit(submission=Submission(survey=survey, answers={"nps": nps}, unit=acme.units[unit]))
    analyst = _client(acme, "analyst")
    answer = _ask(analyst, django_capture_on_commit_callbacks, kind="responses", fmt="xlsx")
    assert answer.status_code == 302
    export = Export.objects.get()
    assert export.status == ExportStatus.DONE and export.rows_done == 2  # not the other country
    assert export.rows_total == 2
    assert export.expires_at > timezone.now() + timedelta(hours=23)
    page = analyst.get("/exports/").content.decode()
    assert f"/exports/{export.pk}/download/" in page and "Ready" in page
    sheet = load_workbook(io.BytesIO(_download(analyst, export))).active
    assert sheet.max_row == 3 and sheet.cell(1, 1).value == "id"
    # Another member, even an admin of the whole company, finds no such export.
    assert _client(acme, "admin").get(f"/exports/{export.pk}/download/").status_code == 404
    assert f"/exports/{export.pk}/" not in _client(acme, "admin").get("/exports/").content.decode()


def test_a_managers_contacts_export_holds_only_their_units(
    acme, django_capture_on_commit_callbacks
):
    add_contact(acme, "c1r1s1", "MINE-1")
    add_contact(acme, "c1r1s2", "MINE-2")
    add_contact(acme, "c2r1s1", "FAR-AWAY")
    regional = _client(acme, "regional")
    _ask(regional, django_capture_on_commit_callbacks, kind="contacts", fmt="csv")
    rows = _csv(_download(regional, Export.objects.get()))
    assert sorted(r["external_id"] for r in rows) == ["MINE-1", "MINE-2"]
    store = _client(acme, "store")
    _ask(store, django_capture_on_commit_callbacks, kind="contacts", fmt="csv")
    mine = Export.objects.filter(requested_by=acme.user("store")).get()
    assert [r["external_id"] for r in _csv(_download(store, mine))] == ["MINE-1"]
    # The regional manager's file is not the store manager's to take.
    theirs = Export.objects.get(requested_by=acme.user("regional"))
    assert store.get(f"/exports/{theirs.pk}/download/").status_code == 404


def test_cases_and_sla_figures_export_for_the_requesters_units(
    acme, django_capture_on_commit_callbacks
):
    survey = store_visit_survey(acme)
    admin = acme.scope("admin")
    for unit in ("c1r1s1", "c2r1s1"):
        response = submit(
            submission=Submission(
                survey=survey, answers={"nps": 2, "improve": ["queue"]}, unit=acme.units[unit]
            )
        )
        casework.open_case(
            actor=admin, response_id=response.response.pk, title=f"Detractor at {unit}"
        )
    regional = _client(acme, "regional")
    _ask(regional, django_capture_on_commit_callbacks, kind="cases", fmt="csv")
    cases = _csv(_download(regional, Export.objects.get(kind="cases")))
    assert [c["title"] for c in cases] == ["Detractor at c1r1s1"]
    _ask(regional, django_capture_on_commit_callbacks, kind="sla", fmt="csv")
    sla = _csv(_download(regional, Export.objects.get(kind="sla")))
    assert sla[0]["group"] == "total" and sla[0]["cases"] == "1"
    assert {r["label"] for r in sla if r["group"] == "unit"} == {"Store 1.1.1"}


def test_roles_that_may_not_export_are_refused_before_anything_runs(
    acme, django_capture_on_commit_callbacks
):
    for login, kind in [("viewer", "contacts"), ("agent", "cases"), ("store", "responses")]:
        answer = _ask(
            _client(acme, login), django_capture_on_commit_callbacks, kind=kind, fmt="csv"
        )
        assert answer.status_code == 403, (login, kind)
    assert not Export.objects.exists()
    bad = _ask(_client(acme, "admin"), django_capture_on_commit_callbacks, kind="x", fmt="csv")
    assert bad.status_code == 400


def test_expired_files_are_deleted_and_no_longer_downloadable(
    acme, django_capture_on_commit_callbacks
):
    add_contact(acme, "c1r1s1", "ONE")
    admin = _client(acme, "admin")
    _ask(admin, django_capture_on_commit_callbacks, kind="contacts", fmt="xlsx")
    export = Export.objects.get()
    path = services.folder() / export.file_name
    assert path.exists()
    assert services.purge_expired(now=timezone.now() + timedelta(hours=25)) == 1
    export.refresh_from_db()
    assert export.status == ExportStatus.EXPIRED and not path.exists()
    assert admin.get(f"/exports/{export.pk}/download/").status_code == 404


def test_progress_is_recorded_while_rows_are_written(acme, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    for i in range(5):
        add_contact(acme, "c1r1s1", f"P{i}")
    export = services.request_export(
        scope=acme.scope("admin"), kind="contacts", fmt="csv", params={}
    )
    assert Export.objects.get(pk=export.pk).status == ExportStatus.QUEUED
    services.PROGRESS_EVERY, before = 2, services.PROGRESS_EVERY
    try:
        assert services.run(export_id=export.pk) == ExportStatus.DONE
    finally:
        services.PROGRESS_EVERY = before
    export.refresh_from_db()
    assert (export.rows_done, export.rows_total, export.percent) == (5, 5, 100)
