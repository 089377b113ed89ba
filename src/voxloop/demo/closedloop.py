"""The demo's closed loop: rules, playbooks, a root-cause taxonomy, a month of cases (most
closed, some open, a few overdue), praise for named staff, and two action plans.

Historical responses are imported without events, so cases are opened here for the recent
detractors the rules would have caught, with their timelines played out at plausible times.
No notification is sent: this is history.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.db.models import F, Q

from voxloop.closedloop import casework, evaluation, plans, services
from voxloop.closedloop.models import AlertRule, Case, RootCause
from voxloop.demo.feedback import FeedbackResult
from voxloop.demo.org_tree import DemoTree
from voxloop.responses import selectors as response_selectors
from voxloop.responses.models import Response
from voxloop.surveys.models import ANONYMOUS_KINDS
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.models import OrgUnit, subtree_q
from voxloop.tenancy.scoping import Scope

CASE_DAYS = 30
MAX_CASES = 160
ROOT_CAUSES = {
    "Waiting time": ["Queue at the till", "Too few staff on shift"],
    "Staff": ["Attitude", "Product knowledge"],
    "Product": ["Out of stock", "Price"],
    "Store": ["Cleanliness"],
    "Support": ["Slow answer", "Problem not solved"],
}
ISSUE_CAUSE = {
    "queue": "Queue at the till",
    "checkout": "Queue at the till",
    "staff": "Attitude",
    "price": "Price",
    "availability": "Out of stock",
    "cleanliness": "Cleanliness",
}

FALLBACK_CAUSES = ["Too few staff on shift", "Product knowledge", "Attitude", "Price"]
SUPPORT_CAUSES = ["Slow answer", "Problem not solved"]
SUPPORT_CASES_PER_TEAM = 15


@dataclass(frozen=True)
class ClosedLoopResult:
    rules: int
    cases: int
    open_cases: int
    overdue: int
    plans: int


def add_closed_loop(
    system: Scope, tree: DemoTree, feedback: FeedbackResult, rng: random.Random, anchor: datetime
) -> ClosedLoopResult:
    causes = _taxonomy(system)
    playbooks = _playbooks(system, tree.root)
    surveys = feedback.surveys
    detractor = services.create_rule(
        actor=system, unit=tree.root, name="Store detractor", survey_ids=[surveys.store_visit.pk],
        conditions={"match": "all", "items": [{"field": "nps", "op": "lte", "value": 6}]},
        recipients=[{"type": "role", "role": "manager"}, {"type": "team_lead"}],
        priority="normal", sla_hours=48,
    )  # fmt: skip
    support = services.create_rule(
        actor=system, unit=tree.root, name="Unhappy support customer",
        survey_ids=[surveys.support.pk],
        conditions={"match": "any", "items": [
            {"field": "csat", "op": "lte", "value": 2}, {"field": "ces", "op": "lte", "value": 2},
        ]},
        recipients=[{"type": "account_owner"}, {"type": "role", "role": "manager"}],
        priority="high", sla_hours=24,
    )  # fmt: skip
    services.create_rule(
        actor=system, unit=tree.root, name="Very low score anywhere",
        conditions={"match": "any", "items": [
            {"field": "nps", "op": "lte", "value": 2},
            {"field": "comment", "op": "contains_any",
             "value": ["rude", "never again", "dirty", "无礼", "失礼", "nepoliticos"]},
        ]},
        open_case=False, recipients=[{"type": "role", "role": "admin"}], email_mode="digest",
    )  # fmt: skip
    services.create_rule(
        actor=system, unit=tree.root, name="Promoters: thank",
        survey_ids=[surveys.store_visit.pk],
        conditions={"items": [{"field": "nps_group", "op": "eq", "value": "promoter"}]},
        open_case=False, recipients=[], thank_you_playbook_id=playbooks["thank_you"].pk,
        flag_advocate=True, record_praise=True,
    )  # fmt: skip
    # Every respondent is invited to review, never promoters only (no review gating).
    services.create_rule(
        actor=system, unit=tree.root, name="Every respondent: invite a review",
        survey_ids=[surveys.store_visit.pk], conditions={}, open_case=False, recipients=[],
        review_playbook_id=playbooks["review"].pk,
    )  # fmt: skip
    cases = _history(system, detractor, causes, rng, anchor)
    cases += _support_history(system, support, causes, rng, anchor)
    _praise(system, surveys.store_visit.pk, anchor)
    plan_count = _plans(system, tree, causes, cases, anchor)
    open_cases = [c for c in cases if c.is_open]
    return ClosedLoopResult(
        rules=5,
        cases=len(cases),
        open_cases=len(open_cases),
        overdue=sum(c.due_at < anchor for c in open_cases),
        plans=plan_count,
    )


def _taxonomy(system: Scope) -> dict[str, RootCause]:
    causes = {}
    for parent_name, children in ROOT_CAUSES.items():
        parent = services.create_root_cause(actor=system, name=parent_name)
        for name in children:
            causes[name] = services.create_root_cause(actor=system, name=name, parent=parent)
    return causes


def _playbooks(system: Scope, root: OrgUnit) -> dict:
    texts = {
        "follow_up": ("Apology and call-back", "About your visit to {{unit}}",
                      "Dear {{first_name}},\n\nThank you for telling us about your visit. "
                      "I am sorry we let you down. I would like to put it right: I will call "
                      "you today, or simply reply to this email.\n\n{{agent}}, {{unit}}"),
        "closing": ("Here is what we did", "What we changed after your feedback",
                    "Dear {{first_name}},\n\nYou told us what went wrong, and we acted on it. "
                    "Thank you for helping us improve {{unit}}.\n\n{{agent}}"),
        "thank_you": ("Thank you", "Thank you, {{first_name}}!",
                      "Thank you for your kind words about {{unit}}. {{staff}} will be "
                      "delighted to hear them."),
        "review": ("Review invitation", "Would you tell others?",
                   "If you enjoyed your visit to {{unit}}, a short public review would mean a "
                   "lot to the team: https://example.com/review"),
    }  # fmt: skip
    return {
        kind: services.create_playbook(
            actor=system, unit=root, name=name, kind=kind, subject=subject, body=body
        )
        for kind, (name, subject, body) in texts.items()
    }


Causes = dict[str, RootCause]


def _history(
    system: Scope, rule: AlertRule, causes: Causes, rng: random.Random, anchor: datetime
) -> list[Case]:
    """Cases for the last month's store detractors, worked the way real teams work them."""
    since = anchor - timedelta(days=CASE_DAYS)
    # Cases only where someone can work them: stores with a manager at or above them.
    managed = Q(pk__in=[])
    managers = tenancy_selectors.members_with_roles(["manager"], system.organization_id)
    for path in managers.values_list("unit__path", flat=True):
        managed |= subtree_q(path, "unit_path")
    recent = list(
        response_selectors.visible_responses(system)
        .filter(managed)
        .filter(
            survey__in=rule.surveys.all(),
            nps__lte=6,
            submitted_at__gte=since,
            submitted_at__lt=anchor,
        )
        .select_related("unit", "staff__unit", "contact__account__owner", "survey", "organization")
        .order_by("-submitted_at")[:MAX_CASES]
    )
    opened, agents = [], _agents(system)
    for response in recent:
        if response.unit is None or response.submitted_at is None:
            continue
        opened_at = response.submitted_at + timedelta(seconds=rng.randint(2, 20))
        case, _created = evaluation.open_case_for(
            rule=rule, response=response, unit=response.unit, now=opened_at
        )
        _hand_to_agent(system, case, agents, rng)
        opened.append(_work(system, case, response, causes, rng, anchor))
    return opened


