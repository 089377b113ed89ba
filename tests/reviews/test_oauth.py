"""Expired OAuth access tokens are renewed by the refresh-token grant against the provider's
token endpoint (served locally), stored sealed, and the request is retried once; Trustpilot
replies are posted through its private API with a business user's token."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from tests.reviews.corpus import samples
from tests.reviews.fake_providers import Reply
from tests.reviews.payloads import google_page, google_review, trustpilot_page, trustpilot_review
from tests.reviews.support import make_source
from voxloop import sealing
from voxloop.reviews import fetching, replies, selectors
from voxloop.reviews.models import ReplyStatus, Review, ReviewSource

LOCATION = "accounts/1/locations/9"
PATH = f"/v4/{LOCATION}/reviews"
TOKEN = "/v4/token"
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
GOOGLE = {
    "access_token": "ya29.old",
    "refresh_token": "1//refresh",
    "client_id": "client.apps.googleusercontent.com",
    "client_secret": "GOCSPX-secret",
}


def _google(world, provider, **credentials):
    return make_source(
        world.acme,
        "google_business",
        base_url=f"{provider.url}/v4",
        locations={LOCATION: "c1r1s1"},
        credentials={**GOOGLE, **credentials},
    )


def _only_new_token(provider, valid: str = "ya29.new") -> None:
    """The reviews answer 401 unless the request carries the valid token."""
    plain = provider.answer

    def answer(method, path, query):
        sent = provider.requests[-1].headers.get("Authorization", "")
        if path == PATH and sent != f"Bearer {valid}":
            return Reply(401, {"error": {"code": 401, "status": "UNAUTHENTICATED"}})
        return plain(method, path, query)

    provider.answer = answer


def test_an_expired_token_is_refreshed_stored_sealed_and_the_page_retried(world, provider):
    source = _google(world, provider)
    provider.pages[(PATH, "")] = google_page(
        [google_review("g1", samples("en")[0], created="2026-10-01T10:00:00Z", name="Ann Lee")]
    )
    provider.writes[TOKEN] = Reply(200, {"access_token": "ya29.new", "expires_in": 3599})
    _only_new_token(provider)
    outcome = fetching.fetch(source.pk, now=T0)
    assert outcome.finished and len(outcome.stored.new) == 1
    (grant,) = provider.posts(TOKEN)
    assert grant.body == {
        "grant_type": "refresh_token",
        "refresh_token": "1//refresh",
        "client_id": "client.apps.googleusercontent.com",
        "client_secret": "GOCSPX-secret",
    }
    assert [r.headers["Authorization"] for r in provider.gets(PATH)] == [
        "Bearer ya29.old",
        "Bearer ya29.new",
    ]
    stored = ReviewSource.objects.get(pk=source.pk).credentials
    assert "ya29.new" not in stored  # sealed at rest
    kept = sealing.unseal(stored)
    assert kept["access_token"] == "ya29.new" and kept["refresh_token"] == "1//refresh"
    assert abs(int(kept["expires_at"]) - (time.time() + 3599)) < 60
    # The next pass uses the stored token without asking again.
    fetching.fetch(source.pk, now=T0)
    assert len(provider.posts(TOKEN)) == 1


def test_a_token_known_to_have_expired_is_renewed_before_asking(world, provider):
    source = _google(world, provider)
    expired = {**GOOGLE, "expires_at": str(int(time.time()) - 10)}  # as a refresh stores it
    ReviewSource.objects.filter(pk=source.pk).update(credentials=sealing.seal(expired))
    provider.pages[(PATH, "")] = google_page([])
    provider.writes[TOKEN] = Reply(200, {"access_token": "ya29.new", "expires_in": 3599})
    _only_new_token(provider)
    assert fetching.fetch(source.pk, now=T0).finished
    assert [r.headers["Authorization"] for r in provider.gets(PATH)] == ["Bearer ya29.new"]


def test_the_retry_happens_once_and_a_refused_refresh_says_to_reconnect(world, provider):
    source = _google(world, provider)
    provider.pages[(PATH, "")] = google_page([])
    provider.writes[TOKEN] = Reply(200, {"access_token": "ya29.also-wrong"})
    _only_new_token(provider)
    outcome = fetching.fetch(source.pk, now=T0)
    assert not outcome.finished and "(401)" in outcome.error
    assert len(provider.gets(PATH)) == 2 and len(provider.posts(TOKEN)) == 1
    provider.writes[TOKEN] = Reply(400, {"error": "invalid_grant"})
    outcome = fetching.fetch(source.pk, now=T0)
    assert "connect the source again" in outcome.error and outcome.retry_in is None
    assert "connect the source again" in ReviewSource.objects.get(pk=source.pk).last_error


def test_without_a_refresh_token_a_401_is_the_answer(world, provider):
    source = make_source(
        world.acme,
        "google_business",
        base_url=f"{provider.url}/v4",
        locations={LOCATION: "c1r1s1"},
        credentials={"access_token": "ya29.old"},
    )
    _only_new_token(provider)
    outcome = fetching.fetch(source.pk, now=T0)
    assert "(401)" in outcome.error and not provider.posts(TOKEN)


def _trustpilot(world, provider, **credentials):
    source = make_source(
        world.acme,
        "trustpilot",
        base_url=provider.url,
        locations={"bu1": "c1r1s1"},
        credentials={"api_key": "tp-key", **credentials},
    )
    provider.page_param = "page"
    provider.pages[("/v1/business-units/bu1/reviews", "1")] = trustpilot_page(
        [trustpilot_review("t1", samples("ro")[0], "2026-10-01T10:00:00Z", "Andrei")], 1, False
    )
    fetching.fetch(source.pk, now=T0)
    return Review.objects.get(source=source, external_id="t1")


def test_a_trustpilot_reply_is_posted_through_the_private_api(world, provider):
    review = _trustpilot(
        world,
        provider,
        api_secret="tp-secret",
        access_token="tp.old",
        refresh_token="tp.refresh",
        business_user_id="507f191e810c19729de860ea",
    )
    path = "/v1/private/reviews/t1/reply"
    refresh = "/v1/oauth/oauth-business-users-for-applications/refresh"
    provider.queued[path] = [Reply(401, {"message": "Unauthorized"})]
    provider.writes[path] = Reply(201, None)
    provider.writes[refresh] = Reply(
        200, {"access_token": "tp.new", "refresh_token": "tp.refresh2", "expires_in": "359999"}
    )
    scope = world.acme.scope("store")
    found = selectors.review(scope, review.pk)
    outcome = replies.send_reply(scope=scope, review=found, text="Mulțumim, Andrei!")
    assert outcome.posted and outcome.reply.status == ReplyStatus.POSTED
    first, second = provider.posts(path)
    assert first.headers["Authorization"] == "Bearer tp.old"
    assert second.headers["Authorization"] == "Bearer tp.new"
    assert second.body == {
        "authorBusinessUserId": "507f191e810c19729de860ea",
        "message": "Mulțumim, Andrei!",
    }
    (grant,) = provider.posts(refresh)
    assert grant.headers["Authorization"] == "Basic dHAta2V5OnRwLXNlY3JldA=="  # tp-key:tp-secret
    assert grant.body == {"grant_type": "refresh_token", "refresh_token": "tp.refresh"}
    kept = sealing.unseal(ReviewSource.objects.get(pk=review.source_id).credentials)
    assert kept["access_token"] == "tp.new" and kept["refresh_token"] == "tp.refresh2"
    assert Review.objects.get(pk=review.pk).reply_text == "Mulțumim, Andrei!"


def test_without_a_business_user_a_trustpilot_reply_is_copied_by_hand(world, provider):
    review = _trustpilot(world, provider)
    scope = world.acme.scope("store")
    found = selectors.review(scope, review.pk)
    outcome = replies.send_reply(scope=scope, review=found, text="Mulțumim!")
    assert not outcome.posted and outcome.reply.status == ReplyStatus.COPIED
    assert not provider.posts("/v1/private/reviews/t1/reply")
