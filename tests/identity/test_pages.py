"""The sign-in settings and two-factor pages: who reaches them (a matrix the route coverage
reads), CSRF, forms rather than JSON, and one organisation's settings invisible to another."""

from __future__ import annotations

import pytest
from django.test import Client

from voxloop.identity import services
from voxloop.identity.models import GroupMapping, SignInPolicy
from voxloop.tenancy.models import AuditEntry

pytestmark = pytest.mark.django_db

# route → (method, path, {member: status}); members of tests/factories.build_org.
ADMIN_ONLY = {"admin": 200, "country_admin": 403, "store": 403, "viewer": 403}
IDENTITY_PAGE_MATRIX = {
    "identity:settings": ("GET", "/identity/settings/", ADMIN_ONLY),
    "identity:save_mappings": (
        "POST",
        "/identity/settings/mappings/",
        {**ADMIN_ONLY, "admin": 400},
    ),
    "identity:create_scim_token": (
        "POST",
        "/identity/settings/scim-tokens/",
        {**ADMIN_ONLY, "admin": 400},
    ),
    "identity:revoke_scim_token": (
        "POST",
        "/identity/settings/scim-tokens/999999/revoke/",
        {**ADMIN_ONLY, "admin": 404},
    ),
    "identity:two_factor_setup": (
        "GET",
        "/identity/two-factor/",
        {"admin": 200, "store": 200, "viewer": 200},
    ),
    "identity:two_factor_verify": (
        "GET",
        "/identity/two-factor/verify/",
        {"admin": 200, "viewer": 200},
    ),
    "identity:two_factor_disable": (
        "POST",
        "/identity/two-factor/disable/",
        {"admin": 302, "viewer": 302},
    ),
}


@pytest.mark.parametrize("route", sorted(IDENTITY_PAGE_MATRIX))
def test_each_member_gets_what_the_matrix_says(world, route):
    method, path, expected = IDENTITY_PAGE_MATRIX[route]
    for member, status in expected.items():
        client = Client()
        client.force_login(world.acme.user(member))
        answer = client.get(path) if method == "GET" else client.post(path, {})
        assert answer.status_code == status, (route, member, answer.status_code)


def test_an_admin_configures_provider_mappings_and_tokens_through_forms(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.acme.user("admin"))
    page = client.get("/identity/settings/")
    assert b"<textarea" in page.content and b'name="form-0-group"' in page.content
    assert b"/identity/sso/acme/oidc/backchannel-logout/" in page.content
    assert b'name="policy-idp_initiated"' in page.content
    csrf = page.cookies["csrftoken"].value
    refused = client.post("/identity/settings/", {"policy-protocol": "oidc"})
    assert refused.status_code == 403  # no CSRF token
    saved = client.post(
        "/identity/settings/",
        {
            "csrfmiddlewaretoken": csrf,
            "policy-protocol": "oidc",
            "policy-sso_enabled": "on",
            "policy-issuer": "https://login.example.com",
            "policy-client_id": "voxloop",
            "policy-client_secret": "very-secret-value",
            "policy-groups_claim": "groups",
            "policy-email_domains": "acme.example",
            "policy-two_factor_roles": ["manager"],
        },
    )
    assert saved.status_code == 302, saved.content
    policy = SignInPolicy.objects.get(organization=world.acme.root.organization)
    assert services.client_secret(policy=policy) == "very-secret-value"
    assert "very-secret-value" not in policy.sealed_secret
    assert b"very-secret-value" not in client.get("/identity/settings/").content
    mappings = client.post(
        "/identity/settings/mappings/",
        {
            "csrfmiddlewaretoken": csrf,
            "form-TOTAL_FORMS": "2",
            "form-INITIAL_FORMS": "0",
            "form-0-group": "store-{code}-managers",
            "form-0-role": "manager",
            "form-0-unit_code": "AC1R1{code}",
            "form-1-group": "",
            "form-1-role": "",
            "form-1-unit_code": "",
        },
    )
    assert mappings.status_code == 302, mappings.content
    assert [str(m) for m in GroupMapping.objects.all()] == [
        "store-{code}-managers → manager @ AC1R1{code}"
    ]
    bad = client.post(
        "/identity/settings/mappings/",
        {
            "csrfmiddlewaretoken": csrf,
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "0",
            "form-0-group": "x",
            "form-0-role": "manager",
            "form-0-unit_code": "NO-SUCH-UNIT",
        },
    )
    assert bad.status_code == 400 and b"NO-SUCH-UNIT" in bad.content
    token = client.post(
        "/identity/settings/scim-tokens/", {"csrfmiddlewaretoken": csrf, "token-name": "Okta"}
    )
    assert token.status_code == 200 and b"scim_" in token.content
    assert token["Cache-Control"] == "no-store"
    assert AuditEntry.objects.filter(action="identity.policy.save").exists()
    assert AuditEntry.objects.filter(action="identity.scim_token.create").exists()


def test_another_organisations_admin_sees_and_revokes_nothing_of_ours(world):
    issued = services.create_scim_token(actor=world.acme.scope("admin"), name="Okta")
    services.save_policy(actor=world.acme.scope("admin"), fields={"email_domains": "acme.example"})
    client = Client()
    client.force_login(world.other.user("admin"))
    page = client.get("/identity/settings/")
    assert page.status_code == 200
    assert b"acme.example" not in page.content and issued.token.prefix.encode() not in page.content
    revoke = client.post(f"/identity/settings/scim-tokens/{issued.token.pk}/revoke/")
    assert revoke.status_code == 404
    assert services.authenticate_scim(secret=issued.secret) is not None


def test_sso_required_needs_a_break_glass_admin(world):
    client = Client()
    client.force_login(world.acme.user("admin"))
    answer = client.post(
        "/identity/settings/",
        {"policy-protocol": "oidc", "policy-sso_required": "on", "policy-groups_claim": "groups"},
    )
    assert answer.status_code == 400 and b"break-glass" in answer.content
