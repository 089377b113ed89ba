"""Sending deliveries: claim, attempt, retry along the backoff, give up after 24 hours, and
disable a subscription whose receiver stayed down that long, telling its creator (or, when
they are gone, the admins above it) by email (decision 0024).

1. `deliver` claims the row with one conditional UPDATE (pending, due, its subscription
   active → leased for a few minutes), so two workers never attempt it at once and a worker
   killed mid-attempt leaves it to the sweep once the lease runs out.
2. A 2xx answer is delivered. Anything else is retried at `backoff(attempts)` — 30 s × 4ⁿ,
   at most 8 h — with a last attempt exactly when the day is up; then the delivery fails, the
   subscription is disabled and its creator gets an email.
3. A success releases the subscription's other waiting retries at once: a receiver that comes
   back gets what it missed within a sweep, not hours later.
Every attempt of a delivery carries the same `webhook-id`, so receivers can drop duplicates.
"""

from __future__ import annotations

import contextlib
import json
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from voxloop import outbound
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.models import Role
from voxloop.tenancy.scoping import Scope
from voxloop.webhooks import destinations, services, signing
from voxloop.webhooks.models import Delivery, DeliveryStatus, Destination, Subscription

FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=8)
LEASE = timedelta(minutes=2)
HTTP_TIMEOUT = 10


def backoff(attempts: int) -> timedelta:
    """The wait after the n-th failed attempt: 30 s, 2 min, 8 min, 32 min, 2 h 8 min, 8 h…"""
    return min(FIRST_RETRY * (4 ** max(attempts - 1, 0)), LONGEST_RETRY)


def claim(delivery_id: int, now: datetime) -> Delivery | None:
    """Lease the delivery if it is pending and due; None when another worker has it or its
    subscription is off. The conditions are on the row itself: a condition through a join
    makes Django write `WHERE id IN (SELECT …)`, which PostgreSQL does not re-check against a
    row another worker has just leased (two workers then both send it)."""
    taken = Delivery.objects.filter(
        pk=delivery_id, status=DeliveryStatus.PENDING, run_after__lte=now
    ).update(run_after=now + LEASE)
    if not taken:
        return None
    row = Delivery.objects.select_related("subscription").get(pk=delivery_id)
    if not row.subscription.is_active:  # held until it is turned on again
        Delivery.objects.filter(pk=delivery_id).update(run_after=now)
        return None
    return row


def request_for(delivery: Delivery, now: datetime) -> tuple[bytes, dict[str, str]]:
    """The body and headers of one attempt."""
    subscription = delivery.subscription
    headers = {"Content-Type": "application/json", "User-Agent": "Voxloop-Webhooks/1"}
    if subscription.destination == Destination.SLACK:
        message = destinations.slack(delivery.payload, subscription.language)
    elif subscription.destination == Destination.TEAMS:
        message = destinations.teams(delivery.payload, subscription.language)
    else:
        message = delivery.payload
    body = json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode()
    secrets_ = [subscription.secret]
    until = subscription.previous_secret_until
    if subscription.previous_secret and until is not None and until > now:
        secrets_.append(subscription.previous_secret)
    headers |= signing.headers(secrets_, delivery.message_id, int(now.timestamp()), body)
    return body, headers


def deliver(delivery_id: int, now: datetime | None = None) -> str:
    """Attempt one delivery if it is due; its status afterwards, or 'skipped'."""
    now = now or timezone.now()
    row = claim(delivery_id, now)
    if row is None:
        return "skipped"
    body, headers = request_for(row, now)
    status_code = None
    try:
        answer = outbound.send("POST", row.subscription.url, body, headers, timeout=HTTP_TIMEOUT)
        status_code = answer.status
        if not 200 <= answer.status < 300:
            raise OSError(f"HTTP {answer.status} from the receiver")
    except outbound.RefusedDestination as error:  # retrying cannot help
        return _failed(row, now, f"refused: {error}", status_code, final=True)
    except Exception as error:
        return _failed(row, now, f"{type(error).__name__}: {error}", status_code)
    Delivery.objects.filter(pk=row.pk).update(
        status=DeliveryStatus.DELIVERED,
        attempts=row.attempts + 1,
        last_attempt_at=now,
        last_status_code=status_code,
        last_error="",
        delivered_at=now,
    )
    waiting = Delivery.objects.filter(
        subscription_id=row.subscription_id,
        status=DeliveryStatus.PENDING,
        attempts__gt=0,
        run_after__gt=now + LEASE,
    )
    if waiting.exists():  # a read: usually nothing waits, and a write costs a commit
        waiting.update(run_after=now)
    return DeliveryStatus.DELIVERED


