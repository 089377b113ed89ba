"""What every CRM connector is. A connector knows its provider's REST API, webhook payloads
and signature scheme, and nothing of Django's tables: `crm.syncing`, `crm.inbound` and
`crm.writeback` store what it returns and decide what to send.

Every request goes through `voxloop.outbound` (the guard against request forgery). 429 and
5xx answers raise a transient `CrmError` carrying the provider's Retry-After; a 401 on an
OAuth connector refreshes the access token once and tries again."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from voxloop import outbound

TIMEOUT = 20
MAX_BODY = 8_000_000


class CrmError(Exception):
    """The provider refused or failed. `transient`: trying later may help, after
    `retry_after` seconds when the provider said (Retry-After). `status`: its HTTP status."""

    def __init__(
        self,
        message: str,
        transient: bool = False,
        retry_after: float | None = None,
        status: int = 0,
    ) -> None:
        super().__init__(message)
        self.transient = transient
        self.retry_after = retry_after
        self.status = status


# The base URL of a connector in demo mode (`crm.demo_mode`): it never touches the network.
DEMO_URL = "demo:"


@dataclass(frozen=True)
class HookRequest:
    """An inbound webhook as received: the full URL the provider called, headers with
    lower-case names, the raw body (signatures are over the bytes)."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes


@dataclass
class RemoteEvent:
    """Something that happened in the CRM, worth an interaction in Voxloop."""

    key: str  # the provider's id for this event: the same delivery twice has the same key
    kind: str  # one of the connector's `events`
    remote_object: str = ""  # ticket, deal, opportunity, contact
    remote_id: str = ""
    contact_remote_id: str = ""
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    occurred_at: datetime | None = None
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass
class RemoteRecord:
    remote_id: str
    modified_at: datetime | None
    fields: dict[str, Any]


@dataclass
class Page:
    records: list[RemoteRecord] = field(default_factory=list)
    next_token: str = ""  # "" when this was the last page
    # Problems with single records on this page ({"record", "message"}), reported per record.
    problems: list[dict[str, str]] = field(default_factory=list)


@dataclass
class Feedback:
    """A completed response, as written back."""

    response_id: int
    survey: str
    nps: int | None
    csat: int | None
    ces: int | None
    comment: str
    submitted_at: str
    link: str

    def note(self) -> str:
        scores = [
            f"{name} {value}"
            for name, value in (("NPS", self.nps), ("CSAT", self.csat), ("CES", self.ces))
            if value is not None
        ]
        lines = [f"Voxloop feedback ({self.survey}): {', '.join(scores) or 'no score'}"]
        if self.comment:
            lines.append(f"“{self.comment}”")
        lines.append(self.link)
        return "\n".join(lines)


@dataclass
class CaseInfo:
    case_id: int
    title: str
    body: str
    priority: str
    link: str


class Session:
    """Calls to one connector's API with its credentials; an OAuth connector's refreshed
    tokens are handed to `on_refresh` to be sealed and stored."""

    def __init__(
        self,
        provider: Connector,
        base_url: str,
        credentials: dict[str, str],
        on_refresh: Callable[[dict[str, str]], None] | None = None,
    ) -> None:
        self.provider = provider
        self.base_url = (base_url or provider.default_base_url).rstrip("/")
        self.credentials = dict(credentials)
        self.on_refresh = on_refresh

    def url(self, path: str) -> str:
        if path.startswith(("http://", "https://")):
            return path
        return f"{self.credentials.get('instance_url') or self.base_url}{path}"

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        query: dict[str, Any] | None = None,
    ) -> Any:
        if self.base_url.startswith(DEMO_URL):
            raise CrmError("A demo connector calls no system: its events are recorded.")
        expires = self.credentials.get("expires_at", "")
        if expires.isdigit() and int(expires) < time.time() + 60:
            self._refresh()
        try:
            return request(method, self.url(path), self.provider.auth_headers(self), body, query)
        except CrmError as error:
            if error.status != 401 or not self.provider.uses_oauth:
                raise
            if not self.credentials.get("refresh_token"):
                raise CrmError("The CRM refused the token; connect again.") from None
        self._refresh()
        return request(method, self.url(path), self.provider.auth_headers(self), body, query)

    def _refresh(self) -> None:
        if not self.credentials.get("refresh_token"):
            raise CrmError("The access token expired and there is no refresh token.")
        self.credentials.update(self.provider.refresh(self))
        if self.on_refresh is not None:
            self.on_refresh(self.credentials)


