"""The SCIM endpoints as an independent checker sees them: scim2-tester (PyPI) drives them
through scim2-client's WSGI engine, in process, and no check may fail."""

from __future__ import annotations

import pytest
from django.core.handlers.wsgi import WSGIHandler
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


def test_scim2_tester_finds_no_error(world, settings):
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
