"""Who may call each text analytics operation: every actor × every operation, against a
taxonomy of Acme's whole company; plus what the answers hold and what bad input gets."""

from __future__ import annotations

import pytest
from django.test import override_settings

from tests.api.support import MEMBER_ACTORS
from tests.matrix_check import operations_of
from tests.surveys.api_client import ApiClient
from tests.web.matrix_world import ModuleWorld
from voxloop.tenancy.models import AuditEntry
from voxloop.textanalytics import services
from voxloop.textanalytics.api import product_router, router
from voxloop.textanalytics.models import Taxonomy, ThemeTerm

ACTORS = [*MEMBER_ACTORS, "loner", "anonymous"]
DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _row(admin, country_admin, others, other_admin, **overrides) -> dict[str, int]:
    row = {name: others for name in MEMBER_ACTORS}
    row.update(admin=admin, country_admin=country_admin, other_admin=other_admin)
    row.update(loner=403, anonymous=401)
    row.update(overrides)
    return row


READ = _row(200, 200, 200, 200)
# The taxonomy is the whole company's: every Acme member reads it, only its admins change it.
COMPANY_READ = _row(200, 200, 200, 404)
COMPANY_WRITE = _row(200, 403, 403, 404)

MATRIX: dict[str, dict[str, int]] = {
    "api:text_analyze": READ,
    "api:text_breakdown": READ,
    "api:text_taxonomies": READ,
    "api:text_taxonomy_create": _row(201, 201, 403, 404),
    "api:text_taxonomy_install": _row(201, 201, 403, 404),
    "api:text_taxonomy": COMPANY_READ,
    "api:text_taxonomy_rename": COMPANY_WRITE,
    "api:text_taxonomy_delete": _row(204, 403, 403, 404),
    "api:text_themes": _row(201, 403, 403, 404),
    "api:text_theme": COMPANY_WRITE,
    "api:text_theme_delete": _row(204, 403, 403, 404),
    "api:text_terms": _row(201, 403, 403, 404),
    "api:text_term": _row(204, 403, 403, 404),
    "api:text_settings": _row(200, 200, 403, 200),
    "api:text_settings_update": _row(200, 403, 403, 200),
    # The product pages' API: comments for roles that read records, figures for everyone.
    "api:text_comments": _row(200, 200, 200, 200, viewer=403),
    "api:text_impact": READ,
    "api:text_trending": READ,
    "api:text_emerging": READ,
    "api:text_matches": _row(200, 200, 403, 404),
    "api:text_merge": COMPANY_WRITE,
    "api:text_split": _row(201, 403, 403, 404),
    "api:text_accept": _row(201, 403, 403, 404),
}

OPERATIONS = {
    "api:text_analyze": ("post", "/text/analyze", {"texts": [{"text": "Great staff"}]}),
    "api:text_breakdown": ("get", "/text/breakdown", None),
    "api:text_taxonomies": ("get", "/text/taxonomies", None),
    "api:text_taxonomy_create": (
        "post",
        "/text/taxonomies",
        {"name": "Mine", "unit_code": "AC1R1S1"},
    ),
    "api:text_taxonomy_install": (
        "post",
        "/text/taxonomies/install",
        {"kind": "b2b", "unit_code": "AC1R1"},
    ),
    "api:text_taxonomy": ("get", "/text/taxonomies/{taxonomy}", None),
    "api:text_taxonomy_rename": ("patch", "/text/taxonomies/{taxonomy}", {"name": "Shops"}),
    "api:text_taxonomy_delete": ("delete", "/text/taxonomies/{taxonomy}", None),
    "api:text_themes": (
        "post",
        "/text/taxonomies/{taxonomy}/themes",
        {"name": "Parking", "terms": [{"language": "en", "kind": "keyword", "text": "parking"}]},
    ),
    "api:text_theme": ("patch", "/text/themes/{theme}", {"name": "Lines"}),
    "api:text_theme_delete": ("delete", "/text/themes/{theme}", None),
    "api:text_terms": (
        "post",
        "/text/themes/{theme}/terms",
        {"language": "ro", "kind": "keyword", "text": "rând"},
    ),
    "api:text_term": ("delete", "/text/terms/{term}", None),
    "api:text_settings": ("get", "/text/settings", None),
    "api:text_settings_update": ("patch", "/text/settings", {"languages": ["en", "ro"]}),
    "api:text_comments": ("get", "/text/comments", None),
    "api:text_impact": ("get", "/text/impact", None),
    "api:text_trending": ("get", "/text/trending", None),
    "api:text_emerging": ("get", "/text/emerging", None),
    "api:text_matches": ("get", "/text/themes/{theme}/matches", None),
    "api:text_merge": ("post", "/text/themes/{theme}/merge", {"into_id": "{theme2}"}),
    "api:text_split": ("post", "/text/themes/{theme}/split", {"name": "Split", "term_ids": []}),
    "api:text_accept": (
        "post",
        "/text/taxonomies/{taxonomy}/accept",
        {"name": "Parking", "keywords": {"en": ["car park"]}},
    ),
}


