"""What the responses API accepts and returns."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema
from pydantic import ConfigDict

from voxloop.responses.models import Channel, Device, NpsGroup
from voxloop.textanalytics.schemas import StoredAnalysis

MAX_PAGE = 500
DEFAULT_PAGE = 50


class ResponseCreate(Schema):
    """One response from a kiosk, an IVR system or an import of historical data."""

    model_config = ConfigDict(extra="forbid")

    survey_id: int
    answers: dict[str, Any] = Field(..., description="Question key → answer.")
    complete: bool = True
    unit_code: str | None = Field(None, max_length=64)
    staff_code: str | None = Field(None, max_length=64)
    contact_external_id: str | None = Field(None, max_length=100)
    channel: Channel = Channel.API
    device: Device = Device.UNKNOWN
    locale: str = Field("", max_length=10)
    submitted_at: datetime | None = Field(
        None, description="When it was given; imports of historical data only."
    )


class ResponseFilters(Schema):
    survey: int | None = None
    unit: str | None = Field(None, max_length=64, description="A unit code: it and below.")
    since: datetime | None = None
    until: datetime | None = None
    nps_group: NpsGroup | None = None
    limit: int = Field(DEFAULT_PAGE, ge=1, le=MAX_PAGE)
    offset: int = Field(0, ge=0)


class ResponseOut(Schema):
    id: int
    survey_id: int
    unit_id: int | None
    unit_code: str | None
    staff_code: str | None
    contact_id: int | None
    contact_external_id: str | None
    contact_snapshot: dict[str, Any]
    channel: str
    device: str
    locale: str
    is_complete: bool
    answers: dict[str, Any]
    nps: int | None
    nps_group: str | None
    csat: int | None
    ces: int | None
    started_at: datetime
    submitted_at: datetime | None
    text: list[StoredAnalysis] = Field(
        default_factory=list, description="Sentiment, themes and more found in its comments."
    )


class ResponsePage(Schema):
    count: int
    items: list[ResponseOut]
    limit: int
    offset: int
