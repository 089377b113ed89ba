"""An API caller for every kind of actor the matrix tries: each role at each level, another
tenant's admin, a user with no membership, nobody, and a wrong or revoked token."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import World, make_member
from voxloop.accounts import services as account_services
from voxloop.tenancy.models import Membership
from voxloop.tenancy.services import add_staff

MEMBER_ACTORS = (
    "admin",
    "country_admin",
    "regional",
    "store",
    "sibling_store",
    "agent",
    "viewer",
    "analyst",
    "director",
    "other_admin",
)
ACTORS = (*MEMBER_ACTORS, "loner", "anonymous", "wrong_token", "revoked_token")
WRONG_SECRET = "vxl_0123456789ab_not-a-real-secret-at-all"


@dataclass
class ApiWorld:
    """The shared `world`, a bearer secret per member actor and a session for the loner."""

    world: World
    secrets: dict[str, str] = field(default_factory=dict)
    clients: dict[str, Client] = field(default_factory=dict)

    def membership(self, actor: str) -> Membership:
        if actor == "other_admin":
            return self.world.other.members["admin"]
        return self.world.acme.members[actor]

    def client(self, actor: str) -> Client:
        if actor not in self.clients:
            client = Client()
            if actor == "loner":
                client.force_login(self.world.loner)
            self.clients[actor] = client
        return self.clients[actor]

    def headers(self, actor: str) -> dict[str, str]:
        secret = self.secrets.get(actor)
        if actor == "wrong_token":
            secret = WRONG_SECRET
        return {"authorization": f"Bearer {secret}"} if secret else {}

    def session_call(self, actor: str, method: str, path: str, body: Any = None):
        """One request as the actor signed in with a browser session instead of a token."""
        client = Client()
        client.force_login(self.membership(actor).user)
        data = json.dumps(body) if body is not None else ""
        return client.generic(method, path, data=data, content_type="application/json")

    def call(self, actor: str, method: str, path: str, body: Any = None, raw: bytes | None = None):
        """One request as the actor; `raw` sends bytes as they are (for malformed bodies)."""
        data = raw if raw is not None else (json.dumps(body) if body is not None else "")
        return self.client(actor).generic(
            method, path, data=data, content_type="application/json", headers=self.headers(actor)
        )


def url(name: str, **kwargs: Any) -> str:
    return reverse(f"api:{name}", kwargs=kwargs or None)


def issue_secret(membership: Membership, name: str = "matrix") -> str:
    return account_services.create_token(membership=membership, name=name).secret


@pytest.fixture
def api_world(world) -> ApiWorld:
    aw = ApiWorld(world=world)
    for actor in MEMBER_ACTORS:
        aw.secrets[actor] = issue_secret(aw.membership(actor))
    revoked = account_services.create_token(membership=world.acme.members["admin"], name="old")
    account_services.revoke_token(user=world.acme.user("admin"), token_id=revoked.token.pk)
    aw.secrets["revoked_token"] = revoked.secret
    # Someone in the second country, so people endpoints have a target there too.
    acme = world.acme
    acme.members["c2_store"] = make_member(
        acme.system, "a-c2-store", acme.units["c2r1s1"], "manager"
    )
    # A team lead at the region itself, so the region (the store's parent) is a target too.
    add_staff(actor=acme.system, unit=acme.units["c1r1"], name="Area coach 1.1", code="AC11")
    return aw


def error_field(response) -> str | None:
    return response.json()["error"]["field"]
