"""The closed loop over the API: alert rules, cases, playbooks, action plans, SLA figures.
Scoped like the pages: the same selectors and services, the caller's token or session."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status

from voxloop.api.context import actor
from voxloop.api.pages import listing, page
from voxloop.api.schemas import Id, ListQuery
from voxloop.closedloop import casework, plans, selectors, services, sla
from voxloop.closedloop.models import ActionPlan, AlertRule, Case, Playbook, RootCause
from voxloop.closedloop.schemas import (
    CaseCreate,
    CaseDetail,
    CaseFilters,
    CaseOut,
    CasePage,
    CaseUpdate,
    EmailIn,
    NoteIn,
    PlanIn,
    PlanOut,
    PlanPatch,
    PlaybookIn,
    PlaybookList,
    PlaybookOut,
    PlaybookPatch,
    RootCauseIn,
    RootCauseList,
    RootCauseOut,
    RootCausePatch,
    RuleIn,
    RuleList,
    RuleOut,
    RulePatch,
    SlaFilters,
    SlaOut,
    TaskIn,
    TaskOut,
    TaskPatch,
)
from voxloop.errors import NotFound
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.models import OrgUnit
from voxloop.tenancy.scoping import Scope

router = Router(tags=["closed loop"])


def _unit(scope: Scope, code: str | None, field: str = "unit_code") -> OrgUnit:
    if code and "\x00" in code:
        raise NotFound("Codes never contain a NUL character.", field=field)
    return tenancy_selectors.unit_named_by(scope, code, field)


def _rule_out(rule: AlertRule) -> dict:
    fields = {name: getattr(rule, name) for name in RuleOut.model_fields if hasattr(rule, name)}
    return fields | {
        "unit_code": rule.unit.code,
        "survey_ids": sorted(s.pk for s in rule.surveys.all()),
        # A webhook's secret is write-only: reading a rule never reveals it.
        "webhooks": [{k: v for k, v in h.items() if k != "secret"} for h in rule.webhooks],
    }


@router.get("/alert-rules", response=list[RuleOut], url_name="alert_rules")
def list_rules(request: HttpRequest, query: Query[RuleList]) -> list[dict]:
    return listing(request, selectors.visible_rules(actor(request)), query, _rule_out)


@router.post("/alert-rules", response={201: RuleOut}, url_name="alert_rule_create")
def create_rule(request: HttpRequest, payload: RuleIn) -> Status:
    scope = actor(request)
    fields = payload.dict()
    unit = _unit(scope, fields.pop("unit_code"))
    rule = services.create_rule(
        actor=scope, unit=unit, survey_ids=fields.pop("survey_ids"), **fields
    )
    return Status(201, _rule_out(selectors.rule(scope, rule.pk)))


@router.get("/alert-rules/{int:rule_id}", response=RuleOut, url_name="alert_rule")
def get_rule(request: HttpRequest, rule_id: Id) -> dict:
    return _rule_out(selectors.rule(actor(request), rule_id))


@router.patch("/alert-rules/{int:rule_id}", response=RuleOut, url_name="alert_rule_update")
def update_rule(request: HttpRequest, rule_id: Id, payload: RulePatch) -> dict:
    scope = actor(request)
    rule = selectors.rule(scope, rule_id)
    fields = payload.dict(exclude_unset=True)
    if "unit_code" in fields:
        fields["unit"] = _unit(scope, fields.pop("unit_code"))
    services.update_rule(
        actor=scope, rule=rule, survey_ids=fields.pop("survey_ids", None), **fields
    )
    return _rule_out(selectors.rule(scope, rule_id))


@router.delete("/alert-rules/{int:rule_id}", response={204: None}, url_name="alert_rule_delete")
def delete_rule(request: HttpRequest, rule_id: Id) -> Status:
    scope = actor(request)
    services.delete_rule(actor=scope, rule=selectors.rule(scope, rule_id))
    return Status(204, None)


# --- cases ------------------------------------------------------------------------------


def _case_out(case: Case, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    fields = {name: getattr(case, name) for name in CaseOut.model_fields if hasattr(case, name)}
    return fields | {
        "unit_code": case.unit.code,
        "assignee": case.assignee.get_username() if case.assignee is not None else None,
        "overdue": case.is_open and case.due_at < now,
    }


def _case_detail(case: Case) -> dict:
    events = [
        {"kind": e.kind, "actor": e.actor_label, "text": e.text, "data": e.data, "at": e.at}
        for e in selectors.timeline(case)
    ]
    return _case_out(case) | {"events": events}


@router.get("/cases", response=CasePage, url_name="cases")
def list_cases(request: HttpRequest, filters: Query[CaseFilters]) -> dict:
    scope = actor(request)
    unit_id = _unit(scope, filters.unit, "unit").pk if filters.unit else None
    cases = selectors.visible_cases(
        scope,
        box=filters.box,
        status=filters.status or "",
        priority=filters.priority or "",
        unit_id=unit_id,
        assignee_id=filters.assignee_id,
    )
    return page(cases, filters, _case_out, request)


@router.post("/cases", response={201: CaseDetail}, url_name="case_create")
def create_case(request: HttpRequest, payload: CaseCreate) -> Status:
    scope = actor(request)
    case = casework.open_case(actor=scope, **payload.dict())
    return Status(201, _case_detail(selectors.case(scope, case.pk)))


@router.get("/cases/sla", response=SlaOut, url_name="case_sla")
def case_sla(request: HttpRequest, filters: Query[SlaFilters]) -> dict:
    return sla.sla_statistics(actor(request), since=filters.since, until=filters.until)


@router.get("/cases/{int:case_id}", response=CaseDetail, url_name="case")
def get_case(request: HttpRequest, case_id: Id) -> dict:
    return _case_detail(selectors.case(actor(request), case_id))


@router.patch("/cases/{int:case_id}", response=CaseDetail, url_name="case_update")
def update_case(request: HttpRequest, case_id: Id, payload: CaseUpdate) -> dict:
    scope = actor(request)
    case = selectors.case(scope, case_id)
    changes = payload.dict(exclude_unset=True)
    if "assignee_id" in changes:
        casework.assign(actor=scope, case=case, user_id=changes["assignee_id"] or None)
    if "root_cause_id" in changes:
        casework.set_root_cause(actor=scope, case=case, root_cause_id=changes["root_cause_id"])
    if "action_plan_id" in changes:
        plan_id = changes["action_plan_id"]
        plan = selectors.plan(scope, plan_id) if plan_id else None
        casework.link_plan(actor=scope, case=case, plan=plan)
    if changes.get("status"):
        casework.change_status(actor=scope, case=case, status=changes["status"])
    return _case_detail(selectors.case(scope, case_id))


@router.post("/cases/{int:case_id}/notes", response={201: CaseDetail}, url_name="case_note")
def add_note(request: HttpRequest, case_id: Id, payload: NoteIn) -> Status:
    scope = actor(request)
    case = selectors.case(scope, case_id)
    casework.add_note(actor=scope, case=case, text=payload.text)
    return Status(201, _case_detail(case))


@router.post("/cases/{int:case_id}/emails", response={202: CaseDetail}, url_name="case_email")
def email_customer(request: HttpRequest, case_id: Id, payload: EmailIn) -> Status:
    """Queue a follow-up email to the customer from a playbook; sent by a worker."""
    scope = actor(request)
    case = selectors.case(scope, case_id)
    casework.email_customer(
        actor=scope, case=case, playbook_id=payload.playbook_id, extra=payload.extra
    )
    return Status(202, _case_detail(case))


# --- playbooks ---------------------------------------------------------------------------


def _playbook_out(p: Playbook) -> dict:
    keys = ("id", "name", "kind", "language", "subject", "body", "unit_id")
    return {k: getattr(p, k) for k in keys}


@router.get("/playbooks", response=list[PlaybookOut], url_name="playbooks")
def list_playbooks(request: HttpRequest, query: Query[PlaybookList]) -> list[dict]:
    return listing(request, selectors.visible_playbooks(actor(request)), query, _playbook_out)


@router.post("/playbooks", response={201: PlaybookOut}, url_name="playbook_create")
def create_playbook(request: HttpRequest, payload: PlaybookIn) -> Status:
    scope = actor(request)
    fields = payload.dict()
    unit = _unit(scope, fields.pop("unit_code"))
    return Status(201, _playbook_out(services.create_playbook(actor=scope, unit=unit, **fields)))


@router.get("/playbooks/{int:playbook_id}", response=PlaybookOut, url_name="playbook")
def get_playbook(request: HttpRequest, playbook_id: Id) -> dict:
    return _playbook_out(selectors.playbook(actor(request), playbook_id))


@router.patch("/playbooks/{int:playbook_id}", response=PlaybookOut, url_name="playbook_update")
def update_playbook(request: HttpRequest, playbook_id: Id, payload: PlaybookPatch) -> dict:
    """Change a playbook of your subtree (a company template is its top admins')."""
    scope = actor(request)
    playbook = selectors.playbook(scope, playbook_id)
    changes = payload.dict(exclude_unset=True)
    return _playbook_out(services.update_playbook(actor=scope, playbook=playbook, **changes))


@router.delete("/playbooks/{int:playbook_id}", response={204: None}, url_name="playbook_delete")
def delete_playbook(request: HttpRequest, playbook_id: Id) -> Status:
    """Delete a playbook no alert rule sends (else 409)."""
    scope = actor(request)
    services.delete_playbook(actor=scope, playbook=selectors.playbook(scope, playbook_id))
    return Status(204, None)


# --- root causes ----------------------------------------------------------------------------


def _cause_out(cause: RootCause) -> dict:
    return {
        "id": cause.pk,
        "name": cause.name,
        "parent_id": cause.parent_id,
        "path": str(cause),
    }


@router.get("/root-causes", response=list[RootCauseOut], url_name="root_causes")
def list_root_causes(request: HttpRequest, query: Query[RootCauseList]) -> list[dict]:
    """The organisation's root-cause taxonomy (shared by its units)."""
    scope = actor(request)
    selectors.root_cause_reader(scope)
    return listing(request, selectors.root_causes(scope), query, _cause_out)


@router.post("/root-causes", response={201: RootCauseOut}, url_name="root_cause_create")
def create_root_cause(request: HttpRequest, payload: RootCauseIn) -> Status:
    scope = actor(request)
    parent = None
    if payload.parent_id is not None:
        try:
            parent = selectors.root_cause(scope, payload.parent_id)
        except NotFound:
            raise NotFound("No such root cause.", field="parent_id") from None
    cause = services.create_root_cause(actor=scope, name=payload.name, parent=parent)
    return Status(201, _cause_out(cause))


@router.get("/root-causes/{int:cause_id}", response=RootCauseOut, url_name="root_cause")
def get_root_cause(request: HttpRequest, cause_id: Id) -> dict:
    return _cause_out(selectors.root_cause(actor(request), cause_id))


@router.patch("/root-causes/{int:cause_id}", response=RootCauseOut, url_name="root_cause_update")
def update_root_cause(request: HttpRequest, cause_id: Id, payload: RootCausePatch) -> dict:
    """Rename a cause; the cases that name it keep it."""
    scope = actor(request)
    cause = selectors.root_cause(scope, cause_id)
    return _cause_out(services.update_root_cause(actor=scope, cause=cause, name=payload.name))


@router.delete("/root-causes/{int:cause_id}", response={204: None}, url_name="root_cause_delete")
def delete_root_cause(request: HttpRequest, cause_id: Id) -> Status:
    """Delete a cause (with the causes under it) that no case or plan names (else 409)."""
    scope = actor(request)
    services.delete_root_cause(actor=scope, cause=selectors.root_cause(scope, cause_id))
    return Status(204, None)


# --- action plans -------------------------------------------------------------------------


def _plan_out(scope: Scope, plan: ActionPlan, with_effect: bool = False) -> dict:
    names = ("id", "title", "unit_id", "status", "owner_id", "root_cause_id", "theme")
    out = {k: getattr(plan, k) for k in names}
    out |= {k: getattr(plan, k) for k in ("metric", "baseline", "target", "starts_on")}
    out |= {
        "window_days": plan.window_days,
        "tasks": [
            {
                "id": t.pk,
                "title": t.title,
                "owner_id": t.owner_id,
                "due_on": t.due_on,
                "done": t.done,
            }
            for t in plan.tasks.all()
        ],
        "case_ids": [c.pk for c in selectors.plan_cases(scope, plan)],
    }
    if with_effect:
        effect = plans.plan_effect(scope=scope, plan=plan)
        out["effect"] = {
            "before": _estimate(effect.before),
            "after": _estimate(effect.after),
            "delta": effect.delta,
            "z": effect.z,
            "p_value": effect.p_value,
            "significant": effect.significant,
        }
    return out


def _estimate(e: Any) -> dict:
    return {"n": e.n, "nps": e.value, "low": e.low, "high": e.high, "low_sample": e.low_sample}


@router.get("/action-plans", response=list[PlanOut], url_name="action_plans")
def list_plans(request: HttpRequest, query: Query[ListQuery]) -> list[dict]:
    scope = actor(request)
    return listing(request, selectors.visible_plans(scope), query, lambda p: _plan_out(scope, p))


@router.post("/action-plans", response={201: PlanOut}, url_name="action_plan_create")
def create_plan(request: HttpRequest, payload: PlanIn) -> Status:
    scope = actor(request)
    fields = payload.dict()
    unit = _unit(scope, fields.pop("unit_code"))
    plan = plans.create_plan(actor=scope, unit=unit, **fields)
    return Status(201, _plan_out(scope, selectors.plan(scope, plan.pk), with_effect=True))


@router.get("/action-plans/{int:plan_id}", response=PlanOut, url_name="action_plan")
def get_plan(request: HttpRequest, plan_id: Id) -> dict:
    scope = actor(request)
    return _plan_out(scope, selectors.plan(scope, plan_id), with_effect=True)


@router.patch("/action-plans/{int:plan_id}", response=PlanOut, url_name="action_plan_update")
def update_plan(request: HttpRequest, plan_id: Id, payload: PlanPatch) -> dict:
    scope = actor(request)
    plan = selectors.plan(scope, plan_id)
    plans.update_plan(actor=scope, plan=plan, **payload.dict(exclude_unset=True))
    return _plan_out(scope, selectors.plan(scope, plan_id), with_effect=True)


@router.post(
    "/action-plans/{int:plan_id}/tasks", response={201: TaskOut}, url_name="action_plan_task"
)
def add_task(request: HttpRequest, plan_id: Id, payload: TaskIn) -> Status:
    scope = actor(request)
    task = plans.add_task(actor=scope, plan=selectors.plan(scope, plan_id), **payload.dict())
    return Status(201, {
        "id": task.pk, "title": task.title, "owner_id": task.owner_id, "due_on": task.due_on,
        "done": task.done,
    })  # fmt: skip


@router.patch(
    "/action-plans/{int:plan_id}/tasks/{int:task_id}",
    response=TaskOut,
    url_name="action_plan_task_update",
)
def update_task(request: HttpRequest, plan_id: Id, task_id: Id, payload: TaskPatch) -> dict:
    """Mark a task of the plan done (or not done again)."""
    scope = actor(request)
    task = selectors.plan(scope, plan_id).tasks.filter(pk=task_id).first()
    if task is None:
        raise NotFound("No such task in this plan.")
    task = plans.set_task_done(actor=scope, task=task, done=payload.done)
    return {
        "id": task.pk, "title": task.title, "owner_id": task.owner_id, "due_on": task.due_on,
        "done": task.done,
    }  # fmt: skip
