"""The subscription form: a unit by code, a destination, a URL and the events as checkboxes
(nobody types JSON)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from voxloop.web.forms import UnitCodeField
from voxloop.webhooks.events import EVENTS, RESERVED
from voxloop.webhooks.models import Destination


def event_choices() -> list[tuple[str, str]]:
    return [(key, f"{key} — {label}") for key, label in {**EVENTS, **RESERVED}.items()]


class SubscriptionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    unit_code = UnitCodeField(
        label=_("Unit"), help_text=_("Events of this unit and everything under it.")
    )
    destination = forms.ChoiceField(label=_("Destination"), choices=Destination.choices)
    url = forms.CharField(
        label=_("URL"),
        max_length=2000,
        help_text=_("A public https address: your endpoint, or a Slack or Teams incoming webhook."),
        widget=forms.TextInput(attrs={"inputmode": "url", "autocomplete": "off"}),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=event_choices, widget=forms.CheckboxSelectMultiple
    )
    language = forms.ChoiceField(
        label=_("Language of chat messages"), choices=lambda: list(settings.LANGUAGES)
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class DeliveryFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("All")),
            ("pending", _("Pending")),
            ("delivered", _("Delivered")),
            ("failed", _("Failed")),
        ],
    )
