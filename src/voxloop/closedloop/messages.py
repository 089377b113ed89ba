"""The words of alerts and of messages to customers.

Playbook templates are written by customers' admins, so they are never Django templates (which
could reach any attribute): only `{{name}}` merge fields from a fixed list are replaced.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from voxloop.privacy.redaction import mask, mask_answers

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from voxloop.closedloop.models import Case
    from voxloop.responses.models import Response

MERGE_FIELD = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
MERGE_FIELDS = (
    "first_name", "last_name", "unit", "staff", "case", "agent", "score", "company",
    "review_link",
)  # fmt: skip
# The review invitation's link: signed, so the reviews app can count who followed it
# (`reviews.views.follow_invitation`) before sending them to the unit's public review page.
REVIEW_LINK_SALT = "voxloop.review-invitation"
COMMENT_PREVIEW = 500


def case_link(case: Case) -> str:
    return settings.BASE_URL.rstrip("/") + reverse("closedloop:case", args=[case.pk])


def merge_values(
    case: Case | None = None, response: Response | None = None, agent: User | None = None
) -> dict[str, str]:
    response = response or (case.response if case else None)
    contact = getattr(response, "contact", None) if response else None
    unit = case.unit if case else getattr(response, "unit", None)
    staff = getattr(response, "staff", None) if response else None
    return {
        "first_name": contact.first_name if contact else "",
        "last_name": contact.last_name if contact else "",
        "unit": unit.name if unit else "",
        "staff": staff.name.split(" ")[0] if staff else "",
        "case": str(case.pk) if case else "",
        "agent": (agent.get_full_name() or agent.get_username()) if agent else "",
        "score": "" if response is None or response.nps is None else str(response.nps),
        "company": response.organization.name if response else "",
        "review_link": review_link(response, unit) if response is not None else "",
    }


def review_link(response: Any, unit: Any) -> str:
    """Where a review invitation sends the respondent: a signed link that is counted when
    followed and leads to the public review page of their unit (or the nearest one above)."""
    from django.core import signing

    token = signing.dumps(
        {"o": response.organization_id, "r": response.pk, "u": unit.pk if unit else None},
        salt=REVIEW_LINK_SALT,
        compress=True,
    )
    return settings.BASE_URL.rstrip("/") + reverse("reviews:follow", args=[token])


def read_review_link(token: str, max_age: int) -> dict | None:
    """What a review invitation's link names ({"o", "r", "u"}), or None when it was forged,
    altered or is older than `max_age` seconds."""
    from django.core import signing

    try:
        data = signing.loads(token, salt=REVIEW_LINK_SALT, max_age=max_age)
    except signing.BadSignature:
        return None
    return data if isinstance(data, dict) else None


def merge(template: str, values: dict[str, str]) -> str:
    """Replace the known merge fields; unknown ones stay as written so the editor sees them."""
    return MERGE_FIELD.sub(
        lambda m: values.get(m.group(1), m.group(0)) if m.group(1) in MERGE_FIELDS else m.group(0),
        template,
    )


def unknown_merge_fields(template: str) -> list[str]:
    return sorted({name for name in MERGE_FIELD.findall(template) if name not in MERGE_FIELDS})


def comments_of(response: Response) -> str:
    """What the respondent wrote, for alerts and praise: emails, phones, cards and ids masked,
    since these leave the product (mailboxes, chat channels) or reach a whole unit."""
    texts = [mask(v) for v in response.answers.values() if isinstance(v, str) and v.strip()]
    text = " / ".join(texts)
    return text[:COMMENT_PREVIEW] + ("…" if len(text) > COMMENT_PREVIEW else "")


def scores_line(response: Response) -> str:
    parts = []
    for name, label in (("nps", "NPS"), ("csat", "CSAT"), ("ces", "CES")):
        value = getattr(response, name)
        if value is not None:
            parts.append(f"{label} {value}")
    return ", ".join(parts)


def alert_text(
    case: Case, response: Response | None, rule_name: str, escalation: int = 0
) -> tuple[str, str]:
    """(subject, body) of an alert or escalation, plain text, in the active language."""
    where = case.unit.name if case.unit_id else ""
    if escalation:
        subject = _("Overdue case #%(id)s at %(unit)s (escalation %(level)s)") % {
            "id": case.pk,
            "unit": where,
            "level": escalation,
        }
    else:
        subject = _("New case #%(id)s at %(unit)s: %(title)s") % {
            "id": case.pk,
            "unit": where,
            "title": case.title,
        }
    if response is None:  # a case about an online review: its link says the rest
        return subject, "\n".join(
            [
                _("Rule: %(rule)s") % {"rule": rule_name},
                _("Due: %(due)s") % {"due": case.due_at.strftime("%Y-%m-%d %H:%M UTC")},
                "",
                case_link(case),
            ]
        )
    contact = response.contact
    lines = [
        _("Rule: %(rule)s") % {"rule": rule_name},
        _("Scores: %(scores)s") % {"scores": scores_line(response) or "—"},
        _("Customer: %(name)s") % {"name": (str(contact) if contact else _("anonymous"))},
        _("Staff: %(name)s") % {"name": response.staff.name if response.staff is not None else "—"},
        _("Due: %(due)s") % {"due": case.due_at.strftime("%Y-%m-%d %H:%M UTC")},
        "",
        comments_of(response),
        "",
        case_link(case),
    ]
    return subject, "\n".join(lines)


def webhook_payload(case: Case, response: Response, event: str) -> dict[str, Any]:
    return {
        "event": event,
        "case": {
            "id": case.pk,
            "title": case.title,
            "status": case.status,
            "priority": case.priority,
            "unit_code": case.unit.code if case.unit_id else None,
            "due_at": case.due_at.isoformat(),
            "url": case_link(case),
        },
        "response": {
            "id": response.pk,
            "survey_id": response.survey_id,
            "nps": response.nps,
            "csat": response.csat,
            "ces": response.ces,
            "answers": mask_answers(response.answers),
        },
    }
