"""Case status from the CRM back to Voxloop: a ticket or task solved (or reopened) in the CRM
resolves (or reopens) the Voxloop case whose ticket or task it is. Two ways in: the
provider's webhook (`inbound.take_in`) and the scheduled poll of linked tickets and tasks
(`poll`, run with each sync), which also covers providers whose webhooks were not set up.

- Which case: the ticket or task a case's "case opened" write-back created or noted (its
  `remote_id`) on *this* connector, so one organisation's connector can only reach cases it
  linked itself; the case is then read through the closed loop's scoped selector with the
  connector's scope (its organisation and unit subtree), and changed only through
  `closedloop.casework` (a note and a status event by `crm:<kind>:<id>`, both audited).
- No echo: before resolving (reopening), the case's "resolved" ("reopened") write-back is
  stored as already done and the opposite one dropped, so the `case_changed` signal that
  follows sends nothing back, and the next change made in Voxloop is sent again.
- The remote state last seen or set is kept on the "case opened" write-back
  (`payload["remote_state"]`): the poll acts only on a change from it, so polling again
  changes nothing, and a ticket that was already solved when a case noted it is a baseline,
  not a solving.
- A case without a root cause cannot be resolved (the outer loop counts root causes): it gets
  the note only, and its people pick the cause."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from voxloop.closedloop import casework
from voxloop.closedloop import selectors as closedloop_selectors
from voxloop.closedloop.models import Case, CaseStatus
from voxloop.crm import runtime
from voxloop.crm.connectors import connector as provider_of
from voxloop.crm.connectors.base import RemoteEvent, Session
from voxloop.crm.models import ActivityKind, CrmConnector, JobKind, JobStatus, WriteBack
from voxloop.errors import DomainError

SOLVED = ("ticket_solved", "ticket_resolved", "task_completed")
REOPENED = ("ticket_reopened", "task_reopened")
KINDS = SOLVED + REOPENED
OBJECTS = ("ticket", "task")
# Events that only follow a linked case and never become an interaction.
ONLY_FOLLOWED = (*REOPENED, "task_completed")
FINISHED = (CaseStatus.RESOLVED, CaseStatus.CLOSED)
SOLVED_STATE, OPEN_STATE = "solved", "open"
POLL_WINDOW = timedelta(days=90)  # cases opened longer ago are followed by webhook only
POLL_LIMIT = 200
TASK_SYSTEMS = ("hubspot", "salesforce")  # a case there is a task, not a ticket


def state_of(solved: bool) -> str:
    return SOLVED_STATE if solved else OPEN_STATE


def _linked_jobs(connector: CrmConnector, remote_id: str) -> list[WriteBack]:
    if not remote_id:
        return []
    return list(
        WriteBack.objects.filter(
            connector=connector,
            kind=JobKind.CASE_OPENED,
            status=JobStatus.DONE,
            remote_id=remote_id[:120],
        ).order_by("pk")
    )


def remember(jobs: Iterable[WriteBack], solved: bool) -> None:
    """Record the remote state now known on the "case opened" write-backs."""
    for job in jobs:
        if job.payload.get("remote_state") != state_of(solved):
            job.payload = {**job.payload, "remote_state": state_of(solved)}
            WriteBack.objects.filter(pk=job.pk).update(payload=job.payload)


def mark_sent(*, connector: CrmConnector, case_id: int, resolved: bool, remote_id: str) -> None:
    """The CRM already is where the case goes: keep its "resolved" or "reopened" write-back as
    done (nothing echoes back) and drop the opposite one (the next change is sent again)."""
    now = timezone.now()
    mine, other = ("resolved", "reopened") if resolved else ("reopened", "resolved")
    WriteBack.objects.filter(connector=connector, key=f"case:{case_id}:{other}").delete()
    WriteBack.objects.update_or_create(
        connector=connector,
        key=f"case:{case_id}:{mine}",
        defaults={
            "kind": JobKind.CASE_STATUS,
            "payload": {"case_id": case_id, "resolved": resolved, "from_crm": True},
            "status": JobStatus.DONE,
            "remote_id": remote_id[:120],
            "error": "",
            "next_attempt_at": now,
            "created_at": now,
            "done_at": now,
        },
    )


def _apply(connector: CrmConnector, case: Case, event: RemoteEvent, solved: bool) -> str:
    scope = runtime.scope_of(connector)
    what = "Task" if event.remote_object == "task" else "Ticket"
    verb = "solved" if solved else "reopened"
    now = timezone.now()
    with transaction.atomic():
        casework.add_note(
            actor=scope,
            case=case,
            text=f"{what} {event.remote_id} was {verb} in {connector.get_kind_display()}.",
            now=now,
        )
        if solved and case.root_cause_id is None:
            return f"case {case.pk} noted: it needs a root cause to resolve"
        mark_sent(connector=connector, case_id=case.pk, resolved=solved, remote_id=event.remote_id)
        status = CaseStatus.RESOLVED if solved else CaseStatus.IN_PROGRESS
        casework.change_status(actor=scope, case=case, status=status, now=now)
    return f"case {case.pk} {'resolved' if solved else 'reopened'}"


def follow(
    *, connector: CrmConnector, event: RemoteEvent, jobs: list[WriteBack] | None = None
) -> str:
    """What became of the cases linked to the event's ticket or task ("" when none is)."""
    solved = event.kind in SOLVED
    scope = runtime.scope_of(connector)
    jobs = _linked_jobs(connector, event.remote_id) if jobs is None else jobs
    outcomes = []
    for job in jobs:
        case_id = (job.payload.get("case") or {}).get("case_id")
        if not case_id:
            continue
        try:
            case = closedloop_selectors.case(scope, int(case_id))
        except DomainError:
            continue  # gone, or moved out of the connector's subtree
        if solved == (case.status in FINISHED):
            outcomes.append(f"case {case_id} already {case.status}")
            continue
        try:
            outcomes.append(_apply(connector, case, event, solved))
        except DomainError as error:
            outcomes.append(f"case {case_id} unchanged: {error}")
    remember(jobs, solved)
    if outcomes:
        runtime.log(
            connector,
            ActivityKind.WEBHOOK if not event.key.startswith("poll:") else ActivityKind.SYNC,
            f"{event.remote_object} {event.remote_id} {event.kind}: " + "; ".join(outcomes),
        )
    return "; ".join(outcomes)


