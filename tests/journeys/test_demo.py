"""The demo's journeys: "Buy in store", "Support ticket" and the B2B persona's onboarding →
adoption → renewal, measured and with interaction history, so their maps and funnels show
figures as soon as the demo is seeded."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from voxloop.demo import DemoSize, seed_demo
from voxloop.journeys import figures, insights, selectors
from voxloop.journeys.models import Journey
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.scoping import Scope

pytestmark = pytest.mark.django_db

ANCHOR = datetime(2026, 6, 1, tzinfo=UTC)


def test_demo_journeys_have_figures_and_funnels():
    seed_demo(
        DemoSize(stores=10, staff=30, accounts=4, contacts=400, responses=2000),
        seed=5,
        anchor=ANCHOR,
    )
    root = tenancy_selectors.organization_root(tenancy_selectors.organization_by_slug("demo").pk)
    system = Scope.system(root)
    names = set(Journey.objects.values_list("name", flat=True))
    assert names == {"Buy in store", "Support ticket", "Onboarding → adoption → renewal"}
    shop = selectors.journey(system, Journey.objects.get(name="Buy in store").pk)
    assert shop.names["ja"] == "店舗での購入"
    params = {"period": "custom", "start": "2026-03-03", "end": "2026-05-31"}
    found = figures.journey_map(system, shop, params)
    visit = found["stages"][0]["touchpoints"][0]
    assert visit["volume"] > 100 and visit["responses"] > 0 and visit["headline"]["n"] > 0
    steps = insights.journey_insights(system, shop, params)["funnel"]["steps"]
    assert steps[0]["customers"] > steps[1]["customers"] > steps[2]["customers"] > 0
    support = Journey.objects.get(name="Support ticket")
    funnel = insights.journey_insights(system, selectors.journey(system, support.pk), params)
    opened, resolved = funnel["funnel"]["steps"]
    assert opened["customers"] > resolved["customers"] > 0
    assert Journey.objects.get(name="Onboarding → adoption → renewal").segment_id is not None
