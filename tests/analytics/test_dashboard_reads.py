"""Dashboard reads: the right numbers, only inside the reader's subtree and organisation."""

from datetime import UTC, date, datetime, timedelta

import pytest

from tests.analytics.support import cx_survey, respond, staff_of
from voxloop.analytics import dashboard, driver_reads, filters, response_reads, selectors, services
from voxloop.errors import InvalidInput, NotFound

TODAY = date(2026, 11, 30)


def at(days_ago: int, hour: int = 10) -> datetime:
    day = TODAY - timedelta(days=days_ago)
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def f(**params):
    return filters.parse({"period": "30d", **params}, today=TODAY)


@pytest.fixture
def scored(world, survey):
    acme = world.acme
    store, sibling, far = acme.units["c1r1s1"], acme.units["c1r1s2"], acme.units["c2r1s1"]
    for i in range(6):  # store: 4 promoters, 2 detractors → NPS 33.3
        respond(
            survey,
            store,
            nps=10 if i < 4 else 3,
            csat=5,
            at=at(i, 9 + i),
            staff=staff_of(store),
            comment=f"store comment {i}",
        )
    for i in range(4):  # sibling: all detractors
        respond(survey, sibling, nps=1, at=at(i), comment="<script>alert(1)</script>")
    respond(survey, far, nps=8, at=at(2))
    respond(survey, store, nps=0, at=at(40))  # previous period
    other_survey = cx_survey(world.other)
    respond(other_survey, world.other.units["c1r1s1"], nps=10, at=at(1))
    for org in (acme, world.other):
        services.rebuild(organization_id=org.root.organization_id)
    return survey


def kpi(payload, metric):
    return next(k for k in payload["kpis"] if k["metric"] == metric)


def test_store_manager_sees_only_their_store(world, scored):
    data = dashboard.payload(world.acme.scope("store"), f())
    nps = kpi(data, "nps")
    assert nps["figure"]["n"] == 6
    assert nps["figure"]["value"] == pytest.approx(100 * (4 - 2) / 6, abs=1e-3)
    assert nps["figure"]["low_sample"] is True
    texts = {v["text"] for v in data["verbatims"]}
    assert texts == {f"store comment {i}" for i in range(6)}
    assert sum(r["n"] for r in data["units"]["children"]) == 0  # a store has no children
    assert data["units"]["siblings"] == [] and data["units"]["parent"] is None


def test_regional_manager_drills_down_and_compares_siblings(world, scored):
    regional = world.acme.scope("regional")
    data = dashboard.payload(regional, f())
    assert kpi(data, "nps")["figure"]["n"] == 10
    children = {c["name"]: c for c in data["units"]["children"]}
    assert children["Store 1.1.1"]["n"] == 6 and children["Store 1.1.2"]["value"] == -100
    drilled = dashboard.payload(regional, f(unit=str(world.acme.units["c1r1s1"].pk)))
    assert drilled["units"]["parent"]["n"] == 10
    assert [s["name"] for s in drilled["units"]["siblings"]] == ["Store 1.1.2"]
    assert [b["name"] for b in drilled["breadcrumbs"]] == ["Region 1.1", "Store 1.1.1"]


def test_no_read_across_units_or_tenants(world, scored):
    store = world.acme.scope("store")
    with pytest.raises(NotFound):
        selectors.context(store, f(unit=str(world.acme.units["c1r1s2"].pk)))
    with pytest.raises(NotFound):
        selectors.context(store, f(unit=str(world.acme.units["c1r1"].pk)))
    with pytest.raises(NotFound):
        selectors.context(world.other.scope("admin"), f(unit=str(world.acme.units["c1r1s1"].pk)))
    with pytest.raises(NotFound):
        selectors.context(world.other.scope("admin"), f(survey=str(scored.pk)))
    other = dashboard.payload(world.other.scope("admin"), f())
    assert kpi(other, "nps")["figure"]["n"] == 1


def test_director_totals_changes_and_breakdowns(world, scored):
    data = dashboard.payload(world.acme.scope("director"), f())
    nps = kpi(data, "nps")
    assert nps["figure"]["n"] == 11
    # 11 answers against fewer: under the minimum n (30), so no comparison, and why.
    assert nps["change"]["delta"] is None and nps["change"]["reason"] == "low_sample"
    # and no count compared with a period that began before the first answer.
    assert kpi(data, "responses")["change"]["reason"] == "before_history"
    small = kpi(dashboard.payload(world.acme.scope("director"), f(min_n="1")), "nps")
    assert small["change"]["delta"] == pytest.approx(nps["figure"]["value"] + 100, abs=1e-3)
    assert small["change"]["method"] == "exact_permutation"
    assert 0 <= small["change"]["p_value"] <= 1
    hours = sum(c["n"] for row in data["heatmap"] for c in row)
    assert hours == 11
    assert data["heatmap"][(TODAY - timedelta(days=1)).weekday()][10]["n"] >= 1
    assert {r["key"] for r in data["breakdowns"]["channel"]} == {"web"}
    assert sum(r["n"] for r in data["breakdowns"]["weekday"]) == 11
    board = data["staff"]
    assert [r["label"] for r in board["too_few"]] == ["Clerk 1.1.1"]


def test_staff_leaderboard_ranks_only_above_min_n(world, scored):
    ctx = selectors.context(world.acme.scope("director"), f(min_n="5"))
    board = selectors.staff_leaderboard(ctx)
    assert [r["label"] for r in board["ranked"]] == ["Clerk 1.1.1"]


def test_trend_buckets(world, scored):
    ctx = selectors.context(world.acme.scope("director"), f(grain="month"))
    months = selectors.trend(ctx)
    assert sum(m["n"] for m in months) == 11
    assert all(m["start"].endswith("-01") for m in months)


