"""An account manager's home opens on their at-risk accounts and calls to action (issue 20,
demo): their own book first, the others of their subtree after; the panel only for a reader
who owns accounts; nothing of another tenant; the API carries the same."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.analytics.test_case_panel import make_cases
from tests.health.support import answer, build_book
from tests.health.test_compute import _nps_only
from voxloop.contacts.models import Account
from voxloop.health import computing
from voxloop.health.models import CallToAction

pytestmark = pytest.mark.django_db


def client_for(org, name) -> Client:
    c = Client()
    c.force_login(org.user(name))
    return c


@pytest.fixture
def books(world):
    """Acme: "A Mine Ltd" (store 1.1.1) now owned by the regional manager, falling from green
    to red (a call to action for her); "A Next Ltd" (store 1.1.2, the sibling store manager's)
    red and lower. Other: the same book, all red, never in Acme's homes."""
    now = timezone.now()
    out = {}
    for org, prefix in ((world.acme, "A"), (world.other, "B")):
        book = build_book(org, prefix)
        Account.objects.filter(pk=book.accounts["mine"].pk).update(owner=org.user("regional"))
        _nps_only(org)
        org_id = org.root.organization_id
        computing.compute(organization_id=org_id, at=now - timedelta(days=30))
        answer(book, "mine-1", 0, at=now - timedelta(days=2), csat=1)
        answer(book, "next-1", 0, at=now - timedelta(days=2), csat=1)
        computing.compute(organization_id=org_id, at=now)
        out[prefix] = book
    make_cases(world.acme)  # an older, overdue detractor case at store 1.1.1
    return out


def test_account_managers_home_lists_her_red_accounts_and_calls_first(world, books):
    acme = world.acme
    html = client_for(acme, "regional").get("/").content.decode()
    assert 'data-testid="home-at-risk"' in html
    # The first panel of the page, before the key figures.
    assert html.index('data-testid="home-at-risk"') < html.index('data-testid="home-kpis"')
    panel = html.split('data-testid="home-at-risk"')[1].split("</section>")[0]
    # Her own account first though the sibling's is lower, then the sibling's.
    assert panel.index("A Mine Ltd") < panel.index("A Next Ltd")
    assert 'data-band="red" data-mine="1"' in panel
    assert f"/health/accounts/{books['A'].accounts['mine'].pk}/" in panel
    assert '<td class="change down">▼ -75</td>' in panel  # 100 → 25
    assert "B Mine Ltd" not in html and "B Next Ltd" not in html
    # The call to action leads her cases though the detractor case is older and overdue.
    call = CallToAction.objects.get(account=books["A"].accounts["mine"])
    cases = html.split('data-testid="home-cases"')[1].split("</section>")[0]
    first = cases.split("<li")[1]
    assert 'data-call="1"' in first and f"/cases/{call.case_id}/" in first
    assert cases.count("<li") >= 2


def test_the_api_carries_the_same(world, books):
    body = client_for(world.acme, "regional").get("/api/v1/analytics/home").json()
    items = body["at_risk"]["items"]
    assert [i["name"] for i in items] == ["A Mine Ltd", "A Next Ltd"]
    assert [i["mine"] for i in items] == [True, False]
    assert items[0]["band"] == "red" and items[0]["change"] == pytest.approx(-75)
    assert body["at_risk"]["mine"] == 1 and body["at_risk"]["red"] == 1
    assert body["cases"]["items"][0]["call"] is True


def test_no_panel_for_a_reader_who_owns_no_accounts(world, books):
    # The store manager reads records in her store but owns no account any more.
    html = client_for(world.acme, "store").get("/").content.decode()
    assert 'data-testid="home-kpis"' in html and 'data-testid="home-at-risk"' not in html
    assert client_for(world.acme, "store").get("/api/v1/analytics/home").json()["at_risk"] is None
    # The sibling owns a red account: its panel shows it, never the other tenant's.
    body = client_for(world.acme, "sibling_store").get("/api/v1/analytics/home").json()
    assert [i["name"] for i in body["at_risk"]["items"]] == ["A Next Ltd"]
    other = client_for(world.other, "regional").get("/api/v1/analytics/home").json()
    assert {i["name"] for i in other["at_risk"]["items"]} == {"B Mine Ltd", "B Next Ltd"}
