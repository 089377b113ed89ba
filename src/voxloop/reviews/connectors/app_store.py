"""Apple App Store customer reviews (App Store Connect API):
`GET /v1/apps/{id}/customerReviews?sort=-createdDate&limit=200&include=response` answers
{"data": [{"type": "customerReviews", "id", "attributes": {"rating", "title", "body",
"reviewerNickname", "createdDate", "territory"}, "relationships": {"response": {"data":
{"type": "customerReviewResponses", "id"}}}}], "included": [{"type":
"customerReviewResponses", "id", "attributes": {"responseBody", "lastModifiedDate",
"state"}}], "links": {"next"}}. A reply is `POST /v1/customerReviewResponses`. The caller
signs a short-lived ES256 token with the team's API key (issuer id, key id, .p8 key)."""

from __future__ import annotations

import base64
import json
import time
import urllib.parse

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from voxloop.reviews.connectors.base import (
    Fetched,
    Page,
    ProviderError,
    SourceConfig,
    base_of,
    call,
    parse_time,
)

TOKEN_SECONDS = 15 * 60  # Apple refuses tokens that live longer than 20 minutes


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def signed_token(issuer_id: str, key_id: str, private_key_pem: str, now: float) -> str:
    """The JSON Web Token App Store Connect asks for (ES256, audience appstoreconnect-v1)."""
    try:
        key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
    except (ValueError, TypeError):
        raise ProviderError("The App Store private key is not a PEM (.p8) key.") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ProviderError("The App Store private key must be an EC (P-256) key.")
    header = {"alg": "ES256", "kid": key_id, "typ": "JWT"}
    claims = {
        "iss": issuer_id,
        "iat": int(now),
        "exp": int(now) + TOKEN_SECONDS,
        "aud": "appstoreconnect-v1",
    }
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
    r, s = decode_dss_signature(key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
    return f"{signing_input}.{_b64(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"


class AppStore:
    kind = "app_store"
    default_base_url = "https://api.appstoreconnect.apple.com"
    lists_everything = True
    can_reply = True
    credential_fields: tuple[str, ...] = ("issuer_id", "key_id", "private_key")

    def _headers(self, config: SourceConfig) -> dict[str, str]:
        c = config.credentials
        token = signed_token(
            c.get("issuer_id", ""), c.get("key_id", ""), c.get("private_key", ""), time.time()
        )
        return {"Authorization": f"Bearer {token}"}

    def page(self, config: SourceConfig, location_id: str, token: str) -> Page:
        base = base_of(config, self.default_base_url)
        if token:
            # Apple's next link is absolute; only its query is taken, on our own base.
            url = (
                f"{base}/v1/apps/{location_id}/customerReviews?{urllib.parse.urlsplit(token).query}"
            )
            body = call("GET", url, self._headers(config))
        else:
            body = call(
                "GET",
                f"{base}/v1/apps/{location_id}/customerReviews",
                self._headers(config),
                query={"sort": "-createdDate", "limit": 200, "include": "response"},
            )
        replies = {
            item["id"]: item.get("attributes") or {}
            for item in body.get("included") or []
            if item.get("type") == "customerReviewResponses"
        }
        found = []
        for item in body.get("data") or []:
            attributes = item.get("attributes") or {}
            posted = parse_time(attributes.get("createdDate"))
            if posted is None or not attributes.get("rating") or not item.get("id"):
                continue
            link = ((item.get("relationships") or {}).get("response") or {}).get("data") or {}
            reply = replies.get(link.get("id"), {})
            published = reply.get("state", "PUBLISHED") == "PUBLISHED"
            found.append(
                Fetched(
                    external_id=item["id"],
                    rating=max(1, min(5, int(attributes["rating"]))),
                    posted_at=posted,
                    title=attributes.get("title") or "",
                    text=attributes.get("body") or "",
                    author_name=attributes.get("reviewerNickname") or "",
                    reply_text=(reply.get("responseBody") or "") if published else "",
                    reply_at=parse_time(reply.get("lastModifiedDate")) if published else None,
                )
            )
        return Page(found, (body.get("links") or {}).get("next") or "")

    def post_reply(
        self, config: SourceConfig, location_id: str, external_id: str, text: str
    ) -> None:
        call(
            "POST",
            f"{base_of(config, self.default_base_url)}/v1/customerReviewResponses",
            self._headers(config),
            body={
                "data": {
                    "type": "customerReviewResponses",
                    "attributes": {"responseBody": text},
                    "relationships": {
                        "review": {"data": {"type": "customerReviews", "id": external_id}}
                    },
                }
            },
        )
