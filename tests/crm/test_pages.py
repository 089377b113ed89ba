"""The admin's CRM pages and API: connect with a form (no JSON), the detail page with the
webhook address, events as selects, the mapping as rows of selects and the activity log
with every failed record; bad input is a 400 naming the field; disconnecting asks first and
says what happens; every change is audited and no secret is shown back or logged."""

from __future__ import annotations

from django.test import Client

from tests.crm.support import interaction_type, make_connector
from tests.surveys.api_client import ApiClient
from voxloop.crm import runtime
from voxloop.crm.models import CrmConnector, FieldMapping
from voxloop.tenancy.models import AuditEntry


def _admin(world) -> Client:
    client = Client()
    client.force_login(world.acme.user("admin"))
    return client


def test_connect_configure_and_read_the_activity_log(world):
    interaction_type(world.acme, "ticket_solved")
    browser = _admin(world)
    form = {
        "name": "Support desk",
        "kind": "zendesk",
        "unit_code": "AC1",
        "base_url": "https://acme.zendesk.example",
        "interval_minutes": "60",
        "cred_email": "agent@acme.test",
        "cred_api_token": "zd-secret-token-123",
        "cred_signing_secret": "whsec-abc-987",
    }
    assert browser.post("/crm/", {**form, "base_url": ""}).status_code == 400  # Zendesk needs it
    created = browser.post("/crm/", form)
    connector = CrmConnector.objects.get(name="Support desk")
    assert created.status_code == 302 and created["Location"] == f"/crm/{connector.pk}/"
    assert connector.unit == world.acme.units["c1"]
    assert {m.local_field for m in FieldMapping.objects.filter(connector=connector)} == {
        "email",
        "name",
        "phone",
    }
    runtime.log(
        connector,
        "sync",
        "Sync: 1 created",
        ok=False,
        problems=[{"record": "contact 3", "message": "unit: <b>outside</b>"}],
    )
    page = browser.get(f"/crm/{connector.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert f"/crm/hooks/{connector.hook_key}/" in html
    assert 'name="event_ticket_solved"' in html and '<option value="ticket_solved"' in html
    assert 'name="map-0-local_field"' in html and "<select" in html
    assert "contact 3: unit: &lt;b&gt;outside&lt;/b&gt;" in html  # escaped
    assert "zd-secret-token-123" not in html and "Stored: …-123" in html  # a hint, never it

    saved = browser.post(
        f"/crm/{connector.pk}/",
        {
            "name": "Support desk",
            "base_url": "https://acme.zendesk.example",
            "interval_minutes": "30",
            "is_active": "on",
            "sync_contacts": "on",
            "write_back": "on",
            "event_ticket_solved": "ticket_solved",
        },
    )
    assert saved.status_code == 302
    connector.refresh_from_db()
    assert connector.event_types == {"ticket_solved": "ticket_solved"}
    assert connector.interval_minutes == 30 and not connector.cases_to_tickets

    bad = browser.post(
        f"/crm/{connector.pk}/fields/",
        {
            "map-TOTAL_FORMS": "2",
            "map-INITIAL_FORMS": "0",
            "map-0-record": "contact",
            "map-0-local_field": "email",
            "map-0-remote_field": "email",
            "map-0-direction": "both",
            "map-0-rule": "newest",
            "map-1-record": "contact",
            "map-1-local_field": "email",
            "map-1-remote_field": "secondary_email",
            "map-1-direction": "in",
            "map-1-rule": "crm",
        },
    )
    assert bad.status_code == 400 and "email is mapped twice" in bad.content.decode()
    assert FieldMapping.objects.filter(connector=connector).count() == 4  # unchanged

    asked = browser.post(f"/crm/{connector.pk}/disconnect/")
    assert asked.status_code == 200 and "stay in Voxloop" in asked.content.decode()
    assert CrmConnector.objects.filter(pk=connector.pk).exists()
    gone = browser.post(f"/crm/{connector.pk}/disconnect/", {"confirmed": "yes"})
    assert gone.status_code == 302 and not CrmConnector.objects.filter(pk=connector.pk).exists()
    actions = set(
        AuditEntry.objects.filter(action__startswith="crm.").values_list("action", flat=True)
    )
    assert actions >= {"crm.connector.create", "crm.connector.update", "crm.connector.delete"}
    logged = " ".join(str(e.changes) for e in AuditEntry.objects.filter(action__startswith="crm."))
    assert "zd-secret-token-123" not in logged


def test_pages_refuse_csrf_less_posts(world):
    connector = make_connector(
        world.acme, "freshdesk", "https://acme.freshdesk.example", {"api_key": "k"}
    )
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.acme.user("admin"))
    assert browser.post(f"/crm/{connector.pk}/sync/").status_code == 403


def test_the_api_names_the_field_at_fault(world):
    api = ApiClient(membership=world.acme.members["admin"])
    unknown = api.call("post", "/crm-connectors", {"name": "X", "kind": "pipedrive"})
    assert unknown.status_code == 422
    missing = api.call("post", "/crm-connectors", {"name": "X", "kind": "freshdesk"})
    assert missing.status_code == 400 and missing.json()["error"]["field"] == "base_url"
    made = api.call(
        "post",
        "/crm-connectors",
        {"name": "HS", "kind": "hubspot", "credentials": {"client_id": "c", "client_secret": "s"}},
    )
    assert made.status_code == 201
    body = made.json()
    assert body["credentials_set"] == ["client_id", "client_secret"] and not body["authorised"]
    assert "s" not in body.get("credentials", {})
    bad_field = api.call(
        "put",
        f"/crm-connectors/{body['id']}/fields",
        {"fields": [{"record": "contact", "local_field": "password", "remote_field": "x"}]},
    )
    assert bad_field.status_code == 400 and bad_field.json()["error"]["field"] == "local_field"
    other = ApiClient(membership=world.other.members["admin"])
    assert other.call("get", f"/crm-connectors/{body['id']}", None).status_code == 404
    sibling = ApiClient(membership=world.acme.members["country_admin"])
    assert sibling.call("get", f"/crm-connectors/{body['id']}", None).status_code == 404
