"""Who may call each survey and response operation: every actor × every operation.

The lead's permission-matrix check unions SURVEY_API_MATRIX with the organisation API's matrix;
the test at the bottom fails when an operation of the surveys or responses router is missing.
"""

from __future__ import annotations

from functools import partial

import pytest
from django.test import override_settings

from tests.api.support import MEMBER_ACTORS
from tests.matrix_check import check_each, operations_of, representatives
from tests.surveys.api_client import ApiClient
from tests.surveys.builders import store_visit_survey
from tests.web.matrix_world import ModuleWorld
from voxloop.responses import kiosks
from voxloop.responses.api import router as responses_router
from voxloop.responses.services import Submission, submit
from voxloop.surveys.api import router as surveys_router

ACTORS = [*MEMBER_ACTORS, "loner", "anonymous"]


def _row(admin, country_admin, manager, others, other_admin, **overrides) -> dict[str, int]:
    """Statuses per actor: `manager` for regional/store/sibling_store, `others` for the
    read-only roles (agent, viewer, analyst, director)."""
    row = {
        "admin": admin,
        "country_admin": country_admin,
        "regional": manager,
        "store": manager,
        "sibling_store": manager,
        "agent": others,
        "viewer": others,
        "analyst": others,
        "director": others,
        "other_admin": other_admin,
        "loner": 403,
        "anonymous": 401,
    }
    row.update(overrides)
    return row


# The survey is owned by Acme's root: country admins see it but may not change it.
_WRITE = _row(200, 403, 403, 403, 404)
SURVEY_API_MATRIX: dict[str, dict[str, int]] = {
    "api:surveys": _row(200, 200, 200, 200, 200),
    "api:survey_create": _row(201, 201, 403, 403, 201),
    "api:survey": _row(200, 200, 200, 200, 404),
    "api:survey_update": _WRITE,
    "api:survey_question_create": _row(201, 403, 403, 403, 404),
    "api:survey_question_update": _WRITE,
    "api:survey_question_delete": _row(204, 403, 403, 403, 404),
    "api:survey_reorder": _WRITE,
    "api:survey_publish": _WRITE,
    "api:survey_close": _WRITE,
    "api:survey_duplicate": _row(201, 403, 403, 403, 404),
    # Without a file: admins learn what is missing, everyone else is refused before reading.
    "api:survey_import": _row(400, 400, 403, 403, 400),
    "api:survey_export": _row(200, 200, 200, 200, 404),
    # Admins of the survey's unit only: a country admin sees the root's survey, may not load.
    "api:survey_responses_import": _row(400, 403, 403, 403, 404),
    "api:response_create": _row(201, 201, 201, 403, 404),
    # Single responses are records: a viewer (aggregates only) is refused before any lookup.
    "api:responses": _row(200, 200, 200, 200, 200, viewer=403),
    # The response was given at store c1r1s1: its sibling store may not read it.
    "api:response": _row(200, 200, 200, 200, 404, sibling_store=404, viewer=403),
    # Kiosks are registered by admins of their unit's subtree (the kiosk is at c1r1s1).
    "api:kiosks": _row(200, 200, 403, 403, 200),
    "api:kiosk_create": _row(201, 201, 403, 403, 404),
    "api:kiosk_revoke": _row(200, 200, 403, 403, 404),
}

KEYS = ["nps", "improve", "csat", "comment"]
OPERATIONS = {
    "api:surveys": ("get", "/surveys", None),
    "api:survey_create": ("post", "/surveys", {"name": "New", "kind": "relationship"}),
    "api:survey": ("get", "/surveys/{survey}", None),
    "api:survey_update": ("patch", "/surveys/{survey}", {"name": "Renamed"}),
    "api:survey_question_create": (
        "post",
        "/surveys/{survey}/questions",
        {"key": "extra", "type": "yes_no", "texts": {"title": {"en": "Again?"}}},
    ),
    "api:survey_question_update": (
        "patch",
        "/surveys/{survey}/questions/csat",
        {"required": True},
    ),
    "api:survey_question_delete": ("delete", "/surveys/{survey}/questions/comment", None),
    "api:survey_reorder": ("post", "/surveys/{survey}/reorder", {"keys": KEYS}),
    "api:survey_publish": ("post", "/surveys/{survey}/publish", None),
    "api:survey_close": ("post", "/surveys/{survey}/close", None),
    "api:survey_duplicate": ("post", "/surveys/{survey}/duplicate", None),
    "api:survey_import": ("post", "/surveys/import", None),
    "api:survey_export": ("get", "/surveys/{survey}/export", None),
    "api:survey_responses_import": ("post", "/surveys/{survey}/responses/import", None),
    "api:response_create": (
        "post",
        "/responses",
        {"survey_id": "{survey}", "answers": {"nps": 10}},
    ),
    "api:responses": ("get", "/responses", None),
    "api:response": ("get", "/responses/{response}", None),
    "api:kiosks": ("get", "/kiosks", None),
    "api:kiosk_create": ("post", "/kiosks", {"name": "Counter", "unit_code": "AC1R1S1"}),
    "api:kiosk_revoke": ("post", "/kiosks/{kiosk}/revoke", None),
}


def _client(world, name: str) -> ApiClient:
    if name == "anonymous":
        return ApiClient()
    if name == "loner":
        return ApiClient(user=world.loner)
    if name == "other_admin":
        return ApiClient(membership=world.other.members["admin"])
    return ApiClient(membership=world.acme.members[name])


def _fill(value, ids: dict[str, int]):
    if isinstance(value, str) and value in ("{survey}", "{response}"):
        return ids[value.strip("{}")]
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


@pytest.fixture(scope="module")
def module_targets(django_db_setup, django_db_blocker):
    """The world, a survey, a response and a kiosk built once for the module's cases; each
    case's own changes roll back to them (its savepoint nests in the world's transaction)."""
    hashers = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), hashers, ModuleWorld() as world:
        survey = store_visit_survey(world.acme)
        given = submit(
            submission=Submission(
                survey=survey, answers={"nps": 9}, unit=world.acme.units["c1r1s1"]
            )
        ).response
        device, _secret = kiosks.register(
            actor=world.acme.system, unit=world.acme.units["c1r1s1"], name="Till", channel="kiosk"
        )
        yield world, {"survey": survey.pk, "response": given.pk, "kiosk": device.pk}


@pytest.mark.parametrize("operation", sorted(SURVEY_API_MATRIX))
def test_survey_api_matrix(module_targets, db, operation):
    """Every representative actor on this one (see tests/matrix_check.py)."""

    def check(actor_name):
        world, ids = module_targets
        method, path, body = OPERATIONS[operation]
        answer = _client(world, actor_name).call(method, path.format(**ids), _fill(body, ids))
        expected = SURVEY_API_MATRIX[operation][actor_name]
        assert answer.status_code == expected, (
            f"got {answer.status_code}, want {expected}",
            answer.content[:200],
        )

    actors = representatives(ACTORS, SURVEY_API_MATRIX[operation])
    check_each((f"{operation} × {actor_name}", partial(check, actor_name)) for actor_name in actors)


def test_matrix_covers_every_survey_and_response_operation():
    operations = operations_of(surveys_router, responses_router)
    assert operations, "no operations found on the routers"
    assert set(SURVEY_API_MATRIX) == operations
    assert set(OPERATIONS) == operations
    for operation, row in SURVEY_API_MATRIX.items():
        assert set(row) == set(ACTORS), operation
