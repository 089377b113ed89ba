"""What the reviews API accepts and returns."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ninja import Field, Schema

from voxloop.api.schemas import Day, Id, Input, Page, PageQuery, PatchInput

SourceKindName = Literal[
    "google_business", "app_store", "google_play", "trustpilot", "yelp", "file"
]
SentimentName = Literal["negative", "neutral", "positive"]


class ReviewFilterQuery(PageQuery):
    source_id: Id | None = None
    unit_id: Id | None = Field(None, description="This unit and below (inside your scope).")
    rating: int | None = Field(None, ge=1, le=5)
    sentiment: SentimentName | None = None
    theme: str | None = Field(None, max_length=60, pattern=r"^[-a-z0-9_]+$")
    start: Day | None = None
    end: Day | None = Field(None, description="Inclusive.")
    removed: bool = Field(False, description="Include reviews the provider removed.")


class MetricsQuery(Schema):
    source_id: Id | None = None
    unit_id: Id | None = None
    rating: int | None = Field(None, ge=1, le=5)
    sentiment: SentimentName | None = None
    theme: str | None = Field(None, max_length=60, pattern=r"^[-a-z0-9_]+$")
    start: Day | None = None
    end: Day | None = None
    by: Literal["unit", "source", "month"] = "unit"


class BenchmarkQuery(Schema):
    unit_id: Id | None = Field(None, description="The region (default: your own unit).")
    start: Day | None = None
    end: Day | None = None


class BenchmarkOut(Schema):
    unit: dict[str, Any]
    rows: list[dict[str, Any]] = Field(
        ..., description="Locations best first: label, mine, volume, rating, rank, rank_low, "
        "rank_high (the ranks each could plausibly hold)."
    )  # fmt: skip
    ours: dict[str, Any]
    theirs: dict[str, Any]
    gap: dict[str, Any] = Field(..., description="Ours minus theirs, with its test.")
    themes: list[dict[str, Any]]
    trend: list[dict[str, Any]]


class ReviewThemeOut(Schema):
    key: str
    name: str
    sentiment: str


class ReviewOut(Schema):
    id: int
    source_id: int
    source_kind: SourceKindName
    unit_id: int
    unit_code: str
    external_id: str
    author_name: str
    rating: int
    title: str
    text: str
    language: str
    posted_at: datetime
    edited_at: datetime | None
    reply_text: str
    reply_at: datetime | None
    url: str
    removed: bool
    sentiment: str
    themes: list[ReviewThemeOut]


class ReviewPage(Page):
    items: list[ReviewOut]


class MetricsOut(Schema):
    summary: dict[str, Any] = Field(
        ..., description="volume, rating (mean on 1–5 with 95% interval), distribution, "
        "low_share, response_rate, reply_hours, sentiment, themes; previous and change "
        "when start and end are given."
    )  # fmt: skip
    breakdown: list[dict[str, Any]]


class ReplyIn(Input):
    text: str = Field(..., min_length=1, max_length=4000)
    case_id: Id | None = None


class ReplyOut(Schema):
    id: int
    status: Literal["draft", "posted", "copied", "failed"]
    posted: bool
    open_url: str
    error: str


class SourceIn(Input):
    name: str = Field(..., max_length=200)
    kind: SourceKindName
    unit_code: str | None = Field(None, max_length=64, description="Default: your own unit.")
    credentials: dict[str, str] = Field(
        default_factory=dict,
        description="Write-only: access_token (Google), issuer_id, key_id, private_key "
        "(App Store), api_key (Trustpilot, Yelp).",
    )
    interval_minutes: int = Field(60, ge=15, le=10080)
    base_url: str = Field("", max_length=500)
    is_competitor: bool = False


class SourcePatch(PatchInput):
    name: str | None = Field(None, max_length=200)
    credentials: dict[str, str] | None = None
    interval_minutes: int | None = Field(None, ge=15, le=10080)
    base_url: str | None = Field(None, max_length=500)
    is_active: bool | None = None
    is_competitor: bool | None = None


class LocationIn(Input):
    external_id: str = Field(..., min_length=1, max_length=300)
    unit_code: str = Field(..., max_length=64)
    label: str = Field("", max_length=200)
    public_url: str = Field("", max_length=500)


class LocationOut(Schema):
    id: int
    external_id: str
    unit_id: int
    unit_code: str
    label: str
    public_url: str


class SourceOut(Schema):
    id: int
    name: str
    kind: SourceKindName
    unit_id: int
    unit_code: str
    interval_minutes: int
    base_url: str
    is_active: bool
    is_competitor: bool
    credentials_set: list[str] = Field(..., description="Which credentials are stored.")
    last_fetched_at: datetime | None
    last_error: str
    locations: list[LocationOut]


class ReviewImportOut(Schema):
    new: int
    edited: int
    unchanged: int
    removed: int
    problems: list[dict[str, Any]]
