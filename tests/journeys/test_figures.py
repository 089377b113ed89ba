"""The map's figures: equal to an independent recount of the rows, counted in the reader's
own subtree (a store manager sees her store's journey), never across units or tenants."""

from __future__ import annotations

import pytest

from tests.journeys.support import PERIOD, build
from voxloop.analytics import metrics
from voxloop.errors import NotFound
from voxloop.journeys import figures, selectors
from voxloop.responses.models import Response

pytestmark = pytest.mark.django_db


def _cells(found):
    return {tp["name"]: tp for stage in found["stages"] for tp in stage["touchpoints"]}


def _recount(survey, path_prefix, since, until):
    """NPS of the rows themselves: promoters minus detractors over everyone who scored."""
    rows = [
        r.nps
        for r in Response.objects.filter(survey=survey, is_complete=True)
        if r.unit_path.startswith(path_prefix) and since <= r.submitted_at < until
    ]
    promoters = sum(1 for s in rows if s >= 9)
    detractors = sum(1 for s in rows if s <= 6)
    return len(rows), 100 * (promoters - detractors) / len(rows)


def test_figures_equal_an_independent_recount_for_each_reader(world):
    built = build(world.acme)
    since_until = figures.period_of(world.acme.scope("admin"), PERIOD, built.journey)[0].bounds()
    for reader, unit_key in (("store", "c1r1s1"), ("sibling_store", "c1r1s2"), ("admin", "root")):
        scope = world.acme.scope(reader)
        found = figures.journey_map(scope, selectors.journey(scope, built.journey.pk), PERIOD)
        visit = _cells(found)["Store visit"]
        n, nps = _recount(built.survey, world.acme.units[unit_key].path, *since_until)
        assert visit["headline"]["n"] == n
        assert visit["headline"]["value"] == pytest.approx(nps, abs=1e-3)
        assert visit["metric"] == "nps"


def test_a_store_manager_sees_her_store_only(world):
    built = build(world.acme)
    scope = world.acme.scope("store")
    found = figures.journey_map(scope, selectors.journey(scope, built.journey.pk), PERIOD)
    cells = _cells(found)
    assert found["unit"]["id"] == world.acme.units["c1r1s1"].pk
    assert cells["Store visit"]["responses"] == 12
    assert cells["Store visit"]["volume"] == 12  # the sibling's 5 visits are not hers
    assert cells["Checkout"]["volume"] == 8
    assert cells["Home delivery"]["volume"] == 4
    # The interval and the engine's low-sample flag come with the figure.
    head = cells["Store visit"]["headline"]
    expected = metrics.nps(8, 2, 2)
    assert head["low"] == pytest.approx(expected.low, abs=1e-3)
    assert head["low_sample"] is True
    assert cells["Store visit"]["status"] == "low_sample"


def test_question_touchpoint_counts_its_own_answers(world):
    built = build(world.acme)
    scope = world.acme.scope("regional")
    found = figures.journey_map(scope, selectors.journey(scope, built.journey.pk), PERIOD)
    checkout = _cells(found)["Checkout"]
    csats = [5, 5, 4, 4, 5, 4, 5, 5, 3, 3, 1, 2] + [1] * 5
    assert checkout["metric"] == "csat"
    assert checkout["headline"]["n"] == len(csats)
    assert checkout["headline"]["value"] == pytest.approx(
        100 * sum(c >= 4 for c in csats) / len(csats)
    )
    assert set(checkout["scores"]) == {"csat"}


def test_change_compares_with_the_previous_period(world):
    built = build(world.acme)
    scope = world.acme.scope("store")
    params = {**PERIOD, "min_n": "3"}
    found = figures.journey_map(scope, selectors.journey(scope, built.journey.pk), params)
    visit = _cells(found)["Store visit"]
    before = 100.0  # four promoters in October
    assert visit["change"]["delta"] == pytest.approx(visit["headline"]["value"] - before)
    assert visit["change"]["method"] == "exact_permutation"


def test_stage_counts_each_measure_once_and_sums_volume(world):
    built = build(world.acme)
    scope = world.acme.scope("regional")
    found = figures.journey_map(scope, selectors.journey(scope, built.journey.pk), PERIOD)
    visit_stage = found["stages"][0]
    assert visit_stage["volume"] == 17
    assert visit_stage["scores"]["nps"]["n"] == 17


