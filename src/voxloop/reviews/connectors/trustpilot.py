"""Trustpilot business-unit reviews (public API):
`GET /v1/business-units/{id}/reviews?page=1&perPage=100&orderBy=createdat.desc` with the
`apikey` header answers {"reviews": [{"id", "consumer": {"displayName"}, "stars", "title",
"text", "language", "createdAt", "updatedAt", "companyReply": {"text", "createdAt"}}],
"links": [{"rel": "next-page", "href"}]}. Every live review is listed.

Replies go through the private API: `POST /v1/private/reviews/{id}/reply`
{"authorBusinessUserId", "message"} with a business user's OAuth access token (answered 201),
renewed on expiry by `POST /v1/oauth/oauth-business-users-for-applications/refresh`
(`grant_type=refresh_token`, Basic auth with the API key and secret). A source without that
token and the business user's id hands replies over to be pasted in Trustpilot Business."""

from __future__ import annotations

from collections.abc import Callable

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

PER_PAGE = 100


class Trustpilot:
    kind = "trustpilot"
    default_base_url = "https://api.trustpilot.com"
    lists_everything = True
    can_reply = True
    credential_fields: tuple[str, ...] = (
        "api_key",
        "api_secret",
        "access_token",
        "refresh_token",
        "business_user_id",
    )

    def replies_with(self, config: SourceConfig) -> bool:
        """Replies are posted only with a business user's token and id (the private API)."""
        return bool(
            config.credentials.get("business_user_id")
            and (
                config.credentials.get("access_token")
                or oauth.can_refresh(config, ("refresh_token", "api_key", "api_secret"))
            )
        )

    def _renew(self, config: SourceConfig) -> Callable[[], str] | None:
        if not oauth.can_refresh(config, ("refresh_token", "api_key", "api_secret")):
            return None
        url = (
            f"{base_of(config, self.default_base_url)}"
            "/v1/oauth/oauth-business-users-for-applications/refresh"
        )
        auth = oauth.basic(config.credentials["api_key"], config.credentials["api_secret"])
        form = {"refresh_token": config.credentials["refresh_token"]}
        return lambda: oauth.refresh(config, url, form, auth)

    def page(self, config: SourceConfig, location_id: str, token: str) -> Page:
        number = int(token) if token.isdigit() else 1
        body = call(
            "GET",
            f"{base_of(config, self.default_base_url)}/v1/business-units/{location_id}/reviews",
            {"apikey": config.credentials.get("api_key", "")},
            query={"page": number, "perPage": PER_PAGE, "orderBy": "createdat.desc"},
        )
        more = any(link.get("rel") == "next-page" for link in body.get("links") or [])
        return Page(self.reviews_of(body), str(number + 1) if more else "")

    def reviews_of(self, body: dict) -> list[Fetched]:
        """The reviews of one page as the API answers it (also how recorded payloads are
        replayed, by the demo)."""
        found = []
        for item in body.get("reviews") or []:
            posted = parse_time(item.get("createdAt"))
            if posted is None or not item.get("stars") or not item.get("id"):
                continue
            reply = item.get("companyReply") or {}
            found.append(
                Fetched(
                    external_id=item["id"],
                    rating=max(1, min(5, int(item["stars"]))),
                    posted_at=posted,
                    title=item.get("title") or "",
                    text=item.get("text") or "",
                    author_name=(item.get("consumer") or {}).get("displayName", ""),
                    language=item.get("language") or "",
                    edited_at=parse_time(item.get("updatedAt")),
                    reply_text=reply.get("text") or "",
                    reply_at=parse_time(reply.get("updatedAt") or reply.get("createdAt")),
                    url=f"https://www.trustpilot.com/reviews/{item['id']}",
                )
            )
        return found

    def post_reply(
        self, config: SourceConfig, location_id: str, external_id: str, text: str
    ) -> None:
        if not self.replies_with(config):
            raise ProviderError("Trustpilot replies need a business user's token and id.")
        url = f"{base_of(config, self.default_base_url)}/v1/private/reviews/{external_id}/reply"
        body = {"authorBusinessUserId": config.credentials["business_user_id"], "message": text}
        oauth.with_token(
            config,
            self._renew(config),
            lambda token: call("POST", url, oauth.bearer(token), body=body),
        )
