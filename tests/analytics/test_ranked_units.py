"""Units that rank (issue 16 item 2) and every chart's CSV (item 4): change against the
previous period with its significance, sorting, biggest movers, drill-down with breadcrumbs,
a leaderboard of every store below a unit — and none of it ever beyond the reader's scope."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.analytics.support import respond
from voxloop.analytics import services

NOW = 3  # days ago: inside "last 30 days"
BEFORE = 40  # days ago: inside the 30 days before them


def client_for(org, name) -> Client:
    c = Client()
    c.force_login(org.user(name))
    return c


def rows_of(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("text/csv")
    body = response.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


@pytest.fixture
def moved(world, survey):
    """Store 1.1.1 drops from all promoters to all detractors; 1.2.1 climbs; 1.1.2 holds."""
    units = world.acme.units
    now, before = timezone.now() - timedelta(days=NOW), timezone.now() - timedelta(days=BEFORE)
    plan = {
        "c1r1s1": ([10] * 12, [0] * 12),
        "c1r1s2": ([9] * 6 + [7] * 6, [9] * 6 + [7] * 6),
        "c1r2s1": ([3] * 12, [10] * 12),
        "c2r1s1": ([8] * 3, [8] * 3),  # too few: low sample, no comparison
    }
    for key, (earlier, later) in plan.items():
        for score in earlier:
            respond(survey, units[key], nps=score, at=before)
        for score in later:
            respond(survey, units[key], nps=score, at=now)
    services.rebuild(organization_id=world.acme.root.organization_id)
    return survey


Q = "period=30d&min_n=10"


def test_children_carry_change_with_fdr_significance_and_sort_by_change(world, moved):
    c = client_for(world.acme, "director")
    c1 = world.acme.units["c1"]
    rows = rows_of(c.get(f"/analytics/charts/units.csv?{Q}&unit={c1.pk}&sort=change&order=asc"))
    assert [r["unit"] for r in rows] == ["Region 1.1", "Region 1.2"]
    region11, region12 = rows
    assert float(region11["change"]) < 0 < float(region12["change"])
    assert region11["significant"] == region12["significant"] == "True"
    flipped = rows_of(c.get(f"/analytics/charts/units.csv?{Q}&unit={c1.pk}&sort=change&order=desc"))
    assert [r["unit"] for r in flipped] == ["Region 1.2", "Region 1.1"]


def test_leaderboard_lists_every_store_below_sorted_by_value_and_n(world, moved):
    c = client_for(world.acme, "director")
    url = f"/analytics/charts/units.csv?{Q}&units=board&board=store"
    rows = rows_of(c.get(url + "&sort=value"))
    ranked = [r["unit"] for r in rows]
    assert ranked[:4] == ["Store 1.2.1", "Store 1.1.2", "Store 2.1.1", "Store 1.1.1"]
    assert all(r["value"] == "" for r in rows[4:])  # no answers: last
    assert len(rows) == 8  # all stores of both countries, not the company's direct children
    low = next(r for r in rows if r["unit"] == "Store 2.1.1")
    assert low["low_sample"] == "True" and low["change"] == ""
    by_n = rows_of(c.get(url + "&sort=n&order=asc"))
    assert [int(r["n"]) for r in by_n] == sorted(int(r["n"]) for r in rows)


def test_biggest_movers_put_significant_large_changes_first(world, moved):
    c = client_for(world.acme, "regional")
    rows = rows_of(c.get(f"/analytics/charts/units.csv?{Q}&units=movers"))
    assert rows[0]["unit"] == "Store 1.1.1" and float(rows[0]["change"]) == -200.0
    page = c.get(f"/analytics/?{Q}&units=movers").content.decode()
    assert "▼ -200.0" in page and 'class="delta bad significant"' in page


def test_a_regional_leaderboard_never_lists_another_regions_stores(world, moved):
    c = client_for(world.acme, "regional")
    rows = rows_of(c.get(f"/analytics/charts/units.csv?{Q}&units=board&board=store"))
    assert {r["unit"] for r in rows} == {"Store 1.1.1", "Store 1.1.2"}
    page = c.get(f"/analytics/?{Q}&units=board&board=store").content.decode()
    assert "Store 1.2.1" not in page and "Store 2.1.1" not in page
    # A unit outside the region, or a kind not below it: not found / refused.
    outside = world.acme.units["c1r2"].pk
    assert c.get(f"/analytics/charts/units.csv?{Q}&unit={outside}").status_code == 404
    assert c.get(f"/analytics/?{Q}&units=board&board=country").status_code == 400


def test_another_tenant_reads_none_of_our_units_or_charts(world, moved):
    other = client_for(world.other, "admin")
    acme_region = world.acme.units["c1r1"].pk
    for chart in ("units", "trend", "distribution", "heatmap"):
        url = f"/analytics/charts/{chart}.csv?{Q}&unit={acme_region}"
        assert other.get(url).status_code == 404, chart
    assert other.get(f"/analytics/charts/trend.csv?{Q}&survey={moved.pk}").status_code == 404
    own = rows_of(other.get(f"/analytics/charts/units.csv?{Q}&units=board&board=store"))
    assert own and all(r["n"] == "0" for r in own)


def test_one_click_drills_down_and_breadcrumbs_lead_back_up(world, moved):
    c = client_for(world.acme, "regional")
    region, store = world.acme.units["c1r1"], world.acme.units["c1r1s1"]
    page = c.get(f"/analytics/?{Q}").content.decode()
    assert f"unit={store.pk}" in page  # the row's link
    down = c.get(f"/analytics/?{Q}&unit={store.pk}").content.decode()
    crumbs = down.split('class="breadcrumb"', 1)[1].split("</nav>", 1)[0]
    assert f"unit={region.pk}" in crumbs and "Store 1.1.1" in crumbs


def test_sort_links_work_without_javascript_and_bad_values_are_400(world, moved):
    c = client_for(world.acme, "regional")
    page = c.get(f"/analytics/?{Q}&sort=n&order=asc").content.decode()
    assert "units=children&amp;sort=n&amp;order=desc#units" in page  # the link to flip it
    for bad in ("sort=planet", "order=up", "units=all"):
        response = c.get(f"/analytics/?{Q}&{bad}")
        assert response.status_code == 400, bad


def test_chart_csvs_are_scoped_to_the_store_manager(world, moved):
    c = client_for(world.acme, "store")
    trend = rows_of(c.get(f"/analytics/charts/trend.csv?{Q}&grain=month"))
    assert sum(int(r["n"]) for r in trend) == 12
    dist = rows_of(c.get(f"/analytics/charts/distribution.csv?{Q}"))
    assert {r["group"]: int(r["n"]) for r in dist}["detractors"] == 12
    assert {r["group"]: int(r["n"]) for r in dist}["score 0"] == 12
    heat = rows_of(c.get(f"/analytics/charts/heatmap.csv?{Q}"))
    assert sum(int(r["n"]) for r in heat) == 12
    by = rows_of(c.get(f"/analytics/charts/breakdown.csv?{Q}&by=survey"))
    assert [(r["label"], r["n"]) for r in by] == [("Visit", "12")]
    units = rows_of(c.get(f"/analytics/charts/units.csv?{Q}"))
    assert units == []  # a store has no units below it
    assert c.get(f"/analytics/charts/planets.csv?{Q}").status_code == 404
    assert c.get(f"/analytics/charts/breakdown.csv?{Q}&by=planet").status_code == 400


def test_breakdown_cards_show_their_numbers_in_compact_tables(world, moved):
    html = client_for(world.acme, "director").get(f"/analytics/?{Q}").content.decode()
    cards = html.split('data-testid="breakdowns"', 1)[1].split("</div>\n", 1)[0]
    by_survey = cards.split("By survey", 1)[1].split("</section>", 1)[0]
    assert 'class="compact"' in by_survey and "Visit" in by_survey
    assert '<span class="value">' in by_survey and "<td>39</td>" in by_survey  # value and n


def test_charts_reach_the_page_as_json_with_their_tables(world, moved):
    html = client_for(world.acme, "director").get(f"/analytics/?{Q}").content.decode()
    for spec in ("trend-spec", "units-spec", "dist-spec", "heat-spec"):
        assert f'<script id="{spec}" type="application/json">' in html, spec
    assert "vendor/echarts/echarts.min.js" in html and "analytics/charts.js" in html
    assert "<script>" not in html.split("<body", 1)[1]  # no inline script in the page body
    assert html.count('class="chart-table" open') >= 3  # each chart's table, open without JS


def test_the_trend_marks_action_plans_started_under_the_unit_only(world, moved):
    from voxloop.closedloop import plans

    acme = world.acme
    start = (timezone.now() - timedelta(days=5)).date()
    plans.create_plan(
        actor=acme.scope("regional"), unit=acme.units["c1r1"], title="Queues", starts_on=start
    )
    plans.create_plan(
        actor=acme.scope("admin"), unit=acme.units["c2r1"], title="Elsewhere", starts_on=start
    )
    html = client_for(acme, "regional").get(f"/analytics/?{Q}").content.decode()
    marks = html.split('data-testid="plan-marks"', 1)[1].split("</p>", 1)[0]
    assert "Queues" in marks and "Elsewhere" not in html
    spec = html.split('<script id="trend-spec" type="application/json">', 1)[1]
    assert '"label": "Queues"' in spec.split("</script>", 1)[0]
