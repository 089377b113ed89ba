"""What the closed-loop API accepts and returns."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from voxloop.api.schemas import (
    Day,
    Id,
    IdOrNone,
    ListQuery,
    Moment,
    Number,
    Page,
    PageQuery,
    Whole,
)

DEFAULT_PAGE = 50

# The closed sets of this API, spelt out so the OpenAPI document lists them (a test checks
# they equal the models' choices).
PriorityName = Literal["low", "normal", "high", "urgent"]
CaseStatusName = Literal["new", "in_progress", "waiting", "resolved", "closed"]
CaseBox = Literal["mine", "team", "overdue", "open", "all"]
PlaybookKindName = Literal["follow_up", "closing", "thank_you", "review", "review_reply"]
PlanStatusName = Literal["planned", "active", "done", "cancelled"]
EmailMode = Literal["immediate", "digest"]
RoleName = Literal["admin", "analyst", "manager", "agent", "viewer"]
EventKind = Literal[
    "opened", "status", "assigned", "note", "email", "root_cause", "escalated", "notified", "linked"
]
PlaybookOrdering = Literal["name", "-name", "id", "-id", "created_at", "-created_at"]
RootCauseOrdering = Literal["name", "-name", "id", "-id"]
RuleOrdering = Literal["name", "-name", "id", "-id"]
CaseOrdering = Literal["created_at", "-created_at", "due_at", "-due_at", "id", "-id"]


class RuleIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(..., max_length=200)
    unit_code: str | None = Field(None, max_length=64, description="Default: your own unit.")
    survey_ids: list[Id] = Field(default_factory=list, description="Empty: every survey.")
    conditions: dict[str, Any] = Field(
        ..., description='{"match": "all"|"any", "items": [{"field", "op", "value"}]}'
    )
    is_active: bool = True
    applies_to: Literal["responses", "reviews"] = "responses"
    open_case: bool = True
    priority: PriorityName = "normal"
    sla_hours: Whole = 48
    second_escalation_hours: Whole = 24
    assign_role: RoleName = "manager"
    recipients: list[dict[str, Any]] = Field(
        default_factory=lambda: [{"type": "role", "role": "manager"}]
    )
    email_mode: EmailMode = "immediate"
    webhooks: list[dict[str, Any]] = Field(default_factory=list)
    thank_you_playbook_id: Id | None = None
    review_playbook_id: Id | None = None
    flag_advocate: bool = False
    record_praise: bool = False
    allow_review_gating: bool = Field(
        False, description="Let a review invitation depend on the answer (review gating)."
    )


class RulePatch(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, max_length=200)
    unit_code: str | None = Field(None, max_length=64)
    survey_ids: list[Id] | None = None
    conditions: dict[str, Any] | None = None
    is_active: bool | None = None
    applies_to: Literal["responses", "reviews"] | None = None
    open_case: bool | None = None
    priority: PriorityName | None = None
    sla_hours: Whole | None = None
    second_escalation_hours: Whole | None = None
    assign_role: RoleName | None = None
    recipients: list[dict[str, Any]] | None = None
    email_mode: EmailMode | None = None
    webhooks: list[dict[str, Any]] | None = None
    thank_you_playbook_id: Id | None = None
    review_playbook_id: Id | None = None
    flag_advocate: bool | None = None
    record_praise: bool | None = None
    allow_review_gating: bool | None = None


class RuleOut(Schema):
    id: int
    name: str
    unit_id: int
    unit_code: str
    survey_ids: list[int]
    conditions: dict[str, Any]
    is_active: bool
    applies_to: str
    open_case: bool
    priority: PriorityName
    sla_hours: int
    second_escalation_hours: int
    assign_role: RoleName
    recipients: list[dict[str, Any]]
    email_mode: EmailMode
    webhooks: list[dict[str, Any]]
    thank_you_playbook_id: int | None
    review_playbook_id: int | None
    flag_advocate: bool
    record_praise: bool
    allow_review_gating: bool = False


class CaseFilters(PageQuery):
    box: CaseBox = "open"
    status: CaseStatusName | None = None
    priority: PriorityName | None = None
    unit: str | None = Field(None, max_length=64, description="A unit code: it and below.")
    assignee_id: Id | None = None
    limit: int = Field(DEFAULT_PAGE, ge=1, le=500)
    ordering: CaseOrdering | None = Field(None, description="Default: the inbox's order.")


class CaseOut(Schema):
    id: int
    title: str
    status: CaseStatusName
    priority: PriorityName
    unit_id: int
    unit_code: str
    response_id: int | None
    review_id: int | None = None
    rule_id: int | None
    contact_id: int | None
    assignee_id: int | None
    assignee: str | None
    root_cause_id: int | None
    action_plan_id: int | None
    created_at: datetime
    due_at: datetime
    first_action_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    escalation_level: int
    overdue: bool


class CasePage(Page):
    items: list[CaseOut]


class EventOut(Schema):
    kind: EventKind
    actor: str
    text: str
    data: dict[str, Any]
    at: datetime


class CaseDetail(CaseOut):
    events: list[EventOut]


class CaseCreate(Schema):
    model_config = ConfigDict(extra="forbid")

    response_id: Id
    title: str = Field("", max_length=200)
    priority: PriorityName = "normal"
    sla_hours: Whole = 48


class CaseUpdate(Schema):
    """Any of these; each is one step on the timeline."""

    model_config = ConfigDict(extra="forbid")

    status: CaseStatusName | None = None
    assignee_id: IdOrNone | None = Field(None, description="0 leaves the case unassigned.")
    root_cause_id: Id | None = None
    action_plan_id: Id | None = None


class NoteIn(Schema):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(..., max_length=10_000)


class EmailIn(Schema):
    model_config = ConfigDict(extra="forbid")

    playbook_id: Id
    extra: str = Field("", max_length=10_000)


class PlaybookIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(..., max_length=200)
    kind: PlaybookKindName
    subject: str = Field(..., max_length=200)
    body: str = Field(..., max_length=20_000)
    language: str = Field("", max_length=12, description="Its language; empty for any.")
    unit_code: str | None = Field(None, max_length=64)


class PlaybookPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=200)
    kind: PlaybookKindName | None = None
    subject: str | None = Field(None, min_length=1, max_length=200)
    body: str | None = Field(None, min_length=1, max_length=20_000)


class PlaybookOut(Schema):
    id: int
    name: str
    kind: PlaybookKindName
    subject: str
    body: str
    language: str = ""
    unit_id: int


class PlaybookList(ListQuery):
    ordering: PlaybookOrdering | None = None


class RuleList(ListQuery):
    ordering: RuleOrdering | None = None


class RootCauseIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(..., min_length=1, max_length=120)
    parent_id: Id | None = Field(None, description="The cause it refines; none for a top one.")


class RootCausePatch(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(..., min_length=1, max_length=120)


class RootCauseOut(Schema):
    id: int
    name: str
    parent_id: int | None
    path: str = Field(description='Its place in the taxonomy, e.g. "Staff › Rudeness".')


class RootCauseList(ListQuery):
    ordering: RootCauseOrdering | None = None


class TaskOut(Schema):
    id: int
    title: str
    owner_id: int | None
    due_on: date | None
    done: bool


class TaskPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    done: bool


class TaskIn(Schema):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(..., max_length=200)
    owner_id: Id | None = None
    due_on: Day | None = None


class PlanIn(Schema):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(..., max_length=200)
    unit_code: str | None = Field(None, max_length=64)
    description: str = Field("", max_length=10_000)
    theme: str = Field("", max_length=120)
    status: PlanStatusName = "planned"
    owner_id: Id | None = None
    root_cause_id: Id | None = None
    survey_id: Id | None = None
    starts_on: Day
    window_days: Whole = 90
    baseline: Number | None = None
    target: Number | None = None


class PlanPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=10_000)
    theme: str | None = Field(None, max_length=120)
    status: PlanStatusName | None = None
    owner_id: Id | None = None
    root_cause_id: Id | None = None
    target: Number | None = None


class EstimateOut(Schema):
    n: int
    nps: float | None
    low: float | None
    high: float | None
    low_sample: bool


class EffectOut(Schema):
    before: EstimateOut
    after: EstimateOut
    delta: float | None
    z: float | None
    p_value: float | None
    significant: bool


class PlanOut(Schema):
    id: int
    title: str
    unit_id: int
    status: PlanStatusName
    owner_id: int | None
    root_cause_id: int | None
    theme: str
    metric: str
    baseline: float | None
    target: float | None
    starts_on: date
    window_days: int
    tasks: list[TaskOut]
    case_ids: list[int]
    effect: EffectOut | None = None


class SlaRow(Schema):
    label: str
    id: int | None
    cases: int
    open: int
    overdue: int
    median_first_action_hours: float | None
    median_resolve_hours: float | None
    within_sla_pct: float | None
    decided: int


class SlaOut(Schema):
    total: SlaRow
    units: list[SlaRow]
    assignees: list[SlaRow]


class SlaFilters(Schema):
    since: Moment | None = None
    until: Moment | None = None
