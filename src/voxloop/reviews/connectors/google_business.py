"""Google Business Profile reviews (My Business API v4):
`GET accounts/{a}/locations/{l}/reviews?pageSize=50&pageToken=…` answers
{"reviews": [{"reviewId", "reviewer": {"displayName", "isAnonymous"}, "starRating": "FIVE",
"comment", "createTime", "updateTime", "reviewReply": {"comment", "updateTime"}}],
"nextPageToken"}; a reply is `PUT …/reviews/{id}/reply` {"comment"}. The location id is
"accounts/{a}/locations/{l}"; the credential an OAuth access token, renewed with the refresh
token when it expires (`connectors.oauth`). Every live review is
listed, so one a complete pass did not see was removed."""

from __future__ import annotations

from typing import Any

from voxloop.reviews.connectors import oauth
from voxloop.reviews.connectors.base import (
    Fetched,
    Page,
    ProviderError,
    SourceConfig,
    base_of,
    call,
    parse_time,
)

STARS = {"ONE": 1, "TWO": 2, "THREE": 3, "FOUR": 4, "FIVE": 5}
PAGE_SIZE = 50


class GoogleBusiness:
    kind = "google_business"
    default_base_url = "https://mybusiness.googleapis.com/v4"
    lists_everything = True
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
        url = f"{base_of(config, self.default_base_url)}/{location_id.strip('/')}/reviews"
        body = self._call(
            config,
            "GET",
            url,
            query={"pageSize": PAGE_SIZE, "pageToken": token, "orderBy": "updateTime desc"},
        )
        return Page(self.reviews_of(body), body.get("nextPageToken") or "")

    def reviews_of(self, body: dict) -> list[Fetched]:
        """The reviews of one page as the API answers it (also how recorded payloads are
        replayed, by the demo)."""
        found = []
        for item in body.get("reviews") or []:
            rating = STARS.get(item.get("starRating", ""))
            posted = parse_time(item.get("createTime"))
            if rating is None or posted is None or not item.get("reviewId"):
                continue  # STAR_RATING_UNSPECIFIED or a malformed row: nothing to count
            updated = parse_time(item.get("updateTime"))
            reviewer = item.get("reviewer") or {}
            reply = item.get("reviewReply") or {}
            found.append(
                Fetched(
                    external_id=item["reviewId"],
                    rating=rating,
                    posted_at=posted,
                    text=item.get("comment") or "",
                    author_name=""
                    if reviewer.get("isAnonymous")
                    else reviewer.get("displayName", ""),
                    edited_at=updated if updated and updated != posted else None,
                    reply_text=reply.get("comment") or "",
                    reply_at=parse_time(reply.get("updateTime")),
                )
            )
        return found

    def post_reply(
        self, config: SourceConfig, location_id: str, external_id: str, text: str
    ) -> None:
        url = (
            f"{base_of(config, self.default_base_url)}/{location_id.strip('/')}"
            f"/reviews/{external_id}/reply"
        )
        answer = self._call(config, "PUT", url, body={"comment": text})
        if not isinstance(answer, dict):
            raise ProviderError("Unexpected answer to the reply.")
