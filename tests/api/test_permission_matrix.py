"""Every API operation × every kind of caller × a target some callers must not see.

Each case says how to build its request against a target (the sibling store c1r1s2, a store
in the second country c2r1s1, or the region c1r1 above the store) and which policy decides the
status. Every request runs inside a
savepoint that is rolled back, so one actor's write never changes what the next one sees.
A 200 from a list is also checked for leaks: its ids must equal what the actor may see,
computed here from paths in Python, independently of the scoping code under test.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.db import transaction
from django.test import Client
from django.urls import resolve
from django.utils import timezone

import tests.api
from tests.api.support import ACTORS, MEMBER_ACTORS, ApiWorld, issue_secret, url
from voxloop.accounts.api import router as accounts_router
from voxloop.accounts.models import ApiToken
from voxloop.api.api import api
from voxloop.tenancy.api import router as tenancy_router
from voxloop.tenancy.models import AuditEntry, Membership, OrgUnit, Staff

ADMINS = {"admin", "country_admin", "other_admin"}
AGGREGATES_ONLY = {"viewer"}  # reads figures, never individual records
MEMBERS = set(MEMBER_ACTORS)
UNAUTHENTICATED = {"anonymous", "wrong_token", "revoked_token"}
# Who may see each target, written out by hand rather than derived from the code under test.
SEES = {
    "sibling": {"admin", "country_admin", "regional", "sibling_store", "viewer", "analyst"}
    | {"director"},
    "c2": {"admin", "director"},
    # The region above the store: people at the store (a child unit) must not see it.
    "parent": {"admin", "country_admin", "regional", "viewer", "analyst", "director"},
}
TARGETS = {
    # target -> (unit key, a unit to move it under, the owner of its token/membership)
    "sibling": ("c1r1s2", "c1r2", "sibling_store"),
    "c2": ("c2r1s1", "c2r2", "c2_store"),
    "parent": ("c1r1", "c1r2", "regional"),
}


@dataclass
class Target:
    """The objects one target stands for, looked up once per test."""

    unit: OrgUnit
    new_parent: OrgUnit
    staff: Staff
    membership: Membership
    token: ApiToken


Build = Callable[[str, Target], tuple[str, str, dict | None]]


@dataclass(frozen=True)
class Case:
    policy: str  # which rule below decides the expected status
    ok: int  # the status when allowed
    build: Build


def _in_days(days: int) -> str:
    return (timezone.now() + timedelta(days=days)).isoformat()


def _new(actor: str) -> str:
    return f"new-{actor}"


API_MATRIX: dict[str, Case] = {
    "api:me": Case("self", 200, lambda a, t: ("GET", url("me"), None)),
    "api:unit_list": Case("list", 200, lambda a, t: ("GET", url("unit_list") + "?limit=500", None)),
    "api:unit_tree": Case(
        "read",
        200,
        lambda a, t: ("GET", url("unit_tree") + f"?root={t.unit.pk}&depth=10", None),
    ),
    "api:unit_detail": Case(
        "read", 200, lambda a, t: ("GET", url("unit_detail", unit_id=t.unit.pk), None)
    ),
    "api:unit_create": Case(
        "create",
        201,
        lambda a, t: (
            "POST",
            url("unit_create"),
            {"parent": t.unit.pk, "name": "Kiosk", "kind": "team", "code": _new(a)},
        ),
    ),
    "api:unit_update": Case(
        "write",
        200,
        lambda a, t: ("PATCH", url("unit_update", unit_id=t.unit.pk), {"name": "Renamed"}),
    ),
    "api:unit_move": Case(
        "write",
        200,
        lambda a, t: (
            "POST",
            url("unit_move", unit_id=t.unit.pk),
            {"parent": t.new_parent.pk},
        ),
    ),
    "api:user_list": Case(
        "admin_list", 200, lambda a, t: ("GET", url("user_list") + "?limit=500", None)
    ),
    "api:user_create": Case(
        "create",
        201,
        lambda a, t: (
            "POST",
            url("user_create"),
            {
                "username": _new(a),
                "email": f"{_new(a)}@example.test",
                "unit": t.unit.pk,
                "role": "viewer",
            },
        ),
    ),
    "api:user_detail": Case(
        "admin_object",
        200,
        lambda a, t: ("GET", url("user_detail", user_id=t.membership.user_id), None),
    ),
    "api:membership_list": Case(
        "admin_list", 200, lambda a, t: ("GET", url("membership_list") + "?limit=500", None)
    ),
    "api:membership_detail": Case(
        "admin_object",
        200,
        lambda a, t: ("GET", url("membership_detail", membership_id=t.membership.pk), None),
    ),
    "api:membership_update": Case(
        "admin_object",
        200,
        lambda a, t: (
            "PATCH",
            url("membership_update", membership_id=t.membership.pk),
            {"title": "Shift lead"},
        ),
    ),
    "api:membership_delete": Case(
        "admin_object",
        204,
        lambda a, t: ("DELETE", url("membership_delete", membership_id=t.membership.pk), None),
    ),
    # The staff directory (names, codes, emails) is records: not for the viewer.
    "api:staff_list": Case(
        "records_list", 200, lambda a, t: ("GET", url("staff_list") + "?limit=500", None)
    ),
    "api:staff_detail": Case(
        "records_read", 200, lambda a, t: ("GET", url("staff_detail", staff_id=t.staff.pk), None)
    ),
    "api:staff_create": Case(
        "create",
        201,
        lambda a, t: (
            "POST",
            url("staff_create"),
            {"unit": t.unit.pk, "name": "New Clerk", "code": _new(a)},
        ),
    ),
    "api:staff_update": Case(
        "records_write",
        200,
        lambda a, t: ("PATCH", url("staff_update", staff_id=t.staff.pk), {"job_title": "Lead"}),
    ),
    "api:audit_list": Case(
        "admin_list", 200, lambda a, t: ("GET", url("audit_list") + "?limit=500", None)
    ),
    "api:token_list": Case("list", 200, lambda a, t: ("GET", url("token_list"), None)),
    # Every member here calls with a bearer token, and tokens may not mint tokens (a session
    # may: tests/api/test_tokens.py).
    "api:token_create": Case(
        "session_only",
        201,
        lambda a, t: (
            "POST",
            url("token_create"),
            {"name": "integration", "expires_at": _in_days(30)},
        ),
    ),
    "api:token_delete": Case(
        "own_token",
        204,
        lambda a, t: ("DELETE", url("token_delete", token_id=t.token.pk), None),
    ),
}


def expected_status(case: Case, actor: str, target: str) -> int:
    """The policy, stated once: 401 without valid credentials, 403 without a membership or
    the role, 404 for anything outside the caller's subtree (indistinguishable from absent)."""
    if actor in UNAUTHENTICATED:
        return 401
    if case.policy == "self":
        return case.ok
    if actor == "loner":
        return 403
    sees = actor in SEES[target]
    admin = actor in ADMINS
    if case.policy.startswith("records_"):
        if actor in AGGREGATES_ONLY:
            return 403  # refused before any lookup
        case = Case(case.policy.removeprefix("records_"), case.ok, case.build)
    match case.policy:
        case "list":
            return case.ok
        case "session_only":
            return 403
        case "admin_list":
            return case.ok if admin else 403
        case "read":
            return case.ok if sees else 404
        case "write":
            if not sees:
                return 404
            return case.ok if admin else 403
        case "admin_object" | "create":
            if not admin:
                return 403
            return case.ok if sees else 404
        case "own_token":
            return case.ok if actor == TARGETS[target][2] else 404
    raise AssertionError(f"unknown policy {case.policy}")


