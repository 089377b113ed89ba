"""What every piece of a connector's system work needs: the scope it acts in (an admin at the
connector's unit, never above it), an API session whose refreshed OAuth tokens are sealed
and stored, the activity log and the backoff after a failure."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from voxloop import sealing
from voxloop.crm.connectors import connector as provider_of
from voxloop.crm.connectors.base import Session
from voxloop.crm.models import Activity, CrmConnector
from voxloop.tenancy.models import Role
from voxloop.tenancy.scoping import Scope

MAX_BACKOFF = timedelta(hours=6)
MAX_PROBLEMS = 200  # per activity line: the first ones, with the total in the counts


def scope_of(connector: CrmConnector) -> Scope:
    """The connector acts as an admin of its own unit: contacts it creates live there, and
    nothing outside that subtree can be read or changed by what a CRM sends."""
    return Scope(
        organization_id=connector.organization_id,
        unit_id=connector.unit_id,
        unit_path=connector.unit_path,
        role=Role.ADMIN,
        actor_label=f"crm:{connector.kind}:{connector.pk}",
    )


def session_of(connector: CrmConnector) -> Session:
    def keep(credentials: dict[str, str]) -> None:
        connector.credentials = sealing.seal(credentials)
        CrmConnector.objects.filter(pk=connector.pk).update(credentials=connector.credentials)

    return Session(
        provider_of(connector.kind),
        connector.base_url,
        sealing.unseal(connector.credentials),
        on_refresh=keep,
    )


def log(
    connector: CrmConnector,
    kind: str,
    summary: str,
    *,
    ok: bool = True,
    counts: dict[str, Any] | None = None,
    problems: list[dict[str, str]] | None = None,
) -> Activity:
    problems = problems or []
    counts = dict(counts or {})
    if problems:
        counts.setdefault("problems", len(problems))
    return Activity.objects.create(
        connector=connector,
        kind=kind,
        ok=ok,
        summary=summary[:500],
        counts=counts,
        problems=[
            {"record": str(p.get("record", ""))[:200], "message": str(p.get("message", ""))[:500]}
            for p in problems[:MAX_PROBLEMS]
        ],
        at=timezone.now(),
    )


def backoff(failures: int, told: float | None) -> timedelta:
    """The provider's Retry-After when it gave one, else 1, 2, 4… minutes up to six hours."""
    if told is not None:
        return timedelta(seconds=max(1.0, told))
    return min(MAX_BACKOFF, timedelta(minutes=2 ** max(0, failures - 1)))