def test_another_tenant_and_a_neighbour_unit_cannot_read_the_journey(world):
    built = build(world.acme)
    with pytest.raises(NotFound):
        selectors.journey(world.other.scope("admin"), built.journey.pk)
    # A journey owned by one store is not seen from its sibling.
    from voxloop.journeys import services

    own = services.create_journey(
        scope=world.acme.scope("country_admin"), unit=world.acme.units["c1r1s1"], name="Mine"
    )
    with pytest.raises(NotFound):
        selectors.journey(world.acme.scope("sibling_store"), own.pk)
    assert selectors.journey(world.acme.scope("store"), own.pk).pk == own.pk


def test_a_persona_variant_counts_its_segment_only(world):
    built = build(world.acme)
    from voxloop.contacts import services as contact_services
    from voxloop.journeys import services

    segment = contact_services.save_segment(
        actor=world.acme.scope("admin"),
        unit=world.acme.root,
        name="Store 2 customers",
        filters={"match": "all", "items": [{"field": "unit", "op": "eq", "value": "AC1R1S2"}]},
    )
    services.update_journey(
        scope=world.acme.scope("admin"), journey=built.journey, segment_id=segment.pk
    )
    scope = world.acme.scope("admin")
    found = figures.journey_map(scope, selectors.journey(scope, built.journey.pk), PERIOD)
    visit = _cells(found)["Store visit"]
    assert visit["responses"] == 5
    assert visit["volume"] == 5
    assert visit["headline"]["value"] == pytest.approx(-100.0)


@pytest.mark.parametrize(
    ("metric", "value", "low", "high", "delta", "significant", "expected"),
    [
        ("nps", -20.0, -35.0, -5.0, None, False, "broken"),
        ("nps", 10.0, -5.0, 25.0, None, False, "watch"),
        ("nps", 50.0, 35.0, 65.0, -10.0, True, "broken"),
        ("nps", 50.0, 35.0, 65.0, 10.0, True, "good"),
        ("ces", 5.0, 4.6, 5.4, None, False, "watch"),
    ],
)
def test_status_colours_only_what_the_interval_supports(
    metric, value, low, high, delta, significant, expected
):
    head = metrics.Figure(metric, value, 100, low, high, 1.0, False)
    moved = metrics.Change(delta, None, 0.01 if significant else 0.5, significant)
    assert figures.status_of(metric, head, moved) == expected
    small = metrics.Figure(metric, value, 10, low, high, 1.0, True)
    assert figures.status_of(metric, small, moved) == "low_sample"


def test_a_review_source_touchpoint_reads_its_ratings_in_scope(world):
    from datetime import UTC, datetime

    from voxloop.journeys import services
    from voxloop.journeys.models import Stage
    from voxloop.reviews import services as review_services

    org = world.acme
    built = build(org)
    admin = org.scope("admin")
    source = review_services.create_source(scope=admin, unit=org.root, name="Shops", kind="file")
    for code, key in (("s1", "c1r1s1"), ("s2", "c1r1s2")):
        review_services.set_location(
            scope=admin, source=source, external_id=code, unit=org.units[key]
        )
    data = (
        b"id,location,rating,date,text\n"
        b"r1,s1,5,2026-11-05,Great\nr2,s1,3,2026-11-06,Fine\nr3,s1,4,2026-11-07,Good\n"
        b"r4,s2,1,2026-11-05,Awful\n"
    )
    review_services.import_file(
        scope=admin, source=source, name="r.csv", data=data, now=datetime(2026, 12, 1, tzinfo=UTC)
    )
    stage = Stage.objects.filter(journey=built.journey).first()
    services.add_touchpoint(
        scope=admin,
        stage=stage,
        name="Reviews",
        measure=services.Measure(measure="reviews", review_source_id=source.pk),
    )
    scope = org.scope("store")
    found = figures.journey_map(scope, selectors.journey(scope, built.journey.pk), PERIOD)
    reviews = _cells(found)["Reviews"]
    assert reviews["metric"] == "rating"
    assert reviews["headline"]["n"] == 3
    assert reviews["headline"]["value"] == pytest.approx(4.0)
    assert f"source={source.pk}" in reviews["dashboard_url"]
    regional = org.scope("regional")
    found = figures.journey_map(regional, selectors.journey(regional, built.journey.pk), PERIOD)
    assert _cells(found)["Reviews"]["headline"]["value"] == pytest.approx(13 / 4)