def _client(world, name: str) -> ApiClient:
    if name == "anonymous":
        return ApiClient()
    if name == "loner":
        return ApiClient(user=world.loner)
    if name == "other_admin":
        return ApiClient(membership=world.other.members["admin"])
    return ApiClient(membership=world.acme.members[name])


def _targets(world) -> dict[str, int]:
    taxonomy = services.install_default_taxonomy(scope=world.acme.system, kind="retail")
    theme = taxonomy.themes.get(key="queue")
    term = ThemeTerm.objects.filter(theme=theme).exclude(kind="label").first()
    staff = taxonomy.themes.get(key="staff")
    return {"taxonomy": taxonomy.pk, "theme": theme.pk, "term": term.pk, "theme2": staff.pk}


def _body(body, targets: dict[str, int]):
    """The operation's body with the targets' ids put in."""
    if body is None:
        return None
    out = {}
    for key, value in body.items():
        if isinstance(value, str) and value.startswith("{") and value.strip("{}") in targets:
            value = targets[value.strip("{}")]
        out[key] = value
    if "term_ids" in out:
        out["term_ids"] = [targets["term"]]
    return out


@pytest.fixture(scope="module")
def module_targets(django_db_setup, django_db_blocker):
    settings = override_settings(TASKS=DUMMY_TASKS, PASSWORD_HASHERS=FAST_HASHERS)
    with django_db_blocker.unblock(), settings, ModuleWorld() as world:
        clients = {name: _client(world, name) for name in ACTORS}
        yield world, _targets(world), clients


@pytest.mark.parametrize("operation", sorted(MATRIX))
def test_text_api_matrix(module_targets, db, operation):
    from django.db import transaction

    _, targets, clients = module_targets
    method, path, body = OPERATIONS[operation]
    body = _body(body, targets)
    for name, value in targets.items():
        path = path.replace(f"{{{name}}}", str(value))
    failures = []
    for actor in ACTORS:
        with transaction.atomic():
            answer = clients[actor].call(method, path, body)
            transaction.set_rollback(True)
        if answer.status_code != MATRIX[operation][actor]:
            failures.append(
                (actor, answer.status_code, MATRIX[operation][actor], answer.content[:200])
            )
    assert not failures, failures


def test_matrix_covers_every_text_operation():
    operations = operations_of(router, product_router)
    assert set(MATRIX) == operations == set(OPERATIONS)


def test_analyze_answers_what_the_cli_prints(module_targets, db):
    _, _, clients = module_targets
    answer = clients["store"].post(
        "/text/analyze",
        {"texts": [{"text": "Great staff but the queue was awful"}, {"text": "結帳排了很久"}]},
    )
    assert answer.status_code == 200
    first, second = answer.json()["results"]
    assert first["language"] == "en" and first["mixed"]
    assert [s["sentiment"] for s in first["sentences"]] == ["positive", "negative"]
    assert {t["key"] for t in first["themes"]} >= {"staff", "queue"}
    assert second["language"] == "zh-hant" and "queue" in {t["key"] for t in second["themes"]}
    assert {"language", "sentiment", "score", "themes"} <= set(first)


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({}, 422, "texts"),
        ({"texts": []}, 422, "texts"),
        ({"texts": [{"text": "x" * 5001}]}, 422, "texts.0.text"),
        ({"texts": [{"text": "ok"}] * 101}, 422, "texts"),
        ({"texts": [{"text": "ok", "mood": 1}]}, 422, "texts.0.mood"),
        ({"texts": [{"text": "a\x00b"}]}, 400, "texts.0.text"),
        ({"texts": [{"text": "ok", "locale": "en;drop"}]}, 400, "texts.0.locale"),
        ({"texts": [{"text": "ok"}], "taxonomy_id": 999999}, 404, "taxonomy_id"),
    ],
)
def test_bad_input_names_the_field(module_targets, db, body, status, field):
    _, _, clients = module_targets
    answer = clients["admin"].post("/text/analyze", body)
    assert answer.status_code == status, answer.content
    assert answer.json()["error"]["field"] == field


