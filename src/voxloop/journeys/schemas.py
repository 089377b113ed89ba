"""What the journeys API accepts and returns."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ninja import Field, Schema

from voxloop.api.schemas import Id, Input, PatchInput

MeasureName = Literal["", "survey", "question", "reviews"]
StatusName = Literal["broken", "watch", "good", "low_sample", "no_data"]
NAMES: Any = Field(
    default_factory=dict,
    description='The name in other shipped languages: {"ja": "…", "zh-hans": "…"}.',
)


class TouchpointIn(Input):
    name: str = Field(..., min_length=1, max_length=120)
    names: dict[str, str] = NAMES
    interaction_type_id: Id | None = Field(None, description="Its volume: this interaction type.")
    measure: MeasureName = Field("", description="How the experience there is measured.")
    survey_id: Id | None = None
    question_key: str = Field("", max_length=60, description="With measure=question.")
    review_source_id: Id | None = None


class StageIn(Input):
    name: str = Field(..., min_length=1, max_length=120)
    names: dict[str, str] = NAMES
    touchpoints: list[TouchpointIn] = Field(default_factory=list, max_length=30)


class JourneyIn(Input):
    name: str = Field(..., min_length=1, max_length=120)
    names: dict[str, str] = NAMES
    description: str = Field("", max_length=2000)
    unit_code: str | None = Field(None, max_length=64, description="Owner (default: your unit).")
    segment_id: Id | None = Field(None, description="A persona's variant: only this segment.")
    variant_of: Id | None = None
    relationship_survey_id: Id | None = None
    stages: list[StageIn] = Field(default_factory=list, max_length=20)


class JourneyPatch(PatchInput):
    name: str | None = Field(None, min_length=1, max_length=120)
    names: dict[str, str] | None = None
    description: str | None = Field(None, max_length=2000)
    segment_id: int | None = Field(None, ge=0, le=2**63 - 1, description="0 clears it.")
    relationship_survey_id: int | None = Field(None, ge=0, le=2**63 - 1, description="0 clears.")
    stages: list[StageIn] | None = Field(
        None, max_length=20, description="Replaces every stage and touchpoint, in this order."
    )


class TouchpointOut(Schema):
    id: int
    name: str
    names: dict[str, str]
    position: int
    interaction_type_id: int | None
    measure: MeasureName
    survey_id: int | None
    question_key: str
    review_source_id: int | None


class StageOut(Schema):
    id: int
    name: str
    names: dict[str, str]
    position: int
    touchpoints: list[TouchpointOut]


class JourneyOut(Schema):
    id: int
    name: str
    names: dict[str, str]
    description: str
    unit_id: int
    segment_id: int | None
    variant_of: int | None
    relationship_survey_id: int | None
    updated_at: datetime
    stages: list[StageOut]


class MapQuery(Schema):
    period: str | None = Field(None, max_length=20, description="A preset: 30d, last_quarter…")
    start: str | None = Field(None, max_length=10)
    end: str | None = Field(None, max_length=10)
    compare: Literal["previous", "year"] | None = None
    unit: Id | None = Field(None, description="This unit and below (inside your scope).")
    min_n: int | None = Field(None, ge=1, le=10000)

    def params(self) -> dict[str, Any]:
        return {k: str(v) for k, v in self.model_dump(exclude_none=True).items()}


class TouchpointFigures(Schema):
    id: int
    name: str
    measure: MeasureName
    measure_label: str
    interaction_type: str
    volume: int | None
    volume_before: int | None
    responses: int
    response_rate: dict[str, Any] | None
    metric: str
    headline: dict[str, Any] | None
    change: dict[str, Any] | None
    scores: dict[str, dict[str, Any]]
    status: StatusName
    sentiment: dict[str, Any]
    themes: list[dict[str, Any]]
    open_cases: int | None = Field(None, description="Null for roles that do not read cases.")
    dashboard_url: str


class StageFigures(Schema):
    id: int
    name: str
    volume: int | None
    responses: int
    scores: dict[str, dict[str, Any]]
    open_cases: int | None
    status: StatusName
    touchpoints: list[TouchpointFigures]


class MapOut(Schema):
    journey: dict[str, Any]
    period: dict[str, Any]
    unit: dict[str, Any]
    segment_id: int | None
    min_n: int
    stages: list[StageFigures]


class InsightsOut(Schema):
    journey: dict[str, Any]
    period: dict[str, Any]
    min_n: int
    funnel: dict[str, Any]
    nps: dict[str, Any] | None
    churn: dict[str, Any] | None