def _failed(
    row: Delivery, now: datetime, error: str, status_code: int | None, final: bool = False
) -> str:
    attempts = row.attempts + 1
    fields = {"attempts": attempts, "last_attempt_at": now, "last_status_code": status_code,
              "last_error": error[:500]}  # fmt: skip
    retry_at = min(now + backoff(attempts), row.give_up_at)
    if final or now >= row.give_up_at:
        Delivery.objects.filter(pk=row.pk).update(status=DeliveryStatus.FAILED, **fields)
        if not final:
            disable(row.subscription, now, error)
        return DeliveryStatus.FAILED
    Delivery.objects.filter(pk=row.pk).update(run_after=retry_at, **fields)
    from voxloop.webhooks.tasks import deliver_webhook

    # If the queue itself is down, the periodic sweep attempts it once the time has come.
    with contextlib.suppress(Exception):
        deliver_webhook.using(run_after=retry_at).enqueue(row.pk)
    return DeliveryStatus.PENDING


def disable(subscription: Subscription, now: datetime, error: str) -> bool:
    """Turn a subscription off after a day of failures and tell its creator, once."""
    reason = f"no successful delivery for 24 hours; last error: {error}"[:300]
    with transaction.atomic():
        changed = Subscription.objects.filter(pk=subscription.pk, is_active=True).update(
            is_active=False, disabled_at=now, disabled_reason=reason
        )
    if changed:
        services.forget_listeners()
        _tell_creator(subscription, reason)
    return bool(changed)


def _recipients(subscription: Subscription) -> list[str]:
    """Its creator; when they are gone (or have no address), the admins who may manage it."""
    user = subscription.created_by
    if user is not None and user.is_active and user.email:
        return [user.email]
    root = tenancy_selectors.organization_root(subscription.organization_id)
    admins = tenancy_selectors.visible_memberships(Scope.system(root)).filter(role=Role.ADMIN)
    return sorted(
        {
            m.user.email
            for m in admins
            if m.user.is_active and m.user.email and subscription.unit_path.startswith(m.unit.path)
        }
    )


def _tell_creator(subscription: Subscription, reason: str) -> None:
    recipients = _recipients(subscription)
    if not recipients:
        return
    link = settings.BASE_URL.rstrip("/") + reverse("webhooks:detail", args=[subscription.pk])
    with translation.override(subscription.language):
        subject = _("Voxloop: webhook “%(name)s” was disabled") % {"name": subscription.name}
        body = "\n\n".join(
            [
                _("Deliveries to %(url)s failed for 24 hours, so the subscription was turned off.")
                % {"url": subscription.url},
                _("Last error: %(error)s") % {"error": reason},
                _("Fix the receiver, then turn the subscription on again: what it missed is "
                  "sent again. %(link)s") % {"link": link},
            ]
        )  # fmt: skip
    message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    with contextlib.suppress(Exception), get_connection(fail_silently=False) as connection:
        connection.send_messages([message])


def due(now: datetime, limit: int = 500) -> list[int]:
    return list(
        Delivery.objects.filter(
            status=DeliveryStatus.PENDING, run_after__lte=now, subscription__is_active=True
        )
        .order_by("run_after")
        .values_list("pk", flat=True)[:limit]
    )


def sweep(now: datetime | None = None) -> int:
    """Attempt whatever is due; the safety net behind the enqueued retries. Delivered count."""
    now = now or timezone.now()
    return sum(deliver(pk, now) == DeliveryStatus.DELIVERED for pk in due(now))
