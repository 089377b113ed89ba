"""Closing the loop on ideas: when an idea's status changes, everyone who follows it (its
author and voters follow it by default) gets one email in the board's words, sent by a
background task after the change commits."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import translation
from django.utils.translation import gettext as _

from voxloop.ideas.models import Follower, Status, StatusChange


def _recipients(change: StatusChange) -> list[str]:
    rows = Follower.objects.filter(idea=change.idea).select_related("user")
    found = {(row.user.email if row.user_id and row.user else row.email) for row in rows}
    return sorted(address for address in found if address)


def notify_status_change(*, change_id: int) -> int:
    """Send the change to the idea's followers (one message each, addresses never shared);
    the number sent. Sent once: a retried task finds the change already notified."""
    change = StatusChange.objects.select_related("idea", "idea__board").filter(pk=change_id).first()
    if change is None or change.notified:
        return 0
    recipients = _recipients(change)
    idea = change.idea
    with translation.override(idea.language or settings.LANGUAGE_CODE):
        subject = _("Idea #%(number)s is now: %(status)s") % {
            "number": idea.pk,
            "status": Status(change.new_status).label,
        }
        lines = [f"#{idea.pk} {idea.title}", "", subject]
        if change.reason:
            lines += ["", _("Reason: %(reason)s") % {"reason": change.reason}]
        lines += [
            "",
            _("You get this because you follow this idea on %(board)s.")
            % {"board": idea.board.name},
        ]
    body = "\n".join(lines)
    for address in recipients:
        EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [address]).send()
    StatusChange.objects.filter(pk=change.pk).update(notified=max(1, len(recipients)))
    return len(recipients)
