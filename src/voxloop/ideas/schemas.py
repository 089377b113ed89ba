"""What the idea-boards API accepts and returns."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Field, Schema

from voxloop.api.schemas import Id, Input, Page, PageQuery

StatusName = Literal["new", "under_review", "planned", "in_progress", "done", "declined"]


class BoardOut(Schema):
    id: int
    name: str
    audience: Literal["customers", "employees"]
    unit_id: int
    description: str
    is_open: bool
    moderate_first: bool


class IdeaQuery(PageQuery):
    order: Literal["rank", "top", "new"] = Field(
        "rank", description="rank: damped and time-decayed votes (decision 0040)."
    )
    status: StatusName | None = None


class IdeaOut(Schema):
    id: int
    board_id: int
    title: str
    body: str
    language: str
    status: str
    status_reason: str
    votes: int
    score: float = Field(..., description="Today's rank figure (decayed, bursts damped).")
    theme: str
    merged_into: int | None
    action_plan_id: int | None
    created_at: datetime


class IdeaPage(Page):
    items: list[IdeaOut]


class IdeaIn(Input):
    title: str = Field(..., min_length=1, max_length=200)
    body: str = Field("", max_length=5000)
    language: str = Field("", max_length=12)


class VoteOut(Schema):
    idea_id: int
    counted: bool = Field(..., description="False when you had already voted (one per person).")
    votes: int


class StatusIn(Input):
    status: StatusName
    reason: str = Field("", max_length=2000, description="Required when declining.")


class IdeaMergeIn(Input):
    into: Id = Field(..., description="The idea the duplicate is folded into (same board).")
