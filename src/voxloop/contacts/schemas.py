"""What the contacts API accepts and returns."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from ninja import Field, Schema

from voxloop.api.schemas import CursorPageQuery, Id, Input, ListQuery, Name, NoNul, Page, PatchInput
from voxloop.tenancy.schemas import UnitRef

MAX_BATCH = 1000
NpsGroup = Literal["promoter", "passive", "detractor", ""]
CustomerStatusName = Literal["active", "churned"]
ConsentChannel = Literal["email", "sms"]
ContactOrdering = Literal["id", "-id", "last_name", "-last_name", "created_at", "-created_at"]
NamedOrdering = Literal["name", "-name", "id", "-id", "created_at", "-created_at"]


class ContactOut(Schema):
    id: int
    external_id: str
    first_name: str
    last_name: str
    email: str
    phone: str
    locale: str
    timezone: str
    unit_id: int = Field(..., alias="home_unit_id")
    account_id: int | None
    attributes: dict[str, Any]
    consent_email: bool
    consent_sms: bool
    unsubscribed_at: datetime | None
    email_invalid: bool
    phone_invalid: bool
    last_response_at: datetime | None
    last_nps_group: NpsGroup
    status: CustomerStatusName
    churned_at: datetime | None
    customer_since: date | None


class ContactPage(Page):
    items: list[ContactOut]


class ContactFilters(CursorPageQuery):
    q: str = Field("", max_length=200, description="Email, external id or last name.")
    segment: Id | None = Field(None, description="Only members of this segment.")
    ordering: ContactOrdering | None = None


class ContactBatch(Input, NoNul):
    contacts: list[dict[str, Any]] = Field(..., min_length=1, max_length=MAX_BATCH)


class RowErrorOut(Schema):
    line: int
    column: str
    message: str


class ImportOut(Schema):
    rows: int
    created: int
    updated: int
    failed: int
    errors: list[RowErrorOut]


class ConsentInput(Input):
    channel: ConsentChannel
    allowed: bool


class InteractionTypeIn(Input, NoNul):
    key: str = Field(..., min_length=1, max_length=60)
    name: Name
    unit_code: str | None = Field(
        None,
        max_length=64,
        description="The owner, whose subtree the type applies to; default your own unit.",
    )


class InteractionTypePatch(Input, NoNul):
    name: Name | None = None
    archived: bool | None = Field(
        None, description="Archived types take no new events or triggers; history is kept."
    )


class InteractionTypeOut(Schema):
    id: int
    key: str
    name: str
    unit: UnitRef
    archived_at: datetime | None


class InteractionBatch(Input, NoNul):
    interactions: list[dict[str, Any]] = Field(..., min_length=1, max_length=MAX_BATCH)


class InteractionReportOut(Schema):
    rows: int
    created: int
    duplicates: int
    failed: int
    errors: list[RowErrorOut]


class SegmentIn(Input, NoNul):
    name: Name
    unit_code: str | None = Field(None, max_length=64, description="Owner; default your unit.")
    filters: list[dict[str, Any]] | dict[str, Any] = Field(
        default_factory=list,
        description='{"match": "all"|"any", "items": [{field, op, value} or a nested group]}; '
        "a plain list means all of them.",
    )


class SegmentPatch(PatchInput, NoNul):
    name: Name | None = None
    unit_code: str | None = Field(None, max_length=64, description="A new owner in your subtree.")
    filters: list[dict[str, Any]] | dict[str, Any] | None = None


class SegmentOut(Schema):
    id: int
    name: str
    unit_id: int
    filters: dict[str, Any]


class SegmentList(ListQuery):
    ordering: NamedOrdering | None = None


class InteractionTypeList(ListQuery):
    ordering: Literal["key", "-key", "name", "-name", "id", "-id"] | None = None


class StatusBatch(Input, NoNul):
    changes: list[dict[str, Any]] = Field(
        ...,
        min_length=1,
        max_length=MAX_BATCH,
        description="[{kind: contact|account, external_id, status: churned|active, at, reason}]",
    )


class StatusReportOut(Schema):
    rows: int
    recorded: int
    unchanged: int
    failed: int
    errors: list[RowErrorOut]
