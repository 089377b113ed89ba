"""Services for working a case (the writes; split from services.py to stay readable).

Who may act: a manager or admin on any case in their subtree; an agent on cases assigned to
them. Assigning and bulk actions are for managers and admins. Each step is a timeline event
and an audit entry, in one transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from voxloop.closedloop import messages, notifications, resolution_times
from voxloop.closedloop.models import (
    ActionPlan,
    Case,
    CaseEvent,
    CaseStatus,
    Notification,
    Playbook,
    Priority,
    RootCause,
)
from voxloop.closedloop.signals import announce
from voxloop.errors import Conflict, Forbidden, InvalidInput, NotFound
from voxloop.responses import selectors as response_selectors
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.models import OrgUnit, Role
from voxloop.tenancy.scoping import Capability, Scope
from voxloop.tenancy.services import record_audit

User = get_user_model()
MAX_NOTE = 10_000
TRANSITIONS: dict[str, tuple[str, ...]] = {
    CaseStatus.NEW: (CaseStatus.IN_PROGRESS, CaseStatus.WAITING, CaseStatus.RESOLVED,
                     CaseStatus.CLOSED),
    CaseStatus.IN_PROGRESS: (CaseStatus.WAITING, CaseStatus.RESOLVED, CaseStatus.CLOSED),
    CaseStatus.WAITING: (CaseStatus.IN_PROGRESS, CaseStatus.RESOLVED, CaseStatus.CLOSED),
    # Reopening: back to work, the SLA clock keeps its original due time.
    CaseStatus.RESOLVED: (CaseStatus.CLOSED, CaseStatus.IN_PROGRESS),
    CaseStatus.CLOSED: (CaseStatus.IN_PROGRESS,),
}  # fmt: skip
FINISHED = (CaseStatus.RESOLVED, CaseStatus.CLOSED)


def require_actable(*, actor: Scope, case: Case) -> None:
    """Managers and admins act on their subtree's cases, agents on their own."""
    if not actor.covers_path(case.unit_path) or actor.organization_id != case.organization_id:
        raise NotFound("No such case.")
    if actor.can(Capability.ACT):
        return
    if actor.can(Capability.OWN_CASES) and case.assignee_id == actor.user_id:
        return
    raise Forbidden("Only the case's assignee or a manager may change it.")


def _event(
    actor: Scope | None, case: Case, kind: str, now: datetime, text: str = "", **data: Any
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        actor_id=actor.user_id if actor else None,
        actor_label=actor.actor_label if actor else "system",
        text=text,
        data=data,
        at=now,
    )


def _touched(case: Case, now: datetime) -> None:
    """The first thing a person does to a case stops the "time to first action" clock."""
    if case.first_action_at is None:
        case.first_action_at = now


@transaction.atomic
def open_case(
    *,
    actor: Scope,
    response_id: int,
    title: str = "",
    priority: str = Priority.NORMAL,
    sla_hours: int = 48,
    now: datetime | None = None,
) -> Case:
    """A case opened by hand from any response the actor can read."""
    actor.require(Capability.ACT)
    now = now or timezone.now()
    response = response_selectors.response(actor, response_id)
    if response.survey.is_anonymous:
        raise InvalidInput("Anonymous answers cannot become cases.", field="response_id")
    if priority not in Priority.values:
        raise InvalidInput("Unknown priority.", field="priority")
    if isinstance(sla_hours, bool) or not isinstance(sla_hours, int) or not 1 <= sla_hours <= 8760:
        raise InvalidInput("Hours between 1 and 8760.", field="sla_hours")
    unit = response.unit or _scope_unit(actor)
    case = Case(
        organization_id=actor.organization_id,
        unit=unit,
        unit_path=unit.path,
        response=response,
        contact=response.contact,
        staff=response.staff,
        title=(title or "").strip()[:200] or messages.scores_line(response) or "Follow-up",
        priority=priority,
        assignee_id=actor.user_id,
        assigned_at=now if actor.user_id else None,
        created_at=now,
        first_action_at=now,
        due_at=now + timedelta(hours=sla_hours),
        second_escalation_at=now + timedelta(hours=sla_hours + 24),
    )
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError:
        raise Conflict("This response already has a case opened by hand.", "response_id") from None
    _event(actor, case, CaseEvent.Kind.OPENED, now, case.title)
    record_audit(actor=actor, action="case.open", target=case)
    announce(case, "opened")
    return case


