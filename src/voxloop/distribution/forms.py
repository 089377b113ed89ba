"""Forms of the outreach pages."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from voxloop.contacts.models import InteractionType, Segment
from voxloop.distribution.models import Channel, Widget, WidgetPosition
from voxloop.surveys.models import Survey
from voxloop.web.forms import UnitCodeField, set_choices

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

    def __init__(
        self,
        *args: Any,
        surveys: Iterable[Survey] = (),
        segments: Iterable[Segment] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        # No survey is chosen for the user: the first by name was the anonymous employee one.
        set_choices(self, "survey", [("", _("Choose a survey")), *survey_choices(surveys)])
        set_choices(
            self, "segment", [("", _("Everyone in the unit"))] + [(s.pk, s.name) for s in segments]
        )
        for code, name in settings.LANGUAGES:
            if code != settings.LANGUAGE_CODE:
                self.fields[subject_field(code)] = forms.CharField(
                    label=_("Subject in %(language)s") % {"language": name},
                    max_length=200,
                    required=False,
                )

    def subject_texts(self) -> dict[str, str]:
        """The subject per language the user wrote one in ({"en": …, "ja": …})."""
        data = self.cleaned_data
        texts = {settings.LANGUAGE_CODE: data.get("subject", "")}
        for code, _name in settings.LANGUAGES:
            if code != settings.LANGUAGE_CODE:
                texts[code] = data.get(subject_field(code), "")
        return {code: text for code, text in texts.items() if text}


def subject_field(code: str) -> str:
    return "subject_" + code.replace("-", "_")


def survey_choices(surveys: Iterable[Survey]) -> list[tuple[int, str]]:
    """Customer surveys first; the anonymous employee ones after them."""
    return [(s.pk, s.name) for s in sorted(surveys, key=lambda s: (s.kind == "employee", s.name))]


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
        label=_("Only when"),
        required=False,
        initial='{"match": "all", "items": []}',
        widget=forms.Textarea(attrs={"rows": 2, "data-condition-builder": "trigger-builder"}),
    )

    def __init__(
        self,
        *args: Any,
        surveys: Iterable[Survey] = (),
        kinds: Iterable[InteractionType] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "survey", [(s.pk, s.name) for s in surveys])
        set_choices(self, "interaction_type", [(k.pk, k.name) for k in kinds])

    def clean_filters(self) -> Any:
        try:
            return json.loads(self.cleaned_data["filters"] or "{}")
        except ValueError:
            raise forms.ValidationError(_("These conditions could not be read.")) from None


class WidgetForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    survey = forms.TypedChoiceField(label=_("Survey"), coerce=int)
    unit_code = UnitCodeField(
        label=_("Unit its responses belong to"),
        required=False,
        help_text=_("Empty: your own unit."),
    )
    allowed_origins = forms.CharField(
        label=_("Sites that may show it"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One origin a line, e.g. https://shop.example.com"),
    )
    url_patterns = forms.CharField(
        label=_("Only on these pages"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One path a line, * for anything, e.g. /checkout/*. Empty: every page."),
    )
    delay_seconds = forms.IntegerField(
        label=_("After seconds on the page"), min_value=0, max_value=3600, initial=0
    )
    manual_only = forms.BooleanField(
        label=_("Only when the page calls Voxloop.show()"), required=False
    )
    sample_percent = forms.IntegerField(
        label=_("Share of visitors asked (%)"), min_value=0, max_value=100, initial=100
    )
    suppress_days = forms.IntegerField(
        label=_("Do not ask the same visitor again for (days)"),
        min_value=0,
        max_value=365,
        initial=90,
    )
    position = forms.ChoiceField(label=_("Position"), choices=WidgetPosition.choices)

    def __init__(self, *args: Any, surveys: Iterable[Survey] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "survey", [(s.pk, s.name) for s in surveys])

    def clean_allowed_origins(self) -> list[str]:
        return self.cleaned_data["allowed_origins"].split()

    def clean_url_patterns(self) -> list[str]:
        return self.cleaned_data["url_patterns"].split()

    @staticmethod
    def initial_for(widget: Widget) -> dict[str, Any]:
        return {
            "name": widget.name,
            "survey": widget.survey_id,
            "unit_code": widget.unit.code,
            "allowed_origins": "\n".join(widget.allowed_origins),
            "url_patterns": "\n".join(widget.url_patterns),
            "delay_seconds": widget.delay_seconds,
            "manual_only": widget.manual_only,
            "sample_percent": widget.sample_percent,
            "suppress_days": widget.suppress_days,
            "position": widget.position,
        }


class KioskForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("e.g. Till 2, tablet"))
    unit_code = UnitCodeField(
        label=_("Unit its answers belong to"), required=False, help_text=_("Empty: your own unit.")
    )
    channel = forms.ChoiceField(
        label=_("Kind"),
        choices=[("kiosk", _("Kiosk (a tablet or terminal)")), ("ivr", _("Phone system (IVR)"))],
    )
