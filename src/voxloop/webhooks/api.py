"""Event webhooks over the API: subscriptions (admins of their subtree), the event catalogue,
the delivery log and replay. The same services and selectors as the pages."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Status

from voxloop.api.context import actor
from voxloop.api.pages import listing, page
from voxloop.api.schemas import Id, ListQuery
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.scoping import Capability
from voxloop.webhooks import selectors, services
from voxloop.webhooks.events import EVENTS, RESERVED
from voxloop.webhooks.models import Subscription
from voxloop.webhooks.schemas import (
    DeliveryFilters,
    DeliveryOut,
    DeliveryPage,
    SecretOut,
    SubscriptionCreated,
    SubscriptionIn,
    SubscriptionOut,
    SubscriptionPatch,
    WebhookEventOut,
)

router = Router(tags=["webhooks"])
FIELDS = ("id", "name", "destination", "url", "events", "language", "is_active", "disabled_at",
          "disabled_reason", "created_at")  # fmt: skip


def _out(subscription: Subscription) -> dict:
    return {name: getattr(subscription, name) for name in FIELDS} | {
        "unit_code": subscription.unit.code
    }


@router.get("/webhooks/events", response=list[WebhookEventOut], url_name="webhook_events")
def list_events(request: HttpRequest) -> list[dict]:
    """Every event a subscription may ask for (docs/webhooks.md has their payloads)."""
    actor(request).require(Capability.CONFIGURE)
    listed = [(k, v, True) for k, v in EVENTS.items()] + [
        (k, v, False) for k, v in RESERVED.items()
    ]
    return [{"type": k, "description": str(v), "emitted": e} for k, v, e in listed]


@router.get("/webhooks", response=list[SubscriptionOut], url_name="webhooks")
def list_subscriptions(request: HttpRequest, query: Query[ListQuery]) -> list[dict]:
    return listing(request, selectors.visible_subscriptions(actor(request)), query, _out)


@router.post("/webhooks", response={201: SubscriptionCreated}, url_name="webhook_create")
def create_subscription(request: HttpRequest, payload: SubscriptionIn) -> Status:
    """A new subscription; the answer holds its signing secret, shown this once."""
    scope = actor(request)
    scope.require(Capability.CONFIGURE)
    fields = payload.dict()
    unit = tenancy_selectors.unit_named_by(scope, fields.pop("unit_code"))
    subscription, secret = services.create_subscription(actor=scope, unit=unit, **fields)
    return Status(201, _out(subscription) | {"secret": secret})


@router.get("/webhooks/{int:subscription_id}", response=SubscriptionOut, url_name="webhook")
def get_subscription(request: HttpRequest, subscription_id: Id) -> dict:
    return _out(selectors.subscription(actor(request), subscription_id))


@router.patch(
    "/webhooks/{int:subscription_id}", response=SubscriptionOut, url_name="webhook_update"
)
def update_subscription(
    request: HttpRequest, subscription_id: Id, payload: SubscriptionPatch
) -> dict:
    scope = actor(request)
    subscription = selectors.subscription(scope, subscription_id)
    fields = payload.changes()
    unit = None
    if "unit_code" in fields:
        unit = tenancy_selectors.unit_named_by(scope, fields.pop("unit_code"))
    services.update_subscription(actor=scope, subscription=subscription, unit=unit, **fields)
    return _out(selectors.subscription(scope, subscription_id))


@router.delete("/webhooks/{int:subscription_id}", response={204: None}, url_name="webhook_delete")
def delete_subscription(request: HttpRequest, subscription_id: Id) -> Status:
    scope = actor(request)
    services.delete_subscription(
        actor=scope, subscription=selectors.subscription(scope, subscription_id)
    )
    return Status(204, None)


@router.post(
    "/webhooks/{int:subscription_id}/rotate-secret",
    response=SecretOut,
    url_name="webhook_rotate",
)
def rotate_secret(request: HttpRequest, subscription_id: Id) -> dict:
    scope = actor(request)
    subscription = selectors.subscription(scope, subscription_id)
    return {"secret": services.rotate_secret(actor=scope, subscription=subscription)}


@router.get(
    "/webhooks/{int:subscription_id}/deliveries",
    response=DeliveryPage,
    url_name="webhook_deliveries",
)
def list_deliveries(
    request: HttpRequest, subscription_id: Id, filters: Query[DeliveryFilters]
) -> dict:
    """The delivery log, newest first."""
    rows = selectors.deliveries(
        actor(request),
        subscription_id,
        status=filters.status or "",
        event_type=filters.event_type or "",
    )
    return page(rows, filters, request=request)


@router.post(
    "/webhooks/deliveries/{int:delivery_id}/replay",
    response={202: DeliveryOut},
    url_name="webhook_replay",
)
def replay(request: HttpRequest, delivery_id: Id) -> Status:
    """Send a delivery again (same `webhook-id`) with a new day of retries."""
    scope = actor(request)
    found = selectors.delivery(scope, delivery_id)
    return Status(202, services.replay(actor=scope, delivery=found))
