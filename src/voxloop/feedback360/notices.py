"""The emails of a 360 cycle: each rater's invitation and, N days before the deadline, one
reminder to those who have not answered. Written in the rater's language; one message each,
addresses never shared."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import QuerySet
from django.utils import formats, translation
from django.utils.translation import gettext as _

from voxloop.feedback360 import links
from voxloop.feedback360.models import Cycle, Invitation, Relationship


def _body(invitation: Invitation, *, reminder: bool) -> tuple[str, str]:
    subject = invitation.subject
    cycle = subject.cycle
    if invitation.relationship == Relationship.SELF:
        title = _("Your 360 feedback: how do you see yourself?")
    else:
        title = _("Feedback for %(name)s") % {"name": subject.name}
    if reminder:
        title = _("Reminder: %(title)s") % {"title": title}
    lines = [
        _("%(cycle)s asks for your feedback, by %(deadline)s.")
        % {"cycle": cycle.name, "deadline": formats.date_format(cycle.deadline)},
        "",
        links.answer_url(invitation),
        "",
    ]
    if invitation.relationship != Relationship.SELF:
        lines.append(_("Your answer is anonymous: nobody sees who gave which answer."))
    return title, "\n".join(lines)


def _send(rows: QuerySet[Invitation], *, reminder: bool) -> int:
    sent = 0
    for invitation in rows.select_related("subject", "subject__cycle"):
        if not invitation.email:
            continue
        with translation.override(invitation.language or settings.LANGUAGE_CODE):
            title, body = _body(invitation, reminder=reminder)
        EmailMessage(title, body, settings.DEFAULT_FROM_EMAIL, [invitation.email]).send()
        field = "reminded" if reminder else "sent"
        Invitation.objects.filter(pk=invitation.pk).update(**{field: True})
        sent += 1
    return sent


def send_invitations(*, cycle_id: int) -> int:
    """Every invitation of the cycle not sent yet (a retried task sends none twice)."""
    rows = Invitation.objects.filter(
        subject__cycle_id=cycle_id, sent=False, subject__cycle__is_open=True
    )
    return _send(rows, reminder=False)


def send_reminders(*, cycle: Cycle) -> int:
    rows = Invitation.objects.filter(
        subject__cycle=cycle, answered=False, reminded=False, subject__released=False
    )
    return _send(rows, reminder=True)
