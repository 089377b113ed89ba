"""The 360 forms: HR's new cycle (a competency per line, subjects ticked from the people of
one's subtree) and a rater's answer (1–5 per competency and one open comment)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from voxloop.feedback360 import services
from voxloop.feedback360.models import DEFAULT_FLOORS
from voxloop.web.forms import UnitCodeField, set_choices

SCORES = [(str(v), str(v)) for v in range(1, 6)]


class CycleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    unit_code = UnitCodeField(label=_("Unit"))
    deadline = forms.DateField(label=_("Deadline"), widget=forms.DateInput(attrs={"type": "date"}))
    competencies = forms.CharField(
        label=_("Competencies (one per line, rated 1–5)"),
        widget=forms.Textarea(attrs={"rows": 5}),
        initial="\n".join(services.DEFAULT_COMPETENCIES),
    )
    subjects = forms.MultipleChoiceField(
        label=_("People to give feedback to"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    remind_days_before = forms.IntegerField(
        label=_("Reminder (days before the deadline, 0: none)"),
        min_value=0,
        max_value=60,
        initial=3,
    )
    include_customers = forms.BooleanField(
        label=_("Also ask customers of their closed cases"), required=False
    )
    floor_peer = forms.IntegerField(
        label=_("Smallest group shown: peers"),
        min_value=2,
        max_value=50,
        initial=DEFAULT_FLOORS["peer"],
    )
    floor_report = forms.IntegerField(
        label=_("Smallest group shown: direct reports"),
        min_value=2,
        max_value=50,
        initial=DEFAULT_FLOORS["report"],
    )
    floor_customer = forms.IntegerField(
        label=_("Smallest group shown: customers"),
        min_value=2,
        max_value=50,
        initial=DEFAULT_FLOORS["customer"],
    )

    def __init__(self, *args: Any, people: list[tuple[str, str]] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        set_choices(self, "subjects", people or [])


class AnswerForm(forms.Form):
    comment = forms.CharField(
        label=_("Anything else you would like to say?"),
        required=False,
        max_length=services.COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, competencies: list[tuple[int, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        rated = {
            f"c{pk}": forms.ChoiceField(label=text, choices=SCORES, widget=forms.RadioSelect)
            for pk, text in competencies
        }
        self.fields = rated | dict(self.fields)

    def ratings(self) -> dict[int, str]:
        return {
            int(name[1:]): value
            for name, value in self.cleaned_data.items()
            if name.startswith("c") and name[1:].isdigit()
        }


class RaterForm(forms.Form):
    """HR adds a person of their subtree as a rater of one subject."""

    person = forms.ChoiceField(label=_("Person"))
    relationship = forms.ChoiceField(
        label=_("Group"),
        choices=[(g.value, g.label) for g in services.HAND_GROUPS],
    )

    def __init__(self, *args: Any, people: list[tuple[str, str]] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        set_choices(self, "person", people or [])
