"""The emails of a wave: the invitation to each member asked, and the one reminder to those
who have not answered (read from the invite's flag, never from the answers). Each is written
in the member's own language."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from voxloop.accounts import selectors as account_selectors
from voxloop.pulse.models import Invite, Wave


def _message(wave: Wave, link: str, *, reminder: bool) -> tuple[str, str]:
    if reminder:
        subject = _("Reminder: %(name)s") % {"name": wave.programme.name}
    else:
        subject = _("A short pulse: %(name)s") % {"name": wave.programme.name}
    body = "\n\n".join(
        [
            subject,
            _("It takes a minute. Your answers are anonymous: nobody sees who said what."),
            link,
        ]
    )
    return subject, body


def send_invites(*, wave_id: int, reminder: bool) -> int:
    """One message per member with their own link; the number sent. A reminder goes only to
    those who have not answered and have not been reminded, once."""
    wave = Wave.objects.select_related("programme").filter(pk=wave_id).first()
    if wave is None:
        return 0
    invites = Invite.objects.filter(wave=wave).select_related("user")
    if reminder:
        invites = invites.filter(answered=False, reminded=False)
    rows = list(invites)
    languages = account_selectors.preferred_languages([i.user_id for i in rows])
    sent = 0
    for invite in rows:
        if not invite.user.email:
            continue
        link = settings.BASE_URL.rstrip("/") + reverse("pulse:answer", args=[invite.token])
        with translation.override(languages.get(invite.user_id) or settings.LANGUAGE_CODE):
            subject, body = _message(wave, link, reminder=reminder)
        EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [invite.user.email]).send()
        sent += 1
    if reminder:
        invites.update(reminded=True)
    return sent
