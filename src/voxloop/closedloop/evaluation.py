"""From a submitted response to cases and notifications: the inner loop's first second.

Runs in a worker (the `response_submitted` receiver only enqueues), so a slow SMTP server never
slows a respondent down. Safe to run twice or concurrently for one response: cases are unique
per response and rule, notifications per subject, purpose, channel and recipient.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypedDict

from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from voxloop.closedloop import messages, notifications, routing
from voxloop.closedloop.conditions import matches, uses_text
from voxloop.closedloop.models import (
    Advocate,
    AlertRule,
    Case,
    CaseEvent,
    Evaluated,
    Notification,
    Praise,
)
from voxloop.closedloop.signals import announce
from voxloop.responses import selectors as response_selectors
from voxloop.responses.models import Origin, Response
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.models import OrgUnit


def evaluate_response(
    *, response_id: int, now: datetime | None = None, text_only: bool = False
) -> list[Case]:
    """Apply every active rule of the response's organisation to it; the cases it opened.
    `text_only`: only the rules that read what was written (run again once the comments are
    analysed)."""
    now = now or timezone.now()
    response = response_selectors.complete_for_rules(response_id)
    if response is None:
        return []
    opened = _evaluate(response, now, text_only)
    if not text_only:
        Evaluated.objects.bulk_create(
            [Evaluated(response_id=response.pk, at=now)], ignore_conflicts=True
        )
    return opened


def evaluate_missed(*, since: datetime, until: datetime) -> list[int]:
    """The responses completed in this window that may alert but that no worker evaluated
    (their task was lost between the commit and the queue); the ones enqueued again."""
    from voxloop.closedloop.tasks import evaluate_response as evaluate_task

    Evaluated.objects.filter(at__lt=since - timedelta(hours=1)).delete()  # long past the window
    recent = set(response_selectors.completed_since(since))
    recent -= set(response_selectors.completed_since(until))
    if not recent:
        return []
    held = set(Evaluated.objects.filter(pk__in=recent).values_list("pk", flat=True))
    rows = response_selectors.complete_named_orgs(recent - held)
    orgs = set(
        AlertRule.objects.filter(
            organization_id__in={org for _, org in rows}, is_active=True, applies_to="responses"
        ).values_list("organization_id", flat=True)
    )
    missed = sorted(pk for pk, org in rows if org in orgs)
    for response_id in missed:
        evaluate_task.enqueue(response_id)
    return missed


def _evaluate(response: Response, now: datetime, text_only: bool) -> list[Case]:
    # Anonymous (employee) answers never become cases: a case names who said it.
    if response.survey.is_anonymous:
        return []
    unit = response.unit or _root(response.organization_id)
    opened, to_send = [], []
    findings = _findings(response.pk)
    for rule in _rules_for(response, unit):
        if text_only and not uses_text(rule.conditions):
            continue
        if not (matches(rule.conditions, response, findings) or invites_everyone(rule=rule)):
            continue
        with transaction.atomic():
            if rule.open_case:
                case, created = open_case_for(rule=rule, response=response, unit=unit, now=now)
                if created:
                    opened.append(case)
                    to_send += _alert(rule, case, response, now)
            to_send += _promoter_actions(rule, response, unit, now)
    for notification_id in to_send:
        notifications.deliver(notification_id, now=now)
    return opened


def invites_everyone(*, rule: AlertRule) -> bool:
    """A rule that only invites reviews, without conditions, goes to every respondent: the
    one way to ask for public reviews without review gating."""
    return bool(
        rule.review_playbook_id and not rule.open_case and not (rule.conditions or {}).get("items")
    )


def _findings(response_id: int) -> Callable[[], dict | None]:
    """What text analytics found in the response's comments, read once and only if a rule
    asks (`textanalytics.selectors`)."""
    cached: list[dict | None] = []

    def read() -> dict | None:
        if not cached:
            from voxloop.textanalytics.selectors import findings_of_response

            cached.append(findings_of_response(response_id))
        return cached[0]

    return read


def text_rule_responses(*, response_ids: list[int]) -> list[int]:
    """Those of these responses whose organisation has an active rule on what was written
    and that may alert at all (not anonymous)."""
    rows = response_selectors.complete_named_orgs(response_ids)
    rules = AlertRule.objects.filter(
        organization_id__in={org for _, org in rows}, is_active=True, applies_to="responses"
    ).values_list("organization_id", "conditions")
    orgs = {org for org, conditions in rules if uses_text(conditions or {})}
    return [pk for pk, org in rows if org in orgs]


def _root(organization_id: int) -> OrgUnit:
    return tenancy_selectors.organization_root(organization_id)


def _rules_for(response: Response, unit: OrgUnit) -> list[AlertRule]:
    """Active rules whose unit is this response's unit or above it, limited to its survey."""
    rules = (
        AlertRule.objects.filter(
            organization_id=response.organization_id,
            is_active=True,
            applies_to="responses",
            unit_id__in=unit.ancestor_ids(),
        )
        .prefetch_related("surveys")
        .order_by("pk")
    )
    return [
        rule
        for rule in rules
        if not rule.surveys.all() or any(s.pk == response.survey_id for s in rule.surveys.all())
    ]


