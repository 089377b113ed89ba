"""Fetching is idempotent, keeps edits, marks removals, resumes from its cursor and honours
the provider's rate limits (Google Business Profile's documented shapes, served locally)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.reviews.corpus import samples
from tests.reviews.fake_providers import Reply
from tests.reviews.payloads import google_page, google_review
from tests.reviews.support import make_source
from voxloop.reviews import fetching
from voxloop.reviews.models import Review, ReviewSource

LOCATION = "accounts/1/locations/9"
PATH = f"/v4/{LOCATION}/reviews"
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def source(world, provider):
    return make_source(
        world.acme,
        "google_business",
        base_url=f"{provider.url}/v4",
        locations={LOCATION: "c1r1s1"},
        credentials={"access_token": "ya29.token"},
    )


def _two_pages(provider, edited_text: str | None = None, drop: str = "") -> None:
    en, zh = samples("en"), samples("zh")
    first = [
        google_review("g1", en[0], created="2026-10-01T10:00:00Z", name="Ann Lee"),
        google_review("g2", zh[0], created="2026-10-02T10:00:00.123456789Z", name="王芳"),
        google_review("g3", en[1], created="2026-10-03T10:00:00Z", anonymous=True),
    ]
    second = [
        google_review(
            "g4", zh[-1], created="2026-10-04T10:00:00Z", name="李雷", reply="谢谢您的评价！"
        ),
    ]
    if edited_text is not None:
        first[0]["comment"] = edited_text
        first[0]["starRating"] = "TWO"
        first[0]["updateTime"] = "2026-10-20T08:00:00Z"
    first = [r for r in first if r["reviewId"] != drop]
    provider.pages[(PATH, "")] = google_page(first, next_token="p2")
    provider.pages[(PATH, "p2")] = google_page(second)


def test_a_pass_stores_each_review_once_in_its_unit(world, provider, source):
    _two_pages(provider)
    outcome = fetching.fetch(source.pk, now=T0)
    assert outcome.finished and len(outcome.stored.new) == 4
    again = fetching.fetch(source.pk, now=T0 + timedelta(hours=1))
    assert again.finished and again.stored.new == [] and again.stored.edited == []
    rows = {r.external_id: r for r in Review.objects.filter(source=source)}
    assert len(rows) == 4
    assert {r.unit_id for r in rows.values()} == {world.acme.units["c1r1s1"].pk}
    assert rows["g1"].author_name == "Ann Lee" and rows["g1"].rating == samples("en")[0].stars
    assert rows["g3"].author_name == ""  # an anonymous reviewer is not named
    assert rows["g2"].text == samples("zh")[0].text and rows["g2"].language.startswith("zh")
    assert rows["g4"].reply_text == "谢谢您的评价！" and rows["g4"].reply_at is not None
    # The bearer token went to the provider; the stored form is not the token.
    assert provider.requests[0].headers["Authorization"] == "Bearer ya29.token"
    assert "ya29" not in ReviewSource.objects.get(pk=source.pk).credentials


def test_an_edit_keeps_the_earlier_version_and_a_removal_is_marked(provider, source):
    _two_pages(provider)
    fetching.fetch(source.pk, now=T0)
    _two_pages(provider, edited_text="Changed my mind: cold food.", drop="g3")
    outcome = fetching.fetch(source.pk, now=T0 + timedelta(days=1))
    assert outcome.stored.edited and outcome.stored.removed == 1
    g1 = Review.objects.get(source=source, external_id="g1")
    assert g1.text == "Changed my mind: cold food." and g1.rating == 2
    (before,) = g1.versions.all()
    assert before.text == samples("en")[0].text and before.rating == samples("en")[0].stars
    assert Review.objects.get(source=source, external_id="g3").is_removed
    # It comes back: no longer removed.
    _two_pages(provider, edited_text="Changed my mind: cold food.")
    fetching.fetch(source.pk, now=T0 + timedelta(days=2))
    assert not Review.objects.get(source=source, external_id="g3").is_removed


def test_a_rate_limit_is_honoured_and_the_pass_resumes_from_its_cursor(provider, source):
    _two_pages(provider)
    # The first page goes through, then the provider says: come back in two minutes.
    original = provider.answer
    calls = {"n": 0}

    def limited(method, path, query):
        if query.get("pageToken") == "p2" and calls["n"] == 0:
            calls["n"] += 1
            return Reply(
                429,
                {"error": {"code": 429, "status": "RESOURCE_EXHAUSTED"}},
                {"Retry-After": "120"},
            )
        return original(method, path, query)

    provider.answer = limited
    outcome = fetching.fetch(source.pk, now=T0)
    assert not outcome.finished and outcome.retry_in == timedelta(seconds=120)
    source.refresh_from_db()
    assert source.next_fetch_at == T0 + timedelta(seconds=120)
    assert source.cursor["page"] == "p2" and source.failures == 1
    assert Review.objects.filter(source=source).count() == 3
    first_page_gets = len([r for r in provider.gets(PATH) if not r.query.get("pageToken")])
    resumed = fetching.fetch(source.pk, now=T0 + timedelta(seconds=121))
    assert resumed.finished and len(resumed.stored.new) == 1
    # Resumed at page 2: the first page was not asked for again.
    assert len([r for r in provider.gets(PATH) if not r.query.get("pageToken")]) == first_page_gets
    source.refresh_from_db()
    assert source.cursor == {} and source.failures == 0
    # The removal check spans the whole pass: nothing seen before the pause was marked gone.
    assert not Review.objects.filter(source=source, removed_at__isnull=False).exists()


def test_server_errors_back_off_exponentially(provider, source):
    provider.queued[PATH] = [Reply(503), Reply(502)]
    first = fetching.fetch(source.pk, now=T0)
    second = fetching.fetch(source.pk, now=T0 + timedelta(minutes=1))
    assert (first.retry_in, second.retry_in) == (timedelta(minutes=1), timedelta(minutes=2))
    source.refresh_from_db()
    assert "503" in "".join([first.error]) and source.failures == 2


def test_a_refusal_waits_for_the_next_scheduled_fetch(provider, source):
    provider.queued[PATH] = [Reply(401, {"error": {"code": 401, "status": "UNAUTHENTICATED"}})]
    outcome = fetching.fetch(source.pk, now=T0)
    assert outcome.retry_in is None and "401" in outcome.error
    source.refresh_from_db()
    assert source.next_fetch_at == T0 + timedelta(minutes=source.interval_minutes)


def test_the_clock_claims_a_due_source_once_and_waits_for_retry_after(provider, source):
    from django.utils import timezone

    from voxloop.reviews import scheduling

    t = timezone.now() + timedelta(minutes=1)  # a new source is due at once
    assert scheduling.claim_due(now=t) == [source.pk]
    assert scheduling.claim_due(now=t) == []  # claimed: another worker's clock skips it
    provider.queued[PATH] = [Reply(429, {}, {"Retry-After": "600"})]
    fetching.fetch(source.pk, now=t)
    assert scheduling.claim_due(now=t + timedelta(seconds=599)) == []
    assert scheduling.claim_due(now=t + timedelta(seconds=600)) == [source.pk]
    ReviewSource.objects.filter(pk=source.pk).update(is_active=False, next_fetch_at=None)
    assert scheduling.claim_due(now=t + timedelta(hours=1)) == []  # switched off
