"""Forms of the outreach pages."""

from __future__ import annotations

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from voxloop.distribution.models import Channel
from voxloop.web.forms import UnitCodeField

GROUPINGS = [
    ("campaign", _("Campaign")),
    ("channel", _("Channel")),
    ("segment", _("Segment")),
    ("unit", _("Unit")),
    ("trigger", _("Trigger")),
    ("week", _("Week")),
    ("month", _("Month")),
]


class StatsForm(forms.Form):
    by = forms.ChoiceField(label=_("Group by"), choices=GROUPINGS, required=False)


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    survey = forms.TypedChoiceField(label=_("Survey"), coerce=int)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    segment = forms.TypedChoiceField(
        label=_("Audience segment"), coerce=int, required=False, empty_value=None
    )
    unit_code = UnitCodeField(label=_("Owning unit (audience: its contacts)"), required=False)
    send_at = forms.DateTimeField(
        label=_("Send at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    throttle_per_minute = forms.IntegerField(
        label=_("At most per minute"), min_value=1, max_value=100_000, initial=600
    )
    reminders = forms.IntegerField(label=_("Reminders"), min_value=0, max_value=5, initial=1)
    reminder_after_days = forms.IntegerField(
        label=_("Remind after days"), min_value=1, max_value=90, initial=3
    )
    expires_after_days = forms.IntegerField(
        label=_("Expires after days"), min_value=1, max_value=365, initial=14
    )
    sender_name = forms.CharField(label=_("Sender name"), max_length=120, required=False)
    sender_email = forms.EmailField(label=_("Sender address"), required=False)
    reply_to = forms.EmailField(label=_("Reply-to"), required=False)
    subject = forms.CharField(
        label=_("Subject"),
        max_length=200,
        required=False,
        help_text=_("Merge fields: {{first_name}}, {{unit}}, {{survey}}."),
    )

    def __init__(self, *args, surveys=(), segments=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["survey"].choices = [(s.pk, s.name) for s in surveys]
        self.fields["segment"].choices = [("", _("Everyone in the unit"))] + [
            (s.pk, s.name) for s in segments
        ]


class TestSendForm(forms.Form):
    contact = forms.CharField(label=_("Contact's external id or email"), max_length=200)


class TriggerForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    interaction_type = forms.TypedChoiceField(label=_("When this happens"), coerce=int)
    survey = forms.TypedChoiceField(label=_("Survey"), coerce=int)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    unit_code = UnitCodeField(label=_("Only under this unit"), required=False)
    delay_minutes = forms.IntegerField(label=_("Delay in minutes"), min_value=0, initial=5)
    filters = forms.CharField(
        label=_("Filters (JSON)"),
        required=False,
        initial="{}",
        help_text=_('e.g. {"attributes.queue": "billing"}'),
    )

    def __init__(self, *args, surveys=(), kinds=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["survey"].choices = [(s.pk, s.name) for s in surveys]
        self.fields["interaction_type"].choices = [(k.pk, k.name) for k in kinds]

    def clean_filters(self):
        try:
            return json.loads(self.cleaned_data["filters"] or "{}")
        except ValueError:
            raise forms.ValidationError(_("This is not valid JSON.")) from None