# --- what a 200 may contain -------------------------------------------------------------


def _in_scope(membership: Membership, organization_id: int, path: str) -> bool:
    return organization_id == membership.organization_id and path.startswith(membership.unit.path)


def _ids(body: dict) -> set[int]:
    return {item["id"] for item in body["items"]}


def _tree_ids(node: dict) -> set[int]:
    return {node["id"]}.union(*(_tree_ids(child) for child in node["children"]))


def check_body(name: str, aw: ApiWorld, actor: str, target: Target, body) -> None:
    """Assert a successful answer shows exactly what the actor may see, nothing more."""
    if actor == "loner":
        assert body["membership"] is None and body["scope_root"] is None
        return
    m = aw.membership(actor)
    units = {u.pk for u in OrgUnit.objects.all() if _in_scope(m, u.organization_id, u.path)}
    if name == "api:me":
        assert body["membership"]["unit"]["id"] == m.unit_id
        assert body["user"]["id"] == m.user_id
    elif name == "api:unit_list":
        assert _ids(body) == units
    elif name == "api:unit_tree":
        assert body["id"] == target.unit.pk and _tree_ids(body) <= units
    elif name == "api:staff_list":
        assert _ids(body) == set(
            Staff.objects.filter(unit_id__in=units).values_list("pk", flat=True)
        )
    elif name == "api:membership_list":
        assert _ids(body) == set(
            Membership.objects.filter(unit_id__in=units).values_list("pk", flat=True)
        )
    elif name == "api:user_list":
        assert _ids(body) == set(
            Membership.objects.filter(unit_id__in=units).values_list("user_id", flat=True)
        )
    elif name == "api:audit_list":
        visible = {
            e.pk for e in AuditEntry.objects.all() if _in_scope(m, e.organization_id, e.unit_path)
        }
        assert _ids(body) == visible
    elif name == "api:token_list":
        assert {t["id"] for t in body} == set(
            ApiToken.objects.filter(membership=m).values_list("pk", flat=True)
        )
        assert all("secret" not in t for t in body)
    elif name in ("api:unit_detail", "api:unit_update", "api:unit_move"):
        assert body["id"] == target.unit.pk
    elif name in ("api:staff_detail", "api:staff_update"):
        assert body["id"] == target.staff.pk
    elif name in ("api:user_detail",):
        assert body["id"] == target.membership.user_id
    elif name in ("api:membership_detail", "api:membership_update"):
        assert body["id"] == target.membership.pk


