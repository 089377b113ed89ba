"""Alert rules on online reviews: "1–2 stars at my store → a case for the store manager".

The reviews app sends `reviews_received` with a page of new reviews as plain data
(`reviews.events`); the receiver enqueues `tasks.evaluate_reviews` with them (only where the
organisation has rules on reviews), and this module applies the organisation's active rules
for reviews at or above each review's unit, with the same conditions, routing, case and
notifications as for a response. Safe to run twice: a case is unique per review and
rule, a notification per subject, purpose, channel and recipient.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from voxloop.closedloop import notifications, routing
from voxloop.closedloop.conditions import matches
from voxloop.closedloop.messages import case_link
from voxloop.closedloop.models import AlertRule, Case, CaseEvent, Notification
from voxloop.closedloop.signals import announce
from voxloop.errors import NotFound
from voxloop.privacy.redaction import mask
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.models import OrgUnit
from voxloop.tenancy.scoping import Scope

if TYPE_CHECKING:
    from voxloop.responses.models import Response

PREVIEW = 500


@dataclass
class ReviewSubject:
    """A review seen through the names the conditions and the routing read on a response."""

    organization_id: int
    rating: int
    source_kind: str
    answers: dict[str, Any] = field(default_factory=dict)
    nps: None = None
    csat: None = None
    ces: None = None
    nps_group: None = None
    contact: None = None
    staff_id: None = None


def _as_response(subject: ReviewSubject) -> Response:
    # The conditions and the routing read only the names a ReviewSubject carries.
    return cast("Response", subject)


def _findings(event: dict) -> dict:
    return {
        "sentiments": {event["sentiment"]} if event.get("sentiment") else set(),
        "themes": {key: set(found) for key, found in (event.get("themes") or {}).items()},
        "intents": set(),
    }


def evaluate_review(event: dict, now: datetime | None = None) -> list[Case]:
    """Apply the rules on reviews to one review; the cases it opened."""
    now = now or timezone.now()
    try:
        root = tenancy_selectors.organization_root(int(event["organization_id"]))
        unit = tenancy_selectors.unit(Scope.system(root), int(event["unit_id"]))
    except (KeyError, TypeError, ValueError, NotFound, OrgUnit.DoesNotExist):
        return []
    subject = ReviewSubject(
        organization_id=unit.organization_id,
        rating=int(event["rating"]),
        source_kind=event.get("source_kind", ""),
        answers={"review": f"{event.get('title', '')}\n{event.get('text', '')}"},
    )
    found = _findings(event)
    rules = AlertRule.objects.filter(
        organization_id=unit.organization_id,
        is_active=True,
        applies_to="reviews",
        unit_id__in=unit.ancestor_ids(),
    ).order_by("pk")
    opened, to_send = [], []
    for rule in rules:
        if not rule.open_case or not matches(rule.conditions, _as_response(subject), lambda: found):
            continue
        with transaction.atomic():
            case, created = _open_case(rule, subject, event, unit, now)
            if created:
                opened.append(case)
                to_send += _alert(rule, case, subject, event, now)
    for notification_id in to_send:
        notifications.deliver(notification_id, now=now)
    return opened


def case_title(rule_name: str, event: dict) -> str:
    return f"{rule_name} · {event['rating']}★ {event.get('source_name', '')}".strip()[:200]


def _open_case(
    rule: AlertRule, subject: ReviewSubject, event: dict, unit: OrgUnit, now: datetime
) -> tuple[Case, bool]:
    assignee = cast(Any, routing.choose_assignee(_as_response(subject), unit, rule.assign_role))
    case = Case(
        organization_id=unit.organization_id,
        unit=unit,
        unit_path=unit.path,
        response=None,
        review_id=event["id"],
        rule=rule,
        title=case_title(rule.name, event),
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
        return Case.objects.get(review_id=event["id"], rule=rule), False
    CaseEvent.objects.create(
        case=case,
        kind=CaseEvent.Kind.OPENED,
        actor_label="system",
        text=rule.name,
        data={"assignee": assignee.get_username() if assignee else None, "review": event["id"]},
        at=now,
    )
    announce(case, "opened")
    return case, True


def alert_text(case: Case, event: dict, rule_name: str) -> tuple[str, str]:
    """(subject, body) of the alert about a review, in the active language."""
    subject = _("New case #%(id)s at %(unit)s: %(title)s") % {
        "id": case.pk,
        "unit": case.unit.name,
        "title": case.title,
    }
    text = mask(f"{event.get('title', '')}\n{event.get('text', '')}".strip())
    lines = [
        _("Rule: %(rule)s") % {"rule": rule_name},
        _("Rating: %(stars)s of 5 on %(source)s")
        % {"stars": event["rating"], "source": event.get("source_name", "")},
        _("Due: %(due)s") % {"due": case.due_at.strftime("%Y-%m-%d %H:%M UTC")},
        "",
        text[:PREVIEW] + ("…" if len(text) > PREVIEW else ""),
        "",
        event.get("link", ""),
        case_link(case),
    ]
    return subject, "\n".join(lines)


def _alert(
    rule: AlertRule, case: Case, subject: ReviewSubject, event: dict, now: datetime
) -> list[int]:
    immediate = []
    for user in routing.recipients(rule, _as_response(subject), case.unit):
        if not user.email:
            continue
        with translation.override(getattr(user, "language", "") or "en"):
            title, body = alert_text(case, event, rule.name)
        digest = rule.email_mode == "digest"
        row, created = notifications.queue(
            organization_id=case.organization_id,
            about=f"case:{case.pk}",
            key="alert",
            channel=Notification.Channel.DIGEST if digest else Notification.Channel.EMAIL,
            recipient=user.email,
            subject=title,
            body=body,
            case=case,
            user=user,
            run_after=(now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1))
            if digest
            else now,
            now=now,
        )
        if created and not digest:
            immediate.append(row.pk)
    return immediate