@transaction.atomic
def open_call_to_action(
    *,
    actor: Scope,
    unit: OrgUnit,
    title: str,
    assignee_id: int | None,
    note: str = "",
    playbook_id: int | None = None,
    sla_hours: int = 48,
    priority: str = Priority.HIGH,
    now: datetime | None = None,
) -> Case:
    """A case about a customer as a whole rather than one answer (a B2B account's health
    falling across a band): assigned to its owner, due in `sla_hours`, with the follow-up
    playbook to use named in the timeline. The caller keeps it to one per event."""
    actor.require(Capability.ACT)
    if not actor.covers(unit):
        raise NotFound("No such unit.", field="unit")
    if isinstance(sla_hours, bool) or not isinstance(sla_hours, int) or not 1 <= sla_hours <= 8760:
        raise InvalidInput("Hours between 1 and 8760.", field="sla_hours")
    now = now or timezone.now()
    playbook = (
        Playbook.objects.filter(organization_id=actor.organization_id, pk=playbook_id).first()
        if playbook_id
        else None
    )
    case = Case.objects.create(
        organization_id=actor.organization_id,
        unit=unit,
        unit_path=unit.path,
        title=title.strip()[:200] or "Call to action",
        priority=priority if priority in Priority.values else Priority.HIGH,
        assignee_id=assignee_id,
        assigned_at=now if assignee_id else None,
        created_at=now,
        due_at=now + timedelta(hours=sla_hours),
        second_escalation_at=now + timedelta(hours=sla_hours + 24),
    )
    _event(actor, case, CaseEvent.Kind.OPENED, now, case.title)
    if note or playbook is not None:
        text = note + (f"\nPlaybook: {playbook.name}" if playbook is not None else "")
        _event(actor, case, CaseEvent.Kind.NOTE, now, text.strip())
    record_audit(actor=actor, action="case.open", target=case)
    announce(case, "opened")
    return case


def _scope_unit(actor: Scope) -> OrgUnit:
    from voxloop.tenancy.selectors import scope_root

    return scope_root(actor)


@transaction.atomic
def change_status(*, actor: Scope, case: Case, status: str, now: datetime | None = None) -> Case:
    require_actable(actor=actor, case=case)
    now = now or timezone.now()
    if status not in CaseStatus.values:
        raise InvalidInput("Unknown status.", field="status")
    if status == case.status:
        return case
    if status not in TRANSITIONS[case.status]:
        raise Conflict(
            f"A {case.get_status_display().lower()} case cannot become "
            f"{CaseStatus(status).label.lower()}.",
            field="status",
        )
    if status in FINISHED and case.root_cause_id is None:
        # Every finished case says why it happened: the outer loop counts root causes.
        raise InvalidInput("Pick a root cause before resolving or closing.", field="root_cause_id")
    before = case.status
    resolved_before = case.resolved_at
    reopened = before in FINISHED
    case.status = status
    _touched(case, now)
    if status == CaseStatus.RESOLVED:
        case.resolved_at = now
    elif status == CaseStatus.CLOSED:
        case.closed_at = now
        case.resolved_at = case.resolved_at or now
    elif reopened:
        case.resolved_at = case.closed_at = None
    case.save()
    resolution_times.resolved_changed(case, before=resolved_before)
    _event(actor, case, CaseEvent.Kind.STATUS, now, **{"from": before, "to": status})
    record_audit(actor=actor, action="case.reopen" if reopened else "case.status", target=case,
                 changes={"from": before, "to": status})  # fmt: skip
    done = (CaseStatus.RESOLVED, CaseStatus.CLOSED)
    if status in done and before not in done:
        announce(case, "resolved")
    elif reopened and status not in done:
        announce(case, "reopened")
    return case


