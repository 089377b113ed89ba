"""Event webhooks: what an organisation subscribed to, and every delivery of an event to it.

A delivery is a row first and a request second (decision 0024): it is inserted once per
subscription and event (a unique key), claimed with a conditional UPDATE before each attempt
and retried along a fixed backoff for 24 hours, so a receiver that is down loses nothing and a
worker killed mid-attempt only causes the same message (same `webhook-id`) to be sent again.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Destination(models.TextChoices):
    WEBHOOK = "webhook", _("Signed webhook (JSON)")
    SLACK = "slack", _("Slack")
    TEAMS = "teams", _("Microsoft Teams")


class Subscription(models.Model):
    """Events of one unit's subtree, sent to one URL."""

    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey("tenancy.OrgUnit", on_delete=models.PROTECT, related_name="+")
    # A copy of the unit's path (tenancy.unit_moved keeps it right): the events it receives.
    unit_path = models.CharField(max_length=255, editable=False, default="")
    name = models.CharField(_("name"), max_length=100)
    destination = models.CharField(
        _("destination"), max_length=10, choices=Destination.choices, default=Destination.WEBHOOK
    )
    url = models.CharField(_("URL"), max_length=2000)
    events = models.JSONField(_("events"), default=list)
    language = models.CharField(_("language of chat messages"), max_length=10, default="en")
    # `whsec_` + base64 of 24 random bytes; the previous one keeps signing for a day after a
    # rotation, so receivers can switch without losing a message.
    secret = models.CharField(max_length=100, editable=False)
    previous_secret = models.CharField(max_length=100, blank=True, editable=False)
    previous_secret_until = models.DateTimeField(null=True, blank=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        indexes = [models.Index(fields=["organization", "unit_path"])]

    def __str__(self) -> str:
        return self.name


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class Delivery(models.Model):
    """One event for one subscription: the message, and how sending it went."""

    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="+"
    )
    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    # The event's identity ("case.opened:12"): one delivery per subscription and event, however
    # often the event is announced.
    event_key = models.CharField(max_length=100)
    event_type = models.CharField(max_length=40)
    message_id = models.CharField(max_length=40, unique=True)  # the `webhook-id` header
    payload = models.JSONField(default=dict)
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    run_after = models.DateTimeField()
    # Retries stop here: 24 hours after the event (or after a replay).
    give_up_at = models.DateTimeField()
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    replays = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "event_key"], name="webhooks_one_delivery_per_event"
            )
        ]
        indexes = [
            models.Index(fields=["status", "run_after"]),
            models.Index(fields=["subscription", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.subscription_id}"
