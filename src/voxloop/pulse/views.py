"""The pulse pages: the programmes one sees, a unit's results over the waves (chart, eNPS,
drivers, comments), the admins' programme and question-bank forms and "send the next wave
now", and the managers' frontline reports. Thin: selectors read, services write."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from voxloop.errors import NotFound
from voxloop.pulse import results as pulse_results
from voxloop.pulse import selectors, services
from voxloop.pulse import themes as theme_reading
from voxloop.pulse.forms import EditProgrammeForm, PlanForm, ProgrammeForm, QuestionForm
from voxloop.pulse.models import Programme
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.scoping import Capability, ScopedRequest
from voxloop.web import confirm
from voxloop.web.access import admin_required, capability_required, member_required
from voxloop.web.forms import domain_errors_on, resolve_unit


@member_required
@require_GET
def programme_list(request: ScopedRequest) -> HttpResponse:
    context = {
        "programmes": selectors.programmes(request.scope),
        "can_create": request.scope.can(Capability.CONFIGURE),
    }
    return render(request, "pulse/programmes.html", context)


@admin_required
@require_http_methods(["GET", "POST"])
def programme_create(request: ScopedRequest) -> HttpResponse:
    form = ProgrammeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        unit = resolve_unit(form, request.scope, "unit_code")
        if unit is not None:
            with domain_errors_on(form):
                programme = services.create_programme(
                    actor=request.scope, unit=unit, settings=form.settings()
                )
                return redirect("pulse:edit", programme_id=programme.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "pulse/programme_form.html", {"form": form}, status=status)


def _configurable(request: ScopedRequest, programme_id: int) -> Programme:
    programme = selectors.programme(request.scope, programme_id)
    if not selectors.can_configure(request.scope, programme):
        raise NotFound("No such pulse programme.")
    return programme


def _edit_context(programme: Programme, form: Any = None, question_form: Any = None) -> dict:
    initial = {f: getattr(programme, f) for f in ("name", "cadence", "drivers_per_wave")}
    initial |= {f: getattr(programme, f) for f in ("reminder_after_days", "floor", "is_active")}
    bank = [
        (q, QuestionForm(initial={"question_id": q.pk, "text": q.text, "is_active": q.is_active}))
        for q in programme.questions.all()
    ]
    return {
        "programme": programme,
        "form": form or EditProgrammeForm(initial=initial),
        "bank": bank,
        "question_form": question_form or QuestionForm(),
    }


@admin_required
@require_http_methods(["GET", "POST"])
def programme_edit(request: ScopedRequest, programme_id: int) -> HttpResponse:
    programme = _configurable(request, programme_id)
    if request.method == "GET":
        return render(request, "pulse/programme_edit.html", _edit_context(programme))
    form = EditProgrammeForm(request.POST)
    if form.is_valid():
        with domain_errors_on(form):
            services.update_programme(
                actor=request.scope, programme=programme, settings=form.settings()
            )
            messages.success(request, _("Saved."))
            return redirect("pulse:edit", programme_id=programme.pk)
    return render(request, "pulse/programme_edit.html", _edit_context(programme, form), status=400)


@admin_required
@require_POST
def question_save(request: ScopedRequest, programme_id: int) -> HttpResponse:
    programme = _configurable(request, programme_id)
    form = QuestionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        question = None
        if data["question_id"]:
            question = programme.questions.filter(pk=data["question_id"]).first()
            if question is None:
                raise NotFound("No such question.")
        with domain_errors_on(form):
            services.save_question(
                actor=request.scope,
                programme=programme,
                text=data["text"],
                driver=data["driver"],
                is_active=data["is_active"],
                question=question,
            )
            messages.success(request, _("Saved."))
            return redirect("pulse:edit", programme_id=programme.pk)
    context = _edit_context(programme, question_form=form)
    return render(request, "pulse/programme_edit.html", context, status=400)


@admin_required
@require_POST
def send_now(request: ScopedRequest, programme_id: int) -> HttpResponse:
    programme = _configurable(request, programme_id)
    back = reverse("pulse:results", args=[programme.pk])
    if not confirm.given(request):
        return confirm.ask(
            request,
            title=_("Send the next wave now?"),
            consequences=[
                _("Every member of %(unit)s and the units below it gets the pulse by email.")
                % {"unit": programme.unit.name},
                _("The next scheduled wave moves one cadence later."),
            ],
            confirm_label=_("Send the next wave now"),
            back_url=back,
            danger=False,
        )
    wave = services.send_now(actor=request.scope, programme=programme)
    messages.success(
        request,
        _("Wave %(number)s is sent to %(count)s people.")
        % {"number": wave.number, "count": wave.invited},
    )
    return redirect("pulse:results", programme_id=programme.pk)


def _unit_id(request: ScopedRequest) -> int | None:
    raw = request.GET.get("unit", "")
    if not raw:
        return None
    if not raw.isdigit():
        raise NotFound("No such org unit.", "unit")
    return int(raw)


@member_required
@require_GET
def results(request: ScopedRequest, programme_id: int) -> HttpResponse:
    scope = request.scope
    programme = selectors.programme(scope, programme_id)
    unit = selectors.unit_in(scope, programme, _unit_id(request))
    waves = pulse_results.unit_results(
        programme, unit.path, comments=scope.can(Capability.READ_RECORDS), with_themes=True
    )
    top = selectors.top_path(scope, programme)
    context = {
        "programme": programme,
        "unit": unit,
        "up": unit.parent_id if unit.path != top and unit.parent_id else None,
        "children": tenancy_selectors.visible_units(scope, parent_id=unit.pk)[:200],
        "waves": list(reversed(waves)),
        "latest": next((w for w in reversed(waves) if w.shown), None),
        "chart": pulse_results.chart_spec(waves),
        "can_configure": selectors.can_configure(scope, programme),
        "can_act": scope.can(Capability.ACT),
    }
    return render(request, "pulse/results.html", context)


@capability_required(Capability.ACT)
@require_GET
def reports(request: ScopedRequest, programme_id: int) -> HttpResponse:
    programme = selectors.programme(request.scope, programme_id)
    listed = list(selectors.reports(request.scope, programme)[:300])
    top, each = theme_reading.themes_of_reports(
        organization_id=programme.organization_id,
        unit_path=programme.unit_path,
        texts=[report.text for report in listed],
    )
    context = {
        "programme": programme,
        "rows": list(zip(listed, each, strict=True)),
        "themes": top,
        "plan_form": PlanForm(),
    }
    return render(request, "pulse/reports.html", context)


@capability_required(Capability.ACT)
@require_POST
def report_plan(request: ScopedRequest, report_id: int) -> HttpResponse:
    report = selectors.report(request.scope, report_id)
    form = PlanForm(request.POST)
    title = form.cleaned_data["title"] if form.is_valid() else ""
    services.report_to_plan(actor=request.scope, report=report, title=title)
    messages.success(request, _("The action plan is made."))
    return redirect("pulse:reports", programme_id=report.programme_id)
