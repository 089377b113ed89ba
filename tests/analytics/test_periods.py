"""Periods people talk in and what they are compared with (issue 16 item 3, decision 0025)."""

from datetime import UTC, date, datetime

import pytest
from django.http import QueryDict
from freezegun import freeze_time

from tests.analytics.support import respond
from voxloop.analytics import dashboard, filters, selectors
from voxloop.errors import InvalidInput


def period(name: str, today: str, compare: str = "") -> str:
    """First and last day of the period read on `today`, then of the one it is compared with."""
    f = filters.parse({"period": name, "compare": compare}, today=date.fromisoformat(today))
    before = f.previous()
    return " ".join(d.isoformat() for d in (f.start, f.end, before.start, before.end))


D = date


@pytest.mark.parametrize(
    ("name", "today", "expected"),
    [
        # Wednesday 18 November 2026: the week began on Monday the 16th
        ("this_week", "2026-11-18", "2026-11-16 2026-11-18 2026-11-09 2026-11-15"),
        ("last_week", "2026-11-18", "2026-11-09 2026-11-15 2026-11-02 2026-11-08"),
        ("this_month", "2026-03-10", "2026-03-01 2026-03-10 2026-02-01 2026-02-28"),
        ("last_month", "2026-03-31", "2026-02-01 2026-02-28 2026-01-01 2026-01-31"),
        # across the year boundary
        ("this_quarter", "2026-01-05", "2026-01-01 2026-01-05 2025-10-01 2025-12-31"),
        ("last_quarter", "2026-01-05", "2025-10-01 2025-12-31 2025-07-01 2025-09-30"),
        ("last_quarter", "2026-12-31", "2026-07-01 2026-09-30 2026-04-01 2026-06-30"),
        ("this_year", "2026-06-30", "2026-01-01 2026-06-30 2025-01-01 2025-12-31"),
        ("last_year", "2026-01-01", "2025-01-01 2025-12-31 2024-01-01 2024-12-31"),
        # to date: like for like, clamped to the shorter month
        ("mtd", "2026-03-31", "2026-03-01 2026-03-31 2026-02-01 2026-02-28"),
        ("mtd", "2026-03-15", "2026-03-01 2026-03-15 2026-02-01 2026-02-15"),
        ("ytd", "2024-02-29", "2024-01-01 2024-02-29 2023-01-01 2023-02-28"),
        ("7d", "2026-11-18", "2026-11-12 2026-11-18 2026-11-05 2026-11-11"),
        ("90d", "2026-03-31", "2026-01-01 2026-03-31 2025-10-03 2025-12-31"),
        ("365d", "2026-12-31", "2026-01-01 2026-12-31 2025-01-01 2025-12-31"),
    ],
)
def test_presets_and_their_previous_period(name, today, expected):
    assert period(name, today) == expected


@pytest.mark.parametrize(
    ("name", "today", "expected"),
    [
        ("last_quarter", "2026-01-05", "2025-10-01 2025-12-31 2024-10-01 2024-12-31"),
        ("this_month", "2026-03-10", "2026-03-01 2026-03-10 2025-03-01 2025-03-31"),
        ("ytd", "2024-02-29", "2024-01-01 2024-02-29 2023-01-01 2023-02-28"),
        ("30d", "2026-03-01", "2026-01-31 2026-03-01 2025-01-31 2025-03-01"),
        # weeks: 52 weeks back, Monday to Sunday
        ("last_week", "2026-11-18", "2026-11-09 2026-11-15 2025-11-10 2025-11-16"),
        ("this_week", "2026-11-18", "2026-11-16 2026-11-18 2025-11-17 2025-11-23"),
    ],
)
def test_compare_with_the_same_period_last_year(name, today, expected):
    assert period(name, today, compare="year") == expected


