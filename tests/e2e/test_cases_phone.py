"""A store manager works a detractor's case on a phone, in a real browser: the inbox, the case
with the customer's answer beside it, a status change and a note. Drives Debian's chromium."""

from __future__ import annotations

import pytest

from tests.browser import ARTIFACTS, PHONE, chromium, needs_chromium, phone_page, sign_in
from tests.closedloop.support import submit
from tests.factories import build_world
from tests.surveys.builders import store_visit_survey
from voxloop.closedloop import evaluation, services

pytestmark = needs_chromium


@pytest.fixture
def detractor_case(transactional_db):
    acme = build_world().acme
    survey = store_visit_survey(acme)
    services.create_rule(
        actor=acme.scope("admin"),
        unit=acme.root,
        name="Detractor",
        conditions={"items": [{"field": "nps", "op": "lte", "value": 6}]},
    )
    response = submit(
        survey, {"nps": 2, "improve": ["queue"], "comment": "Waited forever"},
        unit=acme.units["c1r1s1"],
    )  # fmt: skip
    [case] = evaluation.evaluate_response(response_id=response.pk)
    return acme.user("store"), case


def test_store_manager_works_a_case_on_a_phone(live_server, detractor_case):
    from playwright.sync_api import expect

    manager, case = detractor_case
    with chromium() as browser:
        page = phone_page(browser)
        sign_in(page, live_server.url, manager.username)
        page.goto(f"{live_server.url}/cases/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Cases")
        link = page.get_by_role("link", name=f"#{case.pk} ")
        expect(link).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        link.click()
        expect(page.locator("main")).to_contain_text("Waited forever")
        page.select_option("#case-status", "in_progress")
        page.get_by_role("button", name="Change status").click()
        expect(page.locator(".messages")).to_contain_text("Saved.")
        page.fill("textarea[name=text]", "Called back, offered a voucher.")
        page.get_by_role("button", name="Add note").click()
        timeline = page.locator("ol.timeline")
        expect(timeline).to_contain_text("Called back, offered a voucher.")
        expect(timeline).to_contain_text("In progress")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.screenshot(path=str(ARTIFACTS / "case-phone.png"), full_page=True)