def test_employee_survey_shows_whole_blocks_of_five_in_closed_months(world):
    """October (the last month closed on 30 November): store 1.1.1 six answers, 1.1.2 one.
    The region shows its seven; its stores both stay hidden, or 7 − 6 would be the one."""
    pulse = cx_survey(world.acme, kind="employee", name="Pulse")
    for i in range(6):
        respond(pulse, world.acme.units["c1r1s1"], nps=9, at=at(35 + i))
    respond(pulse, world.acme.units["c1r1s2"], nps=2, at=at(36))
    respond(pulse, world.acme.units["c1r1s1"], nps=0, at=at(1))  # November: not closed yet
    services.rebuild(organization_id=world.acme.root.organization_id)
    ctx = selectors.context(world.acme.scope("director"), f(metric="enps"))
    assert ctx.anonymous and (ctx.filters.start, ctx.filters.end) == (
        date(2026, 10, 1),
        date(2026, 10, 31),
    )
    assert selectors.cell(ctx, selectors.totals(ctx))["n"] == 7
    region = selectors.context(
        world.acme.scope("director"), f(metric="enps", unit=str(world.acme.units["c1r1"].pk))
    )
    children = {c["name"]: c for c in selectors.units(region)["children"]}
    assert children["Store 1.1.1"]["suppressed"] and children["Store 1.1.1"]["value"] is None
    assert children["Store 1.1.2"]["suppressed"] and children["Store 1.1.2"]["n"] == 0
    assert response_reads.verbatims(ctx) == []
    assert selectors.staff_leaderboard(ctx) == {"ranked": [], "too_few": []}
    with pytest.raises(InvalidInput):
        selectors.heatmap(ctx)
    # … and plain NPS never mixes employees in.
    plain = selectors.context(world.acme.scope("director"), f())
    assert selectors.cell(plain, selectors.totals(plain))["n"] == 0


def test_a_period_covers_the_days_of_the_servers_time_zone(settings):
    """Rollups count days in the server's time zone; every figure beside them (raw counts,
    cases, response rate, churn) takes its instants from the same bounds."""
    settings.TIME_ZONE = "Asia/Tokyo"
    since, until = filters.parse({"start": "2026-11-01", "end": "2026-11-30"}).bounds()
    assert since == datetime(2026, 10, 31, 15, tzinfo=UTC)
    assert until == datetime(2026, 11, 30, 15, tzinfo=UTC)


def test_bad_filters_name_the_field():
    for params, field in [
        ({"period": "2y"}, "period"),
        ({"start": "x"}, "start"),
        ({"channel": "pigeon"}, "channel"),
        ({"metric": "x"}, "metric"),
        ({"survey": "1; drop"}, "survey"),
        ({"min_n": "0"}, "min_n"),
        ({"start": "2026-02-01", "end": "2026-01-01"}, "start"),
    ]:
        with pytest.raises(InvalidInput) as error:
            filters.parse(params, today=TODAY)
        assert error.value.field == field


def test_attribute_bands_and_choice_effects(world, survey):
    from voxloop.contacts import services as contact_services
    from voxloop.contacts.models import Contact

    store = world.acme.units["c1r1s1"]
    contact_services.bulk_add_contacts(
        actor=world.acme.system,
        contacts=[
            Contact(
                home_unit=store,
                external_id=f"c{i}",
                attributes={"tenure": i, "tier": "gold" if i >= 10 else "blue"},
            )
            for i in range(20)
        ],
    )
    for contact in Contact.objects.filter(organization=world.acme.root.organization):
        i = int(contact.external_id[1:])
        respond(
            survey,
            store,
            nps=10 if i >= 10 else 2,
            at=at(1),
            contact=contact,
            reason="staff" if i >= 10 else "price",
        )
    ctx = selectors.context(world.acme.scope("store"), f())
    effects = {e["value"]: e for e in driver_reads.choice_effects(ctx, "reason")}
    assert effects["price"]["with"]["value"] == -100 and effects["price"]["without"]["value"] == 100
    # 10 against 10: under the minimum n on both sides, so no comparison, and why.
    assert effects["price"]["difference"]["reason"] == "low_sample"
    small = selectors.context(world.acme.scope("store"), f(min_n="10"))
    effects = {e["value"]: e for e in driver_reads.choice_effects(small, "reason")}
    difference = effects["price"]["difference"]
    assert difference["method"] == "exact_permutation"
    assert difference["p_value"] == pytest.approx(2 / 184756, abs=1e-6)  # 2 of C(20, 10)
    assert difference["significant"] and difference["correction"] == "benjamini_hochberg"
    tiers = {r["key"]: r for r in response_reads.attribute_breakdown(ctx, "tier")["rows"]}
    assert tiers["gold"]["value"] == 100 and tiers["blue"]["n"] == 10
    bands = response_reads.attribute_breakdown(ctx, "tenure", [4.5, 9.5])["rows"]
    assert [(b["label"], b["n"]) for b in bands] == [("≤ 4.5", 5), ("4.5–9.5", 5), ("> 9.5", 10)]
    auto = response_reads.attribute_breakdown(ctx, "tenure")["rows"]
    assert sum(b["n"] for b in auto) == 20 and len(auto) == 5
    with pytest.raises(InvalidInput):
        response_reads.attribute_breakdown(ctx, "x') OR 1=1 --")
    # The sibling store's manager sees none of it.
    sibling = selectors.context(world.acme.scope("sibling_store"), f())
    assert response_reads.attribute_breakdown(sibling, "tier")["rows"] == []
