"""The demo's customer health: a model, personas and tiers, a year of monthly scores, a few
of accountmgr's accounts falling with their calls to action open, and a validation whose
score tells the accounts that churned from those that renewed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from voxloop.analytics import home
from voxloop.demo import DemoSize, seed_demo
from voxloop.distribution.models import SegmentRule
from voxloop.health import selectors
from voxloop.health.models import Audience, CallToAction, HealthHistory, HealthScore
from voxloop.tenancy.models import Membership
from voxloop.tenancy.scoping import Scope

pytestmark = pytest.mark.django_db
ANCHOR = datetime(2026, 6, 1, tzinfo=UTC)


def test_demo_health():
    # 30 accounts of 5 contacts each (the demo gives a B2B account's people the first 3%).
    seed_demo(DemoSize(stores=4, staff=10, accounts=30, contacts=4500, responses=1500), seed=5,
              anchor=ANCHOR)  # fmt: skip
    assert HealthScore.objects.filter(account__isnull=False, score__isnull=False).count() > 20
    assert (
        HealthHistory.objects.filter(account__isnull=False).values("day").distinct().count() == 13
    )
    assert set(Audience.objects.values_list("kind", flat=True)) == {"persona", "tier"}
    rules = SegmentRule.objects.select_related("segment")
    assert {r.segment.name: (r.min_days_between, r.ask_by) for r in rules} == {
        "High-touch": (45, "owner"),
        "Low-touch": (14, "automated"),
    }  # each tier's cadence (decision 0041)
    manager = Membership.objects.get(user__username="accountmgr")
    calls = CallToAction.objects.filter(owner=manager.user)
    assert calls.exists() and all(c.case_id for c in calls)
    risky = selectors.at_risk(Scope.of(manager))
    assert {c.account_id for c in calls} <= {s.account_id for s in risky}
    # The accountmgr login sees them first on its home: its at-risk accounts, its calls.
    first = home.home(Scope.of(manager), {})
    assert first.at_risk is not None and first.at_risk["mine"] >= len(calls)
    assert {i["account_id"] for i in first.at_risk["items"] if i["mine"]} >= {
        c.account_id for c in calls
    }
    assert first.at_risk["items"][0]["mine"]
    assert first.cases is not None and first.cases["items"][0]["call"]
    assert first.cases["items"][0]["id"] in {c.case_id for c in calls}
    admin = Scope.of(Membership.objects.get(user__username="admin"))
    checked = selectors.separation(admin, until=ANCHOR)
    print("demo validation:", checked.result, checked.stayed_mean, checked.left_mean)  # -s
    assert checked.result.left >= 5 and checked.result.auc > 0.6
    assert checked.left_mean < checked.stayed_mean