def build_target(aw: ApiWorld, target: str) -> Target:
    unit_key, parent_key, owner = TARGETS[target]
    units = aw.world.acme.units
    membership = aw.world.acme.members[owner]
    issue_secret(membership, "target token")
    return Target(
        unit=units[unit_key],
        new_parent=units[parent_key],
        staff=Staff.objects.get(unit=units[unit_key]),
        membership=membership,
        token=ApiToken.objects.filter(membership=membership, name="target token").get(),
    )


# --- the tests ----------------------------------------------------------------------------


def api_operations(routers: tuple = ()) -> dict[str, set[str]]:
    """Operations the assembled API serves ('api:<url_name>' → HTTP methods), optionally only
    those of the given routers."""
    api.urls  # noqa: B018 - builds the routers, as Django's URL loading does
    operations: dict[str, set[str]] = {}
    for _prefix, router in api._routers:
        if routers and router not in routers:
            continue
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                operations[f"api:{operation.url_name}"] = set(operation.methods)
    return operations


def all_matrices() -> set[str]:
    """Every operation named by any `*API_MATRIX` dict in this test package."""
    names: set[str] = set()
    for module_info in pkgutil.iter_modules(tests.api.__path__):
        if "matrix" in module_info.name:
            module = importlib.import_module(f"tests.api.{module_info.name}")
            for attr, value in vars(module).items():
                if attr.endswith("API_MATRIX") and isinstance(value, dict):
                    names |= set(value)
    # Matrices kept beside their app's tests, covering pages and API operations alike.
    from tests.analytics.test_permission_matrix import ANALYTICS_MATRIX
    from tests.crm.matrix.test_matrix import CRM_API_MATRIX
    from tests.distribution.test_api_matrix import MATRIX as OUTREACH_MATRIX
    from tests.feedback360.matrix.test_matrix import F360_API_MATRIX
    from tests.health.test_matrix import HEALTH_MATRIX
    from tests.ideas.matrix.test_matrix import IDEAS_API_MATRIX
    from tests.journeys.matrix.test_matrix import JOURNEYS_API_MATRIX
    from tests.privacy.test_matrix import PRIVACY_API_MATRIX
    from tests.pulse.matrix.test_matrix import PULSE_API_MATRIX
    from tests.reviews.matrix.test_matrix import REVIEWS_API_MATRIX
    from tests.textanalytics.test_api_matrix import MATRIX as TEXT_MATRIX
    from tests.webhooks.matrix.test_matrix import WEBHOOKS_API_MATRIX

    elsewhere = set(ANALYTICS_MATRIX) | set(OUTREACH_MATRIX) | set(PRIVACY_API_MATRIX)
    elsewhere |= set(TEXT_MATRIX) | set(WEBHOOKS_API_MATRIX) | set(REVIEWS_API_MATRIX)
    elsewhere |= set(CRM_API_MATRIX) | set(HEALTH_MATRIX) | set(IDEAS_API_MATRIX)
    elsewhere |= set(JOURNEYS_API_MATRIX) | set(F360_API_MATRIX) | set(PULSE_API_MATRIX)
    return names | {name for name in elsewhere if name.startswith("api:")}


