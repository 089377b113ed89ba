"""The regional manager prints a store's QR poster, in English and in Chinese; the navigation
fits one line at 1280 px in every shipped language. Debian's chromium, never a downloaded one."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings

from tests.browser import ARTIFACTS, chromium, needs_chromium, sign_in
from tests.factories import build_world
from tests.surveys.builders import store_visit_survey

pytestmark = needs_chromium
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def world(transactional_db):
    world = build_world()
    store_visit_survey(world.acme)
    return world


def _switch_language(page, code: str) -> None:
    page.select_option("#language", code)
    page.locator("#language").locator("xpath=ancestor::form").locator("button").click()
    page.wait_for_load_state()


def _print_poster(page, base: str, language: str, layout: str) -> None:
    page.goto(f"{base}/outreach/qr/")
    page.select_option("#poster-unit", label="Store 1.1.2 (AC1R1S2)")
    page.select_option("#poster-format", layout)
    page.select_option("#poster-lang", language)
    page.locator("button[name=poster]").click()
    page.wait_for_url("**/poster/**")


def test_regional_manager_prints_a_qr_poster_in_english_and_chinese(live_server, world):
    from playwright.sync_api import expect

    with chromium() as browser:
        page = browser.new_context(viewport=DESKTOP).new_page()
        sign_in(page, live_server.url, world.acme.user("regional").username)
        _print_poster(page, live_server.url, "en", "a4")
        poster = page.get_by_test_id("qr-poster")
        expect(poster).to_contain_text("How did we do?")
        expect(poster).to_contain_text("Store 1.1.2")
        code = page.get_by_test_id("poster-code")
        expect(code).to_be_visible()
        assert page.evaluate("document.querySelector('[data-testid=poster-code]').naturalWidth") > 0
        page.emulate_media(media="print")
        expect(page.get_by_role("button", name="Print")).to_be_hidden()
        page.pdf(path=str(ARTIFACTS / "qr-poster-en.pdf"), format="A4")
        page.emulate_media(media="screen")

        page.goto(f"{live_server.url}/")
        _switch_language(page, "zh-hans")
        _print_poster(page, live_server.url, "zh-hans", "tent")
        poster = page.get_by_test_id("qr-poster")
        expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
        expect(poster).to_contain_text("我们做得怎么样？")
        expect(poster).to_contain_text("您的到店体验如何？")
        expect(page.get_by_role("button", name="打印")).to_be_visible()
        assert page.evaluate("document.querySelector('[data-testid=poster-code]').naturalWidth") > 0
        page.screenshot(path=str(ARTIFACTS / "qr-poster-zh-tent.png"), full_page=True)


def test_the_navigation_fits_one_line_at_1280_px_in_every_language(live_server, world):
    with chromium() as browser:
        page = browser.new_context(viewport=DESKTOP).new_page()
        sign_in(page, live_server.url, world.acme.user("admin").username)
        too_wide = {}
        for code, _name in django_settings.LANGUAGES:
            page.goto(f"{live_server.url}/outreach/")
            _switch_language(page, code)
            tops = page.evaluate(
                "[...document.querySelectorAll('.site-nav li')]"
                ".map(li => Math.round(li.getBoundingClientRect().top))"
            )
            assert len(tops) >= 8
            if len(set(tops)) != 1:
                too_wide[code] = tops
                page.screenshot(path=str(ARTIFACTS / f"nav-{code}.png"))
        assert too_wide == {}


def test_the_campaign_email_preview_shows_the_email(live_server, world):
    from voxloop.distribution import services
    from voxloop.surveys.models import Survey

    acme = world.acme
    campaign = services.create_campaign(
        actor=acme.scope("admin"),
        unit=acme.root,
        survey=Survey.objects.get(),
        segment=None,
        name="C",
        channel="email",
    )
    with chromium() as browser:
        page = browser.new_context(viewport=DESKTOP).new_page()
        sign_in(page, live_server.url, acme.user("admin").username)
        page.goto(f"{live_server.url}/outreach/campaigns/{campaign.pk}/preview/")
        frame = page.frame_locator("[data-testid=email-preview]")
        frame.get_by_text("How likely are you to recommend").wait_for()
        assert frame.get_by_role("link", name="10").count() == 1
