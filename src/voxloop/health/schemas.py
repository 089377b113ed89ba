"""API shapes of health: scores with their parts, history and calls to action, the model an
admin edits (the same fields as the page's form) and personas and tiers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema

from voxloop.api.schemas import Page, PageQuery

Band = Literal["red", "amber", "green", ""]
Kind = Literal[
    "nps", "nps_trend", "csat", "ces", "open_cases", "overdue_cases", "sentiment", "silence",
    "interactions", "attribute", "tenure", "renewal",
]  # fmt: skip


class PartOut(Schema):
    key: str
    value: float | None = Field(None, description="What was measured; null = missing.")
    points: float | None = Field(None, description="0–100; null = missing, left out.")
    weight: float


class MoveOut(Schema):
    key: str
    before: float | None
    after: float | None
    effect: float = Field(description="Score points this signal moved the score by.")


class ScoreOut(Schema):
    account_id: int | None
    account_name: str = ""
    owner: str = ""
    score: float | None
    band: Band
    previous_score: float | None
    computed_at: datetime
    parts: list[PartOut]
    moves: list[MoveOut]


class ScorePage(Page):
    items: list[ScoreOut]


class ScoreQuery(PageQuery):
    band: Band | None = None
    mine: bool = Field(False, description="Only the accounts you own (your book).")
    audience_id: int | None = Field(None, ge=1, le=2**62)


class DayOut(Schema):
    day: date
    score: float | None
    band: Band


class CallOut(Schema):
    day: date
    from_band: Band
    to_band: Band
    score: float
    case_id: int | None


class AccountHealthOut(Schema):
    score: ScoreOut | None
    history: list[DayOut]
    calls_to_action: list[CallOut]


class SignalIn(Schema):
    kind: Kind
    param: str = Field("", max_length=60)
    weight: float = Field(gt=0, le=100)
    mapping: Literal["curve", "steps"] = "curve"
    # Where a signal scores 0 and 100: NPS −100…100, days, counts, spend (bounded for sanity).
    bad: float = Field(ge=-1_000_000_000, le=1_000_000_000)
    good: float = Field(ge=-1_000_000_000, le=1_000_000_000)


class ModelIn(Schema):
    name: str = Field(max_length=120)
    window_days: int = Field(180, ge=7, le=730)
    red_below: int = Field(40, ge=0, le=100)
    amber_below: int = Field(70, ge=0, le=100)
    sla_hours: int = Field(48, ge=1, le=720)
    playbook_id: int | None = Field(None, ge=1, le=2**62)
    signals: list[SignalIn] = Field(min_length=1, max_length=20)


class SeparationOut(Schema):
    auc: float | None
    low: float | None
    high: float | None
    p_value: float | None
    stayed: int
    left: int
    low_sample: bool
    stayed_mean: float | None
    left_mean: float | None


class ModelOut(ModelIn):
    version: int
    validation: SeparationOut


class AudienceIn(Schema):
    kind: Literal["persona", "tier"]
    name: str = Field(max_length=120)
    segment_id: int = Field(ge=1, le=2**62)
    description: str = Field("", max_length=300)


class AudienceOut(AudienceIn):
    id: int
    segment_name: str


class SummaryOut(Schema):
    bands: dict[str, int]
    personas: list[dict]
    tiers: list[dict]
