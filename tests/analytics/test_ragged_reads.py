"""Reads that take whole months from the month rows and only the ragged ends by day (trend
by month or quarter, decision 0056) give exactly what summing the rows by day gives, and what
counting the responses gives: periods with ragged ends, answers around daylight-saving
changes in a unit's own time zone, and two surveys."""

import random
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

import pytest

from tests.analytics.support import cx_survey, respond, staff_of
from voxloop.analytics import dashboard, filters, home, raw_counts, selectors, services
from voxloop.analytics.metrics import Counts
from voxloop.analytics.models import Facet, Rollup
from voxloop.tenancy import services as tenancy_services

TODAY = date(2026, 11, 30)
PLACES = ("c1r1s1", "c1r1s2", "c2r1s1")
# Around the changes: New York's (8 March, 1 November 2026; 2 November 2025) and Europe's.
CHANGES = (
    datetime(2025, 11, 2, 6, tzinfo=UTC),
    datetime(2026, 3, 8, 7, tzinfo=UTC),
    datetime(2026, 3, 29, 1, tzinfo=UTC),
    datetime(2026, 11, 1, 6, tzinfo=UTC),
)
PERIODS = [
    {"period": "365d"},
    {"period": "90d"},
    {"period": "30d"},
    {"period": "last_month"},
    {"period": "custom", "start": "2025-11-02", "end": "2026-03-08"},  # ragged, on changes
    {"period": "custom", "start": "2026-01-01", "end": "2026-06-30"},  # whole months only
    {"period": "custom", "start": "2026-02-10", "end": "2026-02-20"},  # days only
]


@pytest.fixture
def spread(world, survey):
    """Answers to two surveys over 15 months, a third of them within hours of a month's end
    or a daylight-saving change, the first country in New York time."""
    org = world.acme
    tenancy_services.update_unit(
        actor=org.system, unit=org.units["c1"], time_zone="America/New_York"
    )
    other = cx_survey(org, name="Pickup")
    rng = random.Random(56)
    edges = [datetime(y, m, 1, tzinfo=UTC) for y, m in ((2025, 12), (2026, 3), (2026, 7))]
    for i in range(90):
        if i % 3:
            when = datetime(2026, 11, 30, 22, tzinfo=UTC) - timedelta(days=rng.uniform(0, 460))
        else:
            when = rng.choice(CHANGES + tuple(edges)) + timedelta(hours=rng.uniform(-9, 9))
        unit = org.units[rng.choice(PLACES)]
        respond(
            rng.choice((survey, other)),
            unit,
            nps=rng.randint(0, 10),
            csat=rng.randint(1, 5),
            at=when,
            staff=staff_of(unit),
            channel=rng.choice(("web", "sms")),
        )
    services.rebuild(organization_id=org.root.organization_id)
    return survey


def ctx_for(world, person: str, **params):
    chosen = filters.parse({"min_n": "1", **params}, today=TODAY)
    return selectors.context(world.acme.scope(person), chosen)


def previous_trend(ctx) -> list[dict]:
    """The previous read: every day's total row, bucketed."""
    days = selectors._counts_by(ctx, Facet.TOTAL, "day")
    saved, selectors._trend_rows = selectors._trend_rows, lambda ctx, grain: days
    try:
        return selectors.trend(ctx)
    finally:
        selectors._trend_rows = saved


@pytest.mark.parametrize("period", PERIODS)
@pytest.mark.parametrize("grain", ["month", "quarter"])
def test_trend_from_month_rows_equals_the_rows_by_day(world, spread, period, grain):
    for person in ("store", "regional", "director"):
        for extra in ({}, {"channel": "sms"}, {"survey": str(spread.pk)}):
            ctx = ctx_for(world, person, grain=grain, **period, **extra)
            expected = previous_trend(ctx)
            if person == "director" and not extra and "2026-02-10" not in period.values():
                assert expected, "the seed gives the director answers in the period"
            assert selectors.trend(ctx) == expected, (person, extra)


@pytest.mark.parametrize("period", PERIODS)
def test_trend_by_month_equals_counting_the_responses(world, spread, period):
    """In one time zone (a store in New York) the raw recount's days are the rollups'."""
    ctx = ctx_for(world, "store", grain="month", **period)
    assert ctx.filters.zone == "America/New_York"
    counted: dict[date, Counts] = defaultdict(Counts)
    for day, counts in raw_counts.grouped(ctx, Facet.TOTAL, "day").items():
        counted[selectors.bucket_start(day, "month")].add(counts)
    got = {date.fromisoformat(p["start"]): p["n"] for p in selectors.trend(ctx)}
    assert got == {d: c.n for d, c in counted.items()}


@pytest.mark.parametrize("period", PERIODS)
def test_movers_levels_equal_the_rows_by_day(world, spread, period):
    ctx = ctx_for(world, "director", **period)
    for chosen in (ctx.filters, ctx.filters.previous()):
        expected: dict[str, Counts] = defaultdict(Counts)
        for level in (1, 2):
            depth = ctx.node.depth + level
            for path, counts in selectors._grouped(
                Rollup.objects.filter(
                    facet=Facet.TOTAL,
                    depth=depth,
                    day__gte=chosen.start,
                    day__lte=chosen.end,
                    organization_id=ctx.scope.organization_id,
                    survey_id__in=ctx.survey_ids,
                ),
                "node_path",
            ).items():
                expected[path].add(counts)
        assert home._level_counts(ctx, chosen) == dict(expected)


@pytest.mark.parametrize("period", PERIODS)
def test_weekdays_from_the_heat_map_equal_the_rows_by_day(world, spread, period):
    """The dashboard sums the heat map's hours into weekdays (decision 0056): each answer is
    in one hour of its own local day, across daylight-saving changes too."""
    for person in ("store", "regional", "director"):
        for extra in ({}, {"channel": "web"}, {"survey": str(spread.pk)}):
            ctx = ctx_for(world, person, **period, **extra)
            grid = selectors.week_hour_counts(ctx)
            assert selectors.by_weekday(ctx, grid) == selectors.by_weekday(ctx), (person, extra)


def test_the_payload_shows_the_same_weekdays_as_the_breakdown_alone(world, spread):
    ctx = ctx_for(world, "director", period="365d")
    whole = dashboard.payload_of(ctx)
    assert whole["breakdowns"]["weekday"] == selectors.by_dimension(ctx, "weekday")
    assert sum(r["n"] for r in whole["breakdowns"]["weekday"]) > 0
