"""The health pages: the at-risk list (the account manager's book first), an account's
health with its history chart and explanation, the admin's model editor with the
validation, and personas and tiers. Thin: selectors read, services write."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from voxloop.closedloop import selectors as case_selectors
from voxloop.contacts import selectors as contact_selectors
from voxloop.health import charts, selectors, services
from voxloop.health.forms import AudienceForm, ModelForm, SignalFormSet
from voxloop.health.models import AudienceKind, SignalKind
from voxloop.tenancy.scoping import ScopedRequest
from voxloop.web.access import admin_required, records_required
from voxloop.web.forms import domain_errors_on, set_choices

LABELS = dict(SignalKind.choices)


def label_of(key: str) -> str:
    kind, _sep, param = key.partition(":")
    name = str(LABELS.get(kind, kind))
    return f"{name} ({param})" if param else name


@records_required
def at_risk(request: ScopedRequest) -> HttpResponse:
    scope = request.scope
    # An account manager lands on their own book; someone who owns no account sees them all.
    owns = selectors.account_scores(scope, mine=True).exists()
    mine = owns and request.GET.get("all") != "1"
    audience = None
    if request.GET.get("audience", "").isdigit():
        audience = selectors.audience(scope, int(request.GET["audience"]))
    scores = selectors.account_scores(scope, mine=mine, audience=audience)
    context: dict[str, Any] = {
        "mine": mine,
        "owns": owns,
        "audience": audience,
        "risky": [s for s in scores.filter(band__in=selectors.AT_RISK_BANDS)[:200]],
        "bands": selectors.band_counts(scope, audience),
        "personas": selectors.breakdown(scope, AudienceKind.PERSONA),
        "tiers": selectors.breakdown(scope, AudienceKind.TIER),
        "audiences": selectors.audiences(scope),
    }
    return render(request, "health/at_risk.html", context)


@records_required
def account(request: ScopedRequest, account_id: int) -> HttpResponse:
    found = selectors.account_health(request.scope, account_id)
    parts = [dict(p, label=label_of(p["key"])) for p in (found.score.parts if found.score else [])]
    moves = [dict(m, label=label_of(m["key"])) for m in (found.score.moves if found.score else [])]
    model = selectors.model(request.scope)
    context = {
        "found": found,
        "parts": parts,
        "moves": moves,
        "chart": charts.history_chart(found.history, model),
    }
    return render(request, "health/account.html", context)


def _playbooks(request: ScopedRequest) -> list[tuple[str, str]]:
    books = case_selectors.visible_playbooks(request.scope).filter(kind="follow_up")
    return [("", "—"), *((str(p.pk), p.name) for p in books)]


@admin_required
def model_editor(request: ScopedRequest) -> HttpResponse:
    scope = request.scope
    model = services.model_of(organization_id=scope.organization_id)
    status = 200
    if request.method == "POST":
        form = ModelForm(request.POST)
        set_choices(form, "playbook", _playbooks(request))
        signals = SignalFormSet(request.POST, prefix="signals")
        if form.is_valid() and signals.is_valid():
            rows = [f.cleaned_data for f in signals.forms
                    if f.cleaned_data and not f.cleaned_data.get("DELETE")]  # fmt: skip
            for row in rows:
                row.pop("DELETE", None)
            data = dict(form.cleaned_data)
            with domain_errors_on(form):
                services.save_model(actor=scope, playbook_id=data.pop("playbook"), signals=rows,
                                    **data)  # fmt: skip
                messages.success(request, _("Health model saved. Scores follow on the next run."))
                return redirect("health:model")
        status = 400
    else:
        form = ModelForm(initial={
            "name": model.name, "window_days": model.window_days, "red_below": model.red_below,
            "amber_below": model.amber_below, "sla_hours": model.sla_hours,
            "playbook": model.playbook_id,
        })  # fmt: skip
        set_choices(form, "playbook", _playbooks(request))
        signals = SignalFormSet(
            prefix="signals",
            initial=[{"kind": s.kind, "param": s.param, "weight": s.weight, "mapping": s.mapping,
                      "bad": s.bad, "good": s.good} for s in model.signals.all()],
        )  # fmt: skip
    checked = selectors.separation(scope)
    context = {"form": form, "signals": signals, "model": model, "checked": checked}
    return render(request, "health/model.html", context, status=status)


@admin_required
def audiences(request: ScopedRequest) -> HttpResponse:
    scope = request.scope
    form = AudienceForm(request.POST or None)
    segments = contact_selectors.visible_segments(scope).order_by("name")
    set_choices(form, "segment_id", [(s.pk, s.name) for s in segments])
    status = 200
    if request.method == "POST":
        if form.is_valid():
            with domain_errors_on(form, aliases={"segment": "segment_id"}):
                services.save_audience(actor=scope, **form.cleaned_data)
                messages.success(request, _("Saved."))
                return redirect("health:audiences")
        status = 400
    context = {"form": form, "audiences": selectors.audiences(scope)}
    return render(request, "health/audiences.html", context, status=status)


@admin_required
@require_POST
def audience_delete(request: ScopedRequest, audience_id: int) -> HttpResponse:
    found = selectors.audience(request.scope, audience_id)
    services.delete_audience(actor=request.scope, audience=found)
    messages.success(request, _("Deleted."))
    return redirect("health:audiences")
