"""The events a subscription can receive and the payload of each (docs/webhooks.md).

Every message is an envelope `{"type", "version", "timestamp", "data"}`. `version` changes only
when a field changes meaning or goes away; new fields may appear within a version. Payloads
are built when the event happens and stored with the delivery, so a retry or a replay sends
what was true then. Free text is masked (privacy.redaction) and an anonymous survey's event
says only that its survey was answered: no answers, scores, unit, person or time finer than the
day (decisions 0003, 0016).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from voxloop.privacy.redaction import mask

VERSION = 1

# Emitted today, with the label the pages show.
EVENTS: dict[str, Any] = {
    "response.completed": _("A response was completed"),
    "response.updated": _("A stored response changed (erasure, retention)"),
    "case.opened": _("A case was opened"),
    "case.assigned": _("A case was assigned"),
    "case.resolved": _("A case was resolved or closed"),
    "case.overdue": _("A case passed its due time"),
    "invitation.bounced": _("An invitation bounced"),
    "contact.unsubscribed": _("A contact unsubscribed"),
    "review.received": _("An online review arrived"),
}
# Documented and accepted in subscriptions, sent once their apps exist (health).
RESERVED: dict[str, Any] = {
    "health.changed": _("An account's health changed (later)"),
}
ALL_EVENTS = {**EVENTS, **RESERVED}


def envelope(event_type: str, at: datetime, data: dict) -> dict:
    return {"type": event_type, "version": VERSION, "timestamp": at.isoformat(), "data": data}


def _link(name: str, pk: int) -> str:
    return settings.BASE_URL.rstrip("/") + reverse(name, args=[pk])


def _texts(answers: dict) -> dict:
    return {k: mask(v) if isinstance(v, str) else v for k, v in answers.items()}


def _contact(contact: Any) -> dict | None:
    if contact is None:
        return None
    return {"id": contact.pk, "external_id": contact.external_id}


def response_data(response: Any, anonymous: bool) -> dict:
    """`response.completed` / `response.updated`."""
    survey = {"id": response.survey_id}
    if anonymous:
        day = (response.submitted_at or response.started_at).date().isoformat()
        return {"anonymous": True, "survey": survey, "day": day}
    return {
        "anonymous": False,
        "survey": survey,
        "response": {
            "id": response.pk,
            "unit_code": response.unit.code if response.unit_id else None,
            "channel": response.channel,
            "language": response.locale,
            "submitted_at": response.submitted_at.isoformat() if response.submitted_at else None,
            "nps": response.nps,
            "nps_group": response.nps_group,
            "csat": response.csat,
            "ces": response.ces,
            "answers": _texts(response.answers),
            "staff_code": response.staff.code if response.staff_id else None,
        },
        "contact": _contact(response.contact if response.contact_id else None),
    }


def case_data(case: Any) -> dict:
    """`case.*`. Cases never come from anonymous surveys (the closed loop refuses them)."""
    response = case.response if case.response_id else None
    return {
        "case": {
            "id": case.pk,
            "title": case.title,
            "status": case.status,
            "priority": case.priority,
            "unit_code": case.unit.code if case.unit_id else None,
            "assignee": case.assignee.get_username() if case.assignee_id else None,
            "opened_at": case.created_at.isoformat(),
            "due_at": case.due_at.isoformat(),
            "resolved_at": case.resolved_at.isoformat() if case.resolved_at else None,
            "url": _link("closedloop:case", case.pk),
        },
        "response": None
        if response is None
        else {
            "id": response.pk,
            "survey_id": response.survey_id,
            "nps": response.nps,
            "csat": response.csat,
            "ces": response.ces,
            "comment": comment_of(response.answers),
        },
        "contact": _contact(case.contact if case.contact_id else None),
    }


def comment_of(answers: dict, limit: int = 500) -> str:
    """What the respondent wrote, masked, for chat messages and case payloads."""
    text = " / ".join(mask(v) for v in answers.values() if isinstance(v, str) and v.strip())
    return text[:limit] + ("…" if len(text) > limit else "")


def invitation_data(invitation: Any, hard: bool) -> dict:
    return {
        "invitation": {
            "ref": invitation.ref,
            "survey_id": invitation.survey_id,
            "campaign_id": invitation.campaign_id,
            "channel": invitation.channel,
            "bounce": "hard" if hard else "soft",
            "error": mask(invitation.error),
        },
        "contact": {"id": invitation.contact_id},
    }


def contact_data(contact_id: int, external_id: str, how: str) -> dict:
    return {"contact": {"id": contact_id, "external_id": external_id}, "how": how}


def review_data(event: dict) -> dict:
    """An online review as the reviews app announced it (`reviews.events.review_event`): its
    text already masked, and the reviewer never named (personal data stays in Voxloop)."""
    kept = (
        "id", "source_id", "source_kind", "source_name", "rating", "title", "text", "language",
        "sentiment", "themes", "posted_at", "url", "link",
    )  # fmt: skip
    return {name: event.get(name) for name in kept} | {"unit_id": event.get("unit_id")}
