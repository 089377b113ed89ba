"""Every read of the closed loop a user sees, always through a Scope.

Cases: admins, managers and analysts see their subtree's; an agent sees the cases assigned to
them (in their subtree); viewers, who read aggregates only, see none. Rules and playbooks are
configuration: admins of the subtree. Praise is shown to the staff member's unit and above.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from voxloop import params
from voxloop.closedloop.models import (
    OPEN_STATUSES,
    ActionPlan,
    Advocate,
    AlertRule,
    Case,
    CaseEvent,
    Playbook,
    Praise,
    RootCause,
)
from voxloop.errors import Forbidden, NotFound
from voxloop.responses import selectors as response_selectors
from voxloop.tenancy.models import subtree_q
from voxloop.tenancy.scoping import Capability, Scope

if TYPE_CHECKING:
    from voxloop.responses.models import Response

BOXES = ("mine", "team", "overdue", "open", "all")


def can_read_cases(scope: Scope) -> bool:
    return any(scope.can(c) for c in (Capability.ACT, Capability.OWN_CASES, Capability.EXPORT))


def only_own_cases(scope: Scope) -> bool:
    """An agent works their own cases; everyone else who reads cases reads the subtree's."""
    return not scope.can(Capability.ACT) and not scope.can(Capability.EXPORT)


def readable_cases(scope: Scope) -> QuerySet[Case]:
    """Every case the scope may read (the base of the inbox and the SLA figures)."""
    if not can_read_cases(scope):
        raise Forbidden("Your role does not include cases.")
    cases = scope.filter(Case.objects.all(), path_field="unit_path")
    if only_own_cases(scope):
        cases = cases.filter(assignee_id=scope.user_id)
    return cases


def visible_cases(
    scope: Scope,
    box: str = "open",
    status: str = "",
    priority: str = "",
    unit_id: int | None = None,
    assignee_id: int | None = None,
    search: str = "",
    now: datetime | None = None,
) -> QuerySet[Case]:
    now = now or timezone.now()
    cases = readable_cases(scope)
    if box == "mine":
        cases = cases.filter(assignee_id=scope.user_id, status__in=OPEN_STATUSES)
    elif box == "team":
        cases = cases.filter(status__in=OPEN_STATUSES)
    elif box == "overdue":
        cases = cases.filter(status__in=OPEN_STATUSES, due_at__lt=now)
    elif box == "open":
        cases = cases.filter(status__in=OPEN_STATUSES)
    if status:
        cases = cases.filter(status=status)
    if priority:
        cases = cases.filter(priority=priority)
    if unit_id is not None:
        unit = scope.units().filter(pk=unit_id).first()
        if unit is None:
            raise NotFound("No such org unit.", field="unit_id")
        cases = cases.filter(subtree_q(unit.path, "unit_path"))
    if assignee_id is not None:
        cases = cases.filter(assignee_id=assignee_id)
    if search:
        term = search.strip()
        match = Q(title__icontains=term) | Q(contact__email__iexact=term)
        if case_id := params.id_or_none(term.lstrip("#")):
            match |= Q(pk=case_id)
        cases = cases.filter(match)
    return cases.select_related("unit", "assignee", "contact", "rule", "root_cause").order_by(
        "due_at", "-id"
    )


