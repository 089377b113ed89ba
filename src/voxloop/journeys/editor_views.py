"""The journey editor (admins of the journey's owner unit): the journey's names, persona and
relationship survey; stages and touchpoints added, renamed, re-measured, moved and deleted;
order by drag and drop (journeys/editor.js posts the new order) or, without JavaScript, by
the up and down buttons. Every change goes through services (checked and audited)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from voxloop.errors import DomainError, NotFound
from voxloop.journeys import selectors, services
from voxloop.journeys.forms import (
    JourneyForm,
    ReorderForm,
    StageForm,
    TouchpointForm,
    measure_value,
)
from voxloop.journeys.models import Journey
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.models import OrgUnit
from voxloop.tenancy.scoping import Scope, ScopedRequest
from voxloop.web.access import admin_required
from voxloop.web.forms import domain_errors_on, resolve_unit
from voxloop.web.views.common import unit_code_suggestions

MEASURE_ALIASES = {
    "survey_id": "measure",
    "question_key": "measure",
    "review_source_id": "measure",
    "interaction_type_id": "interaction_type",
}


def _editable(request: ScopedRequest, journey_id: int) -> Journey:
    journey = selectors.journey(request.scope, journey_id)
    if not selectors.editable(request.scope, journey):
        raise NotFound("No such journey.", field="journey")
    return journey


def _edit_url(journey: Journey) -> str:
    return reverse("journeys:edit", args=[journey.pk])


def _editor(
    request: ScopedRequest, journey: Journey, status: int = 200, **forms: Any
) -> HttpResponse:
    scope = request.scope
    stages = list(journey.stages.all())
    rows = []
    for stage in stages:
        tps = []
        for tp in stage.touchpoints.all():
            initial = {
                **TouchpointForm.initial_of(tp),
                "interaction_type": tp.interaction_type_id,
                "measure": measure_value(tp),
                "stage": stage.pk,
            }
            form = forms.get(f"tp{tp.pk}") or TouchpointForm(
                initial=initial, scope=scope, stages=stages, prefix=f"tp{tp.pk}"
            )
            tps.append({"touchpoint": tp, "form": form})
        rows.append(
            {
                "stage": stage,
                "form": forms.get(f"stage{stage.pk}")
                or StageForm(initial=StageForm.initial_of(stage), prefix=f"stage{stage.pk}"),
                "touchpoints": tps,
                "add": forms.get(f"add{stage.pk}")
                or TouchpointForm(scope=scope, prefix=f"add{stage.pk}"),
            }
        )
    journey_form = forms.get("journey_form") or JourneyForm(
        initial={
            **JourneyForm.initial_of(journey),
            "description": journey.description,
            "segment": journey.segment_id,
            "relationship_survey": journey.relationship_survey_id,
        },
        scope=scope,
        creating=False,
    )
    context = {
        "journey": journey,
        "journey_form": journey_form,
        "stages": rows,
        "stage_form": forms.get("stage") or StageForm(prefix="new"),
    }
    return render(request, "journeys/edit.html", context, status=status)


@admin_required
def journey_create(request: ScopedRequest) -> HttpResponse:
    scope = request.scope
    form = JourneyForm(request.POST or None, scope=scope, creating=True)
    if request.method == "POST" and form.is_valid():
        unit = resolve_unit(form, scope, "unit_code") if form.cleaned_data["unit_code"] else None
        base_id = form.cleaned_data["variant_of"]
        base = selectors.journey(scope, base_id) if base_id else None
        if not form.errors:
            with domain_errors_on(form, {"segment_id": "segment", "survey": "relationship_survey"}):
                journey = services.create_journey(
                    scope=scope,
                    unit=unit or _root(scope),
                    name=form.cleaned_data["name"],
                    names=form.names(),
                    description=form.cleaned_data["description"],
                    segment_id=form.cleaned_data["segment"],
                    variant_of=base,
                    relationship_survey_id=form.cleaned_data["relationship_survey"],
                )
                return redirect(_edit_url(journey))
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "unit_codes": unit_code_suggestions(scope)}
    return render(request, "journeys/create.html", context, status=status)


def _root(scope: Scope) -> OrgUnit:
    return tenancy_selectors.scope_root(scope)


def _why(error: DomainError | ValidationError) -> str:
    if isinstance(error, DomainError):
        return error.message
    return "; ".join(str(m) for m in error.messages)


@admin_required
def journey_edit(request: ScopedRequest, journey_id: int) -> HttpResponse:
    journey = _editable(request, journey_id)
    if request.method != "POST":
        return _editor(request, journey)
    form = JourneyForm(request.POST, scope=request.scope, creating=False)
    if form.is_valid():
        with domain_errors_on(form, {"segment_id": "segment", "survey": "relationship_survey"}):
            services.update_journey(
                scope=request.scope,
                journey=journey,
                name=form.cleaned_data["name"],
                names=form.names(),
                description=form.cleaned_data["description"],
                segment_id=form.cleaned_data["segment"],
                relationship_survey_id=form.cleaned_data["relationship_survey"],
            )
            return redirect(_edit_url(journey))
    return _editor(request, journey, 400, journey_form=form)


@admin_required
@require_POST
def journey_delete(request: ScopedRequest, journey_id: int) -> HttpResponseBase:
    journey = _editable(request, journey_id)
    services.delete_journey(scope=request.scope, journey=journey)
    return redirect("journeys:list")


@admin_required
@require_POST
def stage_add(request: ScopedRequest, journey_id: int) -> HttpResponse:
    journey = _editable(request, journey_id)
    form = StageForm(request.POST, prefix="new")
    if form.is_valid():
        with domain_errors_on(form, {"names": "name"}):
            services.add_stage(
                scope=request.scope,
                journey=journey,
                name=form.cleaned_data["name"],
                names=form.names(),
            )
            return redirect(_edit_url(journey))
    return _editor(request, journey, 400, stage=form)


@admin_required
@require_POST
def stage_action(request: ScopedRequest, stage_id: int) -> HttpResponse:
    scope = request.scope
    stage = selectors.stage(scope, stage_id)
    journey = _editable(request, stage.journey_id)
    stage = next(s for s in journey.stages.all() if s.pk == stage.pk)
    action = request.POST.get("action", "")
    if action in ("up", "down"):
        services.move_stage(scope=scope, stage=stage, step=-1 if action == "up" else 1)
    elif action == "delete":
        services.delete_stage(scope=scope, stage=stage)
    elif action == "save":
        form = StageForm(request.POST, prefix=f"stage{stage.pk}")
        if not form.is_valid():
            return _editor(request, journey, 400, **{f"stage{stage.pk}": form})
        with domain_errors_on(form):
            services.update_stage(
                scope=scope, stage=stage, name=form.cleaned_data["name"], names=form.names()
            )
            return redirect(_edit_url(journey))
        return _editor(request, journey, 400, **{f"stage{stage.pk}": form})
    elif action == "add_touchpoint":
        adding = TouchpointForm(request.POST, scope=scope, prefix=f"add{stage.pk}")
        if not adding.is_valid():
            return _editor(request, journey, 400, **{f"add{stage.pk}": adding})
        with domain_errors_on(adding, MEASURE_ALIASES):
            services.add_touchpoint(
                scope=scope,
                stage=stage,
                name=adding.cleaned_data["name"],
                names=adding.names(),
                measure=adding.measure_of(),
            )
            return redirect(_edit_url(journey))
        return _editor(request, journey, 400, **{f"add{stage.pk}": adding})
    elif action == "reorder":
        order = ReorderForm(request.POST)
        if not order.is_valid():
            return HttpResponse(status=400)
        try:
            services.reorder_touchpoints(scope=scope, stage=stage, touchpoint_ids=order.ids())
        except (DomainError, ValidationError) as error:
            return HttpResponse(_why(error), status=400)
    else:
        return HttpResponse("Unknown action.", status=400)
    return redirect(_edit_url(journey))


@admin_required
@require_POST
def journey_reorder(request: ScopedRequest, journey_id: int) -> HttpResponse:
    """Stages in the order the editor's drag and drop left them."""
    journey = _editable(request, journey_id)
    order = ReorderForm(request.POST)
    if not order.is_valid():
        return HttpResponse("Give the order as ids separated by commas.", status=400)
    try:
        services.reorder_stages(scope=request.scope, journey=journey, stage_ids=order.ids())
    except (DomainError, ValidationError) as error:
        return HttpResponse(_why(error), status=400)
    return redirect(_edit_url(journey))


