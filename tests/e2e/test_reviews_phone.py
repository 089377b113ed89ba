"""A store manager reads the online reviews and replies to a one-star review on a phone (390
px), in a real browser: the list with its figures, the review, the reply posted to the
provider (a local fake of Google Business Profile). Nothing scrolls sideways. Drives Debian's
chromium."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.browser import ARTIFACTS, PHONE, chromium, needs_chromium, phone_page, sign_in
from tests.factories import build_world
from tests.reviews.corpus import samples
from tests.reviews.fake_providers import FakeProvider
from tests.reviews.payloads import google_page, google_review
from tests.reviews.support import make_source
from voxloop.reviews import fetching
from voxloop.reviews.models import Review

pytestmark = needs_chromium
LOCATION = "accounts/1/locations/9"


@pytest.fixture
def store_reviews(transactional_db, settings):
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    provider = FakeProvider().start()
    acme = build_world().acme
    source = make_source(
        acme,
        "google_business",
        base_url=f"{provider.url}/v4",
        locations={LOCATION: "c1r1s1"},
        credentials={"access_token": "ya29.token"},
    )
    en, ja = samples("en"), samples("ja")
    low = next(s for s in en if s.stars <= 2)
    provider.pages[(f"/v4/{LOCATION}/reviews", "")] = google_page(
        [
            google_review("g1", low, created="2026-11-20T10:00:00Z", name="Ann Lee"),
            google_review("g2", ja[0], created="2026-11-21T10:00:00Z", name="旅人"),
        ]
    )
    fetching.fetch(source.pk, now=datetime(2026, 11, 22, tzinfo=UTC))
    yield acme.user("store"), Review.objects.get(external_id="g1"), provider
    provider.stop()


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_store_manager_replies_to_a_review_on_a_phone(live_server, store_reviews):
    from playwright.sync_api import expect

    manager, review, provider = store_reviews
    with chromium() as browser:
        page = phone_page(browser)
        sign_in(page, live_server.url, manager.username)
        page.goto(f"{live_server.url}/reviews/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Online reviews")
        expect(page.get_by_test_id("review-figures")).to_contain_text("Average rating")
        expect(page.get_by_test_id("review-row")).to_have_count(2)
        _no_sideways_scroll(page)
        page.screenshot(path=str(ARTIFACTS / "reviews-phone.png"), full_page=True)
        page.get_by_role("link", name=f"{review.rating}★").first.click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(f"{review.rating}★")
        _no_sideways_scroll(page)
        page.fill("textarea[name=text]", "We are sorry, Ann. Please ask for me next time.")
        page.get_by_role("button", name="Post reply").click()
        expect(page.locator(".messages")).to_contain_text("Reply posted.")
        expect(page.locator("main")).to_contain_text("Please ask for me next time.")
        _no_sideways_scroll(page)
        page.screenshot(path=str(ARTIFACTS / "review-reply-phone.png"), full_page=True)
    (posted,) = provider.posts(f"/v4/{LOCATION}/reviews/g1/reply")
    assert posted.body == {"comment": "We are sorry, Ann. Please ask for me next time."}
    assert Review.objects.get(pk=review.pk).reply_text.startswith("We are sorry")
