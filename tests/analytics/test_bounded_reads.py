"""The dashboard's bounded reads (decision 0027) give exactly what reading everything gives:
the newest comments from a widening window, the heat map summed by weekday in the database,
and rank intervals worked out for the staff shown only. Seeded data, with edits, deletions
and erasures of responses."""

import random
from datetime import UTC, date, datetime, timedelta

import pytest

from tests.analytics.support import respond, staff_of
from voxloop.analytics import filters, inference, raw_counts, response_reads, selectors, services
from voxloop.analytics.metrics import Counts
from voxloop.analytics.models import Facet
from voxloop.responses.forgetting import erase_person
from voxloop.responses.models import Response
from voxloop.responses.signals import responses_changed

TODAY = date(2026, 11, 30)
PLACES = ("c1r1s1", "c1r1s2", "c2r1s1")


def at(days_ago: float) -> datetime:
    end = datetime(TODAY.year, TODAY.month, TODAY.day, 23, 0, tzinfo=UTC)
    return end - timedelta(days=days_ago)


@pytest.fixture
def seeded(world, survey):
    """Responses over 90 days, comments mostly early (so the first window is too short),
    then edited, deleted and erased at random; rollups rebuilt from what is left."""
    rng = random.Random(27)
    org = world.acme
    made = []
    for i in range(60):
        unit = org.units[rng.choice(PLACES)]
        old = rng.random() < 0.8
        made.append(
            respond(
                survey,
                unit,
                nps=rng.randint(0, 10),
                csat=rng.randint(1, 5),
                at=at(rng.uniform(30, 89) if old else rng.uniform(0, 2)),
                staff=staff_of(unit),
                comment=f"comment {i}" if old or rng.random() < 0.1 else "",
            )
        )
    ids = [r.pk for r in made]
    edited = rng.sample(ids, 10)
    for pk in edited:
        Response.objects.filter(pk=pk).update(
            nps=rng.randint(0, 10), submitted_at=at(rng.uniform(0, 89))
        )
    responses_changed.send(Response, organization_id=org.root.organization_id, response_ids=edited)
    Response.objects.filter(pk__in=rng.sample(ids, 8)).delete()
    left = list(Response.objects.values_list("pk", flat=True))
    erase_person(
        organization_id=org.root.organization_id,
        response_ids=rng.sample(left, 6),
        now=at(0),
    )
    services.rebuild(organization_id=org.root.organization_id)
    return survey


def ctx_for(world, person: str, **params):
    chosen = filters.parse({"period": "90d", **params}, today=TODAY)
    return selectors.context(world.acme.scope(person), chosen)


def test_newest_comments_equal_the_whole_period_ordered(world, seeded):
    keys = ["comment"]
    for person in ("store", "regional", "director"):
        ctx = ctx_for(world, person)
        everything = raw_counts.responses(ctx, shown=True).filter(answers__has_any_keys=keys)
        for limit in (1, 7, 20, 200):
            expected = [r.pk for r in everything[:limit]]
            assert expected, "the seed gives every reader comments"
            got = [r.pk for r in response_reads.newest_comments(ctx, keys, limit)]
            assert got == expected, (person, limit)


def test_verbatims_of_a_channel_filter_and_an_empty_period(world, seeded):
    assert response_reads.verbatims(ctx_for(world, "director", channel="sms")) == []
    far = filters.parse({"start": "2020-01-01", "end": "2020-01-31"}, today=TODAY)
    assert response_reads.verbatims(selectors.context(world.acme.scope("director"), far)) == []


@pytest.mark.parametrize("person", ["store", "director"])
@pytest.mark.parametrize(
    "period",
    [
        {"period": "90d"},  # whole months by month, the ragged ends by day (decision 0053)
        {"period": "last_month"},  # one whole month
        {"period": "7d"},  # days only
        {"period": "custom", "start": "2026-09-01", "end": "2026-11-30"},  # months only
        {"period": "custom", "start": "2026-09-15", "end": "2026-10-31"},  # a ragged start
    ],
)
def test_heatmap_from_rollups_equals_counting_the_responses(world, seeded, person, period):
    ctx = ctx_for(world, person, **period)
    grid = [[Counts() for _ in range(24)] for _ in range(7)]
    for r in raw_counts.responses(ctx):
        when = r.submitted_at.astimezone(UTC)
        grid[when.weekday()][when.hour].add(Counts.of_scores(r.nps, r.csat, r.ces, False))
    expected = [[selectors.cell(ctx, c) for c in row] for row in grid]
    got = selectors.heatmap(ctx)
    assert [[c["n"] for c in row] for row in got] == [[c["n"] for c in row] for row in expected]
    assert got == expected


def test_rank_intervals_of_the_first_rows_equal_the_full_table():
    rng = random.Random(5)
    values = sorted((rng.uniform(-50, 80) for _ in range(300)), reverse=True)
    ses = [rng.uniform(1, 30) for _ in values]
    full = inference.rank_intervals(values, ses)
    for first in (0, 1, 20, 300, 1000):
        assert inference.rank_intervals(values, ses, first) == full[:first]
    assert inference.rank_intervals([3.0], [1.0], 0) == []


def test_staff_leaderboard_ranks_among_everyone(world, seeded):
    ctx = ctx_for(world, "director")
    board = selectors.staff_leaderboard(ctx, limit=1)
    everyone = selectors.by_dimension(ctx, "staff")
    ranked = [r for r in everyone if not r["low_sample"] and r["value"] is not None]
    assert len(board["ranked"]) == min(1, len(ranked))
    if len(ranked) > 1:
        ranked.sort(key=lambda r: (-r["value"], -r["n"]))
        values, ses = [r["value"] for r in ranked], [r["se"] for r in ranked]
        lo, hi = inference.rank_intervals(values, ses)[0]
        assert (board["ranked"][0]["rank_low"], board["ranked"][0]["rank_high"]) == (lo, hi)


def test_tiles_cover_every_day_of_a_period_once():
    rng = random.Random(11)
    for _ in range(400):
        start = date(2024, 1, 1) + timedelta(days=rng.randint(0, 900))
        end = start + timedelta(days=rng.choice([0, 1, 6, 7, 13, 30, 89, 364, 365, 800]))
        days, weeks, months = selectors.tiles(start, end)
        covered = list(days)
        for monday in weeks:
            assert monday.weekday() == 0
            covered += [monday + timedelta(days=i) for i in range(7)]
        for first in months:
            assert first.day == 1
            day = first
            while day.month == first.month:
                covered.append(day)
                day += timedelta(days=1)
        assert sorted(covered) == [start + timedelta(days=i) for i in range((end - start).days + 1)]
    days, weeks, months = selectors.tiles(date(2025, 12, 7), date(2026, 12, 6))
    assert len(days) + len(weeks) + len(months) <= 30  # 12 months: about 30 rows, not 365


@pytest.mark.parametrize("period", ["30d", "90d", "365d"])
def test_staff_figures_from_weeks_and_months_equal_their_days(world, seeded, period):
    for person in ("store", "director"):
        ctx = ctx_for(world, person, period=period)
        daily = selectors._grouped(selectors._rows(ctx, Facet.STAFF), "value")
        assert daily, "the seed gives staff figures"
        assert selectors._counts_by(ctx, Facet.STAFF, "value") == daily