@admin_required
@require_POST
def touchpoint_action(request: ScopedRequest, touchpoint_id: int) -> HttpResponse:
    scope = request.scope
    found = selectors.touchpoint(scope, touchpoint_id)
    journey = _editable(request, found.stage.journey_id)
    stages = list(journey.stages.all())
    tp = next(t for s in stages for t in s.touchpoints.all() if t.pk == found.pk)
    action = request.POST.get("action", "")
    if action in ("up", "down"):
        services.move_touchpoint(scope=scope, touchpoint=tp, step=-1 if action == "up" else 1)
    elif action == "delete":
        services.delete_touchpoint(scope=scope, touchpoint=tp)
    elif action == "save":
        form = TouchpointForm(request.POST, scope=scope, stages=stages, prefix=f"tp{tp.pk}")
        if not form.is_valid():
            return _editor(request, journey, 400, **{f"tp{tp.pk}": form})
        target = next((s for s in stages if s.pk == form.cleaned_data.get("stage")), None)
        with domain_errors_on(form, MEASURE_ALIASES):
            services.update_touchpoint(
                scope=scope,
                touchpoint=tp,
                name=form.cleaned_data["name"],
                names=form.names(),
                measure=form.measure_of(),
                stage=target,
            )
            return redirect(_edit_url(journey))
        return _editor(request, journey, 400, **{f"tp{tp.pk}": form})
    else:
        return HttpResponse("Unknown action.", status=400)
    return redirect(_edit_url(journey))
