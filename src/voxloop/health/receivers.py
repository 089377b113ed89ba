"""Scores follow events: an answer by a known contact, a case opened or resolved. The
contacts are gathered per process for HEALTH_RESCORE_DELAY_SECONDS and handed to a worker
in one task (one queue write per batch, not per answer), as text analytics does; the
nightly run catches whatever a killed process never handed over."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.dispatch import receiver

from voxloop.closedloop.signals import case_changed
from voxloop.handover import Gatherer
from voxloop.responses.signals import response_submitted


def _enqueue(organization_id: int, contact_ids: list[int]) -> None:
    from voxloop.health.tasks import rescore_contacts

    rescore_contacts.enqueue(organization_id=organization_id, contact_ids=sorted(contact_ids))


noted = Gatherer("health.rescore", lambda: settings.HEALTH_RESCORE_DELAY_SECONDS, _enqueue)


def note(organization_id: int, contact_id: int | None) -> None:
    if contact_id is not None:
        noted.add(organization_id, contact_id)


@receiver(response_submitted, dispatch_uid="health.response_submitted")
def on_response(sender: object, response_id: int, response: Any = None, **kwargs: Any) -> None:
    if response is not None and getattr(response, "contact_id", None) is not None:
        note(response.organization_id, response.contact_id)


@receiver(case_changed, dispatch_uid="health.case_changed")
def on_case(sender: object, organization_id: int, event: str, case: Any = None, **kw: Any) -> None:
    if case is not None and event in ("opened", "resolved"):
        note(organization_id, getattr(case, "contact_id", None))
