"""The demo's closed loop: rules, cases (open, closed, some overdue), praise, two plans."""

from datetime import UTC, datetime, timedelta

import pytest

from voxloop.closedloop import plans, selectors, sla
from voxloop.closedloop.models import ActionPlan, AlertRule, Case, Praise
from voxloop.demo import DemoSize, seed_demo
from voxloop.responses.models import Response
from voxloop.tenancy.models import Membership, OrgUnit
from voxloop.tenancy.scoping import Scope

pytestmark = pytest.mark.django_db
ANCHOR = datetime(2026, 6, 1, tzinfo=UTC)


def test_demo_has_rules_cases_some_overdue_and_two_measured_plans():
    seed_demo(DemoSize(stores=14, staff=60, accounts=8, contacts=600, responses=6000), seed=4,
              anchor=ANCHOR)  # fmt: skip
    # Five of the closed loop's own (promoters are thanked, everyone is invited to review:
    # no review gating), text analytics' "Comment about rude staff" and the reviews' "Low
    # online rating".
    assert AlertRule.objects.count() == 7
    assert AlertRule.objects.filter(name="Low online rating", applies_to="reviews").exists()
    assert AlertRule.objects.filter(name="Comment about rude staff").exists()
    cases = list(Case.objects.all())
    assert len(cases) >= 10
    statuses = {c.status for c in cases}
    assert "closed" in statuses and statuses & {"new", "in_progress", "waiting"}
    assert any(c.is_open and c.due_at < ANCHOR for c in cases)
    store = Scope.of(Membership.objects.get(user__username="store"))
    assert selectors.visible_cases(store, box="all", now=ANCHOR).exists()
    figures = sla.sla_statistics(store, now=ANCHOR)["total"]
    assert figures["cases"] > 0 and figures["median_first_action_hours"] is not None
    # The idea boards' demo turns two ideas into plans of their own, not yet measured.
    measured = ActionPlan.objects.exclude(description__startswith="From idea #")
    assert measured.count() == 2
    director = Scope.of(Membership.objects.get(user__username="director"))
    for plan in measured:
        result = plans.plan_effect(scope=director, plan=plan, today=ANCHOR.date())
        assert result.before.n > 0 and result.after.n > 0 and result.delta is not None
    assert Praise.objects.exists()
    # Every finished case names its root cause; the agent and the account manager have work,
    # and every support team has cases.
    assert not Case.objects.filter(status__in=("resolved", "closed"), root_cause=None).exists()
    for login in ("agent", "accountmgr"):
        member = Scope.of(Membership.objects.get(user__username=login))
        assert selectors.visible_cases(member, box="all", now=ANCHOR).exists(), login
    agent = Membership.objects.get(user__username="agent")
    assert Case.objects.filter(assignee=agent.user).exists()
    # (This small demo's 8 accounts are served by two of the four teams.)
    customers = Response.objects.filter(submitted_at__gte=ANCHOR - timedelta(days=30))
    customers = customers.exclude(survey__kind="employee")
    teams = OrgUnit.objects.filter(kind="team", pk__in=customers.values("unit_id"))
    assert len(teams) >= 2 and all(Case.objects.filter(unit=team).exists() for team in teams)
