"""What the pages say about their figures (issue 15 items 3, 4, 7, 8), in every language."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from tests.analytics.support import respond, staff_of
from tests.analytics.test_pages import client_for
from voxloop.analytics import charts, dashboard, filters, services

PHRASES = {  # (no comparison, today not over, staff plausible rank)
    "en": ("No comparison with the previous period", "which is not over yet", "plausible rank"),
    "ja": ("前の期間との比較なし", "まだ終わっていない今日", "ありうる順位"),
    "zh-hans": ("不与上一期间比较", "尚未结束的今天", "可能排名"),
    "ro": ("Fără comparație cu perioada anterioară", "nu s-a încheiat încă", "loc plauzibil"),
}


@pytest.fixture
def few(world, survey):
    acme = world.acme
    now = timezone.now() - timedelta(minutes=5)
    store = acme.units["c1r1s1"]
    for score in (10, 9, 3):
        respond(survey, store, nps=score, at=now, staff=staff_of(store))
    respond(survey, store, nps=8, at=now - timedelta(days=29))  # the period's first day
    services.rebuild(organization_id=acme.root.organization_id)
    return survey


@pytest.mark.parametrize("lang", sorted(PHRASES))
def test_the_dashboard_says_why_there_is_no_comparison(world, few, lang):
    c = client_for(world.acme, "regional")
    html = c.get("/analytics/?period=30d&min_n=3", HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    no_comparison, today, rank = PHRASES[lang]
    assert 'data-testid="no-comparison"' in html and no_comparison in html
    assert 'data-testid="partial-today"' in html and today in html
    assert rank in html  # the one clerk ranked, with a plausible rank 1–1
    assert 'data-testid="time-zone"' in html
    if lang != "en":
        assert "No comparison with the previous period" not in html


def test_partial_trend_points_and_uncoloured_thin_heatmap_cells(world, few):
    data = dashboard.payload(world.acme.scope("regional"), filters.parse({"period": "30d"}))
    points = data["trend"]
    assert points[-1]["partial"]  # includes today
    start = date.fromisoformat(data["filters"]["start"])
    first_week = start - timedelta(days=start.weekday())
    assert points[0]["start"] == first_week.isoformat()
    assert points[0]["days"] == 7 - start.weekday()  # only the period's days of that week
    assert points[0]["partial"] == (start.weekday() > 0)
    cells = [c for row in charts.heat_shades("nps", data["heatmap"]) for c in row if c["n"]]
    assert cells and all(c["hue_step"] == 210 for c in cells)  # n = 3 < 30: no score colour
    assert data["partial"] == {"includes_today": True}


def test_drivers_page_lists_each_survey(world, few):
    html = client_for(world.acme, "regional").get("/analytics/drivers/").content.decode()
    assert "Visit" in html  # the survey's own section