def assignable_users(*, actor: Scope, case: Case) -> list:
    """Managers and agents whose membership sees the case's unit (so they can work it)."""
    members = tenancy_selectors.members_with_roles(
        (Role.MANAGER, Role.AGENT, Role.ADMIN), organization_id=case.organization_id
    )
    return sorted(
        {m.user for m in members if case.unit_path.startswith(m.unit.path) and m.user.is_active},
        key=lambda u: u.get_username(),
    )


@transaction.atomic
def assign(*, actor: Scope, case: Case, user_id: int | None, now: datetime | None = None) -> Case:
    actor.require(Capability.ACT)
    require_actable(actor=actor, case=case)
    now = now or timezone.now()
    user = None
    if user_id is not None:
        user = next((u for u in assignable_users(actor=actor, case=case) if u.pk == user_id), None)
        if user is None:
            raise InvalidInput("That person cannot see this case's unit.", field="assignee_id")
    case.assignee, case.assigned_at = user, (now if user else None)
    _touched(case, now)
    case.save()
    label = user.get_username() if user else ""
    _event(actor, case, CaseEvent.Kind.ASSIGNED, now, label)
    record_audit(actor=actor, action="case.assign", target=case, changes={"assignee": label})
    if user is not None:
        announce(case, "assigned")
    return case


@transaction.atomic
def add_note(*, actor: Scope, case: Case, text: str, now: datetime | None = None) -> CaseEvent:
    require_actable(actor=actor, case=case)
    now = now or timezone.now()
    text = (text or "").strip()
    if not text:
        raise InvalidInput("A note needs some text.", field="text")
    if len(text) > MAX_NOTE:
        raise InvalidInput(f"A note is at most {MAX_NOTE} characters.", field="text")
    _touched(case, now)
    case.save(update_fields=["first_action_at"])
    record_audit(actor=actor, action="case.note", target=case)
    return _event(actor, case, CaseEvent.Kind.NOTE, now, text)


@transaction.atomic
def set_root_cause(
    *, actor: Scope, case: Case, root_cause_id: int | None, now: datetime | None = None
) -> Case:
    require_actable(actor=actor, case=case)
    now = now or timezone.now()
    cause = None
    if root_cause_id is not None:
        cause = RootCause.objects.filter(
            pk=root_cause_id, organization_id=case.organization_id
        ).first()
        if cause is None:
            raise NotFound("No such root cause.", field="root_cause_id")
    case.root_cause = cause
    _touched(case, now)
    case.save()
    _event(actor, case, CaseEvent.Kind.ROOT_CAUSE, now, str(cause) if cause else "")
    record_audit(
        actor=actor, action="case.root_cause", target=case, changes={"root_cause": str(cause or "")}
    )
    return case


@transaction.atomic
def link_plan(
    *, actor: Scope, case: Case, plan: ActionPlan | None, now: datetime | None = None
) -> Case:
    require_actable(actor=actor, case=case)
    now = now or timezone.now()
    if plan is not None and (
        plan.organization_id != case.organization_id or not actor.covers_path(plan.unit_path)
    ):
        raise NotFound("No such action plan.", field="action_plan_id")
    case.action_plan = plan
    case.save(update_fields=["action_plan"])
    _event(actor, case, CaseEvent.Kind.LINKED, now, str(plan) if plan else "")
    record_audit(
        actor=actor, action="case.link_plan", target=case, changes={"plan": str(plan or "")}
    )
    return case


