"""Tokens live at most VOXLOOP_TOKEN_MAX_DAYS, and a revoked token or a changed role stops
working in every process: at once through Redis, within RECENT_SECONDS without it."""

from __future__ import annotations

import os
import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.api.support import url
from voxloop import recent
from voxloop.accounts import services
from voxloop.accounts.models import ApiToken
from voxloop.accounts.recent_tokens import HeldTokens
from voxloop.shared_generation import SharedGeneration
from voxloop.tenancy import services as tenancy_services

REDIS_URL = os.environ.get("REDIS_URL_FOR_TESTS") or os.environ.get(
    "VOXLOOP_TEST_REDIS_URL", "redis://127.0.0.1:6379/15"
)


def _session(world, name: str = "store") -> Client:
    client = Client()
    client.force_login(world.acme.user(name))
    return client


def _create(client: Client, **body):
    return client.post(url("token_create"), body, content_type="application/json")


# --- the longest lifetime ---------------------------------------------------------------


def test_the_api_requires_an_expiry(world):
    response = _create(_session(world), name="forever")
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "expires_at"
    assert not ApiToken.objects.exists()


def test_the_api_refuses_an_expiry_past_the_longest_lifetime(world, settings):
    settings.TOKEN_MAX_DAYS = 90
    too_late = (timezone.now() + timedelta(days=91)).isoformat()
    response = _create(_session(world), name="long", expires_at=too_late)
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "expires_at"
    assert "90 days" in response.json()["error"]["message"]
    in_time = (timezone.now() + timedelta(days=89)).isoformat()
    assert _create(_session(world), name="ok", expires_at=in_time).status_code == 201


def test_the_tokens_page_offers_no_token_that_never_expires(world, settings):
    client = _session(world)
    page = client.get("/accounts/tokens/")
    offered = [value for value, _label in page.context["form"].fields["expires"].choices]
    assert offered == ["30", "90", "365"]
    assert client.post("/accounts/tokens/", {"name": "x", "expires": "never"}).status_code == 400
    settings.TOKEN_MAX_DAYS = 60
    form = client.get("/accounts/tokens/").context["form"]
    offered = [value for value, _label in form.fields["expires"].choices]
    assert offered == ["30", "60"]
    assert client.post("/accounts/tokens/", {"name": "x", "expires": "365"}).status_code == 400
    assert not ApiToken.objects.exists()


def test_a_token_made_without_an_expiry_gets_the_longest_lifetime(world):
    issued = services.create_token(membership=world.acme.members["store"], name="cli")
    lifetime = issued.token.expires_at - timezone.now()
    assert timedelta(days=364) < lifetime <= timedelta(days=365)


def test_an_old_token_without_expiry_stops_after_the_longest_lifetime(world, settings):
    """Tokens made before there was a limit (expires_at empty) are cut off by it too."""
    issued = services.create_token(membership=world.acme.members["store"], name="legacy")
    long_ago = timezone.now() - timedelta(days=366)
    ApiToken.objects.filter(pk=issued.token.pk).update(expires_at=None, created_at=long_ago)
    recent.forget_everything()
    assert services.authenticate_token(secret=issued.secret) is None
    listed = _session(world).get(url("token_list")).json()
    assert listed[0]["expires_at"] is not None
    # Lowering the limit cuts off tokens that were made to live longer.
    fresh = services.create_token(membership=world.acme.members["store"], name="fresh")
    ApiToken.objects.filter(pk=fresh.token.pk).update(created_at=timezone.now() - timedelta(40))
    recent.forget_everything()
    assert services.authenticate_token(secret=fresh.secret) is not None
    settings.TOKEN_MAX_DAYS = 30
    assert services.authenticate_token(secret=fresh.secret) is None


# --- revocation and role changes in other processes -------------------------------------


def test_without_redis_another_process_sees_a_revocation_within_recent_seconds(
    world, settings, monkeypatch
):
    settings.REDIS_URL = ""
    settings.RECENT_SECONDS = 5
    elsewhere = HeldTokens()  # another process's store: no signal of ours reaches it
    issued = services.create_token(membership=world.acme.members["store"], name="sync")
    assert services.authenticate_token(secret=issued.secret, held=elsewhere) is not None
    services.revoke_token(user=world.acme.user("store"), token_id=issued.token.pk)
    assert services.authenticate_token(secret=issued.secret) is None  # this process: at once
    assert services.authenticate_token(secret=issued.secret, held=elsewhere) is not None
    later = recent.time.monotonic() + 6
    monkeypatch.setattr(recent.time, "monotonic", lambda: later)
    assert services.authenticate_token(secret=issued.secret, held=elsewhere) is None


@pytest.mark.redis
def test_with_redis_a_revocation_reaches_every_process_at_once(
    world, settings, django_capture_on_commit_callbacks
):
    settings.REDIS_URL = REDIS_URL
    settings.RECENT_SECONDS = 3600  # only the shared generation can make it forget
    elsewhere = HeldTokens(shared=SharedGeneration(REDIS_URL))
    issued = services.create_token(membership=world.acme.members["store"], name="sync")
    assert services.authenticate_token(secret=issued.secret, held=elsewhere) is not None
    assert services.authenticate_token(secret=issued.secret, held=elsewhere) is not None  # held
    with django_capture_on_commit_callbacks(execute=True):
        services.revoke_token(user=world.acme.user("store"), token_id=issued.token.pk)
    assert services.authenticate_token(secret=issued.secret, held=elsewhere) is None


@pytest.mark.redis
def test_with_redis_a_role_change_reaches_every_process_at_once(
    world, settings, django_capture_on_commit_callbacks
):
    settings.REDIS_URL = REDIS_URL
    settings.RECENT_SECONDS = 3600
    elsewhere = HeldTokens(shared=SharedGeneration(REDIS_URL))
    membership = world.acme.members["regional"]
    issued = services.create_token(membership=membership, name="sync")
    assert (
        services.authenticate_token(secret=issued.secret, held=elsewhere).membership.role
        == "manager"
    )
    with django_capture_on_commit_callbacks(execute=True):
        tenancy_services.change_membership(
            actor=world.acme.scope("admin"), membership=membership, role="viewer"
        )
    held = services.authenticate_token(secret=issued.secret, held=elsewhere)
    assert held.membership.role == "viewer"
    with django_capture_on_commit_callbacks(execute=True):
        tenancy_services.revoke_membership(actor=world.acme.scope("admin"), membership=membership)
    assert services.authenticate_token(secret=issued.secret, held=elsewhere) is None


@pytest.mark.redis
def test_two_stores_on_redis_never_keep_what_changed_between_their_reads(db):
    """The counter is read before the database: a change that commits in between is noticed."""
    key = f"vx-test-{uuid.uuid4().hex[:12]}"
    mine, theirs = (HeldTokens(shared=SharedGeneration(REDIS_URL, key)) for _ in range(2))
    seen = theirs.generation()
    mine.shared().advance()  # a change commits after their read of the counter...
    theirs.remember("digest", "token as read", seen)  # ...and before they store what they read
    assert theirs.recall("digest") is None
    theirs.remember("digest", "token read again", theirs.generation())
    assert theirs.recall("digest") == "token read again"


def test_an_unreachable_redis_falls_back_to_recent_seconds(db, caplog):
    shared = SharedGeneration("redis://127.0.0.1:1/0")
    store = HeldTokens(shared=shared)
    assert store.generation() is None
    store.remember("digest", "token", store.generation())
    assert store.recall("digest") == "token"
    shared.advance()  # does not raise
    assert "Redis unreachable" in caplog.text