def case(scope: Scope, case_id: int) -> Case:
    try:
        return (
            readable_cases(scope)
            .select_related(
                "unit", "assignee", "contact", "staff", "rule", "root_cause", "action_plan"
            )
            .get(pk=case_id)
        )
    except (Case.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound("No such case.") from None


def timeline(case_obj: Case) -> QuerySet[CaseEvent]:
    """The events of a case the caller has already read through `case`."""
    return case_obj.events.select_related("actor").order_by("at", "id")


def case_response(scope: Scope, case_obj: Case) -> Response:
    """The response behind a case: the case's reader may read it even if their role alone
    (agent) would not list the subtree's responses — it is the answer they must act on."""
    if case_obj.response_id is None:
        raise NotFound("This case is about an online review, not a response.")
    return response_selectors.response_in_org(scope.organization_id, case_obj.response_id)


def customer_history(scope: Scope, case_obj: Case, limit: int = 20) -> dict:
    """The same customer's other responses and cases, inside the reader's scope."""
    if case_obj.contact_id is None:
        return {"responses": [], "cases": []}
    responses = []
    if scope.can(Capability.READ_RECORDS):
        responses = list(
            response_selectors.visible_responses(scope)
            .filter(contact_id=case_obj.contact_id, is_complete=True)
            .exclude(pk=case_obj.response_id or 0)[:limit]
        )
    cases = list(
        readable_cases(scope)
        .filter(contact_id=case_obj.contact_id)
        .exclude(pk=case_obj.pk)
        .order_by("-created_at")[:limit]
    )
    return {"responses": responses, "cases": cases}


# --- configuration ------------------------------------------------------------------------


def visible_rules(scope: Scope) -> QuerySet[AlertRule]:
    scope.require(Capability.CONFIGURE)
    return (
        scope.filter(AlertRule.objects.all(), path_field="unit_path")
        .select_related("unit")
        .prefetch_related("surveys")
        .order_by("name", "pk")
    )


def rule(scope: Scope, rule_id: int) -> AlertRule:
    try:
        return visible_rules(scope).get(pk=rule_id)
    except (AlertRule.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound("No such alert rule.") from None


def visible_playbooks(scope: Scope) -> QuerySet[Playbook]:
    """Playbooks at or above the reader's unit (the company's templates serve every store)
    and below it (admins see their subtree's)."""
    if not can_read_cases(scope):
        raise Forbidden("Your role does not include cases.")
    above = [scope.unit_path[:i] for i in range(10, len(scope.unit_path) + 1, 10)]
    return (
        Playbook.objects.filter(organization_id=scope.organization_id)
        .filter(Q(unit_path__in=above) | subtree_q(scope.unit_path, "unit_path"))
        .select_related("unit")
        .order_by("name")
    )


def playbook(scope: Scope, playbook_id: int) -> Playbook:
    try:
        return visible_playbooks(scope).get(pk=playbook_id)
    except (Playbook.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound("No such playbook.") from None


def root_causes(scope: Scope) -> QuerySet[RootCause]:
    """The organisation's taxonomy (shared by all its units)."""
    return RootCause.objects.filter(organization_id=scope.organization_id).select_related("parent")


def root_cause_reader(scope: Scope) -> None:
    """The taxonomy is for those who handle or configure cases."""
    if not (can_read_cases(scope) or scope.can(Capability.CONFIGURE)):
        raise Forbidden("Your role does not include cases.")


def root_cause(scope: Scope, cause_id: int) -> RootCause:
    """One cause of the organisation's taxonomy."""
    root_cause_reader(scope)
    found = root_causes(scope).filter(pk=cause_id).first()
    if found is None:
        raise NotFound("No such root cause.")
    return found


# --- promoter loop and action plans -----------------------------------------------------


def visible_praise(scope: Scope) -> QuerySet[Praise]:
    """Promoters' words about a staff member: records (a viewer sees none)."""
    scope.require(Capability.READ_RECORDS)
    return scope.filter(Praise.objects.all(), path_field="unit_path").select_related(
        "staff", "unit"
    )


def visible_advocates(scope: Scope) -> QuerySet[Advocate]:
    if not can_read_cases(scope) or only_own_cases(scope):
        raise Forbidden("Your role does not include advocates.")
    return scope.filter(Advocate.objects.all(), path_field="unit_path").select_related("contact")


def visible_plans(scope: Scope) -> QuerySet[ActionPlan]:
    scope.require(Capability.VIEW)
    return (
        scope.filter(ActionPlan.objects.all(), path_field="unit_path")
        .select_related("unit", "owner", "root_cause", "survey")
        .prefetch_related("tasks")
    )


def plan_starts(scope: Scope, node_path: str, since: date, until: date) -> list[dict]:
    """Action plans of the unit at `node_path` or below it that started between the two days
    (the dashboard trend's annotations; analytics hook `plan_starts`)."""
    plans = (
        visible_plans(scope)
        .filter(subtree_q(node_path, "unit_path"), starts_on__gte=since, starts_on__lte=until)
        .exclude(status="cancelled")
        .order_by("starts_on", "id")
        .values("id", "title", "starts_on")[:20]
    )
    return [{"plan_id": p["id"], "title": p["title"], "day": p["starts_on"]} for p in plans]


def plan(scope: Scope, plan_id: int) -> ActionPlan:
    try:
        return visible_plans(scope).get(pk=plan_id)
    except (ActionPlan.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound("No such action plan.") from None


def plan_cases(scope: Scope, plan_obj: ActionPlan) -> list[Case]:
    if not can_read_cases(scope):
        return []
    return list(readable_cases(scope).filter(action_plan=plan_obj).select_related("unit"))


# --- a person's cases, and what retention must not take from an open case (privacy) -------


def cases_about(organization_id: int, contact_id: int, response_ids: list[int]) -> list[dict]:
    """The cases opened about a contact or their responses, with their timelines (their own
    copy: staff members appear by role in the story, not by name)."""
    cases = (
        Case.objects.filter(organization_id=organization_id)
        .filter(Q(contact_id=contact_id) | Q(response_id__in=response_ids))
        .select_related("unit", "root_cause")
        .prefetch_related("events")
        .order_by("created_at", "pk")
    )
    return [
        {
            "id": case.pk,
            "title": case.title,
            "status": case.status,
            "unit_code": case.unit.code,
            "response_id": case.response_id,
            "root_cause": str(case.root_cause) if case.root_cause_id else None,
            "created_at": case.created_at,
            "resolved_at": case.resolved_at,
            "closed_at": case.closed_at,
            "timeline": [
                {"kind": e.kind, "at": e.at, "text": e.text}
                for e in sorted(case.events.all(), key=lambda e: (e.at, e.pk))
            ],
        }
        for case in cases
    ]


def open_case_response_ids(organization_id: int) -> QuerySet:
    """Responses an open case still works from (retention leaves them until it closes)."""
    # Cases about online reviews have no response: a NULL in this list would make the
    # callers' NOT IN match nothing at all.
    return Case.objects.filter(
        organization_id=organization_id, status__in=OPEN_STATUSES, response_id__isnull=False
    ).values("response_id")


def open_case_contact_ids(organization_id: int) -> QuerySet:
    return Case.objects.filter(
        organization_id=organization_id, status__in=OPEN_STATUSES, contact_id__isnull=False
    ).values("contact_id")


def sla_figures(
    scope: Scope, since: datetime | None = None, until: datetime | None = None
) -> dict[str, Any]:
    """{"total", "units", "assignees"}: the SLA figures of the cases opened in the period that
    the scope may read (the SLA page's, for a background export)."""
    from voxloop.closedloop.sla import sla_statistics

    return sla_statistics(scope, since=since, until=until)


def cases_of_contacts(
    organization_id: int, contact_ids: list[int], at: datetime
) -> dict[int, tuple[int, int]]:
    """Per contact, (cases open at `at`, of which overdue) about what the contact said
    (responses and reviews; a health call to action is about the account, not counted).
    System work: health scores, which keep the counts only."""
    cases = (
        Case.objects.filter(
            organization_id=organization_id, contact_id__in=contact_ids, created_at__lte=at
        )
        .filter(Q(response__isnull=False) | Q(review_id__isnull=False))
        .exclude(resolved_at__lte=at)
        .exclude(closed_at__lte=at)
        .values_list("contact_id", "due_at")
    )
    counts: dict[int, tuple[int, int]] = {}
    for contact_id, due_at in cases:
        opened, overdue = counts.get(contact_id, (0, 0))
        counts[contact_id] = (opened + 1, overdue + (due_at < at))
    return counts


def reviews_resolved_in_time(*, organization_id: int, since: datetime) -> set[int]:
    """The online reviews (reviews app ids) whose case, opened since `since`, was resolved by
    its due time: the reviews' follow-through figure, which counts reviews, never shows a
    case. Bounded by the organisation's cases about reviews in the period."""
    rows = Case.objects.filter(
        organization_id=organization_id,
        review_id__isnull=False,
        created_at__gte=since,
        resolved_at__isnull=False,
        resolved_at__lte=F("due_at"),
    ).values_list("review_id", flat=True)
    return {r for r in rows if r is not None}


def open_case_count(
    scope: Scope, responses: QuerySet | None = None, review_ids: QuerySet | None = None
) -> int | None:
    """Open cases the reader may read about these responses or reviews (subqueries of ids the
    caller counted in its own scope); None for a role that does not read cases."""
    if not can_read_cases(scope):
        return None
    cases = readable_cases(scope).filter(status__in=OPEN_STATUSES)
    if responses is not None:
        return cases.filter(response_id__in=responses).count()
    if review_ids is not None:
        return cases.filter(review_id__in=review_ids).count()
    return 0


def closed_case_contacts(*, organization_id: int, assignee_id: int, limit: int = 5) -> list[dict]:
    """The customers of the latest cases one person resolved or closed (a 360 cycle invites
    them to rate that person): contact id, email and language, each contact once, only
    those who may be emailed. System work: 360 feedback."""
    rows = (
        Case.objects.filter(
            organization_id=organization_id,
            assignee_id=assignee_id,
            status__in=("resolved", "closed"),
            contact__isnull=False,
            contact__consent_email=True,
        )
        .exclude(contact__email="")
        .order_by("-id")
        .values_list("contact_id", "contact__email", "contact__locale")[: limit * 4]
    )
    found: dict[int, dict] = {}
    for contact_id, email, locale in rows:
        if contact_id not in found and len(found) < limit:
            found[contact_id] = {"contact_id": contact_id, "email": email, "language": locale}
    return list(found.values())
