import hashlib
import re

import pytest
from django.test import Client

from tests.factories import YES
from voxloop.accounts import services
from voxloop.accounts.models import ApiToken
from voxloop.tenancy.models import AuditEntry

TOKENS = "/accounts/tokens/"
SECRET = re.compile(r"vxl_[0-9a-f]{12}_[A-Za-z0-9_\-]{20,}")


@pytest.fixture
def store_client(client, world):
    client.force_login(world.acme.user("store"))
    return client


def test_created_secret_is_shown_once_and_only_its_sha256_is_stored(store_client, world):
    response = store_client.post(TOKENS, {"name": "CRM sync", "expires": "30"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    [secret] = SECRET.findall(response.content.decode())
    token = ApiToken.objects.get(name="CRM sync")
    assert token.membership == world.acme.members["store"]
    assert token.expires_at is not None
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    stored = [str(v) for v in ApiToken.objects.filter(pk=token.pk).values().get().values()]
    assert all(secret not in value for value in stored)
    assert services.authenticate_token(secret=secret) == token
    listing = store_client.get(TOKENS).content.decode()
    assert "CRM sync" in listing and f"vxl_{token.prefix}_" in listing
    assert secret not in listing


def test_blank_name_is_a_field_error(store_client):
    response = store_client.post(TOKENS, {"name": "  ", "expires": "30"})
    assert response.status_code == 400
    assert response.context["form"].errors["name"]
    assert not ApiToken.objects.exists()


def test_revoke_works_and_is_audited(store_client, world):
    issued = services.create_token(membership=world.acme.members["store"], name="Old script")
    response = store_client.post(f"/accounts/tokens/{issued.token.pk}/revoke/", YES)
    assert response.status_code == 302
    issued.token.refresh_from_db()
    assert issued.token.revoked_at is not None
    assert services.authenticate_token(secret=issued.secret) is None
    assert AuditEntry.objects.filter(action="token.revoke", target_id=str(issued.token.pk)).exists()
    assert store_client.get(f"/accounts/tokens/{issued.token.pk}/revoke/").status_code == 405


def test_another_users_token_cannot_be_revoked(store_client, world):
    theirs = services.create_token(membership=world.acme.members["sibling_store"], name="Theirs")
    foreign = services.create_token(membership=world.other.members["store"], name="Foreign")
    for issued in (theirs, foreign):
        response = store_client.post(f"/accounts/tokens/{issued.token.pk}/revoke/", YES)
        assert response.status_code == 404
        issued.token.refresh_from_db()
        assert issued.token.revoked_at is None
    assert "Theirs" not in store_client.get(TOKENS).content.decode()


def test_post_without_csrf_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.acme.user("store"))
    issued = services.create_token(membership=world.acme.members["store"], name="Kept")
    assert client.post(TOKENS, {"name": "Sneaky", "expires": "30"}).status_code == 403
    assert client.post(f"/accounts/tokens/{issued.token.pk}/revoke/").status_code == 403
    assert not ApiToken.objects.filter(name="Sneaky").exists()
    issued.token.refresh_from_db()
    assert issued.token.revoked_at is None


def test_user_without_membership_gets_a_clear_message_and_cannot_create(client, world):
    client.force_login(world.loner)
    page = client.get(TOKENS)
    assert page.status_code == 200
    assert "not a member of any organisation" in page.content.decode()
    assert client.post(TOKENS, {"name": "x", "expires": "30"}).status_code == 403
    assert not ApiToken.objects.exists()


def test_anonymous_is_sent_to_sign_in(client, db):
    response = client.get(TOKENS)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
