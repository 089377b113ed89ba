"""Every write to webhook subscriptions and deliveries, and `publish`, which turns an event of
another app into one delivery per matching subscription.

Admins manage the subscriptions of their subtree. A subscription receives the events of its
unit's subtree in its own organisation only; the organisation's subscriptions are held per
process for RECENT_SECONDS (voxloop.recent), since `publish` runs on the capture path.
"""

from __future__ import annotations

import ipaddress
import urllib.parse
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from voxloop import outbound
from voxloop.errors import Forbidden, InvalidInput
from voxloop.recent import Recent
from voxloop.tenancy.models import PATH_SEGMENT_WIDTH, OrgUnit, repath_copies
from voxloop.tenancy.scoping import Capability, Scope
from voxloop.tenancy.services import record_audit
from voxloop.webhooks import signing
from voxloop.webhooks.events import ALL_EVENTS, envelope
from voxloop.webhooks.models import Delivery, DeliveryStatus, Destination, Subscription

RETRY_WINDOW = timedelta(hours=24)
ROTATION_GRACE = timedelta(hours=24)
FIELDS = ("name", "destination", "url", "events", "language")
_held = Recent()


# --- subscriptions ----------------------------------------------------------------------


def _require(actor: Scope, unit: OrgUnit) -> None:
    actor.require(Capability.CONFIGURE)
    if not actor.covers(unit):
        raise Forbidden("This unit is outside your part of the organisation.")


def url_refusal(*, url: str) -> str | None:
    """Why a URL can never be a destination, found without a DNS lookup (the outbound guard
    checks every resolved address again at each attempt)."""
    problem = outbound.url_problem(url)
    if problem:
        return problem
    host = (urllib.parse.urlsplit(url).hostname or "").strip("[]")
    if host == "localhost" or host.endswith(".localhost"):
        return "localhost is not a public address"
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return None
    return outbound.refusal(host)


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    cleaned = {k: v for k, v in fields.items() if k in FIELDS}
    if "name" in cleaned:
        cleaned["name"] = str(cleaned["name"] or "").strip()[:100]
        if not cleaned["name"]:
            raise InvalidInput("Give the subscription a name.", field="name")
    if "destination" in cleaned and cleaned["destination"] not in Destination.values:
        raise InvalidInput("Unknown destination.", field="destination")
    if "url" in cleaned:
        reason = url_refusal(url=cleaned["url"])
        if reason:
            raise InvalidInput(f"This URL cannot receive webhooks: {reason}", field="url")
    if "events" in cleaned:
        events = list(dict.fromkeys(cleaned["events"] or []))
        unknown = [e for e in events if e not in ALL_EVENTS]
        if unknown or not events:
            raise InvalidInput("Pick one or more of the listed events.", field="events")
        cleaned["events"] = events
    if "language" in cleaned and cleaned["language"] not in dict(settings.LANGUAGES):
        raise InvalidInput("Unknown language.", field="language")
    return cleaned


def create_subscription(
    *,
    actor: Scope,
    unit: OrgUnit,
    name: str,
    url: str,
    events: list[str],
    destination: str = Destination.WEBHOOK,
    language: str = "en",
    now: datetime | None = None,
) -> tuple[Subscription, str]:
    """A new subscription and its secret, which is shown this once."""
    _require(actor, unit)
    fields = _clean(
        {"name": name, "url": url, "events": events, "destination": destination,
         "language": language}
    )  # fmt: skip
    secret = signing.new_secret()
    with transaction.atomic():
        subscription = Subscription.objects.create(
            organization_id=actor.organization_id,
            unit=unit,
            unit_path=unit.path,
            secret=secret,
            created_by_id=actor.user_id,
            created_at=now or timezone.now(),
            **fields,
        )
        record_audit(actor=actor, action="webhook.create", target=subscription, changes=fields)
    _held.forget_all()
    return subscription, secret


def update_subscription(
    *, actor: Scope, subscription: Subscription, unit: OrgUnit | None = None, **fields: Any
) -> Subscription:
    """Change the settings; `is_active=True` re-enables a disabled one and resumes what it
    held back, `False` holds its deliveries until then."""
    _require(actor, subscription.unit)
    active = fields.pop("is_active", None)
    changes = _clean(fields)
    if unit is not None and unit.pk != subscription.unit_id:
        _require(actor, unit)
        subscription.unit, subscription.unit_path = unit, unit.path
        changes["unit"] = unit.code
    now = timezone.now()
    with transaction.atomic():
        for name, value in changes.items():
            if name != "unit":
                setattr(subscription, name, value)
        if active is not None and active != subscription.is_active:
            _set_active(subscription, bool(active), now)
            changes["is_active"] = bool(active)
        subscription.save()
        record_audit(actor=actor, action="webhook.update", target=subscription, changes=changes)
    _held.forget_all()
    return subscription


