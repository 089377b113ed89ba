"""What the outreach API accepts and returns."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ninja import Field, Schema

from voxloop.api.schemas import (
    CursorPageQuery,
    Id,
    Input,
    ListQuery,
    Moment,
    Name,
    NoNul,
    Page,
    PatchInput,
)

ChannelName = Literal["email", "sms"]
CampaignStatusName = Literal["draft", "scheduled", "sending", "paused", "done", "cancelled"]
InvitationStatusName = Literal[
    "queued",
    "sending",
    "sent",
    "delivered",
    "soft_bounced",
    "hard_bounced",
    "failed",
    "opened",
    "clicked",
    "started",
    "completed",
    "expired",
    "unsubscribed",
    "skipped",
]
StatsBy = Literal["campaign", "channel", "segment", "unit", "trigger", "day", "week", "month"]
WidgetPositionName = Literal["bottom-right", "bottom-left"]
NamedOrdering = Literal["name", "-name", "id", "-id", "created_at", "-created_at"]


class CampaignIn(Input, NoNul):
    name: Name
    survey_id: Id
    channel: ChannelName = "email"
    segment_id: Id | None = None
    unit_code: str | None = Field(None, max_length=64, description="Owner; default your unit.")
    send_at: Moment | None = None
    throttle_per_minute: int = Field(600, ge=1, le=100_000)
    reminders: int = Field(0, ge=0, le=5)
    reminder_after_days: int = Field(3, ge=1, le=90)
    expires_after_days: int = Field(14, ge=1, le=365)
    texts: dict[str, dict[str, str]] = Field(default_factory=dict)
    sender_name: str = Field("", max_length=120)
    sender_email: str = Field("", max_length=254)
    reply_to: str = Field("", max_length=254)


class CampaignPatch(PatchInput, NoNul):
    """Any of these, while the campaign is a draft (409 once launched)."""

    name: Name | None = None
    survey_id: Id | None = None
    channel: ChannelName | None = None
    segment_id: int | None = Field(None, ge=0, le=2**63 - 1, description="0 for everyone.")
    send_at: Moment | None = None
    throttle_per_minute: int | None = Field(None, ge=1, le=100_000)
    reminders: int | None = Field(None, ge=0, le=5)
    reminder_after_days: int | None = Field(None, ge=1, le=90)
    expires_after_days: int | None = Field(None, ge=1, le=365)
    texts: dict[str, dict[str, str]] | None = None
    sender_name: str | None = Field(None, max_length=120)
    sender_email: str | None = Field(None, max_length=254)
    reply_to: str | None = Field(None, max_length=254)


class CampaignList(ListQuery):
    status: CampaignStatusName | None = None
    ordering: NamedOrdering | None = None


class CampaignOut(Schema):
    id: int
    name: str
    survey_id: int
    channel: ChannelName
    segment_id: int | None
    unit_id: int
    status: CampaignStatusName
    send_at: datetime | None
    launched_at: datetime | None
    throttle_per_minute: int
    reminders: int
    reminder_after_days: int
    expires_after_days: int
    texts: dict[str, Any]
    sender_name: str
    sender_email: str
    reply_to: str


class TestSendIn(Input):
    contact_id: Id


class PreviewOut(Schema):
    contact_id: int | None
    subject: str
    text: str
    html: str


class TriggerIn(Input, NoNul):
    name: Name
    survey_id: Id
    interaction_type: str = Field(..., max_length=60, description="The type's key.")
    channel: ChannelName = "email"
    unit_code: str | None = Field(None, max_length=64)
    delay_minutes: int = Field(5, ge=0, le=60 * 24 * 30)
    expires_after_days: int = Field(7, ge=1, le=365)
    filters: dict[str, Any] = Field(default_factory=dict)


class TriggerPatch(PatchInput, NoNul):
    name: Name | None = None
    survey_id: Id | None = None
    channel: ChannelName | None = None
    delay_minutes: int | None = Field(None, ge=0, le=60 * 24 * 30)
    expires_after_days: int | None = Field(None, ge=1, le=365)
    filters: dict[str, Any] | None = None
    is_active: bool | None = Field(None, description="An inactive trigger invites nobody.")


class TriggerList(ListQuery):
    ordering: NamedOrdering | None = None


class TriggerOut(Schema):
    id: int
    name: str
    survey_id: int
    interaction_type_id: int
    channel: ChannelName
    unit_id: int
    delay_minutes: int
    expires_after_days: int
    filters: dict[str, Any]
    is_active: bool


class InvitationOut(Schema):
    id: int
    ref: str = Field(
        description="The invitation's reference, as tracking webhooks and email headers name "
        "it: an identifier, not a credential (the links sent carry a signature of it)."
    )
    survey_id: int
    contact_id: int
    campaign_id: int | None
    trigger_id: int | None
    channel: ChannelName
    status: InvitationStatusName
    skip_reason: str
    attempts: int
    queued_at: datetime
    sent_at: datetime | None
    delivered_at: datetime | None
    opened_at: datetime | None
    clicked_at: datetime | None
    started_at: datetime | None
    completed_at: datetime | None
    reminders_sent: int


class InvitationFilters(CursorPageQuery):
    campaign: Id | None = None
    status: InvitationStatusName | Literal[""] = ""
    ordering: Literal["queued_at", "-queued_at", "id", "-id"] | None = Field(
        None, description="Default: newest first."
    )


class InvitationPage(Page):
    items: list[InvitationOut]


class StatsFilters(NoNul):
    by: StatsBy = "campaign"
    campaign: Id | None = None
    since: Moment | None = None
    until: Moment | None = None


class StatsRow(Schema):
    group: dict[str, Any]
    label: Any
    invited: int
    sent: int
    delivered: int
    bounced: int
    opened: int
    clicked: int
    started: int
    completed: int
    unsubscribed: int
    skipped: int
    expired: int
    response_rate: float | None
    non_response_rate: float | None
    time_to_respond_seconds: float | None


class SegmentRuleOut(Schema):
    segment_id: int
    segment_name: str
    min_days_between: int
    max_per_90_days: int
    ask_by: str


class SegmentRuleIn(Input):
    segment_id: Id
    min_days_between: int = Field(..., ge=0, le=365)
    max_per_90_days: int = Field(..., ge=0, le=90)
    ask_by: Literal["automated", "owner"] = Field(
        "automated", description="'owner': a personal email from the account's owner."
    )


class PolicyOut(Schema):
    min_days_between: int
    max_per_90_days: int
    quiet_start_hour: int
    quiet_end_hour: int
    segment_rules: list[SegmentRuleOut] = Field(
        default_factory=list,
        description="Per segment (tier, persona); the strictest applies to a contact in several.",
    )


class PolicyIn(Input):
    min_days_between: int | None = Field(None, ge=0, le=365)
    max_per_90_days: int | None = Field(None, ge=0, le=90)
    quiet_start_hour: int | None = Field(None, ge=0, le=23)
    quiet_end_hour: int | None = Field(None, ge=0, le=23)
    segment_rules: list[SegmentRuleIn] | None = Field(
        None, max_length=50, description="When given, the whole list of rules per segment."
    )


class WidgetIn(Input, NoNul):
    name: Name
    survey_id: Id
    unit_code: str | None = Field(None, max_length=64, description="Owner; default your unit.")
    allowed_origins: list[str] = Field(
        ..., max_length=20, description="Origins that may show it, e.g. https://shop.example.com"
    )
    url_patterns: list[str] = Field(
        default_factory=list, max_length=20, description="Path patterns, * for anything."
    )
    delay_seconds: int = Field(0, ge=0, le=3600)
    manual_only: bool = False
    sample_percent: int = Field(100, ge=0, le=100)
    suppress_days: int = Field(90, ge=0, le=365)
    position: WidgetPositionName = "bottom-right"


class WidgetPatch(PatchInput, NoNul):
    name: Name | None = None
    survey_id: Id | None = None
    unit_code: str | None = Field(None, max_length=64)
    allowed_origins: list[str] | None = Field(None, max_length=20)
    url_patterns: list[str] | None = Field(None, max_length=20)
    delay_seconds: int | None = Field(None, ge=0, le=3600)
    manual_only: bool | None = None
    sample_percent: int | None = Field(None, ge=0, le=100)
    suppress_days: int | None = Field(None, ge=0, le=365)
    position: WidgetPositionName | None = None
    is_active: bool | None = None


class WidgetOut(Schema):
    id: int
    name: str
    key: str
    survey_id: int
    unit_id: int
    allowed_origins: list[str]
    url_patterns: list[str]
    delay_seconds: int
    manual_only: bool
    sample_percent: int
    suppress_days: int
    position: WidgetPositionName
    is_active: bool
    loader_url: str
    snippet: str


IDENTITY_HASH = "HMAC-SHA256 of the user id with identity_secret, lowercase hex"


class WidgetIdentityOut(Schema):
    identity_secret: str
    user_hash: str = Field(description="How to compute the user_hash a page passes.")


class SmsHookOut(Schema):
    status_url: str
    inbound_url: str
    rotated_at: datetime | None


def sms_hook_urls(hook: Any) -> dict:
    from django.conf import settings
    from django.urls import reverse

    base = settings.BASE_URL.rstrip("/")
    return {
        "status_url": base + reverse("distribution:sms_status", args=[hook.token]),
        "inbound_url": base + reverse("distribution:sms_inbound", args=[hook.token]),
        "rotated_at": hook.rotated_at,
    }
