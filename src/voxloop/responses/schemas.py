"""What the responses API accepts and returns."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from voxloop.api.schemas import CursorPageQuery, Id, ListQuery, Moment, Page
from voxloop.responses.models import Channel, Device, NpsGroup, Origin
from voxloop.textanalytics.schemas import StoredAnalysis


class ResponseCreate(Schema):
    """One response from a kiosk, an IVR system or an import of historical data."""

    model_config = ConfigDict(extra="forbid")

    survey_id: Id
    answers: dict[str, Any] = Field(..., description="Question key → answer.")
    complete: bool = True
    unit_code: str | None = Field(None, max_length=64)
    staff_code: str | None = Field(None, max_length=64)
    contact_external_id: str | None = Field(None, max_length=100)
    channel: Channel = Field(
        Channel.API,
        description="`api` for answers a person enters (admins: `import` too); a registered "
        "kiosk's token posts as the kiosk's channel.",
    )
    device: Device = Device.UNKNOWN
    locale: str = Field("", max_length=10)
    submitted_at: Moment | None = Field(
        None, description="When it was given; imports of historical data only."
    )


class ResponseFilters(CursorPageQuery):
    survey: Id | None = None
    unit: str | None = Field(None, max_length=64, description="A unit code: it and below.")
    since: Moment | None = None
    until: Moment | None = None
    nps_group: NpsGroup | None = None
    origin: Origin | None = Field(
        None, description="`respondent`, or `staff` for answers entered by staff."
    )


class ResponseOut(Schema):
    id: int
    survey_id: int
    unit_id: int | None
    unit_code: str | None
    staff_code: str | None
    contact_id: int | None
    contact_external_id: str | None
    contact_snapshot: dict[str, Any]
    channel: Channel
    device: Device
    locale: str
    origin: Origin = Field(description="`respondent`, or `staff`: entered by a member of staff.")
    is_complete: bool
    answers: dict[str, Any]
    nps: int | None
    nps_group: NpsGroup | None
    csat: int | None
    ces: int | None
    started_at: datetime
    submitted_at: datetime | None
    text: list[StoredAnalysis] = Field(
        default_factory=list, description="Sentiment, themes and more found in its comments."
    )


class ResponsePage(Page):
    items: list[ResponseOut]


class KioskCreate(Schema):
    """A capture device for a unit: a kiosk tablet, or an IVR system (`channel: "ivr"`)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(..., min_length=1, max_length=100)
    unit_code: str | None = Field(None, max_length=64, description="Default: your own unit.")
    channel: Literal["kiosk", "ivr"] = "kiosk"


class KioskOut(Schema):
    id: int
    name: str
    unit_id: int
    unit_code: str | None
    channel: Literal["kiosk", "ivr"]
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class KioskIssued(KioskOut):
    secret: str = Field(description="The kiosk's bearer token, shown once.")


class ImportRowError(Schema):
    line: int = Field(description="The row's line (or position) in the file.")
    response: str = Field(description="The response's id in the file, when it has one.")
    error: str


class ResponseImportOut(Schema):
    rows: int
    imported: int
    already_imported: int = Field(description="Rows whose response id was imported before.")
    skipped: int = Field(description="Unfinished responses, which are not imported.")
    refused: int
    errors: list[ImportRowError]
    unmatched_columns: list[str] = Field(description="Columns that match no question.")


class KioskList(ListQuery):
    ordering: Literal["name", "-name", "id", "-id", "created_at", "-created_at"] | None = None
