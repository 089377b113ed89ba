"""The shell on a phone, in a real browser: sign in, see only one's own store, open the
menu, switch to Chinese. Drives Debian's chromium; never downloads a browser."""

from __future__ import annotations

import pytest

from tests.browser import ARTIFACTS, PHONE, chromium, needs_chromium, phone_page, sign_in
from tests.factories import build_world

pytestmark = needs_chromium


@pytest.fixture
def store_manager(transactional_db):
    return build_world().acme.user("store")


def test_store_manager_on_a_phone(live_server, store_manager):
    from playwright.sync_api import expect

    with chromium() as browser:
        page = phone_page(browser)
        sign_in(page, live_server.url, store_manager.username)
        main = page.locator("main")
        expect(main.get_by_role("heading", level=1)).to_contain_text("Store 1.1.1")
        expect(page.get_by_test_id("active-context")).to_contain_text("Store 1.1.1")
        expect(page.locator("body")).not_to_contain_text("Store 1.1.2")

        # The navigation is folded away behind the menu button on a phone.
        toggle = page.get_by_role("button", name="Menu")
        nav = page.get_by_role("navigation", name="Main")
        expect(toggle).to_be_visible()
        expect(nav).to_be_hidden()
        box = toggle.bounding_box()
        assert box and box["height"] >= 44 and box["width"] >= 44
        toggle.click()
        expect(toggle).to_have_attribute("aria-expanded", "true")
        expect(nav.get_by_role("link", name="Organisation")).to_be_visible()
        expect(nav.get_by_role("link", name="People")).to_have_count(0)
        # Every control in the open menu is big enough for a thumb.
        small = page.evaluate(
            """() => [...document.querySelectorAll('#site-menu a, #site-menu button,'
                + ' #site-menu select')]
                .filter(el => el.offsetParent !== null)
                .map(el => [el.textContent.trim(), el.getBoundingClientRect().height])
                .filter(([, height]) => height < 44)"""
        )
        assert small == []
        # Nothing is wider than the phone: no sideways scrolling of the page itself.
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

        page.select_option("#language", "zh-hans")
        page.get_by_role("button", name="Change").click()
        page.wait_for_load_state()
        expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
        page.get_by_role("button", name="菜单").click()
        nav = page.get_by_role("navigation", name="主导航")
        expect(nav.get_by_role("link", name="组织")).to_be_visible()
        expect(nav.get_by_role("link", name="员工")).to_be_visible()
        expect(page.get_by_role("heading", name="深入查看")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "shell-phone.png"), full_page=True)
