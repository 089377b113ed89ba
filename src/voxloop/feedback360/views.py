"""The 360 pages inside the product. HR (admins of the subtree): cycles, a new cycle, a
cycle's completion (counts per subject and group) with its actions, and any subject's report.
Everyone signed in: what they are asked to answer, the answer page, and their own reports.
Thin: selectors read, services write."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from voxloop.errors import DomainError, NotFound
from voxloop.feedback360 import charts, limits, selectors, services
from voxloop.feedback360.forms import AnswerForm, CycleForm
from voxloop.feedback360.models import Invitation, Relationship, Subject
from voxloop.tenancy.scoping import ScopedRequest
from voxloop.web import confirm
from voxloop.web.access import admin_required
from voxloop.web.forms import domain_errors_on, resolve_unit


def people_choices(request: ScopedRequest) -> list[tuple[str, str]]:
    """The memberships of the admin's subtree as form choices (subjects, raters)."""
    rows = selectors.subject_choices(request.scope)[:500]
    return [
        (str(m.pk), f"{m.user.get_full_name() or m.user.get_username()} · {m.unit.name}")
        for m in rows
    ]


def _cycles_page(request: ScopedRequest, form: CycleForm, status: int = 200) -> HttpResponse:
    cycles = selectors.visible_cycles(request.scope).select_related("unit")
    return render(
        request, "feedback360/cycles.html", {"cycles": cycles, "form": form}, status=status
    )


@admin_required
@require_GET
def cycles(request: ScopedRequest) -> HttpResponse:
    return _cycles_page(request, CycleForm(people=people_choices(request)))


@admin_required
@require_POST
def cycle_create(request: ScopedRequest) -> HttpResponse:
    form = CycleForm(request.POST, people=people_choices(request))
    if form.is_valid():
        unit = resolve_unit(form, request.scope, "unit_code")
        if unit is not None:
            data = form.cleaned_data
            with domain_errors_on(form):
                made = services.create_cycle(
                    actor=request.scope,
                    unit=unit,
                    name=data["name"],
                    deadline=data["deadline"],
                    competencies=data["competencies"].splitlines(),
                    subject_membership_ids=[int(v) for v in data["subjects"]],
                    remind_days_before=data["remind_days_before"],
                    floors={g: data[f"floor_{g}"] for g in ("peer", "report", "customer")},
                    include_customers=data["include_customers"],
                )
                return redirect("feedback360:cycle", cycle_id=made.pk)
    return _cycles_page(request, form, status=400)


@admin_required
@require_GET
def cycle(request: ScopedRequest, cycle_id: int) -> HttpResponse:
    found = selectors.cycle(request.scope, cycle_id)
    context = {"cycle": found, "rows": selectors.completion(found), "groups": Relationship.choices}
    return render(request, "feedback360/cycle.html", context)


@admin_required
@require_POST
def cycle_action(request: ScopedRequest, cycle_id: int, action: str) -> HttpResponse:
    scope = request.scope
    found = selectors.cycle(scope, cycle_id)
    back = reverse("feedback360:cycle", args=[found.pk])
    if action == "start":
        count = services.start(actor=scope, cycle=found)
        messages.success(request, _("%(count)s invitations are on their way.") % {"count": count})
    elif action == "close":
        if not confirm.given(request):
            return confirm.ask(
                request,
                title=_("Close %(name)s?") % {"name": found.name},
                consequences=[
                    _("Nobody can answer any more."),
                    _("Each person sees their own report."),
                ],
                confirm_label=_("Close the cycle"),
                back_url=back,
            )
        services.close(actor=scope, cycle=found)
    else:
        target = selectors.subject(scope, _int(request.POST.get("subject")))
        if target.cycle_id != found.pk:
            raise NotFound("No such person in this cycle.")
        if not confirm.given(request):
            return confirm.ask(
                request,
                title=_("Show %(name)s their report now?") % {"name": target.name},
                consequences=[_("Nobody can answer about them any more.")],
                confirm_label=_("Show the report"),
                back_url=back,
            )
        services.release(actor=scope, subject=target)
    return redirect(back)


def _int(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        raise NotFound("No such person in this cycle.") from None


def _report_page(request: HttpRequest, found: Subject, **extra: Any) -> HttpResponse:
    report = selectors.report(found)
    context = {
        "subject": found,
        "cycle": found.cycle,
        "report": report,
        "columns": charts.columns(report) if report else [],
        "table": charts.table(report) if report else [],
        "chart": charts.chart(report) if report else None,
        "comment_groups": [
            (charts.label(k), v) for k, v in (report.comments.items() if report else []) if v
        ],
    } | extra
    return render(request, "feedback360/report.html", context)


@admin_required
@require_GET
def report(request: ScopedRequest, subject_id: int) -> HttpResponse:
    return _report_page(request, selectors.subject(request.scope, subject_id), hr=True)


# --- everyone's own: invitations to answer and one's own reports ----------------------------


def _me(request: HttpRequest) -> int:
    return int(request.user.pk or 0)  # signed in (login_required)


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    context = {
        "invitations": selectors.own_invitations(_me(request)),
        "subjects": selectors.own_subjects(_me(request)),
    }
    return render(request, "feedback360/mine.html", context)


@login_required
@require_GET
def my_report(request: HttpRequest, subject_id: int) -> HttpResponse:
    try:
        found = selectors.own_subject(_me(request), subject_id)
    except NotFound:
        raise Http404 from None
    return _report_page(request, found)


def answer_page(request: HttpRequest, invitation: Invitation, template: str) -> HttpResponse:
    """GET shows the form; POST records the one answer (the rater pages share this)."""
    target = invitation.subject
    form = AnswerForm(request.POST or None, competencies=selectors.competencies(target.cycle))
    context = {"invitation": invitation, "subject": target, "form": form}
    closed = not target.cycle.is_open or target.released
    if invitation.answered or closed:
        return render(request, template, context | {"done": True, "closed": closed})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.answer(
                    invitation=invitation,
                    ratings=form.ratings(),
                    comment=form.cleaned_data["comment"],
                )
                return render(request, template, context | {"done": True, "thanks": True})
            except DomainError as error:
                form.add_error(None, error.message)
        status = 400
    return render(request, template, context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, invitation_id: int) -> HttpResponse:
    if not limits.allowed(request, signed_in=True):
        return limits.too_many(request)
    try:
        invitation = selectors.own_invitation(_me(request), invitation_id)
    except NotFound:
        raise Http404 from None
    return answer_page(request, invitation, "feedback360/answer.html")
