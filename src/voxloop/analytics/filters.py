"""A dashboard's filters, parsed from a query string (so every view is a shareable URL).

Bad values are a clear 4xx naming the parameter, never a silent default.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from voxloop.analytics.metrics import DEFAULT_MIN_N, METRICS
from voxloop.analytics.periods import (
    COMPARISONS,
    PRESETS,
    add_months,
    preset_range,
    previous_range,
    year_before_range,
)
from voxloop.errors import InvalidInput
from voxloop.params import whole_number
from voxloop.responses.models import Channel, Origin

SENTIMENTS = ("negative", "neutral", "positive")
# Every preset period (periods.PRESETS) as (label, days of a rolling one, else 0).
PERIODS = {name: (p.label, p.days) for name, p in PRESETS.items()}
DEFAULT_PERIOD = "90d"
DEFAULT_COMPARE = "previous"
__all__ = ["COMPARISONS", "PERIODS", "Filters", "add_months", "parse"]
GRAINS = ("day", "week", "month", "quarter")
MAX_DAYS = 3 * 366


def min_sample() -> int:
    """Below this n a figure is marked "low sample" (setting ANALYTICS_MIN_SAMPLE)."""
    return int(getattr(settings, "ANALYTICS_MIN_SAMPLE", DEFAULT_MIN_N))


@dataclass(frozen=True)
class Filters:
    start: date  # first day, inclusive
    end: date  # last day, inclusive
    period: str = DEFAULT_PERIOD  # a preset name, or "custom"
    survey_id: int | None = None
    unit_id: int | None = None
    channel: str = ""
    metric: str = "nps"
    grain: str = "week"
    min_n: int = DEFAULT_MIN_N
    segment_id: int | None = None  # a contacts segment: only its members' responses count
    origin: str = ""  # "respondent": leave out answers entered by staff; "staff": only those
    today: date | None = None  # the day the period was read on (None: the server's today)
    # "month" once the period was widened to whole closed months (anonymous surveys)
    cycle: str = ""
    zone: str = ""  # the unit's time zone ("" for the server's): days and hours count in it
    # Text analytics: only responses with a comment of this sentiment / about this theme.
    sentiment: str = ""
    theme_id: int | None = None
    # What every change figure compares with: "previous" period or the same one a "year" ago.
    compare: str = DEFAULT_COMPARE

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def bounds(self) -> tuple[datetime, datetime]:
        """The period's days as a half-open range of instants, in the unit's time zone (the
        rollups count each answer's day in its own unit's zone), so figures beside them
        count the same days; for a scope spanning zones, an approximation in the top's."""
        tz = ZoneInfo(self.zone) if self.zone else timezone.get_current_timezone()
        since = datetime.combine(self.start, time.min, tzinfo=tz)
        return since, datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=tz)

    def in_zone(self, zone: str) -> Filters:
        """A preset period ("last 30 days", "this quarter") read on the unit's own today."""
        if not zone or self.period not in PRESETS or self.cycle:
            return replace(self, zone=zone)
        shift = timezone.localdate(timezone=ZoneInfo(zone)) - timezone.localdate()
        today = (self.today or timezone.localdate()) + shift
        start, end = preset_range(self.period, today)
        return replace(self, start=start, end=end, today=today, zone=zone)

    def previous(self) -> Filters:
        """The period every change is measured against (`compare`): the previous one (for a
        calendar preset the previous week, month, quarter or year; else the same number of
        days just before), or the same stretch a year earlier; in whole months once the
        period is in whole months."""
        if self.cycle == "month":
            months = 12 if self.compare == "year" else len(self.months())
            start = add_months(self.start, -months)
            return replace(self, start=start, end=add_months(self.end, 1 - months) - timedelta(1))
        if self.compare == "year":
            start, end = year_before_range(self.period, self.start, self.end)
        else:
            start, end = previous_range(self.period, self.start, self.end)
        return replace(self, start=start, end=end)

    def months(self) -> list[date]:
        """The first day of every month the period touches."""
        out, month = [], self.start.replace(day=1)
        while month <= self.end:
            out.append(month)
            month = add_months(month, 1)
        return out

    def in_whole_months(self) -> Filters:
        """The period widened to whole months and ending with the last month that has closed
        (at least that month): how an anonymous survey's figures are read (decision 0016).
        Trends go by month or quarter."""
        today = self.today or timezone.localdate()
        last_closed = today.replace(day=1) - timedelta(days=1)
        end = min(add_months(self.end.replace(day=1), 1) - timedelta(days=1), last_closed)
        start = min(self.start.replace(day=1), end.replace(day=1))
        grain = self.grain if self.grain in ("month", "quarter") else "month"
        return replace(self, start=start, end=end, grain=grain, cycle="month")

    def as_query(self) -> dict[str, Any]:
        query: dict[str, Any] = {"metric": self.metric, "grain": self.grain}
        if self.period == "custom":
            query.update(start=self.start.isoformat(), end=self.end.isoformat())
        else:
            query["period"] = self.period
        if self.compare != DEFAULT_COMPARE:
            query["compare"] = self.compare
        for name in ("survey_id", "unit_id", "channel", "segment_id", "origin", "sentiment"):
            value = getattr(self, name)
            if value:
                query[name.removesuffix("_id")] = value
        if self.theme_id:
            query["theme"] = self.theme_id
        return query


