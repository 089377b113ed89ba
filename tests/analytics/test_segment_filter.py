"""The segment filter: only the segment's members' responses count, in every panel, and the
figures read from raw responses equal those the rollups give for the same responses."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.test import Client

from tests.analytics.support import cx_survey, respond, staff_of
from tests.contacts.helpers import add_contact
from voxloop.analytics import dashboard, filters, response_reads, selectors, services
from voxloop.contacts import services as contact_services
from voxloop.errors import InvalidInput, NotFound

TODAY = date(2026, 11, 30)


def at(days_ago: int, hour: int = 10) -> datetime:
    day = TODAY - timedelta(days=days_ago)
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def f(**params):
    return filters.parse({"period": "30d", **params}, today=TODAY)


def segment(org, unit_key: str, filters_: list, name: str = "Gold"):
    return contact_services.save_segment(
        actor=org.scope("admin"), unit=org.units[unit_key], name=name, filters=filters_
    )


@pytest.fixture
def gold(world, survey):
    """Three gold customers (one from another store) and two silver ones answer at store
    c1r1s1; an anonymous respondent too. Gold answers are all promoters."""
    acme = world.acme
    store = acme.units["c1r1s1"]
    golds = [add_contact(acme, "c1r1s1", f"G{i}", attributes={"tier": "gold"}) for i in (1, 2)]
    golds.append(add_contact(acme, "c2r1s1", "G3", attributes={"tier": "gold"}))
    silvers = [add_contact(acme, "c1r1s1", f"S{i}", attributes={"tier": "silver"}) for i in (1, 2)]
    for i, contact in enumerate(golds):
        respond(survey, store, nps=10, csat=5, at=at(i, 9 + i), contact=contact,
                staff=staff_of(store), comment=f"gold {i}")  # fmt: skip
    for i, contact in enumerate(silvers):
        respond(survey, store, nps=0, csat=1, at=at(i), contact=contact, comment=f"silver {i}")
    respond(survey, store, nps=5, at=at(3), comment="nobody")
    respond(survey, acme.units["c1r2s1"], nps=10, at=at(2), contact=golds[0])  # other region
    services.rebuild(organization_id=acme.root.organization_id)
    return segment(acme, "root", [{"field": "attributes.tier", "op": "eq", "value": "gold"}])


def kpi(payload, metric):
    return next(k for k in payload["kpis"] if k["metric"] == metric)


def test_only_the_segments_responses_count(world, gold):
    data = dashboard.payload(world.acme.scope("store"), f(segment=str(gold.pk)))
    nps = kpi(data, "nps")["figure"]
    assert (nps["n"], nps["value"]) == (3, 100.0)  # G3 lives elsewhere but answered here
    assert {v["text"] for v in data["verbatims"]} == {"gold 0", "gold 1", "gold 2"}
    assert sum(t["n"] for t in data["trend"]) == 3
    assert sum(c["n"] for row in data["heatmap"] for c in row) == 3
    assert data["filters"]["segment"] == gold.pk
    unfiltered = dashboard.payload(world.acme.scope("store"), f())
    assert kpi(unfiltered, "nps")["figure"]["n"] == 6


def test_the_regional_view_splits_the_segment_by_store(world, gold):
    ctx = selectors.context(world.acme.scope("director"), f(segment=str(gold.pk)))
    children = {u["name"]: u["n"] for u in selectors.units(ctx)["children"]}
    assert children == {"Country 1": 4, "Country 2": 0}
    region = world.acme.units["c1r1"]
    ctx = selectors.context(
        world.acme.scope("director"), f(segment=str(gold.pk), unit=str(region.pk))
    )
    stores = {u["name"]: u["n"] for u in selectors.units(ctx)["children"]}
    assert stores == {"Store 1.1.1": 3, "Store 1.1.2": 0}


def test_raw_figures_equal_the_rollups_when_the_segment_is_everyone(world, survey):
    """A segment every respondent belongs to must give exactly the rollups' dashboard."""
    acme = world.acme
    people = [add_contact(acme, f"c1r{1 + i % 2}s{1 + i % 3 // 2}", f"P{i}") for i in range(12)]
    for i, person in enumerate(people):
        unit = person.home_unit
        respond(survey, unit, nps=i % 11, csat=1 + i % 5, ces=1 + i % 7, at=at(i * 2, 8 + i),
                contact=person, staff=staff_of(unit), locale=("en", "ja")[i % 2],
                channel=("web", "email")[i % 2], comment="words" if i % 3 else "")  # fmt: skip
    services.rebuild(organization_id=acme.root.organization_id)
    everyone = segment(acme, "root", [{"field": "locale", "op": "in", "value": ["en"]}], "All")
    for who, unit in (("director", None), ("regional", None), ("director", "c1r1")):
        params = {"unit": str(acme.units[unit].pk)} if unit else {}
        plain = dashboard.payload(acme.scope(who), f(min_n="1", **params))
        seg = dashboard.payload(acme.scope(who), f(min_n="1", segment=str(everyone.pk), **params))
        for part in ("kpis", "trend", "units", "heatmap", "staff", "verbatims", "breakdowns"):
            assert seg[part] == plain[part], (who, unit, part)


def test_drivers_and_attribute_breakdowns_honour_the_segment(world, gold):
    ctx = selectors.context(world.acme.scope("store"), f(segment=str(gold.pk), min_n="1"))
    rows = response_reads.attribute_breakdown(ctx, "tier")["rows"]
    assert {r["label"]: r["n"] for r in rows} == {"gold": 3}


def test_a_segment_outside_the_readers_reach_is_not_found(world, gold):
    own = segment(world.acme, "c1r1s2", [{"field": "locale", "op": "eq", "value": "en"}], "Mine")
    with pytest.raises(NotFound):
        selectors.context(world.acme.scope("store"), f(segment=str(own.pk)))
    with pytest.raises(NotFound):  # another tenant's segment
        selectors.context(world.other.scope("admin"), f(segment=str(gold.pk)))


def test_employee_surveys_refuse_a_segment(world, gold):
    pulse = cx_survey(world.acme, kind="employee", name="Pulse")
    with pytest.raises(InvalidInput) as refused:
        selectors.context(world.acme.scope("director"), f(survey=str(pulse.pk), segment="1"))
    assert refused.value.field == "segment"


def test_page_and_api_carry_the_segment(world, gold):
    c = Client()
    c.force_login(world.acme.user("director"))
    page = c.get(f"/analytics/?period=365d&segment={gold.pk}")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'<option value="{gold.pk}" selected>Gold</option>' in html
    assert f"segment={gold.pk}" in html  # live poll, drill-down links and saved views keep it
    api = c.get(f"/api/v1/analytics/metrics?start=2026-10-01&end=2026-11-30&segment={gold.pk}")
    assert api.json()["total"]["n"] == 4
    assert c.get("/api/v1/analytics/metrics?segment=999999").status_code == 404
    assert c.get("/api/v1/analytics/metrics?segment=gold").status_code == 422  # not an id
    other = Client()
    other.force_login(world.other.user("admin"))
    assert other.get(f"/api/v1/analytics/metrics?segment={gold.pk}").status_code == 404
