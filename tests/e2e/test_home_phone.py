"""The store manager's home in a real browser, on a phone (issue 16): her store's NPS with its
change and significance and her overdue case, without horizontal scroll at 390 px."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.analytics.support import cx_survey, respond
from tests.analytics.test_case_panel import make_cases
from tests.browser import ARTIFACTS, PHONE, chromium, needs_chromium, phone_page, sign_in
from tests.factories import build_world
from voxloop.analytics import services

pytestmark = needs_chromium


@pytest.fixture
def fallen_store(transactional_db):
    world = build_world()
    survey = cx_survey(world.acme)
    store = world.acme.units["c1r1s1"]
    now = timezone.now()
    for i in range(35):
        respond(survey, store, nps=10, at=now - timedelta(days=40))
        respond(survey, store, nps=1, at=now - timedelta(days=3), comment=f"slow {i}" * (i < 2))
    respond(survey, world.acme.units["c1r1s2"], nps=0, at=now - timedelta(days=3), comment="secret")
    make_cases(world.acme)
    services.rebuild(organization_id=world.acme.root.organization_id)
    return world


def test_the_store_managers_home_on_a_phone(live_server, fallen_store):
    from playwright.sync_api import expect

    world = fallen_store
    with chromium() as browser:
        page = phone_page(browser)
        sign_in(page, live_server.url, world.acme.user("store").username)
        page.goto(f"{live_server.url}/")
        expect(page.locator("h1")).to_contain_text("Store 1.1.1")
        nps = page.locator('[data-testid="home-kpis"] [data-metric="nps"]')
        expect(nps).to_contain_text("-")
        expect(nps.get_by_test_id("change")).to_contain_text("▼")
        expect(nps.get_by_test_id("change")).to_contain_text("significant")
        expect(page.get_by_test_id("overdue")).to_have_text("1")
        expect(page.get_by_test_id("home-comments")).to_contain_text("slow 0")
        expect(page.locator("body")).not_to_contain_text("secret")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.screenshot(path=str(ARTIFACTS / "home-phone.png"), full_page=True)
        # one tap to the dashboard behind the figures
        page.locator('[data-link="dashboard"]').click()
        expect(page.locator("h1")).to_contain_text("Store 1.1.1")
        assert "/analytics/" in page.url
