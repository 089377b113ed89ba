"""Yelp Fusion: `GET /v3/businesses/{id}/reviews?limit=…&offset=…&sort_by=newest` with an API
key as bearer token answers {"reviews": [{"id", "url", "text", "rating", "time_created":
"2016-08-29 00:41:13", "user": {"name"}}], "total", "possible_languages"}. Yelp shows
excerpts of a few reviews only, has no reply API (replies are copied and posted on Yelp for
Business) and times are the business's local time (taken as UTC here, a few hours' error)."""

from __future__ import annotations

from voxloop.reviews.connectors.base import (
    Fetched,
    Page,
    ProviderError,
    SourceConfig,
    base_of,
    call,
    parse_time,
    stars,
)

LIMIT = 50


class Yelp:
    kind = "yelp"
    default_base_url = "https://api.yelp.com/v3"
    lists_everything = False
    can_reply = False
    credential_fields: tuple[str, ...] = ("api_key",)

    def page(self, config: SourceConfig, location_id: str, token: str) -> Page:
        offset = int(token) if token.isdigit() else 0
        body = call(
            "GET",
            f"{base_of(config, self.default_base_url)}/businesses/{location_id}/reviews",
            {"Authorization": f"Bearer {config.credentials.get('api_key', '')}"},
            query={"limit": LIMIT, "offset": offset, "sort_by": "newest"},
        )
        items = body.get("reviews") or []
        found = []
        for item in items:
            posted = parse_time((item.get("time_created") or "").replace(" ", "T"))
            if posted is None or item.get("rating") is None or not item.get("id"):
                continue
            found.append(
                Fetched(
                    external_id=str(item["id"]),
                    rating=stars(item["rating"]),
                    posted_at=posted,
                    text=item.get("text") or "",
                    author_name=(item.get("user") or {}).get("name", ""),
                    url=item.get("url") or "",
                )
            )
        total = int(body.get("total") or 0)
        more = items and offset + len(items) < total
        return Page(found, str(offset + len(items)) if more else "")

    def post_reply(
        self, config: SourceConfig, location_id: str, external_id: str, text: str
    ) -> None:
        raise ProviderError("Yelp has no API for replies.")
