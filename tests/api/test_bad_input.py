"""Bad input gets a clear 4xx naming the field, never a 500, and changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.api.support import WRONG_SECRET, error_field, url
from voxloop.accounts import services as account_services
from voxloop.accounts.models import ApiToken
from voxloop.tenancy.models import AuditEntry, Membership, OrgUnit, Staff

# A token expiry inside the longest lifetime (a year), a day or so from the date's edges.
_SOON = timezone.localtime(timezone.now() + timedelta(days=200)).replace(
    hour=12, minute=0, second=0, microsecond=0
)


def _state() -> tuple[int, ...]:
    """A fingerprint of everything a rejected request could have touched."""
    return (
        OrgUnit.objects.count(),
        Staff.objects.count(),
        Membership.objects.count(),
        ApiToken.objects.count(),
        AuditEntry.objects.count(),
        hash(tuple(OrgUnit.objects.order_by("pk").values_list("path", "name", "code"))),
    )


def _unit_body(aw, **overrides) -> dict:
    body = {"parent": aw.world.acme.units["c1"].pk, "name": "Kiosk", "kind": "store", "code": "K1"}
    return {**body, **overrides}


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        (b'{"parent": 1, "name": "x",', "line 1"),
        (b"{'parent': 1}", "double quotes"),
        (b"\xff\xfe not utf-8", "not valid JSON"),
    ],
)
def test_malformed_json_is_a_400_saying_so(api_world, raw, fragment):
    before = _state()
    response = api_world.call("admin", "POST", url("unit_create"), raw=raw)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "malformed_json" and fragment in error["message"]
    assert _state() == before


def test_a_body_that_is_not_an_object_is_a_422(api_world):
    before = _state()
    for raw in (b"[1, 2]", b'"a string"', b""):
        response = api_world.call("admin", "POST", url("unit_create"), raw=raw)
        assert response.status_code == 422, raw
        assert response.json()["error"]["code"] == "invalid"
    assert _state() == before


@pytest.mark.parametrize(
    ("name", "path_kwargs", "body", "field"),
    [
        ("unit_create", {}, {"nmae": "typo"}, "nmae"),
        ("unit_update", {"unit_id": "c1"}, {"nmae": "typo"}, "nmae"),
        ("unit_move", {"unit_id": "c1r1"}, {"parent": "c2", "extra": 1}, "extra"),
        ("staff_update", {"staff_id": "c1r1s1"}, {"jobtitle": "Lead"}, "jobtitle"),
        ("membership_update", {"membership_id": "store"}, {"rol": "viewer"}, "rol"),
        ("token_create", {}, {"name": "ci", "scope": "all"}, "scope"),
    ],
)
def test_unknown_fields_are_refused_by_name(api_world, name, path_kwargs, body, field):
    acme = api_world.world.acme
    kwargs = {}
    for key, ref in path_kwargs.items():
        if key == "unit_id":
            kwargs[key] = acme.units[ref].pk
        elif key == "staff_id":
            kwargs[key] = Staff.objects.get(unit=acme.units[ref]).pk
        else:
            kwargs[key] = acme.members[ref].pk
    if name == "unit_move":
        body = {**body, "parent": acme.units["c2"].pk}
    if name == "unit_create":
        body = {**_unit_body(api_world), **body}
    before = _state()
    method = {"unit_create": "POST", "unit_move": "POST", "token_create": "POST"}.get(name, "PATCH")
    response = api_world.call("admin", method, url(name, **kwargs), body)
    assert response.status_code == 422
    assert field in {p["field"] for p in response.json()["error"]["problems"]}
    assert f"Unknown field '{field}'" in response.content.decode()
    assert _state() == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"parent": "c1"}, "parent"),
        ({"name": 42}, "name"),
        ({"name": "   "}, "name"),
        ({"kind": "galaxy"}, "kind"),
        ({"code": "x" * 65}, "code"),
        ({"parent": None}, "parent"),
    ],
)
def test_wrong_types_and_values_name_the_field(api_world, overrides, field):
    before = _state()
    response = api_world.call(
        "admin", "POST", url("unit_create"), _unit_body(api_world, **overrides)
    )
    assert response.status_code == 422
    assert error_field(response) == field
    assert _state() == before


@pytest.mark.parametrize("missing", ["parent", "name", "kind", "code"])
def test_missing_required_fields_are_named(api_world, missing):
    body = _unit_body(api_world)
    del body[missing]
    before = _state()
    response = api_world.call("admin", "POST", url("unit_create"), body)
    assert response.status_code == 422
    assert error_field(response) == missing
    assert f"'{missing}' is required" in response.json()["error"]["message"]
    assert _state() == before


def test_explicit_null_in_a_patch_is_refused_not_stored(api_world):
    unit = api_world.world.acme.units["c1"]
    before = _state()
    response = api_world.call("admin", "PATCH", url("unit_update", unit_id=unit.pk), {"code": None})
    assert response.status_code == 422 and error_field(response) == "code"
    assert _state() == before


def test_moving_a_unit_under_its_own_descendant_names_parent(api_world):
    acme = api_world.world.acme
    before = _state()
    for new_parent in ("c1", "c1r1", "c1r1s1"):
        response = api_world.call(
            "admin",
            "POST",
            url("unit_move", unit_id=acme.units["c1"].pk),
            {"parent": acme.units[new_parent].pk},
        )
        assert response.status_code == 400, new_parent
        assert error_field(response) == "parent"
    assert _state() == before


def test_duplicate_unit_code_is_a_409_naming_code(api_world):
    acme = api_world.world.acme
    before = _state()
    taken = acme.units["c1r1s1"].code
    response = api_world.call(
        "admin", "POST", url("unit_create"), _unit_body(api_world, code=taken)
    )
    assert response.status_code == 409 and error_field(response) == "code"
    response = api_world.call(
        "admin", "PATCH", url("unit_update", unit_id=acme.units["c2"].pk), {"code": taken}
    )
    assert response.status_code == 409 and error_field(response) == "code"
    assert _state() == before
    assert OrgUnit.objects.get(pk=acme.units["c2"].pk).code == acme.units["c2"].code


def test_the_same_code_in_another_organisation_is_fine(api_world):
    other_code = api_world.world.other.units["c1r1s1"].code
    response = api_world.call(
        "admin", "POST", url("unit_create"), _unit_body(api_world, code=other_code)
    )
    assert response.status_code == 201


def test_a_parent_outside_scope_is_a_404_naming_parent(api_world):
    acme, other = api_world.world.acme, api_world.world.other
    before = _state()
    for parent in (acme.units["c2"], other.units["c1"]):
        response = api_world.call(
            "country_admin", "POST", url("unit_create"), _unit_body(api_world, parent=parent.pk)
        )
        assert response.status_code == 404 and error_field(response) == "parent"
    response = api_world.call(
        "country_admin",
        "POST",
        url("unit_move", unit_id=acme.units["c1r1s1"].pk),
        {"parent": acme.units["c2r1"].pk},
    )
    assert response.status_code == 404 and error_field(response) == "parent"
    assert _state() == before


def test_a_unit_outside_scope_in_people_bodies_names_unit(api_world):
    acme = api_world.world.acme
    c2 = acme.units["c2r1s1"].pk
    before = _state()
    calls = [
        ("POST", url("staff_create"), {"unit": c2, "name": "X", "code": "E-X"}),
        (
            "POST",
            url("user_create"),
            {"username": "newbie", "email": "n@example.test", "unit": c2, "role": "viewer"},
        ),
        ("PATCH", url("membership_update", membership_id=acme.members["store"].pk), {"unit": c2}),
        (
            "PATCH",
            url("staff_update", staff_id=Staff.objects.get(unit=acme.units["c1r1s1"]).pk),
            {"unit": c2},
        ),
    ]
    for method, path, body in calls:
        response = api_world.call("country_admin", method, path, body)
        assert response.status_code == 404, path
        assert error_field(response) == "unit", path
    assert _state() == before


def test_invalid_emails_and_roles_are_named(api_world):
    unit = api_world.world.acme.units["c1r1"].pk
    before = _state()
    body = {"username": "newbie", "email": "not-an-email", "unit": unit, "role": "viewer"}
    response = api_world.call("admin", "POST", url("user_create"), body)
    assert response.status_code == 422 and error_field(response) == "email"
    response = api_world.call(
        "admin", "POST", url("user_create"), {**body, "email": "n@x.test", "role": "king"}
    )
    assert response.status_code == 422 and error_field(response) == "role"
    assert _state() == before


def test_a_taken_username_is_a_409_and_leaves_no_half_user(api_world):
    unit = api_world.world.acme.units["c1r1"].pk
    before = _state()
    body = {"username": "A-STORE", "email": "dup@example.test", "unit": unit, "role": "viewer"}
    response = api_world.call("admin", "POST", url("user_create"), body)
    assert response.status_code == 409 and error_field(response) == "username"
    assert _state() == before


@pytest.mark.parametrize(
    ("query", "field"),
    [("limit=501", "limit"), ("limit=0", "limit"), ("offset=-1", "offset"), ("limit=ten", "limit")],
)
def test_page_limits_are_bounded(api_world, query, field):
    for name in ("unit_list", "staff_list", "audit_list", "user_list", "membership_list"):
        response = api_world.call("admin", "GET", url(name) + "?" + query)
        assert response.status_code == 422, name
        assert error_field(response) == field, name


def test_tree_depth_is_bounded(api_world):
    response = api_world.call("admin", "GET", url("unit_tree") + "?depth=11")
    assert response.status_code == 422 and error_field(response) == "depth"


def test_unknown_filter_values_are_named(api_world):
    response = api_world.call("admin", "GET", url("unit_list") + "?kind=galaxy")
    assert response.status_code == 422 and error_field(response) == "kind"


def _revoked_and_expired(aw) -> dict[str, str]:
    membership = aw.world.acme.members["admin"]
    revoked = account_services.create_token(membership=membership, name="revoked")
    account_services.revoke_token(user=membership.user, token_id=revoked.token.pk)
    expired = account_services.create_token(membership=membership, name="expired")
    ApiToken.objects.filter(pk=expired.token.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    live = aw.secrets["admin"]
    return {
        "wrong": WRONG_SECRET,
        "revoked": revoked.secret,
        "expired": expired.secret,
        "tampered": live[:-2] + ("AA" if not live.endswith("AA") else "BB"),
        "not a vxl token": "abc",
    }


def test_wrong_revoked_and_expired_tokens_are_401_even_for_writes(api_world):
    # A real client: CSRF is enforced, so a bad token must still say 401, not "CSRF failed".
    client = Client(enforce_csrf_checks=True)
    secrets = _revoked_and_expired(api_world)
    before = _state()
    for label, secret in secrets.items():
        headers = {"authorization": f"Bearer {secret}"}
        for method, path, body in (
            ("GET", url("me"), ""),
            ("POST", url("unit_create"), '{"parent": 1, "name": "x", "kind": "team", "code": "Z"}'),
        ):
            response = client.generic(
                method, path, data=body, content_type="application/json", headers=headers
            )
            assert response.status_code == 401, label
            assert response.json()["error"]["code"] == "unauthenticated"
    assert _state() == before


def test_a_token_stops_working_the_moment_it_is_revoked(api_world):
    secret = api_world.secrets["store"]
    headers = {"authorization": f"Bearer {secret}"}
    client = Client()
    assert client.get(url("me"), headers=headers).status_code == 200
    token_id = ApiToken.objects.get(membership=api_world.world.acme.members["store"]).pk
    response = client.delete(url("token_delete", token_id=token_id), headers=headers)
    assert response.status_code == 204
    assert client.get(url("me"), headers=headers).status_code == 401


def test_unknown_ids_in_the_path_are_404_not_500(api_world):
    for name, kwarg in (
        ("unit_detail", "unit_id"),
        ("staff_detail", "staff_id"),
        ("user_detail", "user_id"),
        ("membership_detail", "membership_id"),
    ):
        response = api_world.call("admin", "GET", url(name, **{kwarg: 987654321}))
        assert response.status_code == 404, name
    assert api_world.call("admin", "GET", "/api/v1/org-units/abc").status_code == 404


def test_ids_too_large_for_the_database_are_a_422_naming_the_field(api_world):
    big = 10**20
    before = _state()
    calls = [
        ("GET", url("unit_list") + f"?parent={big}", None, "parent"),
        ("GET", url("unit_tree") + f"?root={big}", None, "root"),
        ("GET", url("staff_list") + f"?unit={big}", None, "unit"),
        ("GET", url("audit_list") + f"?actor={big}", None, "actor"),
        ("GET", f"/api/v1/users/{big}", None, "user_id"),
        ("DELETE", f"/api/v1/tokens/{big}", None, "token_id"),
        ("POST", url("staff_create"), {"unit": big, "name": "X", "code": "E-big"}, "unit"),
        ("POST", url("unit_create"), _unit_body(api_world, parent=big), "parent"),
    ]
    for method, path, body, field in calls:
        response = api_world.call("admin", method, path, body)
        assert response.status_code == 422, path
        assert error_field(response) == field, path
    assert _state() == before


def test_a_tree_root_outside_scope_is_a_404_naming_root(api_world):
    hidden = api_world.world.acme.units["c2"].pk
    response = api_world.call("country_admin", "GET", url("unit_tree") + f"?root={hidden}")
    assert response.status_code == 404 and error_field(response) == "root"


@pytest.mark.parametrize(
    ("method", "name", "path_kwargs", "body", "field"),
    [
        ("POST", "unit_create", None, {"name": "Ki\x00osk"}, "name"),
        ("POST", "unit_create", None, {"code": "K\x001"}, "code"),
        ("PATCH", "unit_update", "c1", {"name": "C\x00"}, "name"),
        ("PATCH", "membership_update", "store", {"title": "Boss\x00"}, "title"),
        ("POST", "staff_create", None, {"name": "Ann\x00"}, "name"),
        ("POST", "staff_create", None, {"job_title": "Clerk\x00"}, "job_title"),
        ("POST", "user_create", None, {"username": "ann\x00"}, "username"),
        ("POST", "user_create", None, {"first_name": "Ann\x00"}, "first_name"),
        ("POST", "token_create", None, {"name": "ci\x00"}, "name"),
    ],
)
def test_nul_characters_in_bodies_are_a_422_naming_the_field(
    api_world, method, name, path_kwargs, body, field
):
    """PostgreSQL refuses NUL in text (a 500) and SQLite would store it: refuse it up front."""
    acme = api_world.world.acme
    bodies = {
        "unit_create": _unit_body(api_world),
        "staff_create": {"unit": acme.units["c1"].pk, "name": "Ann", "code": "NUL1"},
        "user_create": {"username": "ann", "email": "ann@example.test", "unit": acme.root.pk}
        | {"role": "viewer"},
        "token_create": {"name": "ci", "expires_at": _SOON.isoformat()},
    }
    kwargs = {}
    if path_kwargs == "c1":
        kwargs = {"unit_id": acme.units["c1"].pk}
    elif path_kwargs == "store":
        kwargs = {"membership_id": acme.members["store"].pk}
    before = _state()
    response = api_world.call(
        "admin", method, url(name, **kwargs), {**bodies.get(name, {}), **body}
    )
    assert response.status_code == 422, response.content
    assert error_field(response) == field
    assert "NUL" in response.json()["error"]["message"]
    assert _state() == before


@pytest.mark.parametrize(
    ("name", "query", "field"),
    [
        ("unit_list", "q=a%00", "q"),
        ("staff_list", "q=a%00", "q"),
        ("user_list", "q=a%00", "q"),
        ("audit_list", "action=unit%00", "action"),
    ],
)
def test_nul_characters_in_filters_are_a_422_naming_the_field(api_world, name, query, field):
    response = api_world.call("admin", "GET", url(name) + "?" + query)
    assert response.status_code == 422, response.content
    assert error_field(response) == field


def test_an_offset_too_large_for_the_database_is_a_422_naming_offset(api_world):
    for name in ("unit_list", "staff_list", "audit_list", "user_list", "membership_list"):
        response = api_world.call("admin", "GET", url(name) + "?offset=99999999999999999999")
        assert response.status_code == 422, name
        assert error_field(response) == "offset", name
    # Past the end but within the cap: an empty page, not an error; deeper pages go by cursor.
    response = api_world.call("admin", "GET", url("unit_list") + "?offset=10000")
    assert response.status_code == 200 and response.json()["items"] == []
    response = api_world.call("admin", "GET", url("unit_list") + "?offset=10001")
    assert response.status_code == 422 and error_field(response) == "offset"


@pytest.mark.parametrize(
    "expires_at",
    [_SOON.strftime("%Y-%m-%dT%H:%M:%S"), _SOON.strftime("%Y-%m-%d"), "2000-01-01T00:00"],
)
def test_a_token_expiry_without_a_time_zone_is_read_in_the_server_zone(api_world, expires_at):
    response = api_world.session_call(
        "admin", "POST", url("token_create"), {"name": "ci", "expires_at": expires_at}
    )
    if expires_at.startswith("2000"):
        assert response.status_code == 400 and error_field(response) == "expires_at"
        return
    assert response.status_code == 201, response.content
    assert response.json()["expires_at"].startswith(_SOON.strftime("%Y-%m-%d"))
