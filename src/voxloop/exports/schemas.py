"""What the exports API accepts and returns."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Field, Schema

from voxloop.api.schemas import Day, Id, Input, ListQuery, NoNul

ExportKindName = Literal["responses", "cases", "sla", "contacts", "reviews"]
ExportFormat = Literal["csv", "xlsx"]
ExportStatusName = Literal["queued", "running", "done", "failed", "expired"]


class ExportFilters(Input, NoNul):
    """The dashboard's filters for responses; `since`/`until` for cases and SLA figures."""

    survey: Id | None = None
    unit: str | None = Field(None, max_length=64, description="A unit code: it and below.")
    period: str | None = Field(None, max_length=10, description="e.g. 30d, 90d, 365d.")
    start: Day | None = None
    end: Day | None = None
    segment: Id | None = None
    channel: str | None = Field(None, max_length=20)
    origin: str | None = Field(None, max_length=20)
    since: Day | None = None
    until: Day | None = None


class ExportIn(Input):
    kind: ExportKindName
    fmt: ExportFormat = "csv"
    filters: ExportFilters | None = None


class ExportOut(Schema):
    id: int
    kind: ExportKindName
    fmt: ExportFormat
    status: ExportStatusName
    percent: int | None = Field(description="Progress while it runs; 100 when done.")
    rows_done: int
    rows_total: int | None
    error: str
    created_at: datetime
    finished_at: datetime | None
    expires_at: datetime | None = Field(description="The file is deleted then.")
    download_url: str | None = Field(description="While the file is kept.")


class ExportList(ListQuery):
    status: ExportStatusName | None = None
