"""The metrics API's query parameters, as its schema documents them. They are the dashboard's
filters (`filters.parse` reads and checks them for the pages and the API alike); declaring
them here types and bounds them in the OpenAPI schema too."""

from __future__ import annotations

from ninja import Field

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