def _agents(system: Scope) -> dict[int, int]:
    """Unit id → the user id of an agent working there."""
    rows = tenancy_selectors.members_with_roles(["agent"], system.organization_id)
    return dict(rows.values_list("unit_id", "user_id"))


def _hand_to_agent(system: Scope, case: Case, agents: dict[int, int], rng: random.Random) -> None:
    """Stores with an agent hand them about half their cases (the agent login has work)."""
    agent_id = agents.get(case.unit_id)
    if agent_id is None or rng.random() < 0.5:
        return
    at = case.created_at + timedelta(minutes=rng.randint(5, 25))
    casework.assign(actor=_as_assignee(system, case), case=case, user_id=agent_id, now=at)


def _support_history(
    system: Scope, rule: AlertRule, causes: Causes, rng: random.Random, anchor: datetime
) -> list[Case]:
    """Cases for the last month's unhappy support customers, spread over every team: high-
    touch accounts go to their account manager (routing), the rest to the team's managers."""
    since = anchor - timedelta(days=CASE_DAYS)
    recent = (
        response_selectors.visible_responses(system)
        .filter(
            survey__in=rule.surveys.all(),
            submitted_at__gte=since,
            submitted_at__lt=anchor,
            unit__isnull=False,
        )
        .filter(Q(csat__lte=2) | Q(ces__lte=2))
        .select_related("unit", "staff__unit", "contact__account__owner", "survey", "organization")
        .order_by("-submitted_at")
    )
    per_team: dict[int, list[Response]] = {}
    for response in recent.iterator():
        if response.unit_id is None:  # excluded by the query
            continue
        members = per_team.setdefault(response.unit_id, [])
        if len(members) < SUPPORT_CASES_PER_TEAM:
            members.append(response)
    opened = []
    for responses in per_team.values():
        for response in responses:
            if response.unit is None or response.submitted_at is None:
                continue
            at = response.submitted_at + timedelta(seconds=rng.randint(2, 20))
            case, _created = evaluation.open_case_for(
                rule=rule, response=response, unit=response.unit, now=at
            )
            opened.append(_work(system, case, response, causes, rng, anchor, SUPPORT_CAUSES))
    managers = {
        m.unit_id: Scope.of(m)
        for m in tenancy_selectors.members_with_roles(["manager"], system.organization_id).filter(
            unit__kind="team"
        )
    }
    for team in tenancy_selectors.visible_units(system, kind="team"):
        if team.pk not in per_team:
            actor = managers.get(team.pk) or _team_scope(system, team)
            opened += _opened_by_hand(actor, causes, rng, anchor)
    return opened