@transaction.atomic
def email_customer(
    *, actor: Scope, case: Case, playbook_id: int, extra: str = "", now: datetime | None = None
) -> Notification:
    """A follow-up (or closing) email to the customer from a playbook, with merge fields."""
    require_actable(actor=actor, case=case)
    now = now or timezone.now()
    playbook = actor.filter(Playbook.objects.filter(pk=playbook_id), "unit_path").first()
    if playbook is None:
        # A playbook of a unit above the actor's also serves them (the company's templates).
        playbook = Playbook.objects.filter(
            pk=playbook_id, organization_id=case.organization_id
        ).first()
        if playbook is None or not case.unit_path.startswith(playbook.unit_path):
            raise NotFound("No such playbook.", field="playbook_id")
    contact = case.contact
    if contact is None or not contact.email:
        raise InvalidInput("This customer has no email address.", field="playbook_id")
    agent = User.objects.filter(pk=actor.user_id).first() if actor.user_id is not None else None
    values = messages.merge_values(case=case, agent=agent)
    body = messages.merge(playbook.body, values)
    if extra and extra.strip():
        body = f"{body}\n\n{extra.strip()[:MAX_NOTE]}"
    event = _event(actor, case, CaseEvent.Kind.EMAIL, now, body, playbook=playbook.name)
    row, _ = notifications.queue(
        organization_id=case.organization_id,
        about=f"case:{case.pk}",
        key=f"email:{event.pk}",
        channel=Notification.Channel.EMAIL,
        recipient=contact.email,
        subject=messages.merge(playbook.subject, values),
        body=body,
        case=case,
        now=now,
    )
    _touched(case, now)
    case.save(update_fields=["first_action_at"])
    record_audit(actor=actor, action="case.email", target=case, changes={"playbook": playbook.name})
    transaction.on_commit(lambda: _send_soon(row.pk))
    return row


def _send_soon(notification_id: int) -> None:
    from voxloop.closedloop.tasks import deliver_notification

    deliver_notification.enqueue(notification_id)


def _cases_for_bulk(actor: Scope, case_ids: list[int]) -> list[Case]:
    actor.require(Capability.ACT)
    if not case_ids:
        raise InvalidInput("Pick at least one case.", field="case_ids")
    cases = list(
        actor.filter(Case.objects.filter(pk__in=case_ids), "unit_path").select_related("unit")
    )
    if len(cases) != len(set(case_ids)):
        raise NotFound("No such case.", field="case_ids")
    return cases


@transaction.atomic
def bulk_assign(*, actor: Scope, case_ids: list[int], user_id: int | None) -> int:
    cases = _cases_for_bulk(actor, case_ids)
    for case in cases:
        assign(actor=actor, case=case, user_id=user_id)
    return len(cases)


@transaction.atomic
def resolve(
    *,
    actor: Scope,
    case: Case,
    root_cause_id: int | None,
    note: str,
    playbook_id: int | None = None,
    extra: str = "",
    close: bool = False,
    now: datetime | None = None,
) -> Case:
    """Finish a case in one step: why it happened, what was done, and (optionally) a message
    to the customer from a playbook. All or nothing: a failed email leaves the case open."""
    require_actable(actor=actor, case=case)
    now = now or timezone.now()
    if root_cause_id is None:
        raise InvalidInput("Pick a root cause.", field="root_cause_id")
    target = CaseStatus.CLOSED if close else CaseStatus.RESOLVED
    if case.status == target or target not in TRANSITIONS[case.status]:
        raise Conflict(f"This case is already {case.get_status_display().lower()}.", "status")
    if case.root_cause_id != root_cause_id:
        set_root_cause(actor=actor, case=case, root_cause_id=root_cause_id, now=now)
    add_note(actor=actor, case=case, text=note, now=now)
    if playbook_id is not None:
        email_customer(actor=actor, case=case, playbook_id=playbook_id, extra=extra, now=now)
    return change_status(actor=actor, case=case, status=target, now=now)


@transaction.atomic
def bulk_reopen(*, actor: Scope, case_ids: list[int]) -> int:
    """Undo a bulk close: the finished ones go back to work (their root cause stays)."""
    cases = _cases_for_bulk(actor, case_ids)
    reopened = [c for c in cases if c.status in FINISHED]
    for case in reopened:
        change_status(actor=actor, case=case, status=CaseStatus.IN_PROGRESS)
    return len(reopened)


@transaction.atomic
def bulk_resolve(*, actor: Scope, case_ids: list[int], root_cause_id: int | None, note: str) -> int:
    """Close many cases for one reason: each gets the root cause and the note first."""
    cases = _cases_for_bulk(actor, case_ids)
    for case in cases:
        if case.status == CaseStatus.CLOSED:
            continue
        resolve(actor=actor, case=case, root_cause_id=root_cause_id, note=note, close=True)
    return len(cases)
