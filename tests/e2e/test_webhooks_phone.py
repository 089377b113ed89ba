"""An admin subscribes a Slack channel to new cases on a phone, in a real browser: the form with
its event checkboxes, the secret shown once, the delivery log. Drives Debian's chromium."""

from __future__ import annotations

import pytest

from tests.browser import ARTIFACTS, PHONE, chromium, needs_chromium, phone_page, sign_in
from tests.factories import build_world
from voxloop.webhooks.models import Subscription

pytestmark = needs_chromium


@pytest.fixture
def admin(transactional_db):
    return build_world().acme.user("admin")


def test_an_admin_subscribes_on_a_phone(live_server, admin):
    from playwright.sync_api import expect

    with chromium() as browser:
        page = phone_page(browser)
        sign_in(page, live_server.url, admin.username)
        page.goto(f"{live_server.url}/webhooks/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Event webhooks")
        page.get_by_role("link", name="New subscription").click()
        page.fill("#id_name", "Store alerts")
        page.fill("#id_unit_code", "AC1R1")
        page.select_option("#id_destination", "slack")
        page.fill("#id_url", "https://hooks.slack.example/services/T0/B0/abc")
        page.get_by_label("case.opened", exact=False).check()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.get_by_role("button", name="Create").click()
        expect(page.get_by_test_id("webhook-secret")).to_contain_text("whsec_")
        expect(page.locator("main")).to_contain_text("Nothing sent yet.")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.screenshot(path=str(ARTIFACTS / "webhooks-phone.png"), full_page=True)
        page.reload()
        expect(page.get_by_test_id("webhook-secret")).to_have_count(0)
    subscription = Subscription.objects.get()
    assert subscription.destination == "slack" and subscription.events == ["case.opened"]
