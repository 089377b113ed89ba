"""How the CRM app follows the others: completed responses and case changes become
write-backs; units that move take their connectors' paths along. Each receiver runs after the
event's transaction committed, so a failure here is logged, never the user's error."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from django.dispatch import receiver

from voxloop.closedloop.signals import case_changed
from voxloop.crm import writeback
from voxloop.crm.models import CrmConnector
from voxloop.responses.signals import response_submitted
from voxloop.tenancy.models import repath_copies
from voxloop.tenancy.signals import unit_moved

log = logging.getLogger(__name__)
CASE_EVENTS = ("opened", "resolved", "reopened")


def _logged(function: Callable[..., None]) -> Callable[..., None]:
    @functools.wraps(function)
    def inner(*args: Any, **kwargs: Any) -> None:
        try:
            function(*args, **kwargs)
        except Exception:
            log.exception("crm: could not queue a write-back")

    return inner


def _any_connector(organization_id: int) -> bool:
    return CrmConnector.objects.filter(organization_id=organization_id, is_active=True).exists()


@receiver(response_submitted, dispatch_uid="crm.feedback")
@_logged
def response_completed(sender: Any, response_id: int, response: Any = None, **kwargs: Any) -> None:
    if response is None or not response.contact_id or not _any_connector(response.organization_id):
        return
    writeback.queue_feedback(response=response)


@receiver(case_changed, dispatch_uid="crm.case")
@_logged
def case_moved(
    sender: Any, organization_id: int, event: str, case: Any = None, **kwargs: Any
) -> None:
    if case is None or event not in CASE_EVENTS or not _any_connector(organization_id):
        return
    writeback.queue_case(case=case, event=event)


@receiver(unit_moved, dispatch_uid="crm.repath")
def follow_unit_move(
    sender: Any, organization_id: int, old_path: str, new_path: str, **kwargs: Any
) -> None:
    repath_copies(CrmConnector.objects.filter(organization_id=organization_id), old_path, new_path)