def _set_active(subscription: Subscription, active: bool, now: datetime) -> None:
    subscription.is_active = active
    if active:
        subscription.disabled_at, subscription.disabled_reason = None, ""
        # What waited while it was off gets a fresh day of retries.
        Delivery.objects.filter(subscription=subscription, status=DeliveryStatus.PENDING).update(
            run_after=now, give_up_at=now + RETRY_WINDOW
        )
    else:
        subscription.disabled_at, subscription.disabled_reason = now, "disabled by an admin"


def delete_subscription(*, actor: Scope, subscription: Subscription) -> None:
    _require(actor, subscription.unit)
    with transaction.atomic():
        record_audit(
            actor=actor,
            action="webhook.delete",
            target=subscription,
            changes={"url": subscription.url},
        )
        subscription.delete()
    _held.forget_all()


def rotate_secret(*, actor: Scope, subscription: Subscription, now: datetime | None = None) -> str:
    """A new secret, shown once; the old one still signs (a second signature) for a day."""
    _require(actor, subscription.unit)
    now = now or timezone.now()
    secret = signing.new_secret()
    with transaction.atomic():
        subscription.previous_secret = subscription.secret
        subscription.previous_secret_until = now + ROTATION_GRACE
        subscription.secret = secret
        subscription.save()
        record_audit(actor=actor, action="webhook.rotate_secret", target=subscription)
    return secret


def replay(*, actor: Scope, delivery: Delivery, now: datetime | None = None) -> Delivery:
    """Send a delivery again (same message id), with a new day of retries."""
    _require(actor, delivery.subscription.unit)
    now = now or timezone.now()
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.PENDING,
            run_after=now,
            give_up_at=now + RETRY_WINDOW,
            replays=delivery.replays + 1,
        )
        record_audit(
            actor=actor,
            action="webhook.replay",
            target=delivery.subscription,
            changes={"delivery": delivery.pk},
        )
        _enqueue_on_commit([delivery.pk])
    delivery.refresh_from_db()
    return delivery


def repath_after_move(*, organization_id: int, old_path: str, new_path: str) -> None:
    subscriptions = Subscription.objects.filter(organization_id=organization_id)
    repath_copies(subscriptions, old_path, new_path)
    _held.forget_all()


# --- events -----------------------------------------------------------------------------


def listeners(*, organization_id: int) -> tuple[tuple[int, str, frozenset[str]], ...]:
    held = _held.recall(organization_id)
    if held is None:
        held = tuple(
            (pk, path, frozenset(events))
            for pk, path, events in Subscription.objects.filter(
                organization_id=organization_id, is_active=True
            ).values_list("pk", "unit_path", "events")
        )
        _held.remember(organization_id, held)
    return held


def _reaches(subscription_path: str, event_path: str) -> bool:
    if not event_path:
        return len(subscription_path) == PATH_SEGMENT_WIDTH  # the top unit
    return event_path.startswith(subscription_path)


def publish(
    *,
    organization_id: int,
    unit_path: str,
    event_type: str,
    key: str,
    data: dict,
    at: datetime | None = None,
) -> list[int]:
    """One delivery per active subscription of the organisation that asked for this event and
    whose unit is the event's unit or above it; sent by a worker once this commits. An event
    without a unit (`unit_path` "") reaches only subscriptions at the top unit."""
    matching = [
        pk
        for pk, path, events in listeners(organization_id=organization_id)
        if event_type in events and _reaches(path, unit_path)
    ]
    if not matching:
        return []
    at = at or timezone.now()
    message = envelope(event_type, at, data)
    created = []
    for subscription_id in matching:
        try:
            with transaction.atomic():
                delivery = Delivery.objects.create(
                    organization_id=organization_id,
                    subscription_id=subscription_id,
                    event_key=f"{event_type}:{key}"[:100],
                    event_type=event_type,
                    message_id=signing.new_message_id(),
                    payload=message,
                    run_after=at,
                    give_up_at=at + RETRY_WINDOW,
                    created_at=at,
                )
        except IntegrityError:
            continue  # this event was announced before: at most one delivery of it
        created.append(delivery.pk)
    _enqueue_on_commit(created)
    return created


def _enqueue_on_commit(delivery_ids: list[int]) -> None:
    def enqueue() -> None:
        from voxloop.webhooks.tasks import deliver_webhook

        for pk in delivery_ids:
            try:
                deliver_webhook.enqueue(pk)
            except Exception:
                return

    if delivery_ids:
        transaction.on_commit(enqueue)


def forget_listeners() -> None:
    _held.forget_all()
