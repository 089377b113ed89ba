"""Background exports over the API × every kind of caller. An export is its requester's alone:
the store manager's export is not found by anyone else, the organisation's admin included;
asking for one follows the kind's roles (cases: those who export or act on them)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from tests.api.support import ACTORS, url
from voxloop.exports import services
from voxloop.exports.models import Export, ExportStatus

UNAUTHENTICATED = {"anonymous", "wrong_token", "revoked_token"}
MEMBERS = {a for a in ACTORS if a not in UNAUTHENTICATED | {"loner"}}
OWNER = "store"

# operation → (method, path of the store manager's export, body, {actor: status}, default)
EXPORTS_API_MATRIX: dict[str, tuple] = {
    "api:export_list": ("GET", lambda e: url("export_list"), None, {}, 200),
    "api:export_create": (
        "POST",
        lambda e: url("export_create"),
        {"kind": "cases", "fmt": "csv"},
        {"agent": 403, "viewer": 403},
        202,
    ),
    "api:export": ("GET", lambda e: url("export", export_id=e.pk), None, {OWNER: 200}, 404),
    "api:export_download": (
        "GET",
        lambda e: url("export_download", export_id=e.pk),
        None,
        {OWNER: 200},
        404,
    ),
}


@pytest.fixture
def store_export(api_world, settings, tmp_path):
    settings.EXPORTS_ROOT = tmp_path / "exports"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    membership = api_world.membership(OWNER)
    export = Export.objects.create(
        organization_id=membership.organization_id,
        membership=membership,
        requested_by=membership.user,
        kind="cases",
        fmt="csv",
        status=ExportStatus.DONE,
        file_name="store.csv",
        expires_at=timezone.now() + timedelta(hours=1),
    )
    (services.folder() / export.file_name).write_text("id\n")
    return export


@pytest.mark.parametrize("name", sorted(EXPORTS_API_MATRIX))
def test_exports_api_matrix(api_world, store_export, name):
    method, path, body, special, default = EXPORTS_API_MATRIX[name]
    failures = []
    for actor in ACTORS:
        if actor in UNAUTHENTICATED:
            expected = 401
        elif actor == "loner":
            expected = 403
        else:
            expected = special.get(actor, default)
        with transaction.atomic():
            answer = api_world.call(actor, method, path(store_export), body)
            transaction.set_rollback(True)
        if answer.status_code != expected:
            failures.append((actor, answer.status_code, expected, answer.content[:200]))
    assert not failures, failures


def test_a_list_holds_only_ones_own_exports(api_world, store_export):
    for actor in MEMBERS:
        ids = [e["id"] for e in api_world.call(actor, "GET", url("export_list")).json()]
        assert ids == ([store_export.pk] if actor == OWNER else []), actor
