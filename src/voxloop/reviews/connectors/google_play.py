"""Google Play Developer API reviews:
`GET /androidpublisher/v3/applications/{package}/reviews?token=…&maxResults=100` answers
{"reviews": [{"reviewId", "authorName", "comments": [{"userComment": {"text", "starRating",
"reviewerLanguage", "lastModified": {"seconds", "nanos"}}}, {"developerComment": {"text",
"lastModified"}}]}], "tokenPagination": {"nextPageToken"}}; a reply is
`POST …/reviews/{id}:reply` {"replyText"}. Google lists only the last week's reviews (those
with text), so absence says nothing about removal, and a review's first time is its
`lastModified` when first seen. The credential is an OAuth access token, renewed with the
refresh token when it expires (`connectors.oauth`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from voxloop.reviews.connectors import oauth
from voxloop.reviews.connectors.base import Fetched, Page, SourceConfig, base_of, call

MAX_RESULTS = 100


def _when(stamp: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(int((stamp or {}).get("seconds") or ""), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


class GooglePlay:
    kind = "google_play"
    default_base_url = "https://androidpublisher.googleapis.com"
    lists_everything = False
    can_reply = True
    credential_fields: tuple[str, ...] = ("access_token", *oauth.REFRESH_FIELDS)

    def _call(self, config: SourceConfig, method: str, url: str, **kwargs: Any) -> Any:
        """One request with the access token, refreshed when it expired (decision 0034)."""
        return oauth.with_token(
            config,
            oauth.google(config),
            lambda token: call(method, url, oauth.bearer(token), **kwargs),
        )

    def page(self, config: SourceConfig, location_id: str, token: str) -> Page:
        body = self._call(
            config,
            "GET",
            f"{base_of(config, self.default_base_url)}/androidpublisher/v3/applications/"
            f"{location_id}/reviews",
            query={"token": token, "maxResults": MAX_RESULTS},
        )
        found = []
        for item in body.get("reviews") or []:
            user: dict[str, Any] = {}
            developer: dict[str, Any] = {}
            for comment in item.get("comments") or []:
                user = comment.get("userComment") or user
                developer = comment.get("developerComment") or developer
            when = _when(user.get("lastModified"))
            if not item.get("reviewId") or when is None or not user.get("starRating"):
                continue
            found.append(
                Fetched(
                    external_id=item["reviewId"],
                    rating=max(1, min(5, int(user["starRating"]))),
                    posted_at=when,
                    text=(user.get("text") or "").strip(),
                    author_name=item.get("authorName") or "",
                    language=(user.get("reviewerLanguage") or "").split("_")[0],
                    reply_text=developer.get("text") or "",
                    reply_at=_when(developer.get("lastModified")),
                )
            )
        return Page(found, (body.get("tokenPagination") or {}).get("nextPageToken") or "")

    def post_reply(
        self, config: SourceConfig, location_id: str, external_id: str, text: str
    ) -> None:
        self._call(
            config,
            "POST",
            f"{base_of(config, self.default_base_url)}/androidpublisher/v3/applications/"
            f"{location_id}/reviews/{external_id}:reply",
            body={"replyText": text},
        )