class Connector(Protocol):
    kind: str
    default_base_url: str
    uses_oauth: bool
    credential_fields: tuple[str, ...]
    # The events its webhooks bring, with what each means.
    events: dict[str, str]
    # The remote object names of contacts and accounts ("" when it has none).
    objects: dict[str, str]
    # The mapping a new connector starts with: {record: {local field: remote field}}.
    default_fields: dict[str, dict[str, str]]

    def auth_headers(self, session: Session) -> dict[str, str]: ...

    def refresh(self, session: Session) -> dict[str, str]: ...

    def verify(self, hook: HookRequest, credentials: dict[str, str], now: datetime) -> bool: ...

    def events_of(self, hook: HookRequest) -> list[RemoteEvent]: ...

    def page(
        self,
        session: Session,
        record: str,
        since: datetime | None,
        token: str,
        fields: tuple[str, ...],
    ) -> Page: ...

    def person(self, session: Session, remote_id: str) -> dict[str, str]: ...

    def push(
        self, session: Session, record: str, remote_id: str, fields: dict[str, Any]
    ) -> str: ...

    def write_feedback(
        self, session: Session, target: dict[str, str], feedback: Feedback
    ) -> None: ...

    def open_ticket(self, session: Session, target: dict[str, str], case: CaseInfo) -> str: ...

    def set_status(self, session: Session, remote: str, resolved: bool) -> None: ...

    # {ticket or task id: whether it is solved/completed} for those the CRM still has.
    def ticket_states(self, session: Session, remote_ids: list[str]) -> dict[str, bool]: ...


def chunks(items: list[str], size: int = 100) -> list[list[str]]:
    return [items[n : n + size] for n in range(0, len(items), size)]


def request(
    method: str,
    url: str,
    headers: dict[str, str] | None = None,
    body: Any = None,
    query: dict[str, Any] | None = None,
    form: dict[str, str] | None = None,
) -> Any:
    """One JSON request (or a form post, for OAuth token endpoints)."""
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
        raise CrmError(
            failed.describe("the CRM"), failed.transient, failed.wait, failed.status
        ) from None


def parse_time(value: Any) -> datetime | None:
    """ISO 8601 (Z, offsets, Salesforce's +0000) or epoch milliseconds; naive means UTC."""
    if value in (None, ""):
        return None
    if isinstance(value, int | float) or (isinstance(value, str) and value.isdigit()):
        return datetime.fromtimestamp(int(value) / 1000, tz=UTC)
    if not isinstance(value, str):
        return None
    text = value.strip().replace("Z", "+00:00")
    if len(text) > 5 and text[-5] in "+-" and text[-3] != ":":
        text = f"{text[:-2]}:{text[-2:]}"  # +0000 → +00:00
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def iso(when: datetime | None) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if when else ""


def json_body(hook: HookRequest) -> Any:
    try:
        return json.loads(hook.body or b"null")
    except ValueError:
        return None


def get_path(data: Any, dotted: str) -> Any:
    """`a.b` of nested objects (custom fields live one level down)."""
    for part in dotted.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data


def nested(values: dict[str, Any]) -> dict[str, Any]:
    """{"a.b": 1, "c": 2} → {"a": {"b": 1}, "c": 2}."""
    out: dict[str, Any] = {}
    for dotted, value in values.items():
        parts = dotted.split(".")
        target = out
        for part in parts[:-1]:
            target = target.setdefault(part, {})
        target[parts[-1]] = value
    return out
