"""Who was asked, through which channel, when, and what became of it.

An Invitation is one ask of one contact to answer one survey. Its `ref` is what the personal
link carries (voxloop.surveys.links.personal_token) and becomes the response's source key
("inv:<ref>"), so one invitation yields at most one response. The reference is an identifier,
not a secret (staff read it, the email's headers carry it): the links in the email carry it
with an HMAC only the server can make (distribution.delivery.emails.tracked_key).
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def new_ref() -> str:
    return secrets.token_urlsafe(12)


def new_hook_token() -> str:
    return secrets.token_urlsafe(24)


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")


class OutreachPolicy(models.Model):
    """Fatigue and consent rules for one organisation, applied to every send."""

    organization = models.OneToOneField(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="outreach_policy"
    )
    min_days_between = models.PositiveSmallIntegerField(_("minimum days between"), default=14)
    max_per_90_days = models.PositiveSmallIntegerField(_("at most per 90 days"), default=4)
    # Hours in the contact's own time zone; start > end spans midnight (21 → 8).
    quiet_start_hour = models.PositiveSmallIntegerField(_("quiet hours from"), default=21)
    quiet_end_hour = models.PositiveSmallIntegerField(_("quiet hours until"), default=8)

    class Meta:
        verbose_name = _("outreach policy")
        verbose_name_plural = _("outreach policies")

    def __str__(self) -> str:
        return f"Outreach policy {self.organization_id}"


class AskBy(models.TextChoices):
    AUTOMATED = "automated", _("Automated survey")
    OWNER = "owner", _("Personal email from the account owner")


class SegmentRule(models.Model):
    """Fatigue rules and the way of asking for the contacts of one segment (a service tier or
    a persona), in place of the organisation's. A contact in several segments with rules gets
    the strictest: the longest gap, the fewest sends, and a personal email if any asks for it
    (decision 0041)."""

    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="+"
    )
    policy = models.ForeignKey(OutreachPolicy, on_delete=models.CASCADE, related_name="rules")
    segment = models.ForeignKey(
        "contacts.Segment",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("segment"),
        help_text=_(
            "When a contact is in several segments with rules, the strictest rule wins: the "
            "longest gap, the fewest sends, and a personal email if any segment asks for it."
        ),
    )
    min_days_between = models.PositiveSmallIntegerField(_("minimum days between"), default=14)
    max_per_90_days = models.PositiveSmallIntegerField(_("at most per 90 days"), default=4)
    ask_by = models.CharField(
        _("how they are asked"), max_length=20, choices=AskBy.choices, default=AskBy.AUTOMATED
    )

    class Meta:
        verbose_name = _("rule for a segment")
        verbose_name_plural = _("rules per segment (tiers and personas)")
        constraints = [
            models.UniqueConstraint(fields=["organization", "segment"], name="one_rule_per_segment")
        ]

    def __str__(self) -> str:
        return f"Rule {self.segment_id}"


class SmsHook(models.Model):
    """Where the SMS provider calls back for one organisation: delivery reports and inbound
    replies reach /o/hooks/sms/<token>/..., the unguessable token standing for the
    organisation (and being the provider's only credential, so it can be rotated)."""

    organization = models.OneToOneField(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="sms_hook"
    )
    token = models.CharField(max_length=64, unique=True, default=new_hook_token)
    created_at = models.DateTimeField(auto_now_add=True)
    rotated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("SMS callback")
        verbose_name_plural = _("SMS callbacks")

    def __str__(self) -> str:
        return f"SMS callback {self.organization_id}"


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    SENDING = "sending", _("Sending")
    PAUSED = "paused", _("Paused")
    DONE = "done", _("Sent")
    CANCELLED = "cancelled", _("Cancelled")


class Campaign(models.Model):
    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="campaigns"
    )
    unit = models.ForeignKey("tenancy.OrgUnit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=255, editable=False, default="")
    name = models.CharField(_("name"), max_length=200)
    survey = models.ForeignKey("surveys.Survey", on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    segment = models.ForeignKey(
        "contacts.Segment", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    send_at = models.DateTimeField(_("send at"), null=True, blank=True)
    throttle_per_minute = models.PositiveIntegerField(_("at most per minute"), default=600)
    reminders = models.PositiveSmallIntegerField(_("reminders"), default=0)
    reminder_after_days = models.PositiveSmallIntegerField(_("remind after days"), default=3)
    expires_after_days = models.PositiveSmallIntegerField(_("expires after days"), default=14)
    # {"subject": {locale: text}, "intro": {locale: text}}: merge fields {{first_name}},
    # {{unit}}, {{survey}}; empty falls back to the product's translated default.
    texts = models.JSONField(default=dict, blank=True)
    sender_name = models.CharField(_("sender name"), max_length=120, blank=True)
    sender_email = models.EmailField(_("sender address"), blank=True)
    reply_to = models.EmailField(_("reply-to"), blank=True)
    status = models.CharField(
        max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    launched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        indexes = [models.Index(fields=["organization", "unit_path"], name="campaign_org_path")]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class Trigger(models.Model):
    """Invite a contact after an interaction of a type (with filters), once per interaction."""

    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="survey_triggers"
    )
    unit = models.ForeignKey("tenancy.OrgUnit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=255, editable=False, default="")
    name = models.CharField(_("name"), max_length=200)
    interaction_type = models.ForeignKey(
        "contacts.InteractionType", on_delete=models.PROTECT, related_name="+"
    )
    # {"attributes.<name>": value, "channel": value}: every one must equal the interaction's.
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    survey = models.ForeignKey("surveys.Survey", on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    delay_minutes = models.PositiveIntegerField(_("delay in minutes"), default=5)
    expires_after_days = models.PositiveSmallIntegerField(_("expires after days"), default=7)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("trigger")
        verbose_name_plural = _("triggers")
        indexes = [models.Index(fields=["organization", "unit_path"], name="trigger_org_path")]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class InvitationStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")  # claimed by a worker; never claimed twice
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    SOFT_BOUNCED = "soft_bounced", _("Soft-bounced")
    HARD_BOUNCED = "hard_bounced", _("Hard-bounced")
    FAILED = "failed", _("Failed")
    OPENED = "opened", pgettext_lazy("email", "Opened")
    CLICKED = "clicked", _("Clicked")
    STARTED = "started", _("Started")
    COMPLETED = "completed", _("Completed")
    EXPIRED = "expired", _("Expired")
    UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
    SKIPPED = "skipped", _("Skipped")


# How far along the lifecycle each status is: tracking events only ever move an invitation
# forward (a late "delivered" webhook never undoes "clicked").
PROGRESS: dict[str, int] = {
    InvitationStatus.QUEUED: 0,
    InvitationStatus.SENDING: 1,
    InvitationStatus.SENT: 2,
    InvitationStatus.SOFT_BOUNCED: 3,
    InvitationStatus.DELIVERED: 4,
    InvitationStatus.OPENED: 5,
    InvitationStatus.CLICKED: 6,
    InvitationStatus.STARTED: 7,
    InvitationStatus.COMPLETED: 8,
}
FINAL = {
    InvitationStatus.HARD_BOUNCED,
    InvitationStatus.FAILED,
    InvitationStatus.EXPIRED,
    InvitationStatus.UNSUBSCRIBED,
    InvitationStatus.SKIPPED,
    InvitationStatus.COMPLETED,
}


class Invitation(models.Model):
    # Not stored: set by the send batch when a segment's rule asks for a personal email from
    # the account owner (decision 0041); read when the message is built.
    ask_personally: bool = False

    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="invitations"
    )
    # The contact's home unit path at invitation time: who may read this invitation.
    unit_path = models.CharField(max_length=255, editable=False, default="")
    ref = models.CharField(max_length=32, unique=True, default=new_ref)
    survey = models.ForeignKey("surveys.Survey", on_delete=models.PROTECT, related_name="+")
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.CASCADE, related_name="invitations"
    )
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, null=True, blank=True, related_name="invitations"
    )
    trigger = models.ForeignKey(
        Trigger, on_delete=models.SET_NULL, null=True, blank=True, related_name="invitations"
    )
    interaction = models.ForeignKey(
        "contacts.Interaction", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    locale = models.CharField(max_length=10, default="en")
    status = models.CharField(
        max_length=14, choices=InvitationStatus.choices, default=InvitationStatus.QUEUED
    )
    skip_reason = models.CharField(max_length=40, blank=True)
    error = models.CharField(max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # The worker batch that claimed it (status "sending"), so a batch reads back only its own.
    claim = models.CharField(max_length=16, blank=True, db_index=True)
    # The claim's lease: once it has expired, a sweep returns the row to the queue unless it
    # was already being handed to the server (handed_at), which is never sent again.
    claimed_at = models.DateTimeField(null=True, blank=True)
    handed_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=200, blank=True)
    is_test = models.BooleanField(default=False)
    queued_at = models.DateTimeField(auto_now_add=True)
    send_after = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    clicked_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            # A campaign asks each contact once; a trigger invites once per interaction.
            models.UniqueConstraint(
                fields=["campaign", "contact"],
                condition=models.Q(is_test=False),
                name="invitation_once_per_campaign",
            ),
            models.UniqueConstraint(
                fields=["trigger", "interaction"], name="invitation_once_per_interaction"
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "unit_path"], name="invitation_org_path"),
            models.Index(fields=["contact", "sent_at"], name="invitation_contact_sent"),
            models.Index(fields=["campaign", "status"], name="invitation_campaign_status"),
            models.Index(fields=["organization", "message_id"], name="invitation_org_message"),
            models.Index(fields=["status", "claimed_at"], name="invitation_status_claimed"),
        ]
        ordering = ["-queued_at"]

    def __str__(self) -> str:
        return f"Invitation {self.ref}"


def new_widget_key() -> str:
    return secrets.token_urlsafe(18)


def new_identity_secret() -> str:
    return secrets.token_urlsafe(32)


class WidgetPosition(models.TextChoices):
    BOTTOM_RIGHT = "bottom-right", _("Bottom right")
    BOTTOM_LEFT = "bottom-left", _("Bottom left")


class Widget(models.Model):
    """A survey a customer's own site or app shows in a small panel (the web widget channel).

    The key is public (it is in the customer's page) but unguessable, so widgets cannot be
    enumerated; what may embed the survey is decided by `allowed_origins`, not by the key.
    """

    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="widgets"
    )
    # Where its responses are placed, and who may read and change the widget.
    unit = models.ForeignKey("tenancy.OrgUnit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=255, editable=False, default="")
    name = models.CharField(_("name"), max_length=200)
    survey = models.ForeignKey("surveys.Survey", on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=32, unique=True, default=new_widget_key, editable=False)
    # Known to the customer's server only: it signs the user ids its pages pass (HMAC-SHA256),
    # so a visitor cannot answer, or look up the outreach state, as somebody else.
    identity_secret = models.CharField(max_length=64, default=new_identity_secret, editable=False)
    # Exact origins ("https://shop.example.com"): the pages that may load the panel.
    allowed_origins = models.JSONField(_("allowed origins"), default=list, blank=True)
    # Path patterns ("/checkout/*", "/account"): shown only there; empty = every page.
    url_patterns = models.JSONField(_("pages"), default=list, blank=True)
    delay_seconds = models.PositiveIntegerField(_("seconds on page"), default=0)
    # Only a `Voxloop.show()` call on the page opens it: no page or time trigger.
    manual_only = models.BooleanField(_("only when the page asks"), default=False)
    sample_percent = models.PositiveSmallIntegerField(_("sample of visitors (%)"), default=100)
    suppress_days = models.PositiveSmallIntegerField(_("do not show again for days"), default=90)
    position = models.CharField(
        _("position"),
        max_length=12,
        choices=WidgetPosition.choices,
        default=WidgetPosition.BOTTOM_RIGHT,
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("web widget")
        verbose_name_plural = _("web widgets")
        indexes = [models.Index(fields=["organization", "unit_path"], name="widget_org_path")]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
