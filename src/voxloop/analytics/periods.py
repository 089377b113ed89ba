"""Periods people talk in: "last quarter", "month to date", "the last 90 days" — and what each
is compared with (decision 0025).

Pure date arithmetic: every function takes the day that counts as today (the unit's own local
today, `Filters.in_zone`) and returns first and last day, both inclusive.

- Rolling presets (`7d`, `30d`, `90d`, `365d`) end today; the previous period is the same
  number of days just before.
- Calendar presets: `this_week`/`this_month`/`this_quarter`/`this_year` run from the start of
  the current week (Monday), month, quarter or year to today and are compared with the whole
  previous one; `last_*` are the whole previous one, compared with the one before.
- To-date presets (`mtd`, `ytd`) are compared like for like: the same number of days from the
  start of the previous month or year (clamped to its end: 31 March → 28/29 February).
- `compare=year` compares with the same stretch one year earlier instead (weeks: 52 weeks
  earlier, so Monday stays Monday).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# unit of a calendar preset: its length in months (weeks are handled apart)
UNIT_MONTHS = {"month": 1, "quarter": 3, "year": 12}


@dataclass(frozen=True)
class Preset:
    label: Promise
    kind: str  # "rolling", "current" (this …), "last" (last …), "to_date"
    unit: str = ""  # week, month, quarter, year (calendar kinds)
    days: int = 0  # rolling kind


PRESETS: dict[str, Preset] = {
    "this_week": Preset(_("This week"), "current", "week"),
    "last_week": Preset(_("Last week"), "last", "week"),
    "this_month": Preset(_("This month"), "current", "month"),
    "last_month": Preset(_("Last month"), "last", "month"),
    "this_quarter": Preset(_("This quarter"), "current", "quarter"),
    "last_quarter": Preset(_("Last quarter"), "last", "quarter"),
    "this_year": Preset(_("This year"), "current", "year"),
    "last_year": Preset(pgettext_lazy("period", "Last year"), "last", "year"),
    "mtd": Preset(_("Month to date"), "to_date", "month"),
    "ytd": Preset(_("Year to date"), "to_date", "year"),
    "7d": Preset(_("Last 7 days"), "rolling", days=7),
    "30d": Preset(_("Last 30 days"), "rolling", days=30),
    "90d": Preset(_("Last 90 days"), "rolling", days=90),
    "365d": Preset(_("Last 365 days"), "rolling", days=365),
}
COMPARISONS = {
    "previous": _("Previous period"),
    "year": _("Same period last year"),
}


def add_months(day: date, months: int) -> date:
    """The first day of the month `months` after (or before) the month of `day`."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def shift_months(day: date, months: int) -> date:
    """The same day of the month `months` away, clamped to that month's last day."""
    first = add_months(day, months)
    last = add_months(first, 1) - timedelta(days=1)
    return first.replace(day=min(day.day, last.day))


def unit_start(day: date, unit: str) -> date:
    """The first day of the week (Monday), month, quarter or year holding `day`."""
    if unit == "week":
        return day - timedelta(days=day.weekday())
    if unit == "quarter":
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    if unit == "year":
        return day.replace(month=1, day=1)
    return day.replace(day=1)


def unit_before(start: date, unit: str, count: int = 1) -> tuple[date, date]:
    """The whole week/month/quarter/year `count` units before the one starting on `start`."""
    if unit == "week":
        first = start - timedelta(days=7 * count)
        return first, first + timedelta(days=6)
    first = add_months(start, -UNIT_MONTHS[unit] * count)
    return first, add_months(first, UNIT_MONTHS[unit]) - timedelta(days=1)


def preset_range(name: str, today: date) -> tuple[date, date]:
    """First and last day of a preset read on `today`."""
    preset = PRESETS[name]
    if preset.kind == "rolling":
        return today - timedelta(days=preset.days - 1), today
    start = unit_start(today, preset.unit)
    if preset.kind == "last":
        return unit_before(start, preset.unit)
    return start, today


def previous_range(name: str, start: date, end: date) -> tuple[date, date]:
    """The previous period a period (a preset's name, or "custom") is compared with."""
    preset = PRESETS.get(name)
    if preset is None or preset.kind == "rolling":
        days = (end - start).days + 1
        return start - timedelta(days=days), start - timedelta(days=1)
    if preset.kind in ("current", "last"):
        return unit_before(unit_start(start, preset.unit), preset.unit)
    # to date: as many days into the previous month or year, never past its end
    first, last = unit_before(start, preset.unit)
    if preset.unit == "year":
        return first, min(year_earlier(end), last)
    return first, min(shift_months(end, -1), last)


def year_earlier(day: date) -> date:
    """The same day one year earlier (29 February → 28 February)."""
    return shift_months(day, -12)


def year_before_range(name: str, start: date, end: date) -> tuple[date, date]:
    """The same stretch one year earlier; weeks 52 weeks earlier, so weekdays line up. A
    current week, month, quarter or year so far is compared with the whole one a year ago,
    as with the previous one."""
    preset = PRESETS.get(name)
    whole = preset is not None and preset.kind == "current"
    if preset is not None and preset.unit == "week":
        first = start - timedelta(weeks=52)
        return first, first + timedelta(days=6) if whole else end - timedelta(weeks=52)
    if preset is not None and whole:
        return unit_before(year_earlier(start), preset.unit, 0)
    return year_earlier(start), year_earlier(end)
