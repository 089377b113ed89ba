"""What the pulse API accepts and returns."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Field, Schema

from voxloop.api.schemas import Id, Input

CadenceName = Literal["weekly", "monthly", "quarterly"]


class ProgrammeOut(Schema):
    id: int
    name: str
    unit_id: int
    cadence: str
    drivers_per_wave: int
    reminder_after_days: int
    floor: int
    is_active: bool
    next_wave_at: datetime | None


class ProgrammeIn(Input):
    name: str = Field(..., min_length=1, max_length=200)
    unit_id: Id
    cadence: CadenceName = "monthly"
    drivers_per_wave: int = Field(2, ge=1, le=5)
    reminder_after_days: int = Field(3, ge=0, le=30)
    floor: int = Field(5, ge=5, le=1000)
    is_active: bool = True


class PulseFigureOut(Schema):
    value: float | None
    low: float | None
    high: float | None
    n: int
    low_sample: bool


class ChangeOut(Schema):
    delta: float | None
    p_value: float | None
    significant: bool
    reason: str | None
    method: str | None


class DriverOut(Schema):
    driver: str
    question: str
    figure: PulseFigureOut
    change: ChangeOut | None


class PulseThemeOut(Schema):
    name: str
    comments: int
    positive: int
    negative: int


class WaveOut(Schema):
    number: int
    opened_at: datetime
    shown: bool = Field(..., description="False: too few answers to show (the floor).")
    enps: PulseFigureOut | None
    enps_change: ChangeOut | None
    drivers: list[DriverOut]
    themes: list[PulseThemeOut] = Field(
        ...,
        description="What the comments talk about, for the latest shown waves; empty below "
        "the floor, for viewers, and without a taxonomy.",
    )


class ResultsOut(Schema):
    programme_id: int
    unit_id: int
    floor: int
    waves: list[WaveOut]


class ResultsQuery(Schema):
    unit_id: Id | None = None