def test_older_urls_still_open_and_a_preset_wins_over_the_date_fields():
    today = D(2026, 11, 18)
    assert filters.parse({}, today=today).period == "90d"
    custom = filters.parse({"start": "2026-10-01", "end": "2026-10-31"}, today=today)
    assert (custom.period, custom.start, custom.end) == ("custom", D(2026, 10, 1), D(2026, 10, 31))
    assert custom.previous().start == D(2026, 8, 31)
    # what the filter bar sends: the preset chosen, and the date fields it showed
    both = filters.parse(
        QueryDict("period=last_month&start=2026-10-01&end=2026-10-09"), today=today
    )
    assert (both.start, both.end) == (D(2026, 10, 1), D(2026, 10, 31))
    picked = filters.parse(
        QueryDict("period=custom&start=2026-10-01&end=2026-10-09&compare=year"), today=today
    )
    assert (picked.start, picked.end, picked.compare) == (D(2026, 10, 1), D(2026, 10, 9), "year")
    assert picked.as_query()["compare"] == "year"
    assert "compare" not in filters.parse({}, today=today).as_query()


@pytest.mark.parametrize(
    ("params", "field"),
    [({"period": "fortnight"}, "period"), ({"compare": "decade"}, "compare")],
)
def test_unknown_period_or_comparison_is_a_clear_error(params, field):
    with pytest.raises(InvalidInput) as error:
        filters.parse(params)
    assert error.value.field == field


def test_a_calendar_period_is_read_on_the_units_own_today(world, survey):
    """At 20:00 UTC on 31 March it is already 1 April in Tokyo: "this month" there is April."""
    from voxloop.tenancy import services as tenancy_services

    org = world.acme
    tenancy_services.update_unit(actor=org.system, unit=org.units["c1"], time_zone="Asia/Tokyo")
    with freeze_time("2026-03-31 20:00:00"):
        here = filters.parse({"period": "this_month"})
        tokyo = selectors.context(
            org.scope("director"),
            filters.parse({"period": "this_month", "unit": str(org.units["c1"].pk)}),
        ).filters
        london = selectors.context(
            org.scope("director"),
            filters.parse({"period": "this_month", "unit": str(org.units["c2"].pk)}),
        ).filters
    assert (here.start, here.end) == (D(2026, 3, 1), D(2026, 3, 31))
    assert (tokyo.start, tokyo.end) == (D(2026, 4, 1), D(2026, 4, 1))
    assert (tokyo.previous().start, tokyo.previous().end) == (D(2026, 3, 1), D(2026, 3, 31))
    assert (london.start, london.end) == (D(2026, 3, 1), D(2026, 3, 31))


def test_compare_year_drives_every_change_on_the_dashboard(
    world, survey, immediate_tasks, django_capture_on_commit_callbacks
):
    org = world.acme
    store = org.units["c1r1s1"]
    with freeze_time("2026-11-18 12:00:00"):
        with django_capture_on_commit_callbacks(execute=True):
            for _ in range(4):
                respond(
                    survey, store, nps=10, at=datetime(2025, 11, 10, 12, tzinfo=UTC)
                )  # a year ago
                respond(
                    survey, store, nps=0, at=datetime(2026, 10, 20, 12, tzinfo=UTC)
                )  # last month
                respond(
                    survey, store, nps=5, at=datetime(2026, 11, 10, 12, tzinfo=UTC)
                )  # this month
        scope = org.scope("director")
        base = {"period": "this_month", "min_n": "1", "unit": str(store.pk)}
        previous = dashboard.payload(scope, filters.parse(base), parts=("kpis",))
        yearly = dashboard.payload(scope, filters.parse({**base, "compare": "year"}), ("kpis",))
    nps = {d["metric"]: d for d in previous["kpis"]}["nps"]
    assert nps["figure"]["value"] == -100
    assert nps["change"]["delta"] == 0  # last month: -100 as well
    assert yearly["comparison"] == {"compare": "year", "start": "2025-11-01", "end": "2025-11-30"}
    nps = {d["metric"]: d for d in yearly["kpis"]}["nps"]
    assert nps["change"]["delta"] == -200  # a year ago: +100
