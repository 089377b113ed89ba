"""Every health page and operation as each kind of member: the account's own store manager,
the sibling store's, the viewer, Acme's admin, another tenant's admin and a stranger. Account
records are found in the subtree only (elsewhere: 404), the model and personas are the
admins', figures are everyone's in the organisation. Changes roll back with each test."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import PASSWORD
from tests.health.support import build_book
from voxloop.contacts import services as contact_services
from voxloop.health import computing, services

pytestmark = pytest.mark.django_db
ACTORS = ("store", "sibling_store", "viewer", "admin", "other_admin", "anonymous")


def _row(store, sibling, viewer, admin, other, anonymous) -> dict[str, int]:
    return dict(zip(ACTORS, (store, sibling, viewer, admin, other, anonymous), strict=True))


# name → (method, path, body, expected status per actor)
HEALTH_MATRIX = {
    "health:at_risk": ("get", "/health/", None, _row(200, 200, 403, 200, 200, 302)),
    "health:account": (
        "get",
        "/health/accounts/{account}/",
        None,
        _row(200, 404, 403, 200, 404, 302),
    ),
    "health:model": ("get", "/health/model/", None, _row(403, 403, 403, 200, 200, 302)),
    "health:audiences": ("get", "/health/personas/", None, _row(403, 403, 403, 200, 200, 302)),
    "health:audience_delete": (
        "post",
        "/health/personas/{audience}/delete/",
        {},
        _row(403, 403, 403, 302, 404, 302),
    ),
    "api:health_accounts": (
        "get",
        "/api/v1/health/accounts",
        None,
        _row(200, 200, 403, 200, 200, 401),
    ),
    "api:health_account": (
        "get",
        "/api/v1/health/accounts/{account}",
        None,
        _row(200, 404, 403, 200, 404, 401),
    ),
    "api:health_summary": (
        "get",
        "/api/v1/health/summary",
        None,
        _row(200, 200, 200, 200, 200, 401),
    ),
    "api:health_model": ("get", "/api/v1/health/model", None, _row(403, 403, 403, 200, 200, 401)),
    "api:health_model_update": (
        "put",
        "/api/v1/health/model",
        {"name": "M", "signals": [{"kind": "nps", "weight": 1, "bad": -50, "good": 50}]},
        _row(403, 403, 403, 200, 200, 401),
    ),
    "api:health_audiences": (
        "get",
        "/api/v1/health/audiences",
        None,
        _row(200, 200, 200, 200, 200, 401),
    ),
    "api:health_audience_create": (
        "post",
        "/api/v1/health/audiences",
        {"kind": "tier", "name": "Gold", "segment_id": "{segment}"},
        _row(403, 403, 403, 201, 404, 401),
    ),
}


def _client(world, actor: str) -> Client:
    client = Client()
    if actor == "anonymous":
        return client
    org, name = (world.other, "admin") if actor == "other_admin" else (world.acme, actor)
    assert client.login(username=org.user(name).username, password=PASSWORD)
    return client


@pytest.mark.parametrize("name", sorted(HEALTH_MATRIX))
def test_health_matrix(world, name):
    acme = world.acme
    book = build_book(acme, "A")
    admin = acme.scope("admin")
    services.model_of(organization_id=acme.root.organization_id)
    computing.compute(organization_id=acme.root.organization_id)
    segment = contact_services.save_segment(actor=admin, unit=acme.root, name="All", filters=[])
    audience = services.save_audience(
        actor=admin, kind="persona", name="All", segment_id=segment.pk
    )
    values = {"account": book.accounts["mine"].pk, "audience": audience.pk, "segment": segment.pk}
    method, path, body, expected = HEALTH_MATRIX[name]
    url = path.format(**values)
    if body and "segment_id" in body:
        body = {**body, "segment_id": segment.pk}
    got = {}
    for actor in ACTORS:
        client = _client(world, actor)
        if method == "get":
            response = client.get(url)
        elif url.startswith("/api/"):
            import json

            call = getattr(client, method)
            response = call(url, data=json.dumps(body), content_type="application/json")
        else:
            response = client.post(url, body or {})
        got[actor] = response.status_code
    assert got == expected