def _team_scope(system: Scope, team: OrgUnit) -> Scope:
    """The system acting within one team (a team without a manager of its own)."""
    return replace(system, unit_id=team.pk, unit_path=team.path)


def _opened_by_hand(
    manager: Scope, causes: Causes, rng: random.Random, anchor: datetime
) -> list[Case]:
    """A team without an unhappy customer this month: its manager (an account manager) opens
    cases by hand for the month's lowest support scores, as one does before a renewal."""
    lowest = (
        response_selectors.visible_responses(manager)
        .filter(submitted_at__gte=anchor - timedelta(days=CASE_DAYS), submitted_at__lt=anchor)
        .exclude(survey__kind__in=ANONYMOUS_KINDS)
        .order_by(F("csat").asc(nulls_last=True), F("nps").asc(nulls_last=True))[:3]
    )
    opened = []
    for response in lowest:
        if response.submitted_at is None:
            continue
        at = response.submitted_at + timedelta(hours=rng.uniform(1, 6))
        case = casework.open_case(
            actor=manager, response_id=response.pk, title="Follow-up before renewal", now=at
        )
        opened.append(_work(manager, case, response, causes, rng, anchor, SUPPORT_CAUSES))
    return opened


def _work(
    system: Scope,
    case: Case,
    response: Response,
    causes: Causes,
    rng: random.Random,
    anchor: datetime,
    fallback: list[str] | None = None,
) -> Case:
    """Play out a case: first call within hours, resolution within or past the SLA."""
    age = anchor - case.created_at
    actor = _as_assignee(system, case)
    first = case.created_at + timedelta(hours=rng.uniform(0.3, 30))
    if first >= anchor:
        return case  # still new
    casework.change_status(actor=actor, case=case, status="in_progress", now=first)
    picked = (response.answers.get("improve") or [None])[0]
    # Every finished case names a cause: the customer's pick, else the team's own judgement.
    fallback = fallback or FALLBACK_CAUSES
    cause = causes.get(ISSUE_CAUSE.get(picked, "")) or causes[rng.choice(fallback)]
    roll = rng.random()
    if age < timedelta(days=3) and roll < 0.5:
        return case  # being worked
    if roll < 0.12:
        casework.change_status(
            actor=actor, case=case, status="waiting", now=first + timedelta(hours=1)
        )
        return case  # waiting on the customer, maybe past due
    if roll < 0.2:
        return case  # in progress, past due unless very recent
    casework.add_note(actor=actor, case=case,
                      text="Called the customer, apologised, agreed next steps.",
                      now=first + timedelta(minutes=10))  # fmt: skip
    casework.set_root_cause(
        actor=actor, case=case, root_cause_id=cause.pk, now=first + timedelta(minutes=12)
    )
    resolve = first + timedelta(hours=rng.choice([2, 6, 20, 30, 44, 60, 80]))
    if resolve >= anchor:
        return case
    casework.change_status(actor=actor, case=case, status="resolved", now=resolve)
    close = resolve + timedelta(hours=rng.uniform(1, 48))
    if close < anchor:
        casework.change_status(actor=actor, case=case, status="closed", now=close)
    return case


