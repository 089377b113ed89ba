"""The events outreach follows: responses started and completed, interactions recorded.
Each receiver only enqueues; the work runs in a task."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from voxloop.contacts.signals import interactions_recorded
from voxloop.privacy.signals import contact_erasing
from voxloop.responses.models import Response
from voxloop.responses.signals import response_started, response_submitted
from voxloop.tenancy.signals import unit_moved

INVITATION_PREFIX = "inv:"


def _ref(response: Response) -> str:
    key = response.source_key or ""
    return key[len(INVITATION_PREFIX) :] if key.startswith(INVITATION_PREFIX) else ""


@receiver(response_submitted)
def invitation_completed(
    sender: object, response_id: int, response: Response, **kwargs: Any
) -> None:
    from voxloop.distribution.tasks import record_progress

    ref = _ref(response)
    if ref and response.submitted_at is not None:  # always set once submitted
        record_progress.enqueue(ref, "completed", response.submitted_at.isoformat())


@receiver(response_started)
def invitation_started(sender: object, response_id: int, response: Response, **kwargs: Any) -> None:
    from voxloop.distribution.tasks import record_progress

    ref = _ref(response)
    if ref:
        record_progress.enqueue(ref, "started", response.started_at.isoformat())


@receiver(interactions_recorded)
def interactions_may_trigger(
    sender: object, organization_id: int, interaction_ids: list[int], **kwargs: Any
) -> None:
    from voxloop.distribution.tasks import fire_triggers

    if interaction_ids:
        fire_triggers.enqueue(organization_id, list(interaction_ids))


@receiver(unit_moved)
def widgets_follow_unit_move(
    sender: object, organization_id: int, old_path: str, new_path: str, **kw: Any
) -> None:
    from voxloop.distribution.widget import services as widgets

    widgets.repath_after_move(organization_id=organization_id, old_path=old_path, new_path=new_path)


@receiver(contact_erasing, dispatch_uid="distribution.forget_person")
def forget_person(
    sender: object, organization_id: int, contact_id: int, **kwargs: Any
) -> dict[str, int]:
    from voxloop.distribution import services

    return services.forget_person(organization_id=organization_id, contact_id=contact_id)
