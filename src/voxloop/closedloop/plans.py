"""Action plans, the outer loop: writes (managers and admins in their subtree) and the measured
effect — the metric in the plan's unit scope before vs after its start date."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count

from voxloop.closedloop.effect import NpsChange, nps_change, nps_estimate
from voxloop.closedloop.models import ActionPlan, ActionPlanStatus, ActionTask, RootCause
from voxloop.errors import InvalidInput, NotFound
from voxloop.responses import selectors as response_selectors
from voxloop.surveys import selectors as survey_selectors
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.models import OrgUnit
from voxloop.tenancy.scoping import Capability, Scope
from voxloop.tenancy.services import record_audit

if TYPE_CHECKING:
    from django.contrib.auth.models import User as AuthUser

    from voxloop.analytics.metrics import Figure

User = get_user_model()
PLAN_FIELDS = ("title", "description", "theme", "status", "baseline", "target", "window_days")


def _member_of_org(actor: Scope, user_id: int | None, field: str) -> AuthUser | None:
    if user_id is None:
        return None
    if not tenancy_selectors.is_member(actor.organization_id, user_id):
        raise InvalidInput("No such person in this organisation.", field=field)
    return User.objects.get(pk=user_id)


def _clean(actor: Scope, fields: dict[str, Any]) -> dict[str, Any]:
    cleaned = {k: v for k, v in fields.items() if k in PLAN_FIELDS}
    if "title" in fields and not str(fields["title"] or "").strip():
        raise InvalidInput("A plan needs a title.", field="title")
    if "status" in fields and fields["status"] not in ActionPlanStatus.values:
        raise InvalidInput("Unknown status.", field="status")
    if "window_days" in fields and not (
        isinstance(fields["window_days"], int) and 7 <= fields["window_days"] <= 365
    ):
        raise InvalidInput("Between 7 and 365 days.", field="window_days")
    if "owner_id" in fields:
        cleaned["owner"] = _member_of_org(actor, fields["owner_id"], "owner_id")
    if "root_cause_id" in fields:
        cause = None
        if fields["root_cause_id"] is not None:
            cause = RootCause.objects.filter(
                pk=fields["root_cause_id"], organization_id=actor.organization_id
            ).first()
            if cause is None:
                raise NotFound("No such root cause.", field="root_cause_id")
        cleaned["root_cause"] = cause
    if "survey_id" in fields:
        cleaned["survey"] = (
            survey_selectors.survey(actor, fields["survey_id"]) if fields["survey_id"] else None
        )
    if "starts_on" in fields:
        if (
            not isinstance(fields["starts_on"], date)
            or not 1970 <= fields["starts_on"].year <= 2999
        ):
            raise InvalidInput("A start date (YYYY-MM-DD) from 1970 on.", field="starts_on")
        cleaned["starts_on"] = fields["starts_on"]
    return cleaned


@transaction.atomic
def create_plan(*, actor: Scope, unit: OrgUnit, **fields: Any) -> ActionPlan:
    actor.require(Capability.ACT)
    if not actor.covers(unit):
        raise NotFound("No such org unit.", field="unit")
    fields.setdefault("title", "")
    fields.setdefault("starts_on", None)
    cleaned = _clean(actor, fields)
    plan = ActionPlan(
        organization_id=actor.organization_id, unit=unit, unit_path=unit.path, **cleaned
    )
    if plan.baseline is None:
        # Baseline: the metric over the window before the start, as known when planning.
        plan.baseline = _estimate(actor, plan, *_before(plan)).value
    plan.save()
    record_audit(
        actor=actor, action="action_plan.create", target=plan, changes={"title": plan.title}
    )
    return plan


@transaction.atomic
def update_plan(*, actor: Scope, plan: ActionPlan, **fields: Any) -> ActionPlan:
    actor.require(Capability.ACT)
    cleaned = _clean(actor, fields)
    for name, value in cleaned.items():
        setattr(plan, name, value)
    plan.save()
    record_audit(
        actor=actor,
        action="action_plan.update",
        target=plan,
        changes={k: str(v)[:200] for k, v in cleaned.items()},
    )
    return plan


@transaction.atomic
def add_task(
    *,
    actor: Scope,
    plan: ActionPlan,
    title: str,
    owner_id: int | None = None,
    due_on: date | None = None,
) -> ActionTask:
    actor.require(Capability.ACT)
    if not title or not title.strip():
        raise InvalidInput("A task needs a title.", field="title")
    owner = _member_of_org(actor, owner_id, "owner_id")
    task = ActionTask.objects.create(
        plan=plan, title=title.strip()[:200], owner=owner, due_on=due_on
    )
    record_audit(actor=actor, action="action_plan.task", target=plan, changes={"task": task.title})
    return task


@transaction.atomic
def set_task_done(*, actor: Scope, task: ActionTask, done: bool) -> ActionTask:
    actor.require(Capability.ACT)
    task.done = bool(done)
    task.save(update_fields=["done"])
    record_audit(
        actor=actor,
        action="action_plan.task_done",
        target=task.plan,
        changes={"task": task.title, "done": done},
    )
    return task


# --- did it work? -------------------------------------------------------------------------


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _before(plan: ActionPlan) -> tuple[datetime, datetime]:
    start = _midnight(plan.starts_on)
    return start - timedelta(days=plan.window_days), start


def _after(plan: ActionPlan, today: date) -> tuple[datetime, datetime]:
    start = _midnight(plan.starts_on)
    return start, min(start + timedelta(days=plan.window_days), _midnight(today) + timedelta(1))


def _estimate(scope: Scope, plan: ActionPlan, since: datetime, until: datetime) -> Figure:
    responses = response_selectors.counted_responses(
        scope, unit=plan.unit, since=since, until=until
    ).filter(is_complete=True, nps_group__isnull=False)
    if plan.survey_id:
        responses = responses.filter(survey_id=plan.survey_id)
    counts = dict(
        responses.order_by()
        .values("nps_group")
        .annotate(n=Count("id"))
        .values_list("nps_group", "n")
    )
    return nps_estimate(
        counts.get("promoter", 0), counts.get("passive", 0), counts.get("detractor", 0)
    )


def plan_effect(*, scope: Scope, plan: ActionPlan, today: date | None = None) -> NpsChange:
    """NPS in the plan's scope over the window before its start vs the window after it."""
    today = today or datetime.now(UTC).date()
    before = _estimate(scope, plan, *_before(plan))
    if plan.starts_on > today:
        return nps_change(before, nps_estimate(0, 0, 0))
    return nps_change(before, _estimate(scope, plan, *_after(plan, today)))