def test_every_organisation_and_people_operation_is_in_the_matrix():
    served = api_operations((tenancy_router, accounts_router))
    missing = sorted(set(served) - set(API_MATRIX))
    stale = sorted(set(API_MATRIX) - set(served))
    assert not missing, f"API operations without a permission-matrix entry: {missing}"
    assert not stale, f"matrix entries for operations that no longer exist: {stale}"


def test_no_api_operation_is_outside_every_permission_matrix():
    served = api_operations()
    assert all(name != "api:" and name != "api:None" for name in served), "unnamed operation"
    missing = sorted(set(served) - all_matrices())
    assert not missing, f"API operations no permission matrix covers: {missing}"


def test_url_names_from_the_url_resolver_match_the_operations():
    patterns = {p.name for p in api.urls[0]} - {"openapi-json", "openapi-view", "api-root"}
    assert {f"api:{name}" for name in patterns} == set(api_operations())


@pytest.mark.parametrize("target", sorted(TARGETS))
@pytest.mark.parametrize("name", sorted(API_MATRIX))
def test_permission_matrix(api_world, name, target):
    case = API_MATRIX[name]
    subject = build_target(api_world, target)
    methods = api_operations((tenancy_router, accounts_router))[name]
    failures = []
    for actor in ACTORS:
        method, path, body = case.build(actor, subject)
        # The request must reach the operation under test, not a neighbour on the same path.
        assert f"api:{resolve(path.split('?')[0]).url_name}" in API_MATRIX
        assert method in methods, f"{name} does not serve {method}"
        with transaction.atomic():
            response = api_world.call(actor, method, path, body)
            want = expected_status(case, actor, target)
            if response.status_code != want:
                failures.append(
                    f"{actor}: {response.status_code} (want {want}) {response.content[:200]!r}"
                )
            elif want >= 400:
                assert response.json()["error"]["code"], f"{actor}: error body without a code"
            elif want != 204:
                check_body(name, api_world, actor, subject, response.json())
            transaction.set_rollback(True)
    assert not failures, f"{name} on the {target} target:\n" + "\n".join(failures)


def test_store_manager_lists_hold_no_sibling_or_other_tenant_ids(api_world):
    world = api_world.world
    sibling = world.acme.units["c1r1s2"]
    foreign_units = {u.pk for u in world.other.units.values()} | {sibling.pk}
    units = api_world.call("store", "GET", url("unit_list") + "?limit=500").json()
    assert _ids(units) and not _ids(units) & foreign_units
    staff = api_world.call("store", "GET", url("staff_list") + "?limit=500").json()
    assert {s["unit"]["id"] for s in staff["items"]} == {world.acme.units["c1r1s1"].pk}
    tree = api_world.call("store", "GET", url("unit_tree")).json()
    assert not _tree_ids(tree) & foreign_units
    for target in (sibling, world.other.units["c1r1s1"]):
        response = api_world.call("store", "GET", url("unit_detail", unit_id=target.pk))
        assert response.status_code == 404


def test_a_hidden_object_answers_exactly_like_a_missing_one(api_world):
    hidden = api_world.world.acme.units["c2r1s1"].pk
    missing = OrgUnit.objects.order_by("-pk").first().pk + 1000
    responses = [
        api_world.call("country_admin", "GET", url("unit_detail", unit_id=pk))
        for pk in (hidden, missing)
    ]
    assert [r.status_code for r in responses] == [404, 404]
    assert responses[0].json() == responses[1].json()


@pytest.mark.parametrize("actor", ["store", "country_admin", "other_admin"])
def test_a_session_sees_exactly_what_a_token_of_the_same_membership_sees(api_world, actor):
    session = Client()
    session.force_login(api_world.membership(actor).user)
    for name in ("unit_list", "staff_list", "user_list", "membership_list"):
        path = url(name) + "?limit=500"
        by_token = api_world.call(actor, "GET", path)
        by_session = session.get(path)
        assert by_session.status_code == by_token.status_code, name
        if by_token.status_code == 200:
            assert _ids(by_session.json()) == _ids(by_token.json()), name
