"""What every connector is: pages of reviews for one provider location, and (for some) a way
to post an owner's reply. Connectors know the provider's protocol and nothing of Django's
tables; `reviews.fetching` stores what they return.

Every request goes through `voxloop.outbound` (the one guard against request forgery), so a
connector pointed at a private address by a typo is refused like a webhook would be."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from voxloop import outbound

TIMEOUT = 20
MAX_BODY = 8_000_000


@dataclass
class Fetched:
    """One review as a provider returned it, already in our terms."""

    external_id: str
    rating: int  # 1–5
    posted_at: datetime
    text: str = ""
    title: str = ""
    author_name: str = ""
    language: str = ""
    edited_at: datetime | None = None
    reply_text: str = ""
    reply_at: datetime | None = None
    url: str = ""
    removed: bool = False
    location_id: str = ""  # for files, which name the location on each row


@dataclass
class Page:
    reviews: list[Fetched] = field(default_factory=list)
    next_token: str = ""  # "" when this was the last page


@dataclass(frozen=True)
class SourceConfig:
    kind: str
    base_url: str
    credentials: dict[str, str]
    # Called with the whole credentials after a connector refreshed an access token, so the
    # caller stores them (sealed); `credentials` is updated in place for the next request.
    on_refresh: Callable[[dict[str, str]], None] | None = field(default=None, compare=False)


class ProviderError(Exception):
    """The provider refused or failed. `transient`: trying later may help, after
    `retry_after` seconds when the provider said how long (Retry-After)."""

    def __init__(
        self,
        message: str,
        transient: bool = False,
        retry_after: float | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.transient = transient
        self.retry_after = retry_after
        self.status = status  # the provider's HTTP status, when it answered


class Connector(Protocol):
    kind: str
    default_base_url: str
    # Whether a complete pass lists every live review, so one not seen was removed.
    lists_everything: bool
    can_reply: bool
    credential_fields: tuple[str, ...]

    def page(self, config: SourceConfig, location_id: str, token: str) -> Page: ...

    def post_reply(
        self, config: SourceConfig, location_id: str, external_id: str, text: str
    ) -> None: ...


def posts_replies(provider: Connector | None, config: SourceConfig) -> bool:
    """Whether a reply to this source is posted through the API (else copied by hand): the
    provider takes replies, and this source holds what it needs (`replies_with`, optional)."""
    if provider is None or not provider.can_reply:
        return False
    check = getattr(provider, "replies_with", None)
    return True if check is None else bool(check(config))


def base_of(config: SourceConfig, default: str) -> str:
    return (config.base_url or default).rstrip("/")


def call(
    method: str,
    url: str,
    headers: dict[str, str] | None = None,
    body: Any = None,
    query: dict[str, Any] | None = None,
    form: dict[str, str] | None = None,
) -> Any:
    """One JSON request (or a form post: OAuth token endpoints); 429 and 5xx raise
    ProviderError with a delay, other errors without."""
    try:
        return outbound.json_call(
            method,
            url,
            headers=headers,
            body=body,
            query=query,
            form=form,
            timeout=TIMEOUT,
            max_body=MAX_BODY,
        )
    except outbound.CallFailed as failed:
        raise ProviderError(
            failed.describe("the provider"), failed.transient, failed.wait, failed.status or None
        ) from None


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 time (with Z or an offset); naive times are taken as UTC."""
    if not value or not isinstance(value, str):
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def stars(value: Any, low: float = 1, high: float = 5) -> int:
    """A rating on the provider's scale as a whole 1–5."""
    number = float(value)
    if high == low:
        raise ValueError("empty scale")
    scaled = 1 + (number - low) * 4 / (high - low)
    return min(5, max(1, round(scaled)))
