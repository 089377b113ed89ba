"""The sign-in middleware reads its rules from a cache, one read per request, and a change of
policy reaches a signed-in session on its very next request."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import PASSWORD
from voxloop.identity import services

pytestmark = pytest.mark.django_db


def _identity_queries(client: Client) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    return [q["sql"] for q in queries if "identity_" in q["sql"]]


def test_rules_are_cached_until_the_policy_changes(world):
    admin = world.acme.scope("admin")
    services.save_policy(actor=admin, fields={"two_factor_required": False})
    manager = Client()
    manager.post(
        "/accounts/login/", {"username": world.acme.user("store").username, "password": PASSWORD}
    )
    assert _identity_queries(manager)  # the first request reads the rules...
    assert _identity_queries(manager) == []  # ...the next ones do not
    services.save_policy(
        actor=admin, fields={"two_factor_required": True, "two_factor_roles": "manager"}
    )
    held = manager.get("/")
    assert held.status_code == 302 and held["Location"] == "/identity/two-factor/"
    # Another organisation's change leaves Acme's cached rules alone.
    services.save_policy(actor=world.other.scope("admin"), fields={"two_factor_required": True})
    analyst = Client()
    analyst.post(
        "/accounts/login/", {"username": world.acme.user("analyst").username, "password": PASSWORD}
    )
    assert _identity_queries(analyst)
    services.save_policy(actor=world.other.scope("admin"), fields={"two_factor_required": False})
    assert _identity_queries(analyst) == []
