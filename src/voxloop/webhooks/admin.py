"""Event webhooks in the Django admin: scoped to the staff user's subtree and read-only (the
pages and the API change them through the services, which audit and check each change), for
looking things up: a delivery's last error, what a payload held. Secrets never show."""

from __future__ import annotations

from django.contrib import admin

from voxloop.tenancy.admin import ReadOnlyScopedAdmin
from voxloop.tenancy.scoping import Capability
from voxloop.webhooks.models import Delivery, Subscription


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnlyScopedAdmin[Subscription]):
    list_display = ("name", "unit", "destination", "url", "is_active", "disabled_at")
    list_filter = ("is_active", "destination")
    search_fields = ("name", "url")
    exclude = ("secret", "previous_secret")
    view_capability = Capability.CONFIGURE


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyScopedAdmin[Delivery]):
    list_display = ("id", "event_type", "subscription", "status", "attempts", "run_after")
    list_filter = ("status", "event_type")
    list_select_related = ("subscription",)
    search_fields = ("message_id",)
    ordering = ("-created_at",)
    scope_path_field = "subscription__unit_path"
    view_capability = Capability.CONFIGURE
