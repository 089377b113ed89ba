"""Overdue cases climb the tree: at the SLA the next level of managers above the case's own
hears of it, at the second threshold the level above that. Run every minute by the clock;
tests call `escalate_overdue(now=...)` with a controlled time."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation

from voxloop.closedloop import messages, notifications, routing
from voxloop.closedloop.models import OPEN_STATUSES, Case, CaseEvent, Notification
from voxloop.closedloop.signals import announce
from voxloop.tenancy.models import Role

BATCH = 500


def escalate_overdue(now: datetime | None = None) -> int:
    """Escalate every open case that has passed a threshold; the number of escalations."""
    now = now or timezone.now()
    overdue = (
        Case.objects.filter(status__in=OPEN_STATUSES)
        .filter(
            Q(escalation_level=0, due_at__lte=now)
            | Q(escalation_level=1, second_escalation_at__lte=now)
        )
        .order_by("due_at")
        .values_list("pk", "escalation_level")[:BATCH]
    )
    done = 0
    for case_id, level in list(overdue):
        done += _escalate(case_id, level + 1, now)
    return done


def _escalate(case_id: int, level: int, now: datetime) -> int:
    to_send = []
    with transaction.atomic():
        # Claim the step with a conditional UPDATE: two clocks never escalate one case twice.
        if not Case.objects.filter(pk=case_id, escalation_level=level - 1).update(
            escalation_level=level
        ):
            return 0
        case = Case.objects.select_related(
            "unit", "rule", "response__contact", "response__staff", "response__organization"
        ).get(pk=case_id)
        users = _next_level_up(case, level)
        rule_name = case.rule.name if case.rule is not None else case.title
        for user in users:
            if not user.email:
                continue
            with translation.override("en"):
                subject, body = messages.alert_text(case, case.response, rule_name, level)
            row, created = notifications.queue(
                organization_id=case.organization_id,
                about=f"case:{case.pk}",
                key=f"escalation:{level}",
                channel=Notification.Channel.EMAIL,
                recipient=user.email,
                subject=subject,
                body=body,
                case=case,
                user=user,
                now=now,
            )
            if created:
                to_send.append(row.pk)
        CaseEvent.objects.create(
            case=case,
            kind=CaseEvent.Kind.ESCALATED,
            actor_label="system",
            text=", ".join(u.get_username() for u in users),
            data={"level": level},
            at=now,
        )
        if level == 1:
            announce(case, "overdue")
    for notification_id in to_send:
        notifications.deliver(notification_id, now=now)
    return 1


def _next_level_up(case: Case, level: int) -> list:
    """Managers `level` levels above those nearest the case; past the top, the admins."""
    role = case.rule.assign_role if case.rule is not None else Role.MANAGER
    _, users = routing.role_holders_up(case.unit, role, skip=level)
    if users:
        return users
    _, admins = routing.role_holders_up(case.unit, Role.ADMIN)
    return admins
