"""From a submitted response to cases and notifications: the inner loop's first second.

Runs in a worker (the `response_submitted` receiver only enqueues), so a slow SMTP server never
slows a respondent down. Safe to run twice or concurrently for one response: cases are unique
per response and rule, notifications per subject, purpose, channel and recipient.
"""

from __future__ import annotations

import logging
import time
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
    NotificationStatus,
    Praise,
)
from voxloop.closedloop.signals import announce
from voxloop.responses import selectors as response_selectors
from voxloop.responses.models import Origin, Response
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.models import OrgUnit

log = logging.getLogger(__name__)


class Shared:
    """What every response of one organisation reads alike, read once per job (decision
    0049): its active rules with their surveys, its root unit, the role holders above a unit
    and named recipients. Nothing here changes as cases open (the round-robin turn is read
    per case)."""

    def __init__(self, organization_id: int) -> None:
        self.organization_id = organization_id
        self.lookups: routing.Lookups = {}
        self._rules: list[AlertRule] | None = None
        self._root: OrgUnit | None = None

    def rules(self) -> list[AlertRule]:
        if self._rules is None:
            self._rules = list(
                AlertRule.objects.filter(
                    organization_id=self.organization_id, is_active=True, applies_to="responses"
                )
                .select_related("thank_you_playbook", "review_playbook")
                .prefetch_related("surveys")
                .order_by("pk")
            )
        return self._rules

    def root(self) -> OrgUnit:
        if self._root is None:
            self._root = _root(self.organization_id)
        return self._root


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
    with transaction.atomic():
        opened, to_send = _evaluate(response, now, text_only, Shared(response.organization_id))
        if not text_only:
            Evaluated.objects.bulk_create(
                [Evaluated(response_id=response.pk, at=now)], ignore_conflicts=True
            )
    _deliver(to_send, now)
    return opened


def evaluate_responses(
    *,
    organization_id: int,
    response_ids: list[int],
    now: datetime | None = None,
    text_only: bool = False,
) -> list[Case]:
    """`evaluate_response` for many responses of one organisation in one job: its rules,
    routing and recipients read once, its cases, notifications and ledger rows written in one
    transaction, its alert emails over one SMTP session (decisions 0049, 0054). Safe to run
    again, whole or in part: what is in the `Evaluated` ledger is skipped, and cases and
    notifications stay unique per response whatever ran before."""
    ids = list(dict.fromkeys(response_ids))
    if not text_only:
        held = set(Evaluated.objects.filter(pk__in=ids).values_list("pk", flat=True))
        ids = [pk for pk in ids if pk not in held]
    shared, opened, done, to_send = Shared(organization_id), [], [], []
    # One commit for the batch instead of one per response: the ledger row commits with the
    # response's cases and notifications, so a worker killed after the commit leaves pending
    # notifications that `deliver_due` sends, and one killed before it leaves nothing at all
    # (`evaluate_missed` runs the batch again).
    with transaction.atomic():
        for response in response_selectors.complete_for_rules_of(organization_id, ids):
            # Each its own time, as one job each would have: the round-robin turn goes by it.
            at = now or timezone.now()
            try:
                with transaction.atomic():  # a failing response takes back only its own rows
                    cases, ready = _evaluate(response, at, text_only, shared)
            except Exception:  # the others still go out; `evaluate_missed` retries this one
                log.exception("closedloop: evaluating response %s failed", response.pk)
                continue
            opened += cases
            to_send += [(pk, at) for pk in ready]
            done.append(Evaluated(response_id=response.pk, at=at))
        if not text_only:
            Evaluated.objects.bulk_create(done, ignore_conflicts=True)
    if to_send:
        _deliver([pk for pk, _ in to_send], max(at for _, at in to_send))
    return opened


def _deliver(notification_ids: list[int], now: datetime) -> None:
    """Claim the alerts just committed in one statement and send them over one SMTP session.
    A worker killed here leaves the rest claimed: the sweep sends them once the short alert
    lease runs out, never twice (decisions 0008, 0054, 0057)."""
    window = notifications.ALERT_SEND_WINDOW.total_seconds()
    sent = False
    with notifications.Mailer() as mailer:
        claimed = time.monotonic()
        # The lease runs from the claim, not from the evaluation (`now`) that may be older.
        rows = notifications.claim_many(
            notification_ids, timezone.now(), lease=notifications.ALERT_LEASE
        )
        for row in rows:
            # Past the window (a slow SMTP server) the rest is left to the sweep, which takes
            # it once the lease runs out: a row is sent only while its claim holds.
            if time.monotonic() - claimed > window:
                break
            outcome = notifications.deliver_claimed(row, now, mailer)
            sent = sent or outcome == NotificationStatus.SENT
    if sent:
        notifications.email_went_through()


