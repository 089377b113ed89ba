"""Event webhooks listen to the other apps' events and turn each into deliveries. Each
receiver builds the payload from the row the signal carries (no reads of other apps' tables)
and calls `services.publish`, which costs nothing when nobody subscribed."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from django.dispatch import receiver
from django.utils import timezone

from voxloop.closedloop.signals import case_changed
from voxloop.contacts.signals import contact_unsubscribed
from voxloop.distribution.signals import invitation_bounced
from voxloop.privacy.signals import contact_erasing
from voxloop.responses import selectors as response_selectors
from voxloop.responses.signals import response_submitted, responses_changed
from voxloop.reviews.signals import reviews_received
from voxloop.tenancy.signals import unit_moved
from voxloop.webhooks import events, services

log = logging.getLogger(__name__)


def _logged(receiver_function: Callable[..., None]) -> Callable[..., None]:
    """The event's own transaction has committed: a failure here must not turn the respondent's
    or the staff member's request into an error. It is logged (and the event is missed)."""

    @functools.wraps(receiver_function)
    def inner(*args: Any, **kwargs: Any) -> None:
        try:
            receiver_function(*args, **kwargs)
        except Exception:
            log.exception("webhooks: could not record an event for delivery")

    return inner


def _wanted(organization_id: int, event_type: str) -> bool:
    return any(
        event_type in kinds
        for _pk, _path, kinds in services.listeners(organization_id=organization_id)
    )


def _stamp() -> str:
    return f"{timezone.now():%Y%m%dT%H%M%S%f}"


def _response_event(response: Any, event_type: str, key: str) -> None:
    anonymous = bool(response.survey.is_anonymous)
    services.publish(
        organization_id=response.organization_id,
        # An anonymous answer names no unit: only the top unit's subscriptions hear of it.
        unit_path="" if anonymous else response.unit_path,
        event_type=event_type,
        key=key,
        data=events.response_data(response, anonymous),
    )


@receiver(response_submitted, dispatch_uid="webhooks.response_completed")
@_logged
def response_completed(sender: Any, response_id: int, response: Any = None, **kwargs: Any) -> None:
    if response is None or not _wanted(response.organization_id, "response.completed"):
        return
    _response_event(response, "response.completed", str(response_id))


@receiver(responses_changed, dispatch_uid="webhooks.response_updated")
@_logged
def response_updated(sender: Any, organization_id: int, response_ids: Any, **kwargs: Any) -> None:
    if not _wanted(organization_id, "response.updated"):
        return
    for response in response_selectors.completed_for_events(organization_id, response_ids):
        _response_event(response, "response.updated", f"{response.pk}@{response.updated_at}")


@receiver(case_changed, dispatch_uid="webhooks.case")
@_logged
def case_event(
    sender: Any, organization_id: int, case_id: int, event: str, case: Any, **kw: Any
) -> None:
    event_type = f"case.{event}"
    if not _wanted(organization_id, event_type):
        return
    # Opened and overdue happen once per case; an assignment or resolution may happen again.
    key = str(case_id) if event in ("opened", "overdue") else f"{case_id}@{_stamp()}"
    services.publish(
        organization_id=organization_id,
        unit_path=case.unit_path,
        event_type=event_type,
        key=key,
        data=events.case_data(case),
    )


@receiver(reviews_received, dispatch_uid="webhooks.reviews_received")
@_logged
def reviews_arrived(sender: Any, events: list[dict], **kwargs: Any) -> None:
    from voxloop.webhooks.events import review_data  # `events` is the signal's argument here

    for event in events:
        if not _wanted(event["organization_id"], "review.received"):
            continue
        services.publish(
            organization_id=event["organization_id"],
            unit_path=event["unit_path"],
            event_type="review.received",
            key=str(event["id"]),
            data=review_data(event),
        )


@receiver(invitation_bounced, dispatch_uid="webhooks.bounced")
@_logged
def bounced(sender: Any, organization_id: int, invitation: Any, hard: bool, **kwargs: Any) -> None:
    if not _wanted(organization_id, "invitation.bounced"):
        return
    services.publish(
        organization_id=organization_id,
        unit_path=invitation.unit_path,
        event_type="invitation.bounced",
        key=f"{invitation.pk}:{'hard' if hard else 'soft'}",
        data=events.invitation_data(invitation, hard),
    )


@receiver(contact_unsubscribed, dispatch_uid="webhooks.unsubscribed")
@_logged
def unsubscribed(
    sender: Any, organization_id: int, contact_id: int, unit_path: str, external_id: str,
    how: str, **kwargs: Any,
) -> None:  # fmt: skip
    if not _wanted(organization_id, "contact.unsubscribed"):
        return
    services.publish(
        organization_id=organization_id,
        unit_path=unit_path,
        event_type="contact.unsubscribed",
        key=f"{contact_id}@{_stamp()}",
        data=events.contact_data(contact_id, external_id, how),
    )


@receiver(unit_moved, dispatch_uid="webhooks.repath")
def follow_unit_move(
    sender: Any, organization_id: int, old_path: str, new_path: str, **kwargs: Any
) -> None:
    services.repath_after_move(
        organization_id=organization_id, old_path=old_path, new_path=new_path
    )


@receiver(contact_erasing, dispatch_uid="webhooks.forget_person")
def forget_person(
    sender: Any, organization_id: int, contact_id: int, response_ids: Any, person: Any,
    **kwargs: Any,
) -> dict[str, int]:  # fmt: skip
    from voxloop.webhooks import forgetting

    return forgetting.forget_person(
        organization_id=organization_id,
        contact_id=contact_id,
        response_ids=list(response_ids),
        person=person,
    )
