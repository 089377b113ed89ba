"""Pages of the outer loop and the figures: action plans, SLA statistics, praise, and opening
a case by hand from a response."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from voxloop import params
from voxloop.closedloop import casework, plans, selectors, sla
from voxloop.closedloop.forms import PeriodForm, PlanForm, TaskForm
from voxloop.closedloop.models import ActionPlanStatus, ActionTask
from voxloop.errors import DomainError, NotFound
from voxloop.tenancy.scoping import Capability, ScopedRequest
from voxloop.web.access import member_required, records_required
from voxloop.web.forms import domain_errors_on, resolve_unit
from voxloop.web.views.common import unit_code_suggestions


def _user_id(form: forms.Form, field: str) -> int | None:
    name = (form.cleaned_data.get(field) or "").strip()
    if not name:
        return None
    user = get_user_model().objects.filter(username=name).first()
    if user is None:
        form.add_error(field, _("No such user."))
        return None
    return user.pk


@member_required
def plan_list(request: ScopedRequest) -> HttpResponse:
    scope = request.scope
    causes = list(selectors.root_causes(scope))
    form = PlanForm(request.POST or None, causes=causes, initial={"status": "planned"})
    if request.method == "POST":
        if not scope.can(Capability.ACT):
            raise PermissionDenied
        if form.is_valid():
            unit = resolve_unit(form, scope, "unit_code")
            owner_id = _user_id(form, "owner")
            if unit is not None and not form.errors:
                data = form.cleaned_data
                fields = {k: data[k] for k in ("title", "description", "theme", "status",
                                                "starts_on", "window_days", "target")}  # fmt: skip
                fields["owner_id"] = owner_id
                fields["root_cause_id"] = int(data["root_cause"]) if data["root_cause"] else None
                with domain_errors_on(form):
                    plan = plans.create_plan(actor=scope, unit=unit, **fields)
                    return redirect("closedloop:plan", plan_id=plan.pk)
    context = {
        "plans": selectors.visible_plans(scope),
        "form": form if scope.can(Capability.ACT) else None,
        "unit_codes": unit_code_suggestions(scope),
    }
    return render(request, "closedloop/plans.html", context, status=400 if form.errors else 200)


@member_required
def plan_detail(request: ScopedRequest, plan_id: int) -> HttpResponse:
    scope = request.scope
    plan = selectors.plan(scope, plan_id)
    form = TaskForm(request.POST or None)
    if request.method == "POST":
        if not scope.can(Capability.ACT):
            raise PermissionDenied
        if form.is_valid():
            owner_id = _user_id(form, "owner")
            if not form.errors:
                with domain_errors_on(form):
                    plans.add_task(
                        actor=scope, plan=plan, title=form.cleaned_data["title"], owner_id=owner_id,
                        due_on=form.cleaned_data["due_on"],
                    )  # fmt: skip
                    return redirect("closedloop:plan", plan_id=plan.pk)
    context = {
        "plan": plan,
        "effect": plans.plan_effect(scope=scope, plan=plan),
        "cases": selectors.plan_cases(scope, plan),
        "task_form": form if scope.can(Capability.ACT) else None,
        "statuses": ActionPlanStatus.choices,
    }
    return render(request, "closedloop/plan.html", context, status=400 if form.errors else 200)


@require_POST
@member_required
def plan_status(request: ScopedRequest, plan_id: int) -> HttpResponse:
    plan = selectors.plan(request.scope, plan_id)
    try:
        plans.update_plan(actor=request.scope, plan=plan, status=request.POST.get("status", ""))
    except DomainError as error:
        if error.status == 403:
            raise PermissionDenied(error.message) from None
        messages.error(request, error.message)
    return redirect("closedloop:plan", plan_id=plan.pk)


@require_POST
@member_required
def task_done(request: ScopedRequest, plan_id: int, task_id: int) -> HttpResponse:
    plan = selectors.plan(request.scope, plan_id)
    task = ActionTask.objects.filter(plan=plan, pk=task_id).first()
    if task is None:
        raise NotFound(_("No such task."))
    plans.set_task_done(actor=request.scope, task=task, done=request.POST.get("done") == "1")
    return redirect("closedloop:plan", plan_id=plan.pk)


def _day(value: date | None, end: bool = False) -> datetime | None:
    """Midnight UTC of a picked day; for the end of a period, of the day after it."""
    if value is None:
        return None
    return datetime.combine(value, time.min, tzinfo=UTC) + timedelta(days=1 if end else 0)


@member_required
def sla_page(request: ScopedRequest) -> HttpResponse:
    if not selectors.can_read_cases(request.scope):
        raise PermissionDenied
    form = PeriodForm(request.GET or None)
    since = until = None
    if form.is_valid():
        since = _day(form.cleaned_data["since"])
        until = _day(form.cleaned_data["until"], end=True)
    figures = sla.sla_statistics(request.scope, since=since, until=until)
    return render(request, "closedloop/sla.html", {"form": form, "figures": figures})


@records_required
def praise_page(request: ScopedRequest) -> HttpResponse:
    praise = selectors.visible_praise(request.scope)[:100]
    return render(request, "closedloop/praise.html", {"praise": praise})


@require_POST
@member_required
def open_from_response(request: ScopedRequest) -> HttpResponse:
    response_id = params.id_or_none(request.POST.get("response_id", ""))
    if response_id is None:
        raise DomainError(_("Which response?"), field="response_id")
    try:
        title = request.POST.get("title", "")
        case = casework.open_case(actor=request.scope, response_id=response_id, title=title)
    except DomainError as error:
        if error.status == 403:
            raise PermissionDenied(error.message) from None
        if error.status == 404:
            raise
        messages.error(request, error.message)
        return redirect("closedloop:inbox")
    return redirect("closedloop:case", case_id=case.pk)