def case_title(*, rule_name: str, response: Response) -> str:
    scores = messages.scores_line(response)
    return f"{rule_name} · {scores}"[:200] if scores else rule_name[:200]


def open_case_for(
    *, rule: AlertRule, response: Response, unit: OrgUnit, now: datetime
) -> tuple[Case, bool]:
    """The rule's case for this response (opened now if there is none yet), and whether it
    was opened by this call; no notification (the demo seeds history with it)."""
    assignee = routing.choose_assignee(response, unit, rule.assign_role)
    case = Case(
        organization_id=response.organization_id,
        unit=unit,
        unit_path=unit.path,
        response=response,
        rule=rule,
        contact=response.contact,
        staff=response.staff,
        title=case_title(rule_name=rule.name, response=response),
        priority=rule.priority,
        assignee=assignee,
        created_at=now,
        assigned_at=now if assignee else None,
        due_at=now + timedelta(hours=rule.sla_hours),
        second_escalation_at=now + timedelta(hours=rule.sla_hours + rule.second_escalation_hours),
    )
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError:
        # Another worker opened it a moment ago (the same response evaluated twice).
        return Case.objects.get(response=response, rule=rule), False
    CaseEvent.objects.create(
        case=case,
        kind=CaseEvent.Kind.OPENED,
        actor_label="system",
        text=rule.name,
        data={"assignee": assignee.get_username() if assignee else None},
        at=now,
    )
    announce(case, "opened")
    return case, True


class _Common(TypedDict):
    """What every notification about one case shares."""

    organization_id: int
    about: str
    now: datetime


def _alert(rule: AlertRule, case: Case, response: Response, now: datetime) -> list[int]:
    """Queue the alert to every recipient and webhook; ids of those to send right away."""
    immediate = []
    common = _Common(organization_id=case.organization_id, about=f"case:{case.pk}", now=now)
    for user in routing.recipients(rule, response, case.unit):
        if not user.email:
            continue
        with translation.override(_language_of(user)):
            subject, body = messages.alert_text(case, response, rule.name)
        digest = rule.email_mode == "digest"
        row, created = notifications.queue(
            **common,
            key="alert",
            channel=Notification.Channel.DIGEST if digest else Notification.Channel.EMAIL,
            recipient=user.email,
            subject=subject,
            body=body,
            case=case,
            user=user,
            run_after=_next_hour(now) if digest else now,
        )
        if created and not digest:
            immediate.append(row.pk)
    for hook in rule.webhooks or []:
        subject, body = messages.alert_text(case, response, rule.name)
        row, created = notifications.queue(
            **common,
            key="alert",
            channel=hook.get("kind", "webhook"),
            recipient=hook["url"],
            subject=subject,
            body=f"{subject}\n{body}",
            payload=messages.webhook_payload(case, response, "case.opened"),
            secret=hook.get("secret", ""),
            case=case,
        )
        if created:
            immediate.append(row.pk)
    return immediate


def _promoter_actions(
    rule: AlertRule, response: Response, unit: OrgUnit, now: datetime
) -> list[int]:
    """Thank the customer, invite a review, flag an advocate, pass praise to the staff's unit."""
    immediate = []
    contact = response.contact
    for purpose, playbook in (
        ("thank_you", rule.thank_you_playbook),
        ("review", rule.review_playbook),
    ):
        if playbook is None or contact is None or not contact.email:
            continue
        values = messages.merge_values(response=response)
        row, created = notifications.queue(
            organization_id=response.organization_id,
            about=f"response:{response.pk}",
            key=f"{purpose}:{playbook.pk}",
            channel=Notification.Channel.EMAIL,
            recipient=contact.email,
            subject=messages.merge(playbook.subject, values),
            body=messages.merge(playbook.body, values),
            response=response,
            now=now,
        )
        if created:
            immediate.append(row.pk)
    if rule.flag_advocate and contact is not None:
        Advocate.objects.get_or_create(
            organization_id=response.organization_id,
            contact=contact,
            defaults={"response": response, "unit_path": unit.path, "flagged_at": now},
        )
    if rule.record_praise:
        record_praise(response=response, now=now)
    return immediate


def record_praise(*, response: Response, now: datetime) -> None:
    """A promoter's words naming the staff member who served them ("Ron was great"), shown
    to that member's unit. Only when the comment names them: a bare 10 praises nobody; nor
    does an answer entered by staff, which counts in no staff member's figures."""
    if response.origin == Origin.STAFF:
        return
    text = messages.comments_of(response)
    staff = response.staff
    first_name = staff.name.split(" ")[0].casefold() if staff is not None else ""
    if staff is not None and first_name and first_name in text.casefold():
        Praise.objects.get_or_create(
            response=response,
            defaults={
                "organization_id": response.organization_id,
                "unit": staff.unit,
                "unit_path": staff.unit.path,
                "staff": staff,
                "text": text,
                "score": response.nps,
                "at": now,
            },
        )


def _next_hour(now: datetime) -> datetime:
    return now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


def _language_of(user: object) -> str:
    return getattr(user, "language", "") or "en"
