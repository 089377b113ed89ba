"""Who may call each CRM operation and open each CRM page: every actor × every one, against
a Zendesk connector at Acme's country c1. Connectors are for the admins of their subtree: a
country admin of c1 reaches it, the other organisation's admin and every other role find
nothing (404) or are refused (403). Changes roll back after each request. The public webhook
receiver (/crm/hooks/<key>/) answers 404 to an unknown key and 401 without a signature."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.api.support import MEMBER_ACTORS as MEMBERS
from tests.matrix_check import check_api, check_page, operations_of
from tests.privacy.support import built_once
from voxloop.crm import services
from voxloop.crm.api import router as crm_router

ACTORS = (*MEMBERS, "loner", "anonymous")


def _admins(ok, signed_out, other_admin=404) -> dict:
    row = dict.fromkeys(MEMBERS, 403)
    row.update(admin=ok, country_admin=ok, other_admin=other_admin, loner=403, anonymous=signed_out)
    return row


API = {
    "api:crm_connectors": ("get", "/crm-connectors", None, _admins(200, 401, 200)),
    "api:crm_connector_create": (
        "post",
        "/crm-connectors",
        {"name": "Desk", "kind": "hubspot"},
        _admins(201, 401, 201),
    ),
    "api:crm_connector": ("get", "/crm-connectors/{connector}", None, _admins(200, 401)),
    "api:crm_connector_update": (
        "patch",
        "/crm-connectors/{connector}",
        {"name": "Renamed"},
        _admins(200, 401),
    ),
    "api:crm_connector_fields": (
        "put",
        "/crm-connectors/{connector}/fields",
        {"fields": [{"record": "contact", "local_field": "email", "remote_field": "email"}]},
        _admins(200, 401),
    ),
    "api:crm_connector_sync": ("post", "/crm-connectors/{connector}/sync", None, _admins(202, 401)),
    "api:crm_connector_activity": (
        "get",
        "/crm-connectors/{connector}/activity",
        None,
        _admins(200, 401),
    ),
    "api:crm_connector_delete": ("delete", "/crm-connectors/{connector}", None, _admins(204, 401)),
}
SETTINGS_FORM = {
    "name": "Renamed",
    "base_url": "https://acme.zendesk.example",
    "interval_minutes": 60,
    "is_active": "on",
}
MAPPING_FORM = {
    "map-TOTAL_FORMS": "1",
    "map-INITIAL_FORMS": "0",
    "map-0-record": "contact",
    "map-0-local_field": "email",
    "map-0-remote_field": "email",
    "map-0-direction": "both",
    "map-0-rule": "newest",
}
PAGES = {
    "crm:connectors": ("GET", "/crm/", None, _admins(200, "login", 200)),
    "crm:connector": ("POST", "/crm/{connector}/", SETTINGS_FORM, _admins(302, "login")),
    "crm:mapping": ("POST", "/crm/{connector}/fields/", MAPPING_FORM, _admins(302, "login")),
    "crm:sync": ("POST", "/crm/{connector}/sync/", {}, _admins(302, "login")),
    "crm:authorise": ("POST", "/crm/{connector}/authorise/", {}, _admins(302, "login")),
    "crm:disconnect": ("POST", "/crm/{connector}/disconnect/", {}, _admins(200, "login")),
    # Without a state the callback sends the admin back to the list with the reason.
    "crm:oauth_callback": ("GET", "/crm/oauth/callback/", None, _admins(302, "login", 302)),
}
CRM_API_MATRIX = {name: row for name, (_, _, _, row) in API.items()}
CRM_PAGE_MATRIX = {name: row for name, (_, _, _, row) in PAGES.items()}


def _make(world) -> dict:
    acme = world.acme
    connector = services.create_connector(
        scope=acme.scope("admin"),
        unit=acme.units["c1"],
        name="Desk",
        kind="zendesk",
        base_url="https://acme.zendesk.example",
        credentials={"email": "a@acme.test", "api_token": "t", "signing_secret": "s"},
    )
    return {"connector": connector.pk, "key": connector.hook_key}


built = built_once(_make)


@pytest.mark.parametrize("name", sorted(API))
def test_crm_api_matrix(world, made, name):
    """Every representative actor on this one (see tests/matrix_check.py)."""

    method, path, body, row = API[name]
    check_api(world, name, ACTORS, row, method=method, path=path.format(**made), body=body)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_crm_page_matrix(world, made, name):
    """Every representative actor on this one (see tests/matrix_check.py)."""

    method, path, data, row = PAGES[name]
    check_page(world, name, ACTORS, row, method=method, path=path.format(**made), data=data)


def test_the_webhook_receiver_is_public_but_signed(world, made):
    client = Client()
    assert (
        client.post("/crm/hooks/not-a-key/", b"{}", content_type="application/json").status_code
        == 404
    )
    signed_out = client.post(f"/crm/hooks/{made['key']}/", b"{}", content_type="application/json")
    assert signed_out.status_code == 401
    assert client.get(f"/crm/hooks/{made['key']}/").status_code == 405


def test_matrix_covers_every_crm_operation():
    operations = operations_of(crm_router)
    assert set(CRM_API_MATRIX) == operations
