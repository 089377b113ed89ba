"""What the surveys API accepts and returns.

Inputs refuse unknown fields so a misspelt setting never passes silently; the deeper checks
(languages, scales, choices, logic) stay in the services, which name the field at fault.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import StringConstraints

from voxloop.api.schemas import Input, ListQuery, Name, PatchInput
from voxloop.surveys.models import QuestionType, SurveyKind, SurveyStatus

Key = Annotated[str, StringConstraints(min_length=1, max_length=60)]
Locale = Annotated[str, StringConstraints(min_length=2, max_length=10)]


# --- surveys ---------------------------------------------------------------------------


class SurveyCreate(Input):
    name: Name
    kind: SurveyKind
    unit_code: str | None = Field(
        None, max_length=64, description="Owning unit; defaults to the caller's own unit."
    )
    default_locale: Locale = "en"
    locales: list[Locale] = Field(default_factory=list, max_length=20)
    texts: dict[str, dict[str, str]] = Field(default_factory=dict)


class SurveyPatch(PatchInput):
    name: Name | None = None
    default_locale: Locale | None = None
    locales: list[Locale] | None = Field(None, max_length=20)
    texts: dict[str, dict[str, str]] | None = None
    branding: dict[str, Any] | None = None
    thank_you_branches: list[dict[str, Any]] | None = Field(None, max_length=20)
    is_test: bool | None = Field(None, description="Left out of the figures for all surveys.")
    is_primary: bool | None = Field(
        None, description="The headline survey of its programme (one per organisation)."
    )


class QuestionCreate(Input):
    key: Key
    type: QuestionType
    texts: dict[str, dict[str, str]]
    config: dict[str, Any] = Field(default_factory=dict)
    required: bool = False
    show_if: dict[str, Any] = Field(default_factory=dict)
    position: int | None = Field(None, ge=1, le=10_000)


class QuestionPatch(PatchInput):
    type: QuestionType | None = None
    texts: dict[str, dict[str, str]] | None = None
    config: dict[str, Any] | None = None
    required: bool | None = None
    show_if: dict[str, Any] | None = None


class ReorderInput(Input):
    keys: list[Key] = Field(..., max_length=500)


class DuplicateInput(Input):
    name: Name | None = None


class QuestionOut(Schema):
    key: str
    type: QuestionType
    position: int
    required: bool
    texts: dict[str, Any]
    config: dict[str, Any]
    show_if: dict[str, Any]


class SurveySummary(Schema):
    id: int
    name: str
    kind: SurveyKind
    status: SurveyStatus
    unit_id: int
    public_slug: str
    public_url: str
    default_locale: str
    locales: list[str]
    published_at: datetime | None
    closed_at: datetime | None
    updated_at: datetime
    is_test: bool
    is_primary: bool


class SurveyList(ListQuery):
    status: SurveyStatus | Literal[""] = ""
    ordering: Literal["name", "-name", "id", "-id", "updated_at", "-updated_at"] | None = None


class SurveyOut(SurveySummary):
    texts: dict[str, Any]
    branding: dict[str, Any]
    thank_you_branches: list[dict[str, Any]]
    questions: list[QuestionOut]


# --- imports and exports ----------------------------------------------------------------


class ImportReportEntry(Schema):
    question: str = Field(description="The question's id or name in the file; empty: survey.")
    key: str | None = Field(description="Our key for the question, when it was imported.")
    dropped: str = Field(description="What was not carried over.")
    why: str


class ImportedQuestion(Schema):
    key: str
    type: QuestionType
    source: str = Field(description="The question's id or name in the file.")


class SurveyImportOut(Schema):
    survey_id: int
    name: str
    format: str = Field(
        description="qualtrics, limesurvey, surveyjs, xlsform, kobotoolbox, voxloop"
    )
    status: str
    languages: list[str] = Field(description="The file's languages, as the file names them.")
    locales: list[str] = Field(description="The survey's languages, as Voxloop codes.")
    questions: list[ImportedQuestion]
    report: list[ImportReportEntry]
