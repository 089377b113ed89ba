"""Helpers of the CRM tests: connectors and interaction types made through the services, and
webhooks signed the way each provider signs them."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.test import Client

from tests.factories import Org
from voxloop.contacts import services as contact_services
from voxloop.crm import services
from voxloop.crm.models import CrmConnector

ZENDESK_SECRET = "zd-signing-secret"
HUBSPOT_SECRET = "hs-secret"


def interaction_type(org: Org, key: str, unit_key: str = "root") -> None:
    contact_services.define_interaction_type(
        actor=org.system, unit=org.units[unit_key], key=key, name=key.replace("_", " ").title()
    )


def make_connector(
    org: Org,
    kind: str,
    base_url: str,
    credentials: dict[str, str],
    unit_key: str = "root",
    event_types: dict[str, str] | None = None,
    **fields: Any,
) -> CrmConnector:
    return services.create_connector(
        scope=org.scope("admin"),
        unit=org.units[unit_key],
        name=fields.pop("name", f"{kind} connector"),
        kind=kind,
        credentials=credentials,
        base_url=base_url,
        event_types=event_types or {},
        **fields,
    )


def zendesk_event(ticket: int, requester: int, event_id: str, status: str = "SOLVED") -> bytes:
    """A Zendesk event-subscription webhook (zen:event-type:ticket.status_changed)."""
    return json.dumps(
        {
            "type": "zen:event-type:ticket.status_changed",
            "account_id": 10001,
            "id": event_id,
            "time": "2026-11-02T09:00:00Z",
            "zendesk_event_version": "2022-11-06",
            "subject": f"zen:ticket:{ticket}",
            "detail": {
                "id": str(ticket),
                "requester_id": str(requester),
                "assignee_id": "42",
                "status": status,
                "subject": "Router will not start",
                "priority": "HIGH",
            },
            "event": {"current": status, "previous": "OPEN"},
        }
    ).encode()


def zendesk_headers(
    body: bytes, secret: str = ZENDESK_SECRET, when: datetime | None = None
) -> dict:
    stamp = (when or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    mac = hmac.new(secret.encode(), stamp.encode() + body, hashlib.sha256).digest()
    return {
        "HTTP_X_ZENDESK_WEBHOOK_SIGNATURE": base64.b64encode(mac).decode(),
        "HTTP_X_ZENDESK_WEBHOOK_SIGNATURE_TIMESTAMP": stamp,
    }


def hubspot_headers(
    url: str, body: bytes, secret: str = HUBSPOT_SECRET, ms: int | None = None
) -> dict:
    stamp = str(ms if ms is not None else int(datetime.now(UTC).timestamp() * 1000))
    signed = f"POST{url}".encode() + body + stamp.encode()
    mac = hmac.new(secret.encode(), signed, hashlib.sha256).digest()
    return {
        "HTTP_X_HUBSPOT_SIGNATURE_V3": base64.b64encode(mac).decode(),
        "HTTP_X_HUBSPOT_REQUEST_TIMESTAMP": stamp,
    }


def post_hook(
    connector: CrmConnector, body: bytes, headers: dict, content_type: str = "application/json"
):
    return Client().post(
        f"/crm/hooks/{connector.hook_key}/", body, content_type=content_type, **headers
    )


def hook_url(connector: CrmConnector) -> str:
    """What HubSpot signs: the address Voxloop is known by (VOXLOOP_BASE_URL)."""
    return f"{settings.BASE_URL.rstrip('/')}/crm/hooks/{connector.hook_key}/"
