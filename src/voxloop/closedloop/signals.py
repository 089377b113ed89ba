"""Events other apps subscribe to (event webhooks)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.dispatch import Signal

# Sent after the transaction that changed a case commits; kwargs: organization_id, case_id,
# event ("opened", "assigned", "resolved" — resolved or closed from open —, "reopened" — open
# again after that —, "overdue") and
# case (the stored row: read it, never save it).
case_changed = Signal()


def announce(case: Any, event: str) -> None:
    """Send `case_changed` once the current transaction commits (at once outside one)."""
    transaction.on_commit(
        lambda: case_changed.send(
            type(case),
            organization_id=case.organization_id,
            case_id=case.pk,
            event=event,
            case=case,
        )
    )
