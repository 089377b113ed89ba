"""The admin's forms: the health model (settings and one row per signal, no JSON) and a
persona or tier over a segment."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from voxloop.health.models import AudienceKind, Mapping, SignalKind


class ModelForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    window_days = forms.IntegerField(
        label=_("Look back (days)"), min_value=7, max_value=730,
        help_text=_("Answers, comments and usage in this window count."),
    )  # fmt: skip
    red_below = forms.IntegerField(label=_("Red below"), min_value=0, max_value=100)
    amber_below = forms.IntegerField(label=_("Amber below"), min_value=0, max_value=100)
    sla_hours = forms.IntegerField(
        label=_("Hours to act on a call to action"), min_value=1, max_value=720
    )
    playbook = forms.TypedChoiceField(
        label=_("Follow-up playbook"), required=False, coerce=int, empty_value=None
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        red, amber = data.get("red_below"), data.get("amber_below")
        if red is not None and amber is not None and red >= amber:
            self.add_error("amber_below", _("Amber must start above red."))
        return data


class SignalForm(forms.Form):
    kind = forms.ChoiceField(label=_("Signal"), choices=SignalKind.choices)
    param = forms.CharField(
        label=_("Interaction type or attribute"), required=False, max_length=60,
        help_text=_("For usage events: the interaction type's key; for an attribute or a "
                    "renewal date: the attribute's name."),
    )  # fmt: skip
    weight = forms.FloatField(label=_("Weight"), min_value=0.1, max_value=100)
    mapping = forms.ChoiceField(label=_("Mapping"), choices=Mapping.choices)
    bad = forms.FloatField(label=_("Bad at"))
    good = forms.FloatField(label=_("Good at"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("bad") is not None and data.get("bad") == data.get("good"):
            self.add_error("good", _("'Bad at' and 'good at' must differ."))
        return data


SignalFormSet = forms.formset_factory(
    SignalForm, extra=2, can_delete=True, max_num=20, validate_max=True, min_num=1,
    validate_min=True,
)  # fmt: skip


class AudienceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=AudienceKind.choices)
    name = forms.CharField(label=_("Name"), max_length=120)
    segment_id = forms.TypedChoiceField(label=_("Who belongs (segment)"), coerce=int)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
