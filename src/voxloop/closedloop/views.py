"""The case inbox and the case page. Thin: parse, call a selector or a service, render."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from voxloop import params
from voxloop.closedloop import casework, inbox, selectors
from voxloop.closedloop.forms import (
    AssignForm,
    BulkForm,
    BulkResolveForm,
    EmailForm,
    InboxFilterForm,
    NoteForm,
    ResolveForm,
    StatusForm,
)
from voxloop.closedloop.models import Case, CaseStatus
from voxloop.errors import DomainError
from voxloop.privacy import redaction
from voxloop.responses.models import Response
from voxloop.surveys import labels
from voxloop.surveys import selectors as survey_selectors
from voxloop.tenancy.scoping import Capability, Scope, ScopedRequest
from voxloop.web import confirm
from voxloop.web.access import member_required
from voxloop.web.forms import resolve_unit
from voxloop.web.paging import paginate, query_without_page

if TYPE_CHECKING:
    from voxloop.reviews.models import Review

UNDO_CLOSE = "closedloop.undo_close"


def _require_cases(request: ScopedRequest) -> None:
    if not selectors.can_read_cases(request.scope):
        raise PermissionDenied


@member_required
def inbox_page(request: ScopedRequest) -> HttpResponse:
    _require_cases(request)
    scope = request.scope
    form = InboxFilterForm(request.GET or None)
    filters, unit = {}, None
    default_box = "mine" if selectors.only_own_cases(scope) else "team"
    box = default_box
    if form.is_valid():
        data = form.cleaned_data
        box = data["box"] or default_box
        filters = {"status": data["status"], "priority": data["priority"], "search": data["q"]}
        unit = resolve_unit(form, scope, "unit")
    cases = selectors.visible_cases(scope, box=box, unit_id=unit.pk if unit else None, **filters)
    # A filter that failed (a unit outside the scope) shows its error, never an unfiltered list.
    page = paginate(request, cases.none() if form.is_bound and form.errors else cases)
    can_bulk = scope.can(Capability.ACT)
    context = {
        "form": form,
        "box": box,
        "page": page,
        "rows": inbox.rows(list(page.object_list)),
        "filtered": bool(form.errors) or any(filters.values()) or unit is not None,
        "query": query_without_page(request),
        "can_bulk": can_bulk,
        "undo_close": request.session.pop(UNDO_CLOSE, None) if can_bulk else None,
        "bulk_resolve_form": BulkResolveForm(causes=selectors.root_causes(scope))
        if can_bulk
        else None,
    }
    return render(request, "closedloop/inbox.html", context)


@require_POST
@member_required
def bulk(request: ScopedRequest) -> HttpResponse:
    scope = request.scope
    if not scope.can(Capability.ACT):
        raise PermissionDenied
    ids = [i for v in request.POST.getlist("case_ids") if (i := params.id_or_none(v))]
    form = BulkForm(request.POST, case_ids=ids)
    if not form.is_valid():
        messages.error(request, _("Pick at least one case and an action."))
        return redirect("closedloop:inbox")
    data = form.cleaned_data
    try:
        if data["action"] == "close":
            return _bulk_close(request, data["case_ids"])
        if data["action"] == "reopen":
            done = casework.bulk_reopen(actor=scope, case_ids=data["case_ids"])
            messages.success(request, _("%(n)d case(s) updated.") % {"n": done})
            return redirect("closedloop:inbox")
        user_id = params.id_or_none(request.POST.get("assignee_id", ""))
        if user_id is None:
            name = data["assignee"].strip()
            user = get_user_model().objects.filter(username=name).first() if name else None
            if user is None:
                raise DomainError(_("No such user."), field="assignee")
            user_id = user.pk
        done = casework.bulk_assign(actor=scope, case_ids=data["case_ids"], user_id=user_id)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("closedloop:inbox")
    messages.success(request, _("%(n)d case(s) updated.") % {"n": done})
    return redirect("closedloop:inbox")


def _bulk_close(request: ScopedRequest, case_ids: list[int]) -> HttpResponse:
    """Closing many cases needs one root cause and one note for all, and a confirmation."""
    scope = request.scope
    causes = list(selectors.root_causes(scope))
    form = BulkResolveForm(request.POST, causes=causes)
    if not form.is_valid():
        messages.error(request, _("Closing cases needs a root cause and a note."))
        return redirect("closedloop:inbox")
    cases = selectors.visible_cases(scope, box="all").filter(pk__in=case_ids)
    open_count = cases.filter(status__in=selectors.OPEN_STATUSES).count()
    if not confirm.given(request):
        cause = next(c for c in causes if c.pk == form.cleaned_data["root_cause"])
        lines = [
            ngettext(
                "%(n)d open case will be closed.", "%(n)d open cases will be closed.", open_count
            )
            % {"n": open_count},
            _("Each gets the root cause “%(cause)s” and your note in its timeline.")
            % {"cause": cause},
            _("Their customers get no message. A closed case can be reopened from its page."),
        ]
        return confirm.ask(
            request,
            title=_("Close the selected cases?"),
            consequences=lines,
            confirm_label=ngettext("Close %(n)d case", "Close %(n)d cases", len(case_ids))
            % {"n": len(case_ids)},
            back_url=reverse("closedloop:inbox"),
        )
    data = form.cleaned_data
    done = casework.bulk_resolve(
        actor=scope, case_ids=case_ids, root_cause_id=data["root_cause"], note=data["note"]
    )
    request.session[UNDO_CLOSE] = case_ids  # offered once, on the next inbox page
    messages.success(request, _("%(n)d case(s) updated.") % {"n": done})
    return redirect("closedloop:inbox")


def _shown_answers(scope: Scope, response: Response, can_act: bool) -> dict[str, Any]:
    """Admins read what the customer wrote as written; whoever works the case also sees the
    phone or email the customer left to be called back on; everyone else reads it masked."""
    if scope.can(Capability.CONFIGURE):
        return response.answers
    kinds = redaction.SECRETS if can_act else redaction.EVERY_KIND
    return redaction.mask_answers(response.answers, kinds)


def _case_context(
    request: ScopedRequest, case: Case, forms: dict[str, Any] | None = None
) -> dict[str, Any]:
    scope = request.scope
    can_act = _can_act(scope, case)
    response = selectors.case_response(scope, case) if case.response_id else None
    context: dict[str, Any] = {
        "case": case,
        "response": response,
        "answers": labels.answer_lines(
            response.survey,
            survey_selectors.questions_of(response.survey),
            _shown_answers(scope, response, can_act),
            values={
                "unit": response.unit.name if response.unit else "",
                "staff": response.staff.name if response.staff else "",
            },
        )
        if response
        else [],
        "review": _review_of(scope, case),
        "events": selectors.timeline(case),
        "history": selectors.customer_history(scope, case),
        "can_act": can_act,
        "can_assign": can_act and scope.can(Capability.ACT),
        "overdue": case.is_open and case.due_at < _now(),
    }
    if can_act:
        causes = list(selectors.root_causes(scope))
        playbooks = list(selectors.visible_playbooks(scope))
        mailable = bool(case.contact and case.contact.email)
        context |= {
            "status_form": StatusForm(initial={"status": case.status}),
            "note_form": NoteForm(),
            "resolve_form": ResolveForm(
                causes=causes,
                playbooks=playbooks if mailable else (),
                initial={"root_cause": case.root_cause_id},
            ),
            "email_form": EmailForm(playbooks=playbooks) if playbooks and mailable else None,
            "statuses": _status_moves(case),
            "plans": selectors.visible_plans(scope).filter(status__in=("planned", "active")),
        }
        if context["can_assign"]:
            context["assign_form"] = AssignForm(
                users=casework.assignable_users(actor=scope, case=case),
                initial={"assignee": case.assignee_id},
            )
    context |= forms or {}
    return context


def _review_of(scope: Scope, case: Case) -> Review | None:
    """The online review a case is about (the reviews app's scoped read), or None."""
    if case.review_id is None:
        return None
    from voxloop.reviews.selectors import review_for_case

    return review_for_case(scope, case.review_id)


def _status_moves(case: Case) -> list[str]:
    """Moves the status form offers: finishing an open case goes through the resolve form."""
    moves = casework.TRANSITIONS[case.status]
    if case.is_open:
        return [m for m in moves if m not in casework.FINISHED]
    return list(moves)


def _now() -> datetime:
    from django.utils import timezone

    return timezone.now()


def _can_act(scope: Scope, case: Case) -> bool:
    try:
        casework.require_actable(actor=scope, case=case)
    except DomainError:
        return False
    return True


@member_required
def case_detail(request: ScopedRequest, case_id: int) -> HttpResponse:
    _require_cases(request)
    case = selectors.case(request.scope, case_id)
    return render(request, "closedloop/case.html", _case_context(request, case))


ACTIONS = ("status", "assign", "note", "root_cause", "email", "plan", "resolve")


@require_POST
@member_required
def case_action(request: ScopedRequest, case_id: int, action: str) -> HttpResponse:
    _require_cases(request)
    scope = request.scope
    case = selectors.case(scope, case_id)
    if action not in ACTIONS:
        raise DomainError(_("Unknown action."), field="action")
    post = request.POST
    try:
        if action == "status":
            status = post.get("status", "")
            if status not in CaseStatus.values:
                raise DomainError(_("Unknown status."), field="status")
            casework.change_status(actor=scope, case=case, status=status)
        elif action == "assign":
            value = post.get("assignee", "")
            casework.assign(actor=scope, case=case, user_id=params.id_or_none(value))
        elif action == "note":
            casework.add_note(actor=scope, case=case, text=post.get("text", ""))
        elif action == "root_cause":
            value = post.get("root_cause", "")
            casework.set_root_cause(actor=scope, case=case, root_cause_id=params.id_or_none(value))
        elif action == "email":
            playbook = params.id_or_none(post.get("playbook", ""))
            if playbook is None:
                raise DomainError(_("Pick a template."), field="playbook")
            casework.email_customer(
                actor=scope, case=case, playbook_id=playbook, extra=post.get("extra", "")
            )
        elif action == "resolve":
            forms = _resolve(request, case)
            if forms is not None:
                context = _case_context(request, case, forms)
                return render(request, "closedloop/case.html", context, status=400)
            messages.success(request, _("Case resolved: %(status)s.") % {
                "status": case.get_status_display()})  # fmt: skip
            return redirect("closedloop:case", case_id=case.pk)
        elif action == "plan":
            plan_id = params.id_or_none(post.get("action_plan", ""))
            plan = selectors.plan(scope, plan_id) if plan_id else None
            casework.link_plan(actor=scope, case=case, plan=plan)
    except DomainError as error:
        if error.status in (403,):
            raise PermissionDenied(error.message) from None
        messages.error(request, error.message)
        return redirect("closedloop:case", case_id=case.pk)
    messages.success(request, _("Saved."))
    return redirect("closedloop:case", case_id=case.pk)


def _resolve(request: ScopedRequest, case: Case) -> dict[str, Any] | None:
    """Resolve from the one form; on bad input, the bound form to show again."""
    scope = request.scope
    form = ResolveForm(
        request.POST,
        causes=selectors.root_causes(scope),
        playbooks=selectors.visible_playbooks(scope),
    )
    if not form.is_valid():
        return {"resolve_form": form}
    data = form.cleaned_data
    casework.resolve(
        actor=scope,
        case=case,
        root_cause_id=data["root_cause"],
        note=data["note"],
        playbook_id=data["playbook"],
        extra=data["extra"],
        close=data["close"],
    )
    return None
