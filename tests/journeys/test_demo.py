"""The demo's journeys: the retail "Buy in store" (visit → purchase → delivery → support),
"Support ticket" and the B2B persona's onboarding → adoption → renewal, measured and with
interaction history, so their maps and funnels show figures once the demo is seeded. Seeded
here on the test organisation (the whole demo is seeded by tests/demo and tests/cli: too slow
to repeat for this)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from tests.analytics.support import cx_survey, respond
from tests.contacts.helpers import add_contact
from voxloop.contacts import services as contact_services
from voxloop.contacts.interactions import import_history
from voxloop.contacts.models import Interaction
from voxloop.journeys import figures, insights, selectors
from voxloop.journeys.demo import add_journeys
from voxloop.journeys.models import Journey

pytestmark = pytest.mark.django_db

ANCHOR = datetime(2026, 11, 30, tzinfo=UTC)
PARAMS = {"period": "custom", "start": "2026-09-01", "end": "2026-11-29"}


def test_demo_journeys_have_figures_and_funnels(world):
    org = world.acme
    system = org.system
    surveys = SimpleNamespace(
        relationship=cx_survey(org, kind="relationship", name="Relationship"),
        store_visit=cx_survey(org, name="Store visit"),
        support=cx_survey(org, name="Support"),
    )
    contact_services.save_segment(
        actor=system, unit=org.root, name="B2B decision makers", filters=[]
    )
    closed = contact_services.define_interaction_type(
        actor=system, unit=org.root, key="ticket_closed", name="Support ticket closed"
    )
    people = [add_contact(org, "c1r1s1", f"P{i}") for i in range(30)]
    import_history(
        actor=system,
        interactions=[
            Interaction(
                type=closed, contact=c, unit=c.home_unit, occurred_at=ANCHOR - timedelta(days=9)
            )
            for c in people[-10:]
        ],
    )
    for i, contact in enumerate(people):
        respond(
            surveys.store_visit,
            org.units["c1r1s1"],
            nps=i % 11,
            at=ANCHOR - timedelta(days=20),
            contact=contact,
        )
    added = add_journeys(system, SimpleNamespace(root=org.root), surveys, random.Random(5), ANCHOR)
    assert added > 30
    names = set(Journey.objects.values_list("name", flat=True))
    assert names == {"Buy in store", "Support ticket", "Onboarding → adoption → renewal"}
    shop = selectors.journey(system, Journey.objects.get(name="Buy in store").pk)
    assert shop.names["ja"] == "店舗での購入"
    found = figures.journey_map(system, shop, PARAMS)
    visit = found["stages"][0]["touchpoints"][0]
    assert visit["volume"] == 30 and visit["responses"] == 30
    # The retail journey: visit → purchase → delivery → support, each stage measured.
    assert [s["name"] for s in found["stages"]] == ["Visit", "Purchase", "Delivery", "Support"]
    help_tp = shop.stages.get(name="Support").touchpoints.get()
    assert help_tp.interaction_type.key == "ticket_opened"
    assert (help_tp.survey_id, help_tp.question_key) == (surveys.support.pk, "csat")
    steps = insights.journey_insights(system, shop, PARAMS)["funnel"]["steps"]
    assert [s["name"] for s in steps] == ["Visit", "Purchase", "Delivery", "Support"]
    counts = [s["customers"] for s in steps]
    assert counts == sorted(counts, reverse=True) and counts[1] > 0 and counts[3] > 0
    assert counts[3] < counts[2]  # some delivered orders needed help, most did not
    support = selectors.journey(system, Journey.objects.get(name="Support ticket").pk)
    opened, resolved = insights.journey_insights(system, support, PARAMS)["funnel"]["steps"]
    assert opened["customers"] > resolved["customers"] == 10
    assert Journey.objects.get(name="Onboarding → adoption → renewal").segment_id is not None
