"""The dashboard's case panel on a phone, in a real browser: a store manager sees their
store's SLA figures without sideways scrolling, and in Chinese after switching language."""

from __future__ import annotations

import pytest

from tests.analytics.test_case_panel import make_cases
from tests.browser import ARTIFACTS, PHONE, chromium, needs_chromium, phone_page, sign_in
from tests.factories import build_world
from voxloop.accounts import selectors

pytestmark = needs_chromium


@pytest.fixture
def world_with_cases(transactional_db):
    world = build_world()
    make_cases(world.acme)
    return world


def test_case_panel_on_a_phone(live_server, world_with_cases):
    from playwright.sync_api import expect

    world = world_with_cases
    with chromium() as browser:
        page = phone_page(browser)
        sign_in(page, live_server.url, world.acme.user("store").username)
        page.goto(f"{live_server.url}/analytics/?period=7d")
        panel = page.get_by_test_id("cases")
        expect(panel.get_by_test_id("sla-compliance")).to_contain_text("50.0")
        expect(panel.get_by_test_id("sla-compliance")).to_contain_text("1 of 2 resolved cases")
        expect(panel.get_by_test_id("resolution-time")).to_contain_text("31.0")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        panel.screenshot(path=str(ARTIFACTS / "case-panel-phone.png"))

        # The switcher (in the folded menu) also saves the preference the digests follow.
        page.get_by_role("button", name="Menu").click()
        page.select_option("#language", "zh-hans")
        page.get_by_role("button", name="Change").click()
        page.wait_for_load_state()
        page.goto(f"{live_server.url}/analytics/?period=7d")
        expect(page.get_by_test_id("cases")).to_contain_text("在 SLA 内解决")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # Outside the browser's event loop: the ORM is synchronous.
    assert selectors.preferred_language(world.acme.user("store")) == "zh-hans"
