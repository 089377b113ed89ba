"""What the text analytics API accepts and returns."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from voxloop.api.schemas import Id, IdOrNone

SentimentName = Literal["negative", "neutral", "positive"]
TermKindName = Literal["label", "keyword", "example"]

MAX_TEXTS = 100
MAX_CHARS = 5000


class AnalyzeItem(Schema):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(..., max_length=MAX_CHARS)
    locale: str = Field("", max_length=16, description="The text's language if known.")


class AnalyzeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    texts: list[AnalyzeItem] = Field(..., min_length=1, max_length=MAX_TEXTS)
    taxonomy_id: Id | None = Field(
        None, description="Default: the taxonomy that applies to your unit."
    )


class ThemeFound(Schema):
    key: str
    name: str
    path: list[str]
    sentiment: SentimentName
    score: float
    confidence: float
    matched_by: str


class SentenceFound(Schema):
    text: str
    start: int
    end: int
    sentiment: SentimentName
    score: float
    themes: list[str]
    intents: list[str]


class AnalyzeResult(Schema):
    language: str
    sentiment: Literal["negative", "neutral", "positive"]
    score: float = Field(..., description="-1 (negative) … 1 (positive)")
    mixed: bool
    themes: list[ThemeFound]
    sentences: list[SentenceFound]
    keywords: list[str]
    intents: list[str]
    emotions: list[str]
    supported: bool
    model_version: str
    taxonomy_version: str


class AnalyzeOut(Schema):
    results: list[AnalyzeResult]


class TaxonomyIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(..., max_length=120)
    unit_code: str | None = Field(None, max_length=64, description="Default: everywhere.")


class InstallIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["retail", "b2b"]
    unit_code: str | None = Field(None, max_length=64, description="Default: everywhere.")
    name: str = Field("", max_length=120)


class TaxonomyPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(..., max_length=120)


class TermIn(Schema):
    model_config = ConfigDict(extra="forbid")

    language: str = Field(..., max_length=10)
    kind: Literal["label", "keyword", "example"]
    text: str = Field(..., max_length=500)


class TermOut(Schema):
    id: int
    language: str
    kind: TermKindName
    text: str


class ThemeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(..., max_length=120)
    key: str = Field("", max_length=60, description="Default: made from the name.")
    parent_id: Id | None = None
    position: int = Field(0, ge=0, le=10_000)
    terms: list[TermIn] = Field(default_factory=list, max_length=500)


class ThemePatch(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, max_length=120)
    parent_id: IdOrNone | None = Field(None, description="0 makes it a top-level theme.")
    position: int | None = Field(None, ge=0, le=10_000)


class ThemeOut(Schema):
    id: int
    key: str
    name: str
    parent_id: int | None
    position: int
    terms: list[TermOut]


class TaxonomyOut(Schema):
    id: int
    name: str
    unit_id: int | None
    unit_code: str | None
    version: int
    updated_at: datetime


class TaxonomyDetail(TaxonomyOut):
    themes: list[ThemeOut]


class SettingsIn(Schema):
    model_config = ConfigDict(extra="forbid")

    languages: list[str] | None = None
    embeddings: bool | None = None
    llm_enabled: bool | None = None
    llm_base_url: str | None = Field(None, max_length=200)
    llm_model: str | None = Field(None, max_length=100)
    llm_api_key: str | None = Field(None, max_length=200, description="Write-only.")


class SettingsOut(Schema):
    languages: list[str]
    embeddings: bool
    llm_enabled: bool
    llm_base_url: str
    llm_model: str
    llm_api_key_set: bool


class BreakdownFilters(Schema):
    survey: Id | None = None
    since: datetime | None = None
    until: datetime | None = None


class ThemeCount(Schema):
    theme_id: int
    key: str
    name: str
    sentiment: SentimentName
    n: int


class BreakdownOut(Schema):
    sentiment: dict[str, int]
    themes: list[ThemeCount]


class StoredTheme(Schema):
    key: str
    name: str
    sentiment: SentimentName
    score: float
    confidence: float
    matched_by: str


class StoredAnalysis(Schema):
    """What text analytics found in one free-text answer of a response."""

    question_key: str
    language: str
    sentiment: SentimentName
    score: float
    mixed: bool
    themes: list[StoredTheme]
    sentences: list[dict]
    keywords: list[str]
    intents: list[str]
    emotions: list[str]
    summary: str
    model_version: str
    taxonomy_version: int
    analysed_at: datetime
