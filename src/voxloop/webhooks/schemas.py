"""What the webhooks API accepts and returns. Closed sets (events, destinations, statuses) are
enums in the OpenAPI schema."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ninja import Field, Schema

from voxloop.api.schemas import CursorPageQuery, Input, Page, PatchInput

EventType = Literal[
    "response.completed",
    "response.updated",
    "case.opened",
    "case.assigned",
    "case.resolved",
    "case.overdue",
    "invitation.bounced",
    "contact.unsubscribed",
    "review.received",
    "health.changed",
]
DestinationName = Literal["webhook", "slack", "teams"]
Language = Literal["en", "zh-hans", "zh-hant", "ja", "ro"]
StatusName = Literal["pending", "delivered", "failed"]


class SubscriptionIn(Input):
    name: str = Field(..., min_length=1, max_length=100)
    unit_code: str | None = Field(None, max_length=64, description="Default: your own unit.")
    destination: DestinationName = "webhook"
    url: str = Field(..., max_length=2000, description="A public http(s) URL.")
    events: list[EventType] = Field(..., min_length=1, max_length=20)
    language: Language = Field("en", description="The language of Slack and Teams messages.")


class SubscriptionPatch(PatchInput):
    name: str | None = Field(None, min_length=1, max_length=100)
    unit_code: str | None = Field(None, max_length=64)
    destination: DestinationName | None = None
    url: str | None = Field(None, max_length=2000)
    events: list[EventType] | None = Field(None, min_length=1, max_length=20)
    language: Language | None = None
    is_active: bool | None = Field(
        None, description="true re-enables a disabled subscription and resumes what it held."
    )


class SubscriptionOut(Schema):
    id: int
    name: str
    unit_code: str
    destination: DestinationName
    url: str
    events: list[EventType]
    language: str
    is_active: bool
    disabled_at: datetime | None
    disabled_reason: str
    created_at: datetime


class SubscriptionCreated(SubscriptionOut):
    secret: str = Field(..., description="Shown this once: the key of webhook-signature.")


class SecretOut(Schema):
    secret: str = Field(..., description="Shown this once; the old one signs for 24 h more.")


class DeliveryOut(Schema):
    id: int
    subscription_id: int
    event_type: EventType
    message_id: str
    status: StatusName
    attempts: int
    created_at: datetime
    run_after: datetime
    give_up_at: datetime
    last_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str
    delivered_at: datetime | None
    replays: int
    payload: dict[str, Any]


class DeliveryPage(Page):
    items: list[DeliveryOut]


class DeliveryFilters(CursorPageQuery):
    status: StatusName | None = None
    event_type: EventType | None = None


class WebhookEventOut(Schema):
    type: EventType
    description: str
    emitted: bool = Field(..., description="false: documented, sent once its feature exists.")
