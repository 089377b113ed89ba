"""Admin pages: alert rules, playbooks and the root-cause taxonomy."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.http import HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from voxloop.closedloop import condition_fields, conditions, selectors, services
from voxloop.closedloop.forms import PlaybookForm, RootCauseAddForm, RuleForm
from voxloop.closedloop.models import OPEN_STATUSES, AlertRule
from voxloop.errors import DomainError
from voxloop.responses import selectors as response_selectors
from voxloop.surveys import selectors as survey_selectors
from voxloop.tenancy.scoping import ScopedRequest
from voxloop.textanalytics import selectors as text_selectors
from voxloop.web import confirm
from voxloop.web.access import admin_required
from voxloop.web.forms import domain_errors_on, resolve_unit
from voxloop.web.views.common import unit_code_suggestions


@admin_required
def rule_list(request: ScopedRequest) -> HttpResponse:
    rules = selectors.visible_rules(request.scope)
    return render(request, "closedloop/rules.html", {"rules": rules})


def _rule_form(
    request: ScopedRequest,
    data: QueryDict | None = None,
    initial: dict[str, Any] | None = None,
) -> RuleForm:
    scope = request.scope
    return RuleForm(
        data,
        initial=initial,
        surveys=survey_selectors.visible_surveys(scope),
        playbooks=selectors.visible_playbooks(scope),
        themes=text_selectors.theme_keys_for_rules(scope),
    )


def _save_rule(
    request: ScopedRequest, form: RuleForm, rule: AlertRule | None = None
) -> HttpResponse | None:
    """Create or update from a valid form; None when the form got an error to show."""
    scope = request.scope
    unit = resolve_unit(form, scope, "unit_code")
    recipients = form.recipients(scope.organization_id)
    if unit is None or form.errors:
        return None
    data = form.cleaned_data
    fields = {
        name: data[name]
        for name in (
            "name", "priority", "sla_hours", "second_escalation_hours", "open_case",
            "email_mode", "flag_advocate", "record_praise", "is_active", "allow_review_gating",
        )
    }  # fmt: skip
    fields["applies_to"] = data.get("applies_to") or "responses"
    fields |= {
        "conditions": form.conditions(),
        "recipients": recipients,
        "webhooks": form.webhooks(),
        "thank_you_playbook_id": int(data["thank_you_playbook"] or 0) or None,
        "review_playbook_id": int(data["review_playbook"] or 0) or None,
    }
    try:
        if rule is None:
            rule = services.create_rule(
                actor=scope, unit=unit, survey_ids=data["survey_ids"], **fields
            )
        else:
            rule = services.update_rule(
                actor=scope, rule=rule, unit=unit, survey_ids=data["survey_ids"], **fields
            )
    except DomainError as error:
        field = (error.field or "").split(".")[0]
        if field == "conditions":
            field = "more"
        form.add_error(field if field in form.fields else None, error.message)
        return None
    messages.success(request, _("Rule saved."))
    return redirect("closedloop:rule", rule_id=rule.pk)


def _render_rule(
    request: ScopedRequest, form: RuleForm, rule: AlertRule | None = None, status: int = 200
) -> HttpResponse:
    surveys = survey_selectors.visible_surveys(request.scope)
    context = {
        "form": form,
        "rule": rule,
        "unit_codes": unit_code_suggestions(request.scope),
        "builder": condition_fields.rule_builder(surveys),
    }
    return render(request, "closedloop/rule_form.html", context, status=status)


@admin_required
def rule_new(request: ScopedRequest) -> HttpResponse:
    if request.method == "POST":
        form = _rule_form(request, request.POST)
        if form.is_valid():
            done = _save_rule(request, form)
            if done is not None:
                return done
        return _render_rule(request, form, status=400)
    initial = {
        "unit_code": selectors_root_code(request),
        "match": "all",
        "nps_max": 6,
        "priority": "normal",
        "sla_hours": 48,
        "second_escalation_hours": 24,
        "open_case": True,
        "notify_roles": ["manager"],
        "email_mode": "immediate",
        "is_active": True,
    }
    return _render_rule(request, _rule_form(request, initial=initial))


def selectors_root_code(request: ScopedRequest) -> str:
    from voxloop.tenancy.selectors import scope_root

    return scope_root(request.scope).code


@admin_required
def rule_edit(request: ScopedRequest, rule_id: int) -> HttpResponse:
    rule = selectors.rule(request.scope, rule_id)
    if request.method == "POST":
        form = _rule_form(request, request.POST)
        if form.is_valid():
            done = _save_rule(request, form, rule)
            if done is not None:
                return done
        return _render_rule(request, form, rule, status=400)
    return _render_rule(request, _rule_form(request, initial=RuleForm.initial_for(rule)), rule)


@require_GET
@admin_required
def rule_count(request: ScopedRequest) -> JsonResponse:
    """The builder's live count for a rule's extra conditions, over the latest responses."""
    try:
        tree = conditions.clean_conditions(json.loads(request.GET.get("conditions") or "{}"))
    except ValueError:
        return JsonResponse({"error": _("These conditions could not be read.")}, status=400)
    except DomainError as error:
        return JsonResponse({"error": error.message, "field": error.field}, status=400)
    latest = response_selectors.latest_for_counting(request.scope)
    seen = sum(conditions.matches(tree, r) for r in latest) if tree["items"] else len(latest)
    text = ngettext(
        "%(seen)s of the last %(total)s response meets these conditions.",
        "%(seen)s of the last %(total)s responses meet these conditions.",
        len(latest),
    ) % {
        "seen": number_format(seen, force_grouping=True),
        "total": number_format(len(latest), force_grouping=True),
    }
    return JsonResponse({"count": seen, "of": len(latest), "text": text})


@require_POST
@admin_required
def rule_delete(request: ScopedRequest, rule_id: int) -> HttpResponse:
    rule = selectors.rule(request.scope, rule_id)
    if not confirm.given(request):
        cases = selectors.visible_cases(request.scope, box="all").filter(rule=rule)
        n, still_open = cases.count(), cases.filter(status__in=OPEN_STATUSES).count()
        lines = [
            _("New responses no longer raise its alerts, cases or thank-you messages."),
            ngettext(
                "The %(n)d case it opened stays, with its history (%(open)d still open).",
                "The %(n)d cases it opened stay, with their history (%(open)d still open).",
                n,
            )
            % {"n": n, "open": still_open},
            _("A deleted rule cannot be restored; switching it off (Active) can be undone."),
        ]
        return confirm.ask(
            request,
            title=_("Delete the rule “%(name)s”?") % {"name": rule.name},
            consequences=lines,
            confirm_label=_("Delete the rule"),
            back_url=reverse("closedloop:rule", args=[rule.pk]),
        )
    services.delete_rule(actor=request.scope, rule=rule)
    messages.success(request, _("Rule deleted."))
    return redirect("closedloop:rules")


# --- playbooks ---------------------------------------------------------------------------

PLAYBOOK_FIELDS = ("name", "kind", "language", "subject", "body")


@admin_required
def playbook_list(request: ScopedRequest) -> HttpResponse:
    scope = request.scope
    form = PlaybookForm(request.POST or None, initial={"unit_code": selectors_root_code(request)})
    if request.method == "POST" and form.is_valid():
        unit = resolve_unit(form, scope, "unit_code")
        if unit is not None:
            data = {k: form.cleaned_data[k] for k in PLAYBOOK_FIELDS}
            with domain_errors_on(form):
                services.create_playbook(actor=scope, unit=unit, **data)
                messages.success(request, _("Playbook saved."))
                return redirect("closedloop:playbooks")
    context = {
        "playbooks": selectors.visible_playbooks(scope),
        "form": form,
        "unit_codes": unit_code_suggestions(scope),
    }
    return render(request, "closedloop/playbooks.html", context, status=400 if form.errors else 200)


@admin_required
def playbook_edit(request: ScopedRequest, playbook_id: int) -> HttpResponse:
    scope = request.scope
    playbook = selectors.playbook(scope, playbook_id)
    if not scope.covers_path(playbook.unit_path):
        raise DomainError(_("This playbook belongs to a unit above yours."))
    initial = {k: getattr(playbook, k) for k in PLAYBOOK_FIELDS}
    form = PlaybookForm(request.POST or None, initial=initial | {"unit_code": playbook.unit.code})
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in PLAYBOOK_FIELDS}
        with domain_errors_on(form):
            services.update_playbook(actor=scope, playbook=playbook, **data)
            messages.success(request, _("Playbook saved."))
            return redirect("closedloop:playbooks")
    return render(
        request,
        "closedloop/playbook_form.html",
        {"form": form, "playbook": playbook},
        status=400 if form.errors else 200,
    )


@admin_required
def root_cause_list(request: ScopedRequest) -> HttpResponse:
    scope = request.scope
    causes = list(selectors.root_causes(scope))
    form = RootCauseAddForm(request.POST or None, causes=causes)
    if request.method == "POST" and form.is_valid():
        parent = next((c for c in causes if str(c.pk) == form.cleaned_data["parent"]), None)
        with domain_errors_on(form):
            services.create_root_cause(actor=scope, name=form.cleaned_data["name"], parent=parent)
            messages.success(request, _("Root cause added."))
            return redirect("closedloop:root_causes")
    return render(
        request,
        "closedloop/root_causes.html",
        {"causes": causes, "form": form},
        status=400 if form.errors else 200,
    )
