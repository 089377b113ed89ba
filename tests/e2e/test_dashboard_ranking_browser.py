"""Issue 16 in a real browser: the director's "which region dropped most, and which store
drove it" in at most five interactions, and a director's dashboard at phone width (390 px)
with every chart drawn and nothing scrolling sideways."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.utils import timezone

from tests.analytics.support import cx_survey, respond
from tests.browser import ARTIFACTS, PHONE, chromium, needs_chromium, phone_page, sign_in
from tests.factories import build_world
from voxloop.analytics import services

pytestmark = needs_chromium

# The period the director asks about: "which region dropped most last quarter?"
PERIOD = "last_quarter"


def _middle_of_quarters_ago(quarters: int) -> datetime:
    """Mid-way through the calendar quarter `quarters` before the current one (UTC)."""
    today = timezone.now().date()
    start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    for _ in range(quarters):
        start = (start - timedelta(days=1)).replace(day=1)
        start = start.replace(month=3 * ((start.month - 1) // 3) + 1)
    return datetime.combine(start + timedelta(days=45), time(12), tzinfo=UTC)


@pytest.fixture
def dropped(transactional_db, settings):
    """Region 2.1 drops most against the period before, and Store 2.1.2 drives the drop."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    world = build_world()
    survey = cx_survey(world.acme)
    now, before = _middle_of_quarters_ago(1), _middle_of_quarters_ago(2)
    scores = {  # unit: (scores before, scores now)
        "c1r1s1": ([9] * 8, [10] * 8),
        "c1r2s1": ([8] * 8, [9] * 8),
        "c2r1s1": ([9] * 8, [8] * 8),
        "c2r1s2": ([10] * 8, [2] * 8),
        "c2r2s1": ([7] * 8, [7] * 8),
    }
    units = world.acme.units
    for key, (earlier, later) in scores.items():
        for score in earlier:
            respond(survey, units[key], nps=score, at=before)
        for score in later:
            respond(survey, units[key], nps=score, at=now)
    services.rebuild(organization_id=world.acme.root.organization_id)
    return world


def test_director_finds_the_region_that_dropped_and_its_store_in_five_steps(live_server, dropped):
    from playwright.sync_api import expect

    with chromium() as browser:
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        sign_in(page, live_server.url, dropped.acme.user("director").username)
        # 1: the dashboard over the period asked about
        page.goto(f"{live_server.url}/analytics/?period={PERIOD}&min_n=5")
        units = page.get_by_test_id("units")
        units.get_by_test_id("board-tab").click()  # 2: a leaderboard
        units.get_by_role("link", name="Region", exact=True).click()  # 3: of every region
        units.get_by_role("link", name="Change", exact=True).click()  # 4: biggest drop first
        first = page.get_by_test_id("unit-row").first
        expect(first).to_contain_text("Region 2.1")
        expect(first).to_contain_text("▼")
        first.get_by_test_id("drill").click()  # 5: into that region
        expect(page.locator("h1")).to_contain_text("Region 2.1")
        store = page.get_by_test_id("unit-row").first
        expect(store).to_contain_text("Store 2.1.2")
        expect(store).to_contain_text("▼ -200.0")
        crumbs = page.locator("nav.breadcrumb")
        expect(crumbs).to_contain_text("Acme Retail")
        page.screenshot(path=str(ARTIFACTS / "dashboard-region-drop.png"), full_page=True)


def test_director_dashboard_on_a_phone_draws_charts_without_sideways_scroll(live_server, dropped):
    from playwright.sync_api import expect

    with chromium() as browser:
        page = phone_page(browser)
        sign_in(page, live_server.url, dropped.acme.user("director").username)
        page.goto(f"{live_server.url}/analytics/?period={PERIOD}&min_n=5")
        for chart in ("chart-trend", "chart-units", "chart-dist"):
            expect(page.locator(f"#{chart} canvas")).to_have_count(1)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        # The breakdown cards show their figures inside the screen, "By survey" included.
        card = page.get_by_test_id("breakdowns").locator("section").first
        value = card.locator(".value").first
        expect(value).to_be_visible()
        box = value.bounding_box()
        assert box is not None and box["x"] + box["width"] <= PHONE["width"]
        page.screenshot(path=str(ARTIFACTS / "dashboard-director-phone.png"), full_page=True)
