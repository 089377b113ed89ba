"""What each app adds to the demo, read from the package's one seeded demo (conftest.py): the
tree and a login per role, contacts in their country's language, churn, the closed loop,
customer health and the web shop widget. Each app's own demo steps are tested at their own
app too, on the small test world; here they are checked as `voxloop demo` wires them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.demo.support import ANCHOR, ONE_WORKER, SHARED
from voxloop.analytics import churn, filters, home
from voxloop.analytics import selectors as analytics_selectors
from voxloop.closedloop import plans, sla
from voxloop.closedloop import selectors as closedloop_selectors
from voxloop.closedloop.models import ActionPlan, AlertRule, Case, Praise
from voxloop.contacts.models import Account, Contact, StatusChange
from voxloop.demo import DEMO_PASSWORD
from voxloop.distribution.models import SegmentRule, Widget
from voxloop.health import selectors as health_selectors
from voxloop.health.models import Audience, CallToAction, HealthHistory, HealthScore
from voxloop.responses.models import Response
from voxloop.tenancy.models import AuditEntry, Membership, OrgUnit, Staff
from voxloop.tenancy.scoping import Scope

pytestmark = [pytest.mark.django_db, ONE_WORKER]


def scope_of(username: str) -> Scope:
    return Scope.of(Membership.objects.select_related("unit", "user").get(user__username=username))


def test_tree_shape(demo):
    units = OrgUnit.objects.filter(organization=demo.organization)
    root = units.get(parent=None)
    countries = units.filter(kind="country")
    assert {c.name for c in countries} == {"United Kingdom", "Romania", "Japan"}
    assert all(c.parent_id == root.pk for c in countries)
    regions = units.filter(kind="region")
    assert regions.count() == 10 and all(r.parent.kind == "country" for r in regions)
    stores = units.filter(kind="store")
    assert stores.count() == SHARED.stores and all(s.parent.kind == "region" for s in stores)
    assert sorted(s.code for s in stores)[:2] == ["S-0001", "S-0002"]
    division = units.get(kind="division")
    assert division.parent_id == root.pk
    assert units.filter(kind="team", parent=division).count() == 4
    assert Staff.objects.filter(organization=demo.organization).count() == SHARED.staff
    accounts = Account.objects.filter(organization=demo.organization)
    assert accounts.count() == SHARED.accounts
    assert all(a.owner and a.unit.kind == "team" for a in accounts)
    contacts = Contact.objects.filter(organization=demo.organization)
    assert contacts.count() == SHARED.contacts and contacts.filter(account__isnull=False).exists()


def test_contacts_speak_the_language_of_their_country(demo):
    timezone_of = {"GB": "Europe/London", "RO": "Europe/Bucharest", "JP": "Asia/Tokyo"}
    locales = set()
    retail = Contact.objects.filter(home_unit__kind="store").select_related(
        "home_unit__parent__parent"
    )
    for contact in retail:
        country = contact.home_unit.parent.parent
        assert contact.timezone == timezone_of[country.code]
        assert contact.locale in {"en", "zh-hans", "ja", "ro"}
        assert {"tenure_months", "segment", "products", "spend_band"} <= set(contact.attributes)
        locales.add(contact.locale)
    assert {"en", "ja", "ro"} <= locales


def test_each_login_sees_its_part_of_the_company(demo, client):
    all_units = OrgUnit.objects.filter(organization=demo.organization).count()
    assert scope_of("director").units().count() == all_units
    assert scope_of("director").role == "analyst" and scope_of("admin").role == "admin"
    regional = scope_of("regional")
    assert {u.kind for u in regional.units()} == {"region", "store"}
    store = scope_of("store")
    assert [u.kind for u in store.units()] == ["store"]
    assert store.units().get().parent_id == regional.unit_id
    assert scope_of("agent").unit_id == store.unit_id and scope_of("agent").role == "agent"
    manager = scope_of("accountmgr")
    owned = Account.objects.filter(owner__username="accountmgr")
    visible = manager.filter(Account.objects.all(), path_field="unit_path")
    assert owned.exists() and set(owned) <= set(visible)
    assert (
        not manager.filter(Contact.objects.all(), path_field="unit_path")
        .filter(account__isnull=True)
        .exists()
    )
    assert client.login(username="store", password=DEMO_PASSWORD)
    assert Membership.objects.get(user__username="admin").user.is_staff


def test_detractors_leave_more_often_than_promoters(demo):
    assert not Contact.objects.filter(customer_since__isnull=True).exists()
    assert StatusChange.objects.filter(status="active", source="demo").exists()  # won back
    window = filters.parse({"period": "365d", "min_n": "1"}, today=ANCHOR.date())
    result = churn.churn(analytics_selectors.context(scope_of("director"), window))
    assert result["churned"] > 20 and 3 < result["figure"]["value"] < 25
    rate = {g["group"]: g["value"] for g in result["by_nps_group"]}
    assert rate["detractor"] > 1.8 * rate["promoter"]


def test_rules_cases_some_overdue_and_two_measured_plans(demo):
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
    store = scope_of("store")
    assert closedloop_selectors.visible_cases(store, box="all", now=ANCHOR).exists()
    figures = sla.sla_statistics(store, now=ANCHOR)["total"]
    assert figures["cases"] > 0 and figures["median_first_action_hours"] is not None
    # The idea boards' demo turns two ideas into plans of their own, not yet measured.
    measured = ActionPlan.objects.exclude(description__startswith="From idea #")
    assert measured.count() == 2
    for plan in measured:
        result = plans.plan_effect(scope=scope_of("director"), plan=plan, today=ANCHOR.date())
        assert result.before.n > 0 and result.after.n > 0 and result.delta is not None
    assert Praise.objects.exists()
    # Every finished case names its root cause; the agent and the account manager have work,
    # and every support team that heard from customers lately has cases.
    assert not Case.objects.filter(status__in=("resolved", "closed"), root_cause=None).exists()
    for login in ("agent", "accountmgr"):
        visible = closedloop_selectors.visible_cases(scope_of(login), box="all", now=ANCHOR)
        assert visible.exists(), login
    agent = Membership.objects.get(user__username="agent")
    assert Case.objects.filter(assignee=agent.user).exists()
    customers = Response.objects.filter(submitted_at__gte=ANCHOR - timedelta(days=30))
    customers = customers.exclude(survey__kind="employee")
    teams = OrgUnit.objects.filter(kind="team", pk__in=customers.values("unit_id"))
    assert len(teams) >= 2 and all(Case.objects.filter(unit=team).exists() for team in teams)


def test_customer_health(demo):
    """A model, personas and tiers, a year of monthly scores, a few of accountmgr's accounts
    falling with their calls to action open, and a validation whose score tells the accounts
    that churned from those that renewed."""
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
    risky = health_selectors.at_risk(Scope.of(manager))
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
    checked = health_selectors.separation(scope_of("admin"), until=ANCHOR)
    print("demo validation:", checked.result, checked.stayed_mean, checked.left_mean)  # -s
    assert checked.result.left >= 5 and checked.result.auc > 0.6
    assert checked.left_mean < checked.stayed_mean


def test_the_web_shop_widget(demo, client):
    widget = Widget.objects.get()
    assert widget.name == "Web shop NPS" and widget.is_active
    assert widget.survey.name and "https://shop.example.com" in widget.allowed_origins
    loader = client.get(f"/w/{widget.key}.js")
    assert loader.status_code == 200 and f'"key": "{widget.key}"' in loader.content.decode()
    assert AuditEntry.objects.filter(action="widget.create", target_id=str(widget.pk)).exists()