def _int(params: Mapping[str, Any], name: str) -> int | None:
    return whole_number(params.get(name), name)


def _day(params: Mapping[str, Any], name: str) -> date | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        day = None
    # Year 1 or 9999 would overflow once the period before it is computed.
    if day is None or not 1970 <= day.year <= 2999:
        raise InvalidInput(f"'{name}' must be a date such as 2026-11-30.", field=name)
    return day


def parse(params: Mapping[str, Any], today: date | None = None) -> Filters:
    """Filters from a QueryDict or dict: period (a preset, or "custom" with start/end),
    compare, survey, unit, channel, segment, origin, metric, grain, min_n. A preset named
    in `period` wins over start/end (the filter bar sends both); start/end alone, as older
    URLs have them, are a custom range."""
    today = today or timezone.localdate()
    start, end = _day(params, "start"), _day(params, "end")
    period = (params.get("period") or "").strip()
    if period in PRESETS:
        start, end = preset_range(period, today)
    elif period == "custom" or (not period and (start or end)):
        end = end or today
        start = start or end - timedelta(days=29)
        period = "custom"
        if start > end:
            raise InvalidInput("'start' must not be after 'end'.", field="start")
        if (end - start).days >= MAX_DAYS:
            raise InvalidInput("A period can span at most three years.", field="start")
    elif period:
        choices = ", ".join([*PRESETS, "custom"])
        raise InvalidInput(f"'period' must be one of {choices}.", field="period")
    else:
        period = DEFAULT_PERIOD
        start, end = preset_range(period, today)
    compare = (params.get("compare") or "").strip() or DEFAULT_COMPARE
    if compare not in COMPARISONS:
        raise InvalidInput(f"'compare' must be one of {', '.join(COMPARISONS)}.", "compare")
    channel = (params.get("channel") or "").strip()
    if channel and channel not in Channel.values:
        raise InvalidInput(f"Unknown channel '{channel[:20]}'.", field="channel")
    origin = (params.get("origin") or "").strip()
    if origin and origin not in Origin.values:
        raise InvalidInput(f"'origin' must be one of {', '.join(Origin.values)}.", field="origin")
    metric = (params.get("metric") or "nps").strip()
    if metric not in METRICS:
        raise InvalidInput(f"'metric' must be one of {', '.join(METRICS)}.", field="metric")
    grain = (params.get("grain") or "week").strip()
    if grain not in GRAINS:
        raise InvalidInput(f"'grain' must be one of {', '.join(GRAINS)}.", field="grain")
    sentiment = (params.get("sentiment") or "").strip()
    if sentiment and sentiment not in SENTIMENTS:
        raise InvalidInput(f"'sentiment' must be one of {', '.join(SENTIMENTS)}.", "sentiment")
    min_n = _int(params, "min_n")
    if min_n is not None and not 1 <= min_n <= 10_000:
        raise InvalidInput("'min_n' must be between 1 and 10000.", field="min_n")
    return Filters(
        start=start,
        end=end,
        period=period,
        survey_id=_int(params, "survey"),
        unit_id=_int(params, "unit"),
        channel=channel,
        metric=metric,
        grain=grain,
        min_n=min_n or min_sample(),
        segment_id=_int(params, "segment"),
        origin=origin,
        today=today,
        sentiment=sentiment,
        theme_id=_int(params, "theme"),
        compare=compare,
    )
