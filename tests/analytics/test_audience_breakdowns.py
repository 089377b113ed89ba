"""The dashboard's "By persona" and "By tier" breakdowns (decision 0041): each row equals a
recount from the responses themselves, within the reader's subtree only, and another
organisation's personas and tiers never appear."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.test import Client

from tests.analytics.support import respond
from tests.factories import PASSWORD
from voxloop.analytics import dashboard, filters, selectors
from voxloop.contacts import services as contact_services
from voxloop.contacts.models import Account, Contact
from voxloop.errors import InvalidInput
from voxloop.health import services as health_services
from voxloop.responses.models import Response

TODAY = date(2026, 11, 30)


def at(days_ago: int) -> datetime:
    day = TODAY - timedelta(days=days_ago)
    return datetime(day.year, day.month, day.day, 10, tzinfo=UTC)


def f(**params):
    return filters.parse({"period": "30d", **params}, today=TODAY)


def audience(org, kind: str, name: str, rules: list) -> int:
    system = org.system
    found = contact_services.save_segment(actor=system, unit=org.root, name=name, filters=rules)
    health_services.save_audience(actor=system, kind=kind, name=name, segment_id=found.pk)
    return found.pk


@pytest.fixture
def tiers(world, survey):
    """High-touch H1 (a buyer) and H2, low-touch L1 (a buyer); they answer in stores c1r1s1
    and c1r1s2; an anonymous answer too. Another organisation has its own tier."""
    acme = world.acme
    accounts = contact_services.bulk_add_accounts(
        actor=acme.system,
        accounts=[
            Account(unit=acme.units["c1r1s1"], external_id="H", name="High Ltd", tier="high_touch"),
            Account(unit=acme.units["c1r1s2"], external_id="L", name="Low Ltd", tier="low_touch"),
        ],
    )
    high, low = accounts
    people = [
        Contact(home_unit=high.unit, account=high, external_id="H1", attributes={"role": "buyer"}),
        Contact(home_unit=high.unit, account=high, external_id="H2", attributes={"role": "user"}),
        Contact(home_unit=low.unit, account=low, external_id="L1", attributes={"role": "buyer"}),
    ]
    contact_services.bulk_add_contacts(actor=acme.system, contacts=people)
    c = {x.external_id: x for x in Contact.objects.filter(organization=acme.root.organization)}
    s1, s2 = acme.units["c1r1s1"], acme.units["c1r1s2"]
    for contact, unit, nps, days in (
        ("H1", s1, 10, 1), ("H1", s1, 9, 3), ("H2", s2, 2, 2), ("L1", s1, 8, 4),
        ("L1", s2, 9, 5), ("L1", s2, 0, 40),  # the last one: before the period
    ):  # fmt: skip
        respond(survey, unit, nps=nps, at=at(days), contact=c[contact])
    respond(survey, s1, nps=0, at=at(2))
    ids = {
        "High-touch": audience(acme, "tier", "High-touch", [{"field": "account_tier",
                                                             "value": "high_touch"}]),
        "Low-touch": audience(acme, "tier", "Low-touch", [{"field": "account_tier",
                                                           "value": "low_touch"}]),
        "Buyers": audience(acme, "persona", "Buyers", [{"field": "attributes.role",
                                                        "value": "buyer"}]),
    }  # fmt: skip
    theirs = audience(world.other, "tier", "Theirs", [{"field": "account_tier",
                                                       "value": "high_touch"}])  # fmt: skip
    return acme, ids, theirs


def recount(scope, who: set[str]) -> tuple[int, float | None]:
    """NPS and n from the responses, independently of the dashboard's reads."""
    since, until = f().bounds()
    rows = Response.objects.filter(
        organization_id=scope.organization_id,
        unit_path__startswith=scope.unit_path,
        is_complete=True,
        submitted_at__gte=since,
        submitted_at__lt=until,
        contact__external_id__in=who,
    ).values_list("nps", flat=True)
    scores = list(rows)
    if not scores:
        return 0, None
    promoters = sum(1 for s in scores if s >= 9)
    detractors = sum(1 for s in scores if s <= 6)
    return len(scores), 100.0 * (promoters - detractors) / len(scores)


MEMBERS = {"High-touch": {"H1", "H2"}, "Low-touch": {"L1"}, "Buyers": {"H1", "L1"}}


@pytest.mark.parametrize("reader", ["store", "admin"])
def test_persona_and_tier_rows_equal_a_recount_in_the_readers_subtree(tiers, reader):
    acme, ids, theirs = tiers
    scope = acme.scope(reader)
    data = dashboard.payload(scope, f())["breakdowns"]
    rows = {r["label"]: r for kind in ("persona", "tier") for r in data[kind]}
    assert set(rows) == {"High-touch", "Low-touch", "Buyers"}
    assert theirs not in {r["key"] for r in rows.values()}
    for name, who in MEMBERS.items():
        n, value = recount(scope, who)
        assert rows[name]["key"] == ids[name]
        assert rows[name]["n"] == n, name
        if value is None:
            assert rows[name]["value"] is None
        else:
            assert rows[name]["value"] == pytest.approx(value, abs=1e-3), name
        assert rows[name]["low_sample"]  # a handful of answers: marked as such
    if reader == "store":  # her store only: H2's and L1's answers at c1r1s2 are not hers
        assert (rows["High-touch"]["n"], rows["Low-touch"]["n"]) == (2, 1)
    else:
        assert (rows["High-touch"]["n"], rows["Low-touch"]["n"]) == (3, 2)
    by_api = selectors.by_dimension(selectors.context(scope, f()), "tier")
    assert [r["n"] for r in by_api] == [r["n"] for r in data["tier"]]


def test_another_organisations_tiers_never_appear_and_none_means_no_card(tiers, world):
    _acme, _ids, theirs = tiers
    other = world.other.scope("admin")
    data = dashboard.payload(other, f())["breakdowns"]
    assert [r["key"] for r in data["tier"]] == [theirs] and "persona" not in data
    assert data["tier"][0]["n"] == 0


def test_the_dashboard_page_shows_the_cards(tiers, settings):
    acme, _ids, _theirs = tiers
    client = Client()
    assert client.login(username=acme.user("store").username, password=PASSWORD)
    page = client.get("/analytics/?period=30d&fragment=1")
    assert page.status_code == 200
    text = page.content.decode()
    assert "By persona" in text and "By tier" in text and "High-touch" in text
    csv = client.get("/analytics/charts/breakdown.csv?period=30d&by=tier")
    assert csv.status_code == 200 and "High-touch" in csv.content.decode()


def test_anonymous_surveys_are_not_broken_down_by_persona(tiers):
    acme, _ids, _theirs = tiers
    ctx = selectors.context(acme.scope("admin"), f(metric="enps"))
    with pytest.raises(InvalidInput):
        selectors.by_dimension(ctx, "persona")
    assert "persona" not in dashboard.payload_of(ctx)["breakdowns"]
