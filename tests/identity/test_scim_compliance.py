"""The SCIM endpoints as an independent checker sees them: scim2-tester (PyPI) drives them
through scim2-client's WSGI engine, in process, and no check may fail."""

from __future__ import annotations

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from scim2_client.engines.wsgi import WSGISCIMClient
from scim2_tester import Status, check_server

from voxloop.identity import services

pytestmark = pytest.mark.django_db
FAILED = {Status.DEVIATION, Status.ERROR, Status.CRITICAL}
# Deliberate departures, each with its reason (docs/identity.md):
ACCEPTED = {
    # `active` decides access and is always returned; removing it deactivates the person.
    ("check_remove_attribute", "'active'"),
    # Group members must be users of the organisation: made-up member ids are refused (400)
    # rather than stored, so the tester's random members cannot come back.
    ("check_add_attribute", "'members'"),
    ("check_replace_attribute", "'members'"),
}


def _accepted(result) -> bool:
    return any(result.title == t and text in (result.reason or "") for t, text in ACCEPTED)


@pytest.fixture
def connection_kept_open():
    """Django's own test client keeps the test's connection across requests; a bare
    WSGIHandler would close it after each one (inside the test's transaction on PostgreSQL)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_scim2_tester_finds_no_error(world, settings, connection_kept_open):
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    secret = services.create_scim_token(actor=world.acme.scope("admin"), name="tester").secret
    client = WSGISCIMClient(
        WSGIHandler(),
        base_url="http://localhost/scim/v2",
        headers={"Authorization": f"Bearer {secret}"},
    )
    client.discover()
    results = check_server(client)
    failures = [r for r in results if r.status in FAILED and not _accepted(r)]
    assert results and not failures, "\n".join(repr(r) for r in failures)
