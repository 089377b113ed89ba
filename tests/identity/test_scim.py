"""SCIM 2.0 as Okta and Microsoft Entra ID drive it (request sequences from their published
provisioning guides), deprovisioning that takes effect on the next request, and tenants
kept apart."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.identity.scim_support import Scim
from voxloop.accounts import services as account_services
from voxloop.identity import services
from voxloop.identity.models import SignInPolicy
from voxloop.tenancy.models import AuditEntry, Membership

pytestmark = pytest.mark.django_db
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def _mapped(world) -> None:
    SignInPolicy.objects.get_or_create(organization=world.acme.root.organization)
    services.save_mappings(
        actor=world.acme.scope("admin"),
        rows=[
            services.MappingRow(
                group="store-{code}-managers", role="manager", unit_code="AC1R1{code}"
            ),
            services.MappingRow(group="Voxloop Analysts", role="analyst", unit_code="AC1"),
        ],
    )


def _okta_user(name: str) -> dict:
    # Okta's "Create User" request (developer.okta.com, SCIM 2.0 provisioning guide).
    return {
        "schemas": [USER],
        "userName": name,
        "name": {"givenName": "Test", "familyName": "User"},
        "emails": [{"primary": True, "value": name, "type": "work"}],
        "displayName": "Test User",
        "locale": "en-US",
        "externalId": "00ujl29u0le5T6Aj10h7",
        "groups": [],
        "password": "1mz050nq",
        "active": True,
    }


def test_okta_sequence_lookup_create_group_push_deactivate(world):
    _mapped(world)
    scim = Scim(world.acme.scope("admin"))
    lookup = scim.get(
        "Users", filter='userName eq "test.user@okta.local"', startIndex="1", count="100"
    )
    assert lookup.status_code == 200 and lookup.json()["totalResults"] == 0
    created = scim.call("POST", "Users", _okta_user("test.user@okta.local"))
    assert created.status_code == 201, created.content
    user_id = created.json()["id"]
    assert created["Location"].endswith(f"/scim/v2/Users/{user_id}")
    # No group yet: known, but no access.
    assert not Membership.objects.filter(user__email="test.user@okta.local").exists()
    group = scim.call(
        "POST",
        "Groups",
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "displayName": "store-S2-managers",
            "members": [],
        },
    )
    assert group.status_code == 201
    group_id = group.json()["id"]
    # Okta's group push: PATCH add members.
    added = scim.call(
        "PATCH",
        f"Groups/{group_id}",
        {
            "schemas": [PATCH],
            "Operations": [
                {
                    "op": "add",
                    "path": "members",
                    "value": [{"value": user_id, "display": "test.user@okta.local"}],
                }
            ],
        },
    )
    assert added.status_code == 200, added.content
    membership = Membership.objects.select_related("unit").get(user__email="test.user@okta.local")
    assert (membership.role, membership.unit.code) == ("manager", "AC1R1S2")
    # Okta deactivates with a PATCH replace of a value object, no path.
    off = scim.call(
        "PATCH",
        f"Users/{user_id}",
        {"schemas": [PATCH], "Operations": [{"op": "replace", "value": {"active": False}}]},
    )
    assert off.status_code == 200 and off.json()["active"] is False
    assert not Membership.objects.filter(user__email="test.user@okta.local").exists()
    assert AuditEntry.objects.filter(action="membership.delete", actor_label="scim").exists()
    again = scim.get("Users", filter='userName eq "test.user@okta.local"')
    assert again.json()["Resources"][0]["active"] is False


def test_entra_sequence_with_string_booleans_and_paths(world):
    _mapped(world)
    scim = Scim(world.acme.scope("admin"))
    # Entra's first call: a query for a user that does not exist, by a random attribute.
    probe = scim.get("Users", filter='userName eq "ryan3@contoso.example"')
    assert probe.json()["totalResults"] == 0
    created = scim.call(
        "POST",
        "Users",
        {
            "schemas": [USER, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
            "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
            "userName": "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1",
            "active": True,
            "emails": [
                {"primary": True, "type": "work", "value": "Test_User_fd0ea19b@testuser.com"}
            ],
            "meta": {"resourceType": "User"},
            "name": {
                "formatted": "givenName familyName",
                "familyName": "familyName",
                "givenName": "givenName",
            },
            "roles": [],
        },
    )
    assert created.status_code == 201, created.content
    user_id = created.json()["id"]
    by_external = scim.get("Users", filter='externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"')
    assert by_external.json()["Resources"][0]["id"] == user_id
    group = scim.call(
        "POST",
        "Groups",
        {"displayName": "Voxloop Analysts", "externalId": "g1", "members": [{"value": user_id}]},
    )
    assert group.status_code == 201
    assert Membership.objects.get(user__email="Test_User_fd0ea19b@testuser.com").role == "analyst"
    # Entra: "Replace" with a path and a string boolean; "Add" to a filtered email path.
    patched = scim.call(
        "PATCH",
        f"Users/{user_id}",
        {
            "schemas": [PATCH],
            "Operations": [
                {"op": "Replace", "path": "name.familyName", "value": "updatedFamilyName"},
                {
                    "op": "Add",
                    "path": 'emails[type eq "work"].value',
                    "value": "updatedEmail@microsoft.com",
                },
                {"op": "Replace", "path": "active", "value": "False"},
            ],
        },
    )
    assert patched.status_code == 200, patched.content
    body = patched.json()
    assert body["name"]["familyName"] == "updatedFamilyName" and body["active"] is False
    # Entra removes a member with a filtered path.
    removed = scim.call(
        "PATCH",
        f"Groups/{group.json()['id']}",
        {
            "schemas": [PATCH],
            "Operations": [{"op": "Remove", "path": f'members[value eq "{user_id}"]'}],
        },
    )
    assert removed.status_code == 200 and removed.json()["members"] == []
    assert scim.call("DELETE", f"Users/{user_id}").status_code == 204
    assert scim.call("GET", f"Users/{user_id}").status_code == 404


def test_a_deactivated_user_loses_session_and_api_tokens_on_the_next_request(world):
    _mapped(world)
    scim = Scim(world.acme.scope("admin"))
    created = scim.call("POST", "Users", _okta_user("ana@acme.example"))
    user_id = created.json()["id"]
    scim.call(
        "POST", "Groups", {"displayName": "Voxloop Analysts", "members": [{"value": user_id}]}
    )
    membership = Membership.objects.get(user__email="ana@acme.example")
    token = account_services.create_token(membership=membership, name="script")
    browser = Client()
    browser.force_login(membership.user)
    assert browser.get("/").status_code == 200
    assert browser.get("/").status_code == 200  # its sign-in rules are now cached
    api = Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token.secret}"}
    assert api.get("/api/v1/me", **headers).status_code == 200
    scim.call(
        "PATCH",
        f"Users/{user_id}",
        {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "active", "value": False}]},
    )
    assert browser.get("/").status_code == 302  # back to the sign-in page
    assert api.get("/api/v1/me", **headers).status_code == 401
    # Reactivated: the groups give the role back.
    scim.call(
        "PATCH",
        f"Users/{user_id}",
        {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "active", "value": True}]},
    )
    assert Membership.objects.get(user__email="ana@acme.example").role == "analyst"


def test_tokens_are_per_organisation_and_required(world):
    _mapped(world)
    acme, other = Scim(world.acme.scope("admin")), Scim(world.other.scope("admin"))
    user_id = acme.call("POST", "Users", _okta_user("bo@acme.example")).json()["id"]
    assert other.get(f"Users/{user_id}").status_code == 404
    assert other.get("Users", filter='userName eq "bo@acme.example"').json()["totalResults"] == 0
    assert other.call("DELETE", f"Users/{user_id}").status_code == 404
    group = acme.call("POST", "Groups", {"displayName": "g"}).json()["id"]
    assert (
        other.call(
            "PATCH",
            f"Groups/{group}",
            {"Operations": [{"op": "add", "path": "members", "value": [{"value": user_id}]}]},
        ).status_code
        == 404
    )
    # Other's group cannot take in Acme's user either.
    theirs = other.call("POST", "Groups", {"displayName": "g", "members": [{"value": user_id}]})
    assert theirs.status_code == 201 and theirs.json()["members"] == []
    assert Client().get("/scim/v2/Users").status_code == 401
    wrong = Client().get("/scim/v2/Users", HTTP_AUTHORIZATION="Bearer scim_abc_def")
    assert wrong.status_code == 401
    services.revoke_scim_token(
        actor=world.acme.scope("admin"), token_id=services.authenticate_scim(secret=acme.secret).pk
    )
    assert acme.get("Users").status_code == 401


def test_bad_input_gets_scim_errors_not_tracebacks(world):
    scim = Scim(world.acme.scope("admin"))
    assert scim.get("Users", filter='userName co "x"').json()["scimType"] == "invalidFilter"
    assert scim.call("POST", "Users", {"active": True}).status_code == 400
    broken = scim.client.post(
        "/scim/v2/Users",
        "{",
        content_type="application/scim+json",
        HTTP_AUTHORIZATION=f"Bearer {scim.secret}",
    )
    assert broken.status_code == 400 and broken.json()["scimType"] == "invalidSyntax"
    scim.call("POST", "Users", _okta_user("dup@acme.example"))
    dup = scim.call("POST", "Users", _okta_user("dup@acme.example"))
    assert dup.status_code == 409 and dup.json()["scimType"] == "uniqueness"
    assert scim.get("Users/abc").status_code == 404
    assert scim.get("Users", startIndex="x").status_code == 400


def test_discovery_documents(world):
    scim = Scim(world.acme.scope("admin"))
    config = scim.get("ServiceProviderConfig").json()
    assert config["patch"]["supported"] is True and config["filter"]["supported"] is True
    types = scim.get("ResourceTypes").json()
    assert {r["id"] for r in types["Resources"]} == {"User", "Group"}
    schemas = scim.get("Schemas").json()
    assert USER in {s["id"] for s in schemas["Resources"]}
    assert scim.get(f"Schemas/{USER}").status_code == 200
    assert scim.get("ResourceTypes/User").json()["endpoint"] == "/Users"


def test_requests_beyond_the_rate_are_refused(world, monkeypatch):
    from voxloop.identity.scim import views

    monkeypatch.setattr(views, "RATE", 3)
    scim = Scim(world.acme.scope("admin"))
    answers = [scim.get("ServiceProviderConfig").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]


def test_search_by_post_and_unknown_paths(world):
    scim = Scim(world.acme.scope("admin"))
    scim.call("POST", "Users", _okta_user("cy@acme.example"))
    scim.call("POST", "Groups", {"displayName": "cy-group"})
    query = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
        "filter": 'userName eq "cy@acme.example"',
        "attributes": ["userName"],
    }
    users = scim.call("POST", "Users/.search", query).json()
    assert users["totalResults"] == 1 and set(users["Resources"][0]) == {
        "schemas",
        "id",
        "meta",
        "userName",
    }
    groups = scim.call("POST", "Groups/.search", {"filter": 'displayName eq "cy-group"'}).json()
    assert groups["totalResults"] == 1
    both = scim.call("POST", ".search", {"filter": 'displayName eq "cy-group"'}).json()
    assert [r["displayName"] for r in both["Resources"]] == ["cy-group"]
    nothing = scim.get("Nothing")
    assert nothing.status_code == 404 and nothing.json()["status"] == "404"
    assert "/scim/v2/Nothing" in nothing.wsgi_request.path
