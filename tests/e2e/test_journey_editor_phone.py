"""An admin reorders a journey's stages on a phone (390 px), in a real browser (issue 20):
drags "Delivery" above "Visit" in the editor (the drop posts the new order), moves "Purchase"
up with its button (a plain form post), then opens the journey map, which draws the stages in
the new order. Neither page scrolls sideways. Drives Debian's chromium.

A mouse drag does not start HTML drag and drop in a touch (phone) context of headless
chromium, so the drag is the editor's own events dispatched with a real DataTransfer: what
runs is editor.js's handlers and the reorder endpoint, as on a desktop."""

from __future__ import annotations

import pytest

from tests.analytics.support import cx_survey
from tests.browser import ARTIFACTS, PHONE, chromium, needs_chromium, phone_page, sign_in
from tests.factories import build_world
from tests.journeys.support import buy_in_store, define_types
from voxloop.journeys.models import Stage

pytestmark = needs_chromium
NEW_ORDER = ["Delivery", "Purchase", "Visit"]


@pytest.fixture
def journey(transactional_db):
    acme = build_world().acme
    built = buy_in_store(acme, cx_survey(acme), define_types(acme))
    return acme, built


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_an_admin_reorders_stages_and_the_map_follows(live_server, journey):
    from playwright.sync_api import expect

    acme, built = journey
    with chromium() as browser:
        page = phone_page(browser)
        sign_in(page, live_server.url, acme.user("admin").username)
        page.goto(f"{live_server.url}/journeys/{built.pk}/edit/")
        stages = page.locator(".editor-stages > .editor-stage")
        expect(stages).to_have_count(3)
        _no_sideways_scroll(page)
        names = page.locator('.editor-stages > .editor-stage > form input[name$="-name"]')
        # Drag the last stage onto the top half of the first: the drop posts and reloads.
        dragged = page.evaluate_handle("new DataTransfer()")
        with page.expect_navigation():
            stages.nth(2).dispatch_event("dragstart", {"dataTransfer": dragged})
            stages.nth(0).dispatch_event("dragover", {"dataTransfer": dragged})
            stages.nth(0).dispatch_event("dragend", {"dataTransfer": dragged})
        assert [names.nth(i).input_value() for i in range(3)] == ["Delivery", "Visit", "Purchase"]
        # Then "Purchase" one up with its button.
        with page.expect_navigation():
            stages.nth(2).get_by_role("button", name="Move stage up").click()
        expect(names).to_have_count(3)
        assert [names.nth(i).input_value() for i in range(3)] == NEW_ORDER
        _no_sideways_scroll(page)
        page.screenshot(path=str(ARTIFACTS / "journey-editor-phone.png"), full_page=True)
        page.goto(f"{live_server.url}/journeys/{built.pk}/")
        headings = page.locator('[data-testid="journey-map"] .journey-stage > h2')
        expect(headings).to_have_count(3)
        for i, name in enumerate(NEW_ORDER):
            expect(headings.nth(i)).to_contain_text(name)
        _no_sideways_scroll(page)
        page.screenshot(path=str(ARTIFACTS / "journey-map-phone.png"), full_page=True)
    saved = Stage.objects.filter(journey_id=built.pk).order_by("position")
    assert [s.name for s in saved] == NEW_ORDER