def poll(*, connector: CrmConnector, session: Session, now: datetime) -> int:
    """Ask the CRM for the state of the tickets or tasks linked to recent cases and follow
    each that changed since it was last seen; the number of tickets or tasks that did."""
    jobs = list(
        WriteBack.objects.filter(
            connector=connector,
            kind=JobKind.CASE_OPENED,
            status=JobStatus.DONE,
            created_at__gte=now - POLL_WINDOW,
        )
        .exclude(remote_id="")
        .order_by("-created_at", "-pk")[:POLL_LIMIT]
    )
    if not jobs:
        return 0
    states = provider_of(connector.kind).ticket_states(
        session, sorted({job.remote_id for job in jobs})
    )
    changed = 0
    for remote_id, solved in sorted(states.items()):
        known = [job for job in jobs if job.remote_id == remote_id]
        remember([job for job in known if not job.payload.get("remote_state")], solved)
        moved = [job for job in known if job.payload["remote_state"] != state_of(solved)]
        if not moved:
            continue
        changed += 1
        task = connector.kind in TASK_SYSTEMS
        event = RemoteEvent(
            key=f"poll:{remote_id}:{state_of(solved)}",
            kind=("task_" if task else "ticket_")
            + (("completed" if task else "solved") if solved else "reopened"),
            remote_object="task" if task else "ticket",
            remote_id=remote_id,
        )
        follow(connector=connector, event=event, jobs=moved)
    return changed
