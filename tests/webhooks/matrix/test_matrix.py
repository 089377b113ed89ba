"""Who may call each webhooks operation and open each webhooks page: every actor × every one,
against a subscription at Acme's region c1r1 with one delivery. Admins manage the
subscriptions of their subtree; another tenant's admin finds nothing (404); every other role
is refused before any lookup (403). Each request's changes roll back to the module's world."""

from __future__ import annotations

import pytest

from tests.api.support import MEMBER_ACTORS as MEMBERS
from tests.matrix_check import check_api, check_page, operations_of
from tests.privacy.support import built_once
from voxloop.webhooks import services
from voxloop.webhooks.api import router as webhooks_router

ACTORS = (*MEMBERS, "loner", "anonymous")
HOOK = "https://hooks.example.test/voxloop"


def _row(admins, signed_out, other_admin=404) -> dict:
    row = dict.fromkeys(MEMBERS, 403)
    row.update(admin=admins, country_admin=admins, other_admin=other_admin)
    row.update(loner=403, anonymous=signed_out)
    return row


API = {
    "api:webhook_events": ("get", "/webhooks/events", None, _row(200, 401, 200)),
    "api:webhooks": ("get", "/webhooks", None, _row(200, 401, 200)),
    "api:webhook_create": (
        "post",
        "/webhooks",
        {"name": "CRM", "unit_code": "AC1R1S1", "url": HOOK, "events": ["case.opened"]},
        _row(201, 401),
    ),
    "api:webhook": ("get", "/webhooks/{sub}", None, _row(200, 401)),
    "api:webhook_update": ("patch", "/webhooks/{sub}", {"name": "Renamed"}, _row(200, 401)),
    "api:webhook_delete": ("delete", "/webhooks/{sub}", None, _row(204, 401)),
    "api:webhook_rotate": ("post", "/webhooks/{sub}/rotate-secret", None, _row(200, 401)),
    "api:webhook_deliveries": ("get", "/webhooks/{sub}/deliveries", None, _row(200, 401)),
    "api:webhook_replay": ("post", "/webhooks/deliveries/{delivery}/replay", None, _row(202, 401)),
}
FORM = {
    "name": "CRM",
    "unit_code": "AC1R1S1",
    "destination": "webhook",
    "url": HOOK,
    "events": ["case.opened"],
    "language": "en",
    "is_active": "on",
}
PAGES = {
    "webhooks:list": ("GET", "/webhooks/", None, _row(200, "login", 200)),
    "webhooks:new": ("POST", "/webhooks/new/", FORM, _row(302, "login", 400)),
    "webhooks:detail": ("GET", "/webhooks/{sub}/", None, _row(200, "login")),
    "webhooks:rotate": ("POST", "/webhooks/{sub}/rotate/", {}, _row(302, "login")),
    "webhooks:delete": ("POST", "/webhooks/{sub}/delete/", {}, _row(302, "login")),
    "webhooks:replay": ("POST", "/webhooks/deliveries/{delivery}/replay/", {}, _row(302, "login")),
}
WEBHOOKS_API_MATRIX = {name: row for name, (_, _, _, row) in API.items()}
WEBHOOKS_PAGE_MATRIX = {name: row for name, (_, _, _, row) in PAGES.items()}


def _make(world) -> dict:
    acme = world.acme
    subscription, _secret = services.create_subscription(
        actor=acme.scope("admin"),
        unit=acme.units["c1r1"],
        name="Region hook",
        url=HOOK,
        events=["response.completed"],
    )
    [delivery] = services.publish(
        organization_id=acme.root.organization_id,
        unit_path=acme.units["c1r1s1"].path,
        event_type="response.completed",
        key="1",
        data={},
    )
    return {"sub": subscription.pk, "delivery": delivery}


built = built_once(_make)


@pytest.mark.parametrize("name", sorted(API))
def test_webhooks_api_matrix(world, made, name):
    """Every representative actor on this one (see tests/matrix_check.py)."""

    method, path, body, row = API[name]
    check_api(world, name, ACTORS, row, method=method, path=path.format(**made), body=body)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_webhooks_page_matrix(world, made, name):
    """Every representative actor on this one (see tests/matrix_check.py)."""

    method, path, data, row = PAGES[name]
    check_page(world, name, ACTORS, row, method=method, path=path.format(**made), data=data)


def test_matrix_covers_every_webhooks_operation():
    operations = operations_of(webhooks_router)
    assert set(WEBHOOKS_API_MATRIX) == operations
