"""What the CRM connector API accepts and returns."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Field, Schema

from voxloop.api.schemas import Input, PatchInput

CrmKindName = Literal["salesforce", "hubspot", "zendesk", "freshdesk"]
RecordName = Literal["contact", "account"]
DirectionName = Literal["both", "in", "out"]
RuleName = Literal["newest", "crm"]


class ConnectorIn(Input):
    name: str = Field(..., max_length=200)
    kind: CrmKindName
    unit_code: str | None = Field(None, max_length=64, description="Default: your own unit.")
    credentials: dict[str, str] = Field(
        default_factory=dict,
        description="Write-only: email, api_token, signing_secret (Zendesk); api_key, "
        "webhook_secret (Freshdesk); client_id, client_secret (HubSpot, Salesforce; then "
        "authorise in the page), access_token (a HubSpot private app), organization_id "
        "(Salesforce).",
    )
    base_url: str = Field("", max_length=500)
    interval_minutes: int = Field(60, ge=15, le=10080)
    event_types: dict[str, str] = Field(
        default_factory=dict, description="Event kind → interaction type key."
    )
    sync_accounts: bool = False


class ConnectorPatch(PatchInput):
    name: str | None = Field(None, max_length=200)
    credentials: dict[str, str] | None = None
    base_url: str | None = Field(None, max_length=500)
    interval_minutes: int | None = Field(None, ge=15, le=10080)
    event_types: dict[str, str] | None = None
    is_active: bool | None = None
    sync_contacts: bool | None = None
    sync_accounts: bool | None = None
    write_back: bool | None = None
    cases_to_tickets: bool | None = None


class MappingRowIO(Input):
    record: RecordName
    local_field: str = Field(..., max_length=80)
    remote_field: str = Field(..., max_length=120)
    direction: DirectionName = "both"
    rule: RuleName = "newest"


class MappingIn(Input):
    fields: list[MappingRowIO] = Field(..., max_length=200)


class ConnectorOut(Schema):
    id: int
    name: str
    kind: CrmKindName
    unit_id: int
    unit_code: str
    base_url: str
    webhook_url: str = Field(..., description="Give this address to the CRM's webhooks.")
    interval_minutes: int
    is_active: bool
    sync_contacts: bool
    sync_accounts: bool
    write_back: bool
    cases_to_tickets: bool
    event_types: dict[str, str]
    credentials_set: list[str] = Field(..., description="Which credentials are stored.")
    authorised: bool
    last_synced_at: datetime | None
    last_error: str
    fields: list[MappingRowIO]


class ProblemOut(Schema):
    record: str
    message: str


class ActivityOut(Schema):
    id: int
    kind: Literal["sync", "webhook", "write_back", "connect"]
    ok: bool
    summary: str
    counts: dict[str, int]
    problems: list[ProblemOut]
    at: datetime