def test_another_tenants_taxonomy_is_not_found(module_targets, db):
    _, targets, clients = module_targets
    answer = clients["other_admin"].post(
        "/text/analyze", {"texts": [{"text": "ok"}], "taxonomy_id": targets["taxonomy"]}
    )
    assert answer.status_code == 404


def test_analyze_is_rate_limited_per_member(module_targets, db, settings):
    _, _, clients = module_targets
    settings.TEXT_ANALYZE_RATE = "2/min"
    body = {"texts": [{"text": "fine"}]}
    codes = [clients["viewer"].post("/text/analyze", body).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert clients["analyst"].post("/text/analyze", body).status_code == 200  # own budget


def test_taxonomy_changes_are_audited_and_bump_the_version(module_targets, db):
    _, targets, clients = module_targets
    admin = clients["admin"]
    before = Taxonomy.objects.get(pk=targets["taxonomy"]).version
    theme = admin.post(
        f"/text/taxonomies/{targets['taxonomy']}/themes",
        {
            "name": "Parking",
            "parent_id": None,
            "terms": [{"language": "ja", "kind": "keyword", "text": "駐車場"}],
        },
    ).json()
    assert theme["key"] == "parking" and theme["terms"][0]["text"] == "駐車場"
    assert (
        admin.patch(f"/text/themes/{theme['id']}", {"parent_id": targets["theme"]}).json()[
            "parent_id"
        ]
        == targets["theme"]
    )
    assert Taxonomy.objects.get(pk=targets["taxonomy"]).version > before
    actions = set(
        AuditEntry.objects.filter(action__startswith="textanalytics.").values_list(
            "action", flat=True
        )
    )
    assert {
        "textanalytics.theme.create",
        "textanalytics.term.add",
        "textanalytics.theme.update",
    } <= actions


@pytest.mark.parametrize(
    ("path", "body", "status", "field"),
    [
        ("/text/themes/{theme}/terms", {"language": "xx", "kind": "keyword", "text": "a"}, 400,
         "language"),
        ("/text/themes/{theme}/terms", {"language": "en", "kind": "keyword", "text": " "}, 400,
         "text"),
        ("/text/taxonomies/{taxonomy}/themes", {"name": "排队"}, 400, "key"),
        ("/text/taxonomies/{taxonomy}/themes", {"name": "Queue", "key": "queue"}, 409, "key"),
        ("/text/taxonomies/{taxonomy}/themes", {"name": "X", "parent_id": 999999}, 404,
         "theme_id"),
        ("/text/taxonomies", {"name": "Second", "unit_code": None}, 409, "unit_id"),
        ("/text/taxonomies/install", {"kind": "hotel"}, 422, "kind"),
    ],
)  # fmt: skip
def test_taxonomy_bad_input_names_the_field(module_targets, db, path, body, status, field):
    _, targets, clients = module_targets
    for name, value in targets.items():
        path = path.replace(f"{{{name}}}", str(value))
    answer = clients["admin"].post(path, body)
    assert answer.status_code == status, answer.content
    assert answer.json()["error"]["field"] == field


def test_a_taxonomy_without_a_unit_is_the_callers_own_unit_below_the_top(module_targets, db):
    _, _, clients = module_targets
    made = clients["country_admin"].post("/text/taxonomies", {"name": "Country 1"}).json()
    assert made["unit_code"] == "AC1"
    other = clients["other_admin"].post("/text/taxonomies", {"name": "Everything"}).json()
    assert other["unit_code"] is None
