"""The Content-Security-Policy in a real browser: pages no other browser test opens (the Django
admin, the API docs, the drivers page, the builder's preview, the campaign email preview) run
without a single violation, and the violation watch that every browser test has does catch
one."""

from __future__ import annotations

import pytest

from tests.browser import CspViolations, chromium, needs_chromium, sign_in
from tests.factories import build_world
from tests.surveys.builders import store_visit_survey

pytestmark = needs_chromium


@pytest.fixture
def shop(transactional_db):
    world = build_world()
    admin = world.acme.user("admin")
    admin.is_staff = admin.is_superuser = True
    admin.save(update_fields=["is_staff", "is_superuser"])
    survey = store_visit_survey(world.acme)
    from voxloop.distribution import services

    campaign = services.create_campaign(
        actor=world.acme.system,
        unit=world.acme.root,
        survey=survey,
        segment=None,
        name="Pulse",
        channel="email",
    )
    return world, survey, campaign


def test_pages_without_a_browser_test_of_their_own_break_no_policy(live_server, shop):
    _, survey, campaign = shop
    with chromium() as browser:
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        sign_in(page, live_server.url, "a-admin")
        for path in (
            "/admin/",
            "/admin/tenancy/orgunit/",
            "/api/v1/docs",
            "/analytics/drivers/",
            f"/surveys/{survey.pk}/preview/",
            f"/outreach/campaigns/{campaign.pk}/preview/",
            f"/s/{survey.public_slug}",
        ):
            answer = page.goto(live_server.url + path)
            assert answer.status < 400, path
            page.wait_for_load_state("networkidle")
        # The API docs render (Swagger UI runs under the policy): the title appears only once
        # the script has fetched and drawn the schema; while it loads, Swagger UI shows an
        # empty ".info" box, which is why waiting for ".info" alone timed out on a busy CI.
        page.goto(live_server.url + "/api/v1/docs")
        title = page.wait_for_selector(".swagger-ui .info .title", timeout=30_000)
        assert "Voxloop API" in title.inner_text()


def test_a_violation_fails_the_test(live_server, shop):
    with pytest.raises(CspViolations, match="style-src"), chromium() as browser:
        page = browser.new_context().new_page()
        page.goto(live_server.url + "/accounts/login/")
        page.evaluate("document.body.setAttribute('style', 'color: red')")
        page.wait_for_timeout(200)
