"""The survey builder on a phone, in a real browser: create a survey, add a question with
logic, see the live preview, publish. Drives Debian's chromium; never downloads a browser."""

from __future__ import annotations

import pytest

from tests.browser import ARTIFACTS, PHONE, chromium, needs_chromium, phone_page, sign_in
from tests.factories import build_world
from voxloop.surveys.models import Survey

pytestmark = needs_chromium


@pytest.fixture
def admin_user(transactional_db):
    return build_world().acme.user("admin")


def test_admin_builds_a_survey_on_a_phone(live_server, admin_user):
    from playwright.sync_api import expect

    with chromium() as browser:
        page = phone_page(browser)
        sign_in(page, live_server.url, admin_user.username)

        page.goto(f"{live_server.url}/surveys/new/")
        page.get_by_label("Name").fill("Store visit")
        page.get_by_label("Kind").select_option("transactional")
        page.get_by_role("button", name="Create survey").click()
        expect(page.locator("h1")).to_have_text("Store visit")

        page.get_by_role("link", name="Add a question").click()
        page.locator("#id_key").fill("nps")
        page.locator("#id_title").fill("Would you recommend {{unit}}?")
        # Only the settings of the chosen type are shown (with JavaScript).
        expect(page.locator("#id_choices")).to_be_hidden()
        page.get_by_role("button", name="Add question").click()

        page.get_by_role("link", name="Add a question").click()
        page.locator("#id_key").fill("improve")
        page.locator("#id_type").select_option("single_choice")
        expect(page.locator("#id_choices")).to_be_visible()
        page.locator("#id_title").fill("What should we improve?")
        page.locator("#id_choices").fill("queue | The queue\nstaff | Our staff")
        # Display logic through the condition builder: two conditions, no JSON typed.
        builder = page.get_by_test_id("condition-builder")
        builder.get_by_role("button", name="Add a condition", exact=True).click()
        first = builder.get_by_test_id("condition").nth(0)
        first.locator("select").nth(1).select_option("lte")
        first.locator(".cb-value input").fill("6")
        builder.get_by_role("button", name="Add a condition", exact=True).click()
        builder.get_by_test_id("condition").nth(1).locator("select").nth(1).select_option(
            "answered"
        )
        page.get_by_role("button", name="Add question").click()
        expect(page.locator(".question-list li")).to_have_count(2)
        expect(page.locator(".question-list")).to_contain_text("Shown when nps is at most 6")

        preview = page.frame_locator('iframe[name="preview-frame"]')
        expect(preview.locator("body")).to_contain_text("Would you recommend Store 42?")
        expect(preview.locator("body")).to_contain_text("Our staff")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

        page.get_by_role("button", name="Publish").click()
        expect(page.get_by_test_id("survey-status")).to_have_text("Live")
        page.screenshot(path=str(ARTIFACTS / "builder-phone.png"), full_page=True)
    survey = Survey.objects.get(name="Store visit")
    assert survey.status == "live"
    show_if = survey.questions.get(key="improve").show_if
    assert show_if == {"all": [{"question": "nps", "op": "lte", "value": 6},
                               {"question": "nps", "op": "answered"}]}  # fmt: skip