def evaluate_missed(*, since: datetime, until: datetime) -> list[int]:
    """The responses completed in this window that may alert but that no worker evaluated
    (their task was lost between the commit and the queue); the ones enqueued again."""
    from voxloop.closedloop.tasks import EVALUATION_BATCH, urgent
    from voxloop.closedloop.tasks import evaluate_responses as evaluate_task

    Evaluated.objects.filter(at__lt=since - timedelta(hours=1)).delete()  # long past the window
    # One anti-join returns only what is missing: reading every id of the window (~45,000
    # at 50 submissions/s) to subtract the ledger in Python took the sweep's time (0062).
    rules = AlertRule.objects.filter(is_active=True, applies_to="responses")
    rows = response_selectors.named_missing(
        since, until, Evaluated.objects.all(), rules.values("organization_id")
    )
    missed: dict[int, list[int]] = {}
    for pk, org in rows:
        missed.setdefault(org, []).append(pk)
    for org, ids in missed.items():
        for start in range(0, len(ids), EVALUATION_BATCH):
            # Alerts already late: ahead of the campaign's batches, as on the usual path.
            urgent(evaluate_task).enqueue(org, ids[start : start + EVALUATION_BATCH])
    return sorted(pk for ids in missed.values() for pk in ids)


def _evaluate(
    response: Response, now: datetime, text_only: bool, shared: Shared
) -> tuple[list[Case], list[int]]:
    """The response's cases and notifications, written in the caller's transaction; the
    cases opened and the notifications to send once it commits."""
    # Anonymous (employee) answers never become cases: a case names who said it.
    if response.survey.is_anonymous:
        return [], []
    unit = response.unit or shared.root()
    opened, to_send = [], []
    findings = _findings(response.pk)
    for rule in _rules_for(response, unit, shared):
        if text_only and not uses_text(rule.conditions):
            continue
        if not (matches(rule.conditions, response, findings) or invites_everyone(rule=rule)):
            continue
        if rule.open_case:
            case, created = open_case_for(
                rule=rule, response=response, unit=unit, now=now, lookups=shared.lookups
            )
            if created:
                opened.append(case)
                to_send += _alert(rule, case, response, now, shared.lookups)
        to_send += _promoter_actions(rule, response, unit, now)
    return opened, to_send


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


def text_rule_responses(*, response_ids: list[int]) -> dict[int, list[int]]:
    """Those of these responses whose organisation has an active rule on what was written
    and that may alert at all (not anonymous), by organisation."""
    rows = response_selectors.complete_named_orgs(response_ids)
    rules = AlertRule.objects.filter(
        organization_id__in={org for _, org in rows}, is_active=True, applies_to="responses"
    ).values_list("organization_id", "conditions")
    orgs = {org for org, conditions in rules if uses_text(conditions or {})}
    found: dict[int, list[int]] = {}
    for pk, org in sorted(rows):
        if org in orgs:
            found.setdefault(org, []).append(pk)
    return found


def _root(organization_id: int) -> OrgUnit:
    return tenancy_selectors.organization_root(organization_id)


def _rules_for(response: Response, unit: OrgUnit, shared: Shared) -> list[AlertRule]:
    """Active rules whose unit is this response's unit or above it, limited to its survey."""
    above = set(unit.ancestor_ids())
    return [
        rule
        for rule in shared.rules()
        if rule.unit_id in above
        and (not rule.surveys.all() or any(s.pk == response.survey_id for s in rule.surveys.all()))
    ]


def case_title(*, rule_name: str, response: Response) -> str:
    scores = messages.scores_line(response)
    return f"{rule_name} · {scores}"[:200] if scores else rule_name[:200]


def open_case_for(
    *,
    rule: AlertRule,
    response: Response,
    unit: OrgUnit,
    now: datetime,
    lookups: routing.Lookups | None = None,
) -> tuple[Case, bool]:
    """The rule's case for this response (opened now if there is none yet), and whether it
    was opened by this call; no notification (the demo seeds history with it)."""
    assignee = routing.choose_assignee(response, unit, rule.assign_role, lookups)
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


def _alert(
    rule: AlertRule, case: Case, response: Response, now: datetime, lookups: routing.Lookups
) -> list[int]:
    """Queue the alert to every recipient and webhook; ids of those to send right away."""
    immediate = []
    common = _Common(organization_id=case.organization_id, about=f"case:{case.pk}", now=now)
    for user in routing.recipients(rule, response, case.unit, lookups):
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
