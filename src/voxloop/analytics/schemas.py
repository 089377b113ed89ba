"""The metrics API's query parameters, as its schema documents them. They are the dashboard's
filters (`filters.parse` reads and checks them for the pages and the API alike); declaring
them here types and bounds them in the OpenAPI schema too."""

from __future__ import annotations

from typing import Literal

from ninja import Field, Schema

from voxloop.analytics.filters import GRAINS, PERIODS
from voxloop.analytics.metrics import METRICS
from voxloop.api.schemas import Day, Id, NoNul
from voxloop.responses.models import Channel


class AnalyticsQuery(NoNul):
    # Names are checked by filters.parse (a 400 listing the choices), like the pages' filters.
    period: str | None = Field(
        None, max_length=20, description=f"{', '.join(PERIODS)}; or custom with start/end."
    )
    compare: str | None = Field(
        None,
        max_length=20,
        description="What every change compares with: previous (default) or year.",
    )
    start: Day | None = None
    end: Day | None = None
    survey: Id | None = None
    unit: Id | None = Field(None, description="A unit in your scope (default: yours).")
    channel: str | None = Field(None, max_length=20, description=", ".join(Channel.values))
    metric: str | None = Field(None, max_length=40, description=f"One of {', '.join(METRICS)}.")
    grain: str | None = Field(None, max_length=20, description=", ".join(GRAINS))
    min_n: int | None = Field(None, ge=1, le=10_000)
    segment: Id | None = None
    sentiment: str | None = Field(
        None, max_length=20, description="Comments of this sentiment: negative, neutral, positive."
    )
    theme: Id | None = Field(None, description="Comments about this theme (text analytics).")


class SavedViewIn(NoNul):
    name: str = Field(..., min_length=1, max_length=120)
    query: str = Field(
        "", max_length=1000, description="The dashboard's filters as a query string."
    )
    pinned: bool = False


class SavedViewPatch(NoNul):
    name: str | None = Field(None, min_length=1, max_length=120)
    query: str | None = Field(None, max_length=1000)
    shared: bool | None = Field(None, description="Shared with everyone whose scope covers it.")
    published_role: Literal["", "admin", "analyst", "manager", "agent", "viewer"] | None = Field(
        None, description="Admins: publish to every member of this role in your subtree."
    )
    pinned: bool | None = Field(None, description="Pinned to your own home.")
    digest: Literal["", "weekly", "monthly"] | None = Field(
        None, description="Your email digest of the view ('' for none)."
    )


class SavedViewOut(Schema):
    view_id: int
    name: str
    query: str
    mine: bool
    shared: bool
    published_role: str
    pinned: bool
    digest: str
    created_at: str
