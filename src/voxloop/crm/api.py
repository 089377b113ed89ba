"""CRM connectors over the API, for the admins of their subtree: the same services and
selectors as the pages; credentials are write-only."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from ninja import Router, Status

from voxloop.api.context import actor
from voxloop.api.schemas import Id
from voxloop.crm import selectors, services
from voxloop.crm.models import CrmConnector
from voxloop.crm.schemas import ActivityOut, ConnectorIn, ConnectorOut, ConnectorPatch, MappingIn
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.scoping import Capability

router = Router(tags=["crm"])


def _connector_out(request: HttpRequest, connector: CrmConnector) -> dict:
    return {
        "id": connector.pk,
        "name": connector.name,
        "kind": connector.kind,
        "unit_id": connector.unit_id,
        "unit_code": connector.unit.code,
        "base_url": connector.base_url,
        "webhook_url": settings.BASE_URL.rstrip("/")
        + reverse("crm:hook", args=[connector.hook_key]),
        "interval_minutes": connector.interval_minutes,
        "is_active": connector.is_active,
        "sync_contacts": connector.sync_contacts,
        "sync_accounts": connector.sync_accounts,
        "write_back": connector.write_back,
        "cases_to_tickets": connector.cases_to_tickets,
        "event_types": connector.event_types or {},
        "credentials_set": sorted(selectors.credential_hints(connector)),
        "authorised": selectors.is_authorised(connector),
        "last_synced_at": connector.last_synced_at,
        "last_error": connector.last_error,
        "fields": [
            {
                "record": m.record,
                "local_field": m.local_field,
                "remote_field": m.remote_field,
                "direction": m.direction,
                "rule": m.rule,
            }
            for m in selectors.mapping(connector)
        ],
    }


@router.get("/crm-connectors", response=list[ConnectorOut], url_name="crm_connectors")
def list_connectors(request: HttpRequest) -> list[dict]:
    return [_connector_out(request, c) for c in selectors.connectors(actor(request))]


@router.post("/crm-connectors", response={201: ConnectorOut}, url_name="crm_connector_create")
def create_connector(request: HttpRequest, payload: ConnectorIn) -> Status:
    """Connect a CRM or help desk. HubSpot and Salesforce are then authorised in the page
    (OAuth), unless a HubSpot private app's `access_token` is given."""
    scope = actor(request)
    scope.require(Capability.CONFIGURE)
    unit = tenancy_selectors.unit_named_by(scope, payload.unit_code, "unit_code")
    connector = services.create_connector(
        scope=scope,
        unit=unit,
        name=payload.name,
        kind=payload.kind,
        credentials=payload.credentials,
        base_url=payload.base_url,
        interval_minutes=payload.interval_minutes,
        event_types=payload.event_types,
        sync_accounts=payload.sync_accounts,
    )
    return Status(201, _connector_out(request, selectors.connector(scope, connector.pk)))


@router.get("/crm-connectors/{int:connector_id}", response=ConnectorOut, url_name="crm_connector")
def get_connector(request: HttpRequest, connector_id: Id) -> dict:
    return _connector_out(request, selectors.connector(actor(request), connector_id))


@router.patch(
    "/crm-connectors/{int:connector_id}", response=ConnectorOut, url_name="crm_connector_update"
)
def update_connector(request: HttpRequest, connector_id: Id, payload: ConnectorPatch) -> dict:
    scope = actor(request)
    connector = selectors.connector(scope, connector_id)
    services.update_connector(scope=scope, connector=connector, **payload.changes())
    return _connector_out(request, selectors.connector(scope, connector_id))


@router.put(
    "/crm-connectors/{int:connector_id}/fields",
    response=ConnectorOut,
    url_name="crm_connector_fields",
)
def set_fields(request: HttpRequest, connector_id: Id, payload: MappingIn) -> dict:
    """Replace the field mapping (each Voxloop field once per record kind)."""
    scope = actor(request)
    connector = selectors.connector(scope, connector_id)
    rows = [services.MappingRow(**row.model_dump()) for row in payload.fields]
    services.set_mapping(scope=scope, connector=connector, rows=rows)
    return _connector_out(request, selectors.connector(scope, connector_id))


@router.post(
    "/crm-connectors/{int:connector_id}/sync",
    response={202: None},
    url_name="crm_connector_sync",
)
def sync_now(request: HttpRequest, connector_id: Id) -> Status:
    scope = actor(request)
    services.sync_now(scope=scope, connector=selectors.connector(scope, connector_id))
    return Status(202, None)


@router.get(
    "/crm-connectors/{int:connector_id}/activity",
    response=list[ActivityOut],
    url_name="crm_connector_activity",
)
def activity(request: HttpRequest, connector_id: Id) -> list:
    """The newest 50 lines of the activity log, each with the records that failed."""
    return selectors.activity(selectors.connector(actor(request), connector_id))


@router.delete(
    "/crm-connectors/{int:connector_id}", response={204: None}, url_name="crm_connector_delete"
)
def disconnect(request: HttpRequest, connector_id: Id) -> Status:
    scope = actor(request)
    services.disconnect(scope=scope, connector=selectors.connector(scope, connector_id))
    return Status(204, None)