def _as_assignee(system: Scope, case: Case) -> Scope:
    if case.assignee_id is None:
        return system
    membership = tenancy_selectors.membership_in(case.assignee_id, case.organization_id)
    assert membership is not None  # an assignee is always a member (casework checks it)
    return Scope.of(membership)


def _praise(system: Scope, survey_id: int, anchor: datetime) -> None:
    promoters = (
        response_selectors.visible_responses(system)
        .filter(
            survey_id=survey_id,
            nps__gte=9,
            staff__isnull=False,
            submitted_at__gte=anchor - timedelta(days=90),
        )
        .exclude(answers__comment=None)
        .select_related("staff__unit")
        .order_by("-submitted_at")[:3000]
    )
    for response in promoters:
        if response.submitted_at is not None:
            evaluation.record_praise(response=response, now=response.submitted_at)


def _plans(system: Scope, tree: DemoTree, causes: dict, cases: list, anchor: datetime) -> int:
    """Two plans on the commonest causes: one in the demo's region, one for a country."""
    region = tree.regions[0].unit
    today = anchor.date()
    queues = plans.create_plan(
        actor=system, unit=region, title="Shorter queues at the tills",
        description="Open a second till from 16:00 and on Saturdays; a queue-buster at peaks.",
        root_cause_id=causes["Queue at the till"].pk, theme="queue", status="active",
        starts_on=today - timedelta(days=45), window_days=45,
    )  # fmt: skip
    for title, days in (("Rota a second till 16:00–19:00", -40), ("Queue-buster trial", -20),
                        ("Review the effect with store managers", 5)):  # fmt: skip
        task = plans.add_task(
            actor=system, plan=queues, title=title, due_on=today + timedelta(days=days)
        )
        if days < 0:
            plans.set_task_done(actor=system, task=task, done=True)
    for case in cases:
        if case.root_cause_id == causes["Queue at the till"].pk and case.unit_path.startswith(
            region.path
        ):
            casework.link_plan(actor=system, case=case, plan=queues, now=anchor)
    country = next(iter(tree.countries.values()))
    friendly = plans.create_plan(
        actor=system, unit=country, title="Greeting and product-knowledge coaching",
        description="Monthly coaching for every store team; mystery-shopper checks.",
        root_cause_id=causes["Attitude"].pk, theme="staff", status="active",
        starts_on=today - timedelta(days=60), window_days=60,
    )  # fmt: skip
    plans.add_task(actor=system, plan=friendly, title="Coaching sessions in every store",
                   due_on=today - timedelta(days=30))  # fmt: skip
    return 2
