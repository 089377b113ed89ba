"""Events other apps subscribe to (event webhooks)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.dispatch import Signal

# Sent after the transaction that marked an invitation bounced commits; kwargs:
# organization_id, invitation_id, hard (True for a hard bounce) and invitation (the row).
invitation_bounced = Signal()


def announce_bounce(invitation: Any, hard: bool) -> None:
    transaction.on_commit(
        lambda: invitation_bounced.send(
            type(invitation),
            organization_id=invitation.organization_id,
            invitation_id=invitation.pk,
            hard=hard,
            invitation=invitation,
        )
    )
