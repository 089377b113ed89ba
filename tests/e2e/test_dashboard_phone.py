"""The dashboard on a phone, in a real browser: a store manager sees their store's figures,
and a response submitted meanwhile appears without reloading, within 5 seconds."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.analytics.support import cx_survey, respond
from tests.browser import ARTIFACTS, PHONE, chromium, needs_chromium, phone_page, sign_in
from tests.factories import build_world
from voxloop.analytics import services

pytestmark = needs_chromium


@pytest.fixture
def world_with_feedback(transactional_db, settings):
    # Tasks run in the process, as a worker would run them moments later.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    world = build_world()
    survey = cx_survey(world.acme)
    store, sibling = world.acme.units["c1r1s1"], world.acme.units["c1r1s2"]
    earlier = timezone.now() - timedelta(days=2)
    for i in range(12):
        respond(survey, store, nps=10 if i % 3 else 4, csat=4, at=earlier, comment=f"visit {i}")
    respond(survey, sibling, nps=0, at=earlier, comment="sibling secret")
    services.rebuild(organization_id=world.acme.root.organization_id)
    return world, survey


def test_store_dashboard_on_a_phone_updates_live(live_server, world_with_feedback):
    from playwright.sync_api import expect

    world, survey = world_with_feedback
    with chromium() as browser:
        page = phone_page(browser)
        sign_in(page, live_server.url, world.acme.user("store").username)
        page.goto(f"{live_server.url}/analytics/")
        expect(page.locator("h1")).to_contain_text("Store 1.1.1")
        kpis = page.get_by_test_id("kpis")
        expect(kpis).to_contain_text("n = 12")
        expect(kpis).to_contain_text("low sample")
        expect(page.locator("body")).not_to_contain_text("sibling secret")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.screenshot(path=str(ARTIFACTS / "dashboard-phone.png"), full_page=True)

        submitted = time.monotonic()
        # From another thread, as a respondent's request would (Playwright holds this one).
        store = world.acme.units["c1r1s1"]
        worker = threading.Thread(
            target=respond,
            args=(survey, store),
            kwargs={"nps": 2, "comment": "<b>cold</b> coffee", "at": timezone.now()},
        )
        worker.start()
        worker.join()
        verbatims = page.get_by_test_id("verbatims")
        expect(verbatims).to_contain_text("<b>cold</b> coffee", timeout=5000)
        assert time.monotonic() - submitted <= 5.0
        expect(kpis).to_contain_text("n = 13")
