"""Case status from the CRM back to Voxloop: a ticket solved (or reopened) in the help desk
resolves (or reopens) the Voxloop case whose ticket it is.

- Which case: the ticket a case's "case opened" write-back created or noted (its `remote_id`)
  on *this* connector, so a webhook of one organisation's connector can only reach cases that
  connector linked itself; the case is then read through the closed loop's scoped selector
  with the connector's scope (its organisation and unit subtree), and changed only through
  `closedloop.casework` (a note and a status event by `crm:<kind>:<id>`, both audited).
- No echo: before resolving, the case's "status" write-back is stored as already done, so the
  `case_changed` signal that follows does not send the solving back to the CRM. A reopening
  drops that record, so resolving the case again in Voxloop solves the ticket again.
- A case without a root cause cannot be resolved (the outer loop counts root causes): it gets
  the note only, and its people pick the cause."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from voxloop.closedloop import casework
from voxloop.closedloop import selectors as closedloop_selectors
from voxloop.closedloop.models import CaseStatus
from voxloop.crm import runtime
from voxloop.crm.connectors.base import RemoteEvent
from voxloop.crm.models import ActivityKind, CrmConnector, JobKind, JobStatus, WriteBack
from voxloop.errors import DomainError

SOLVED = ("ticket_solved", "ticket_resolved")
REOPENED = ("ticket_reopened",)
KINDS = SOLVED + REOPENED
FINISHED = (CaseStatus.RESOLVED, CaseStatus.CLOSED)


def _linked_case_ids(connector: CrmConnector, ticket: str) -> list[int]:
    if not ticket:
        return []
    jobs = WriteBack.objects.filter(
        connector=connector, kind=JobKind.CASE_OPENED, status=JobStatus.DONE, remote_id=ticket
    ).values_list("payload", flat=True)
    return sorted({int(p["case"]["case_id"]) for p in jobs if p.get("case", {}).get("case_id")})


def follow(*, connector: CrmConnector, event: RemoteEvent) -> str:
    """What became of the cases linked to the event's ticket ("" when none is)."""
    solved = event.kind in SOLVED
    scope = runtime.scope_of(connector)
    system = connector.get_kind_display()
    outcomes = []
    for case_id in _linked_case_ids(connector, event.remote_id):
        try:
            case = closedloop_selectors.case(scope, case_id)
        except DomainError:
            continue  # gone, or moved out of the connector's subtree
        if solved == (case.status in FINISHED):
            outcomes.append(f"case {case_id} already {case.status}")
            continue
        verb = "solved" if solved else "reopened"
        now = timezone.now()
        try:
            with transaction.atomic():
                casework.add_note(
                    actor=scope,
                    case=case,
                    text=f"Ticket {event.remote_id} was {verb} in {system}.",
                    now=now,
                )
                if not solved:
                    WriteBack.objects.filter(
                        connector=connector, key=f"case:{case_id}:resolved"
                    ).delete()
                    casework.change_status(
                        actor=scope, case=case, status=CaseStatus.IN_PROGRESS, now=now
                    )
                    outcomes.append(f"case {case_id} reopened")
                elif case.root_cause_id is None:
                    outcomes.append(f"case {case_id} noted: it needs a root cause to resolve")
                else:
                    WriteBack.objects.update_or_create(
                        connector=connector,
                        key=f"case:{case_id}:resolved",
                        defaults={
                            "kind": JobKind.CASE_STATUS,
                            "payload": {"case_id": case_id, "from_crm": True},
                            "status": JobStatus.DONE,
                            "remote_id": event.remote_id[:120],
                            "next_attempt_at": now,
                            "created_at": now,
                            "done_at": now,
                        },
                    )
                    casework.change_status(
                        actor=scope, case=case, status=CaseStatus.RESOLVED, now=now
                    )
                    outcomes.append(f"case {case_id} resolved")
        except DomainError as error:
            outcomes.append(f"case {case_id} unchanged: {error}")
    if outcomes:
        runtime.log(
            connector,
            ActivityKind.WEBHOOK,
            f"ticket {event.remote_id} {event.kind}: " + "; ".join(outcomes),
        )
    return "; ".join(outcomes)
