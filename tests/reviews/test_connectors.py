"""Each connector against a local server replaying its provider's documented payloads: paging,
replies, non-Latin text, edits and what each one can say about removals."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from tests.reviews.corpus import samples
from tests.reviews.payloads import (
    apple_page,
    play_page,
    play_review,
    trustpilot_page,
    trustpilot_review,
    yelp_page,
)
from tests.reviews.support import make_source
from voxloop.reviews import fetching
from voxloop.reviews.models import Review

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def test_app_store_signs_its_token_pages_by_link_and_reads_responses(world, provider):
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    source = make_source(
        world.acme,
        "app_store",
        base_url=provider.url,
        locations={"1234567890": "c2"},
        credentials={"issuer_id": "69a6de7e", "key_id": "2X9R4HXF34", "private_key": pem},
    )
    ja, ro = samples("ja"), samples("ro")
    path = "/v1/apps/1234567890/customerReviews"
    provider.page_param = "cursor"
    provider.pages[(path, "")] = apple_page(
        [
            ("a1", ja[0], "旅人", "2026-10-01T10:00:00-07:00"),
            ("a2", ro[1], "Ion", "2026-10-02T09:00:00-07:00"),
        ],
        next_link=f"https://api.appstoreconnect.apple.com{path}?cursor=Mg.abc&limit=200",
        replies={"a2": "Ne pare rău, vă vom contacta."},
    )
    provider.pages[(path, "Mg.abc")] = apple_page([("a3", ro[0], "Maria", "2026-10-03T09:00:00Z")])
    outcome = fetching.fetch(source.pk, now=T0)
    assert outcome.finished and len(outcome.stored.new) == 3
    rows = {r.external_id: r for r in Review.objects.filter(source=source)}
    assert rows["a1"].text == ja[0].text and rows["a1"].author_name == "旅人"
    assert rows["a2"].reply_text == "Ne pare rău, vă vom contacta." and rows["a2"].rating == 2
    assert rows["a1"].posted_at == datetime(2026, 10, 1, 17, 0, tzinfo=UTC)
    # The bearer token is an ES256 JWT for App Store Connect, verifiable with the key.
    token = provider.requests[0].headers["Authorization"].removeprefix("Bearer ")
    head, claims, signature = token.split(".")
    assert json.loads(_b64decode(head)) == {"alg": "ES256", "kid": "2X9R4HXF34", "typ": "JWT"}
    body = json.loads(_b64decode(claims))
    assert body["aud"] == "appstoreconnect-v1" and body["iss"] == "69a6de7e"
    assert body["exp"] - body["iat"] <= 20 * 60
    raw = _b64decode(signature)
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    key.public_key().verify(der, f"{head}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))
    # A review that disappears from a complete pass was removed.
    provider.pages[(path, "Mg.abc")] = apple_page([])
    fetching.fetch(source.pk, now=T0 + timedelta(hours=2))
    assert Review.objects.get(source=source, external_id="a3").is_removed


def test_google_play_reads_user_and_developer_comments_but_never_infers_removal(world, provider):
    source = make_source(
        world.acme,
        "google_play",
        base_url=provider.url,
        locations={"com.acme.app": "c1"},
        credentials={"access_token": "ya29.play"},
    )
    zh, en = samples("zh"), samples("en")
    path = "/androidpublisher/v3/applications/com.acme.app/reviews"
    provider.page_param = "token"
    provider.pages[(path, "")] = play_page(
        [play_review("gp1", zh[0], 1790000000, "张伟", reply="已为您处理")], next_token="t2"
    )
    provider.pages[(path, "t2")] = play_page([play_review("gp2", en[1], 1790003600, "Sam")])
    assert len(fetching.fetch(source.pk, now=T0).stored.new) == 2
    gp1 = Review.objects.get(source=source, external_id="gp1")
    assert gp1.text == zh[0].text and gp1.language == "zh" and gp1.reply_text == "已为您处理"
    assert gp1.posted_at == datetime.fromtimestamp(1790000000, tz=UTC)
    # Google lists a week of reviews only: one missing later is not thereby removed.
    provider.pages[(path, "")] = play_page([])
    fetching.fetch(source.pk, now=T0 + timedelta(days=9))
    assert not Review.objects.filter(source=source, removed_at__isnull=False).exists()


def test_trustpilot_pages_by_number_and_keeps_an_edit(world, provider):
    source = make_source(
        world.acme,
        "trustpilot",
        base_url=provider.url,
        locations={"bu1": "c1r2"},
        credentials={"api_key": "tp-key"},
    )
    ro = samples("ro")
    path = "/v1/business-units/bu1/reviews"
    provider.page_param = "page"
    provider.pages[(path, "1")] = trustpilot_page(
        [trustpilot_review("t1", ro[0], "2026-10-01T10:00:00Z", "Andrei Popescu")], 1, more=True
    )
    provider.pages[(path, "2")] = trustpilot_page(
        [trustpilot_review("t2", ro[1], "2026-10-02T10:00:00Z", "Ana", reply="Mulțumim!")],
        2,
        more=False,
    )
    assert len(fetching.fetch(source.pk, now=T0).stored.new) == 2
    assert provider.requests[0].headers["apikey"] == "tp-key"
    edited = trustpilot_review(
        "t1", ro[1], "2026-10-01T10:00:00Z", "Andrei Popescu", updated="2026-10-05T10:00:00Z"
    )
    provider.pages[(path, "1")] = trustpilot_page([edited], 1, more=True)
    outcome = fetching.fetch(source.pk, now=T0 + timedelta(hours=1))
    assert len(outcome.stored.edited) == 1
    t1 = Review.objects.get(source=source, external_id="t1")
    assert t1.text == ro[1].text and t1.versions.get().text == ro[0].text
    assert Review.objects.get(source=source, external_id="t2").reply_text == "Mulțumim!"


def test_yelp_pages_by_offset_and_reads_local_times(world, provider):
    source = make_source(
        world.acme,
        "yelp",
        base_url=f"{provider.url}/v3",
        locations={"acme-store-sf": "c1r1s2"},
        credentials={"api_key": "yelp-key"},
    )
    en, zh = samples("en"), samples("zh")
    path = "/v3/businesses/acme-store-sf/reviews"
    provider.page_param = "offset"
    provider.pages[(path, "0")] = yelp_page(
        [
            ("y1", en[0], "Ella A.", "2026-10-29 00:41:13"),
            ("y2", zh[1], "小明", "2026-10-30 12:00:00"),
        ],
        total=2,
    )
    outcome = fetching.fetch(source.pk, now=T0)
    assert outcome.finished and len(outcome.stored.new) == 2
    y1 = Review.objects.get(source=source, external_id="y1")
    assert y1.posted_at == datetime(2026, 10, 29, 0, 41, 13, tzinfo=UTC)
    assert y1.url.startswith("https://www.yelp.com/biz/")
    assert provider.requests[0].headers["Authorization"] == "Bearer yelp-key"


@pytest.mark.parametrize("kind", ["google_business", "yelp"])
def test_an_unmapped_or_credentialless_source_fails_cleanly(world, provider, kind):
    source = make_source(world.acme, kind, base_url=provider.url, locations={"x": "c1"})
    outcome = fetching.fetch(source.pk, now=T0)
    assert not outcome.finished and outcome.error  # the provider's 404, not a traceback
