"""OpenID Connect back-channel logout: the provider on loopback signs a logout token naming a
session (sid) or a person (sub); their sessions here end, nobody else's."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from joserfc.jwk import RSAKey

from tests.identity.support import configure_oidc, oidc_sign_in
from voxloop.tenancy.models import AuditEntry

pytestmark = pytest.mark.django_db

URL = "/identity/sso/{}/oidc/backchannel-logout/"
MAPPINGS = [("cx-analysts", "analyst", "AC1")]
OTHER_MAPPINGS = [("cx-analysts", "analyst", "BC1")]
PERSON = {"sub": "u-9", "email": "ana@acme.example", "groups": ["cx-analysts"]}


def _signed_in(slug: str, provider, claims: dict) -> Client:
    client = Client()
    assert oidc_sign_in(client, slug, provider, claims).status_code == 302
    assert client.get("/").status_code == 200
    return client


def _signed_out(client: Client) -> bool:
    return client.get("/").status_code == 302 and "_auth_user_id" not in client.session


def test_a_logout_token_ends_the_named_session_then_the_person(
    world, oidc_provider, other_provider
):
    configure_oidc(world.acme.scope("admin"), oidc_provider, mappings=MAPPINGS)
    configure_oidc(world.other.scope("admin"), other_provider, mappings=OTHER_MAPPINGS)
    laptop = _signed_in("acme", oidc_provider, {**PERSON, "sid": "s-laptop"})
    phone = _signed_in("acme", oidc_provider, {**PERSON, "sid": "s-phone"})
    elsewhere = _signed_in("other", other_provider, {**PERSON, "email": "ana@other.example"})
    token = oidc_provider.logout_token({"sid": "s-laptop"})
    answer = Client().post(URL.format("acme"), {"logout_token": token})
    assert answer.status_code == 200 and answer["Cache-Control"] == "no-store"
    assert _signed_out(laptop)
    assert phone.get("/").status_code == 200
    assert Client().post(URL.format("acme"), {"logout_token": token}).status_code == 400  # jti
    # Acme's provider cannot end Other's sessions: at Other's endpoint its key is a stranger's.
    by_person = oidc_provider.logout_token({"sub": "u-9"})
    assert Client().post(URL.format("other"), {"logout_token": by_person}).status_code == 400
    assert Client().post(URL.format("acme"), {"logout_token": by_person}).status_code == 200
    assert _signed_out(phone)
    assert elsewhere.get("/").status_code == 200
    assert AuditEntry.objects.filter(action="identity.backchannel_logout").count() == 2


def test_logout_tokens_that_do_not_verify_are_refused(world, oidc_provider):
    configure_oidc(world.acme.scope("admin"), oidc_provider, mappings=MAPPINGS)
    client = _signed_in("acme", oidc_provider, {**PERSON, "sid": "s-1"})
    stranger = RSAKey.generate_key(2048, parameters={"kid": "k1"})
    hour_ago = int(time.time()) - 3600
    refused = {
        "another key": oidc_provider.logout_token({"sid": "s-1"}, key=stranger),
        "no event": oidc_provider.logout_token({"sid": "s-1"}, drop=("events",)),
        "an ID token": oidc_provider.id_token({"sub": "u-9", "nonce": "n", "jti": "j"}),
        "with a nonce": oidc_provider.logout_token({"sid": "s-1", "nonce": "n"}),
        "another client": oidc_provider.logout_token({"sid": "s-1", "aud": "someone-else"}),
        "stale": oidc_provider.logout_token({"sid": "s-1", "iat": hour_ago, "exp": hour_ago}),
        "nobody": oidc_provider.logout_token({}),
        "no jti": oidc_provider.logout_token({"sid": "s-1"}, drop=("jti",)),
        "garbage": "not-a-jwt",
    }
    for why, token in refused.items():
        answer = Client().post(URL.format("acme"), {"logout_token": token})
        assert answer.status_code == 400, why
        assert answer.json()["error"] == "invalid_request", why
    assert Client().get(URL.format("acme")).status_code == 405
    assert Client().post(URL.format("nowhere"), {"logout_token": "x"}).status_code == 404
    assert client.get("/").status_code == 200
