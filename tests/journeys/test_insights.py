"""Journey analytics: the stage funnel with counts and Wilson intervals, the hours between
stages, and which touchpoint predicts relationship NPS and churn (seeded simulation)."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from tests.analytics.support import cx_survey, respond
from tests.contacts.helpers import add_contact
from tests.journeys.support import IN_PERIOD, PERIOD, build
from voxloop.analytics import metrics
from voxloop.contacts.lifecycle import record_status
from voxloop.journeys import insights, selectors, services

pytestmark = pytest.mark.django_db


def _read(world, reader, journey, params=PERIOD):
    scope = world.acme.scope(reader)
    return insights.journey_insights(scope, selectors.journey(scope, journey.pk), params)


def test_funnel_counts_conversions_with_wilson_intervals_and_times(world):
    built = build(world.acme)
    steps = _read(world, "store", built.journey)["funnel"]["steps"]
    assert [s["customers"] for s in steps] == [12, 8, 4]
    expected = metrics.proportion("conversion", 8, 12)
    assert steps[1]["conversion"]["value"] == pytest.approx(expected.value, abs=1e-3)
    assert steps[1]["conversion"]["low"] == pytest.approx(expected.low, abs=1e-3)
    assert steps[1]["conversion"]["high"] == pytest.approx(expected.high, abs=1e-3)
    assert steps[2]["overall"]["value"] == pytest.approx(100 * 4 / 12, abs=1e-3)
    # Purchase came 3 + i hours after the visit for customer i (i = 0..7).
    hours = steps[1]["hours"]
    assert hours["n"] == 8
    assert hours["median"] == pytest.approx(6.5)
    assert (hours["q1"], hours["q3"]) == (pytest.approx(4.75), pytest.approx(8.25))
    assert steps[2]["hours"]["median"] == pytest.approx(45.5)


def test_funnel_is_counted_in_the_readers_subtree(world):
    built = build(world.acme)
    assert [s["customers"] for s in _read(world, "regional", built.journey)["funnel"]["steps"]] == [
        17,
        8,
        4,
    ]
    assert [
        s["customers"] for s in _read(world, "sibling_store", built.journey)["funnel"]["steps"]
    ] == [5, 0, 0]


def test_funnel_intervals_hold_their_coverage_at_small_n():
    """Seeded simulation of the funnel's step: the 95% interval covers the true conversion
    at least 93% of the time at n = 20 (the continuity-corrected Wilson interval)."""
    rng = random.Random(20)
    covered, runs = 0, 2000
    for _ in range(runs):
        n = 20
        k = sum(rng.random() < 0.3 for _ in range(n))
        f = metrics.proportion("conversion", k, n)
        covered += f.low <= 30.0 <= f.high
    assert covered / runs >= 0.93


def test_the_touchpoint_that_drives_relationship_nps_ranks_first(world):
    org = world.acme
    built = build(org)
    relationship = cx_survey(org, kind="relationship", name="Relationship")
    services.update_journey(
        scope=org.scope("admin"), journey=built.journey, relationship_survey_id=relationship.pk
    )
    rng = random.Random(7)
    unit = org.units["c1r1s1"]
    for i in range(60):
        contact = add_contact(org, "c1r1s1", f"R{i}")
        csat = rng.randint(1, 5)
        visit = rng.randint(0, 10)
        at = IN_PERIOD + timedelta(days=1, minutes=i)
        respond(built.survey, unit, nps=visit, csat=csat, at=at, contact=contact)
        loyal = max(0, min(10, round(2 * csat + rng.gauss(0, 1))))
        respond(relationship, unit, nps=loyal, at=at + timedelta(hours=1), contact=contact)
    found = _read(world, "admin", built.journey)["nps"]
    assert found["reason"] == ""
    assert found["n"] >= 60
    first, second = found["touchpoints"]
    assert first["name"] == "Checkout"
    assert first["low"] > second["high"]
    assert first["direction"] == 1
    assert found["r2"] > 0.5


def test_too_few_customers_is_low_sample_not_a_model(world):
    org = world.acme
    built = build(org)
    relationship = cx_survey(org, kind="relationship", name="Relationship")
    services.update_journey(
        scope=org.scope("admin"), journey=built.journey, relationship_survey_id=relationship.pk
    )
    for contact in built.contacts["here"][:5]:
        respond(relationship, org.units["c1r1s1"], nps=8, at=IN_PERIOD, contact=contact)
    found = _read(world, "admin", built.journey)["nps"]
    assert found["reason"] == "low_sample"
    assert found["touchpoints"] == []
    assert found["n"] == 5


def test_churn_model_names_its_outcome_and_sample(world):
    org = world.acme
    built = build(org)
    for contact in built.contacts["here"][-3:] + built.contacts["there"]:
        record_status(actor=org.scope("admin"), customer=contact, status="churned")
    found = _read(world, "admin", built.journey, {**PERIOD, "min_n": "10"})["churn"]
    assert found["n"] == 17
    assert found["reason"] == ""
    assert {row["name"] for row in found["touchpoints"]} == {"Store visit", "Checkout"}
    visit = next(r for r in found["touchpoints"] if r["name"] == "Store visit")
    assert visit["direction"] == -1  # the churned scored lower
