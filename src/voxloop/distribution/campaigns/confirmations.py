"""What launching or cancelling a campaign will do, in numbers, before it is done."""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from voxloop.distribution import selectors
from voxloop.distribution.models import Campaign
from voxloop.tenancy.scoping import ScopedRequest
from voxloop.web import confirm


def campaign(request: ScopedRequest, campaign: Campaign, action: str) -> HttpResponse:
    """Launching and cancelling cannot be taken back: say to how many people, first."""
    scope = request.scope
    if action == "launch":
        n = selectors.audience_size(scope, campaign)
        shown = number_format(n, force_grouping=True)
        when = campaign.send_at
        lines = [
            ngettext(
                "%(n)s contact is invited to “%(survey)s” by %(channel)s.",
                "%(n)s contacts are invited to “%(survey)s” by %(channel)s.",
                n,
            )
            % {
                "n": shown,
                "survey": campaign.survey.name,
                "channel": campaign.get_channel_display(),
            },
            _("Sending starts at %(when)s.")
            % {"when": date_format(timezone.localtime(when), "DATETIME_FORMAT")}
            if when
            else _("Sending starts now."),
            _("Contacts who opted out or were asked recently are skipped when it sends."),
            _("A sent invitation cannot be called back; pausing stops the rest."),
        ]
        title = _("Launch “%(name)s”?") % {"name": campaign.name}
        label = ngettext("Launch to %(n)s contact", "Launch to %(n)s contacts", n) % {"n": shown}
    else:
        counts = selectors.invitation_counts(scope, campaign)
        lines = [
            ngettext(
                "%(n)s invitation not sent yet is dropped.",
                "%(n)s invitations not sent yet are dropped.",
                counts["queued"],
            )
            % {"n": number_format(counts["queued"], force_grouping=True)},
            ngettext(
                "%(n)s invitation already sent keeps working until it expires.",
                "%(n)s invitations already sent keep working until they expire.",
                counts["sent"],
            )
            % {"n": number_format(counts["sent"], force_grouping=True)},
            _("A cancelled campaign cannot be launched again."),
        ]
        title = _("Cancel “%(name)s”?") % {"name": campaign.name}
        label = _("Cancel the campaign")
    return confirm.ask(
        request,
        title=title,
        consequences=lines,
        confirm_label=label,
        back_url=reverse("distribution:campaign", args=[campaign.pk]),
        danger=action == "cancel",
    )
