"""What the API of the product pages accepts and returns: the comment explorer, theme impact,
trends, emerging themes, and the theme editor's merge, split, accept and live matches."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from voxloop.analytics.schemas import AnalyticsQuery
from voxloop.api.schemas import CursorPageQuery, Id, NoNul, Page
from voxloop.textanalytics.schemas import SentimentName


class CommentQuery(CursorPageQuery, AnalyticsQuery):
    q: str = Field("", max_length=200, description="Words the comment contains (all of them).")
    language: str = Field("", max_length=10, description="en, zh-hans, zh-hant, zh, ja, ro")


class Span(Schema):
    start: int
    end: int
    sentiment: SentimentName | Literal[""] = Field(description="Empty between sentences.")
    themes: list[str]


class CommentTheme(Schema):
    theme_id: int
    key: str
    sentiment: SentimentName


class CommentOut(Schema):
    id: int
    response_id: int
    question_key: str
    text: str = Field(..., description="As analysed: personal data masked.")
    language: str
    sentiment: SentimentName
    score: float
    mixed: bool
    intents: list[str]
    themes: list[CommentTheme]
    spans: list[Span] = Field(..., description="The comment cut at its sentences.")
    nps: int | None
    survey_id: int
    unit_id: int | None
    submitted_at: datetime | None
    group: int | None = Field(None, description="With group=true: similar comments share it.")


class CommentPage(Page):
    items: list[CommentOut]


class FigureOut(Schema):
    metric: str
    value: float | None
    n: int
    low: float | None
    high: float | None
    se: float | None
    low_sample: bool
    suppressed: bool


class ImpactRow(Schema):
    theme_id: int
    name: str
    n: int
    with_: FigureOut = Field(..., alias="with")
    without: FigureOut
    difference: dict[str, Any]
    impact: float
    of_detractors: FigureOut
    of_promoters: FigureOut
    detractor_tilt: dict[str, Any]
    drives_detractors: bool
    drives_promoters: bool


class TooFew(Schema):
    theme_id: int
    name: str
    n: int


class ImpactOut(Schema):
    nps: FigureOut | None
    min_n: int
    rows: list[ImpactRow] = Field(..., description="Themes both groups of which reach min_n.")
    too_few: list[TooFew] = Field(..., description="No claim: too few mentioned them.")


class TrendRow(Schema):
    theme_id: int
    name: str
    now: FigureOut
    before: FigureOut
    mentions: int
    previous_mentions: int
    claimed: bool
    change: dict[str, Any] | None
    direction: Literal["rising", "falling", "steady", "unknown"]


class TrendOut(Schema):
    comments: int
    previous_comments: int
    rows: list[TrendRow]


class Example(Schema):
    text: str
    language: str


class EmergingGroup(Schema):
    name: str
    size: int
    languages: list[str]
    names: dict[str, list[str]] = Field(..., description="Suggested keywords per language.")
    by: Literal["embedding", "keyword"]
    examples: list[Example] | None = Field(None, description="Not for viewers.")


class EmergingOut(Schema):
    looked_at: int
    groups: list[EmergingGroup]


class MergeIn(NoNul):
    model_config = ConfigDict(extra="forbid")

    into_id: Id


class SplitIn(NoNul):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(..., max_length=120)
    term_ids: list[Id] = Field(..., min_length=1, max_length=500)


class AcceptIn(NoNul):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(..., max_length=120)
    keywords: dict[str, list[str]] = Field(
        ..., description="Per language, e.g. {'en': ['car park']}"
    )
    parent_id: Id | None = None


class MatchQuery(NoNul):
    language: str = Field("", max_length=10)
    kind: Literal["keyword", "example"] = "keyword"
    text: str = Field("", max_length=500, description="The draft term; empty: as it is now.")


class Match(Schema):
    id: int
    text: str
    language: str
    start: int
    end: int
    new: bool


class MatchesOut(Schema):
    looked_at: int
    matched: int
    new: int
    matches: list[Match]
