"""Personal API tokens: the secret is shown once, only its hash is stored, owners only."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

from django.test import Client
from django.utils import timezone
from django.utils.crypto import get_random_string

from tests.api.support import url
from tests.factories import PASSWORD
from voxloop.accounts.models import ApiToken
from voxloop.tenancy.models import AuditEntry


def test_secret_is_shown_once_and_only_its_hash_is_stored(api_world):
    expires = (timezone.now() + timedelta(days=30)).isoformat()
    response = api_world.session_call(
        "store", "POST", url("token_create"), {"name": "BI", "expires_at": expires}
    )
    assert response.status_code == 201
    issued = response.json()
    secret = issued["secret"]
    assert secret.startswith("vxl_") and issued["expires_at"]
    token = ApiToken.objects.get(pk=issued["id"])
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in json.dumps(list(ApiToken.objects.values()), default=str)
    listed = api_world.call("store", "GET", url("token_list"))
    assert secret not in listed.content.decode()
    assert issued["id"] in {t["id"] for t in listed.json()}
    assert all("secret" not in t for t in listed.json())
    # The new secret works on its own, with the membership it was made under.
    me = Client().get(url("me"), headers={"authorization": f"Bearer {secret}"}).json()
    assert me["auth"] == "token"
    assert me["membership"]["unit"]["id"] == api_world.world.acme.units["c1r1s1"].pk
    assert AuditEntry.objects.filter(action="token.create", target_id=str(token.pk)).exists()


def test_only_the_owner_can_revoke_a_token(api_world):
    token = ApiToken.objects.get(membership=api_world.world.acme.members["sibling_store"])
    for actor in ("admin", "store", "other_admin"):
        response = api_world.call(actor, "DELETE", url("token_delete", token_id=token.pk))
        assert response.status_code == 404, actor
    token.refresh_from_db()
    assert token.revoked_at is None
    response = api_world.call("sibling_store", "DELETE", url("token_delete", token_id=token.pk))
    assert response.status_code == 204
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEntry.objects.filter(action="token.revoke", target_id=str(token.pk)).exists()
    # Revoking twice is a 404, not a second audit entry.
    again = Client().delete(
        url("token_delete", token_id=token.pk),
        headers={"authorization": f"Bearer {api_world.secrets['store']}"},
    )
    assert again.status_code == 404


def test_an_expiry_in_the_past_is_refused(api_world):
    past = (timezone.now() - timedelta(minutes=1)).isoformat()
    before = ApiToken.objects.count()
    response = api_world.session_call(
        "store", "POST", url("token_create"), {"name": "x", "expires_at": past}
    )
    assert response.status_code == 400 and response.json()["error"]["field"] == "expires_at"
    assert ApiToken.objects.count() == before


def test_session_writes_need_the_csrf_token(api_world):
    client = Client(enforce_csrf_checks=True)
    assert client.login(username="a-store", password=PASSWORD)
    before = ApiToken.objects.count()
    expires = (timezone.now() + timedelta(days=30)).isoformat()
    body = json.dumps({"name": "from the browser", "expires_at": expires})
    refused = client.post(url("token_create"), data=body, content_type="application/json")
    assert refused.status_code == 403
    assert ApiToken.objects.count() == before
    # Reads need no CSRF token; a write with it goes through.
    assert client.get(url("token_list")).status_code == 200
    csrf = get_random_string(32)  # the browser's CSRF cookie and the header echoing it
    client.cookies["csrftoken"] = csrf
    accepted = client.post(
        url("token_create"),
        data=body,
        content_type="application/json",
        headers={"X-CSRFToken": csrf},
    )
    assert accepted.status_code == 201
    assert ApiToken.objects.count() == before + 1


def test_me_over_a_session_names_the_active_membership(api_world):
    client = Client()
    client.force_login(api_world.world.acme.user("country_admin"))
    me = client.get(url("me")).json()
    assert me["auth"] == "session"
    assert me["membership"]["role"] == "admin" and "configure" in me["membership"]["capabilities"]
    assert me["scope_root"]["id"] == api_world.world.acme.units["c1"].pk
    assert me["membership"]["organization"]["slug"] == "acme"


def test_a_token_cannot_mint_tokens(api_world):
    """A leaked 30-day token must not be able to make itself a permanent one."""
    before = ApiToken.objects.count()
    expires = (timezone.now() + timedelta(days=30)).isoformat()
    body = {"name": "forever", "expires_at": expires}
    response = api_world.call("store", "POST", url("token_create"), body)
    assert response.status_code == 403
    assert "signed in" in response.json()["error"]["message"]
    assert ApiToken.objects.count() == before
