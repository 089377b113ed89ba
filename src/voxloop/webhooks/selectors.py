"""Scoped reads of subscriptions and their delivery log: admins see those of their subtree."""

from __future__ import annotations

from typing import cast

from django.db.models import QuerySet

from voxloop.errors import NotFound
from voxloop.tenancy.scoping import Capability, Scope
from voxloop.webhooks.models import Delivery, Subscription


def visible_subscriptions(scope: Scope) -> QuerySet[Subscription]:
    scope.require(Capability.CONFIGURE)
    return (
        scope.filter(Subscription.objects.all(), "unit_path")
        .select_related("unit")
        .order_by("name", "pk")
    )


def subscription(scope: Scope, subscription_id: int) -> Subscription:
    found = scope.get(visible_subscriptions(scope), "unit_path", pk=subscription_id)
    return cast(Subscription, found)


def deliveries(
    scope: Scope, subscription_id: int, status: str = "", event_type: str = ""
) -> QuerySet[Delivery]:
    """The delivery log of one subscription, newest first."""
    found = subscription(scope, subscription_id)
    rows = Delivery.objects.filter(subscription=found)
    if status:
        rows = rows.filter(status=status)
    if event_type:
        rows = rows.filter(event_type=event_type)
    return rows.order_by("-created_at", "-pk")


def delivery(scope: Scope, delivery_id: int) -> Delivery:
    scope.require(Capability.CONFIGURE)
    rows = Delivery.objects.select_related("subscription__unit")
    try:
        return scope.filter(rows, "subscription__unit_path").get(pk=delivery_id)
    except (Delivery.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such delivery.") from None
