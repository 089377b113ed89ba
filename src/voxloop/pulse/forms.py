"""The pulse forms: a programme's settings, one driver question of its bank, an employee's
answer (built from the wave's questions) and a report's action plan."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from voxloop.pulse import services
from voxloop.pulse.models import MIN_FLOOR, Cadence, Category, Driver, Kind, Question
from voxloop.web.forms import UnitCodeField

AGREEMENT = [
    ("1", _("Strongly disagree")),
    ("2", _("Disagree")),
    ("3", _("Neither agree nor disagree")),
    ("4", _("Agree")),
    ("5", _("Strongly agree")),
]


class ProgrammeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    unit_code = UnitCodeField(label=_("Unit"))
    cadence = forms.ChoiceField(label=_("Cadence"), choices=Cadence.choices)
    drivers_per_wave = forms.IntegerField(
        label=_("Drivers per wave"), min_value=1, max_value=len(Driver.values), initial=2
    )
    reminder_after_days = forms.IntegerField(
        label=_("Reminder after (days, 0 for none)"), min_value=0, max_value=30, initial=3
    )
    floor = forms.IntegerField(label=_("Anonymity floor"), min_value=MIN_FLOOR, initial=MIN_FLOOR)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def settings(self) -> services.Settings:
        data = self.cleaned_data
        return services.Settings(
            name=data["name"],
            cadence=data["cadence"],
            drivers_per_wave=data["drivers_per_wave"],
            reminder_after_days=data["reminder_after_days"],
            floor=data["floor"],
            is_active=data["is_active"],
        )


class EditProgrammeForm(ProgrammeForm):
    """The unit stays where the programme was made (its waves were asked there)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["unit_code"]


class QuestionForm(forms.Form):
    question_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    driver = forms.ChoiceField(label=_("Driver"), choices=Driver.choices, required=False)
    text = forms.CharField(label=_("Question"), max_length=300)
    is_active = forms.BooleanField(label=_("In use"), required=False, initial=True)


class PlanForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)


class AnswerForm(forms.Form):
    """eNPS 0–10, one 1–5 agreement item per driver the wave asks, a comment, and the
    optional report about customers."""

    def __init__(self, *args: Any, questions: list[Question], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.driver_ids: list[int] = []
        for q in questions:
            if q.kind == Kind.ENPS:
                self.fields["enps"] = forms.ChoiceField(
                    label=q.shown_text,
                    choices=[(str(i), str(i)) for i in range(11)],
                    widget=forms.RadioSelect,
                    required=False,
                )
            else:
                self.fields[f"q{q.pk}"] = forms.ChoiceField(
                    label=q.shown_text, choices=AGREEMENT, widget=forms.RadioSelect, required=False
                )
                self.driver_ids.append(q.pk)
        self.fields["comment"] = forms.CharField(
            label=_("Anything you want to add? (optional)"),
            required=False,
            max_length=services.COMMENT_MAX,
            widget=forms.Textarea(attrs={"rows": 3}),
        )
        self.fields["report_category"] = forms.ChoiceField(
            label=_("Something about our customers? (optional)"),
            choices=[("", "—"), *Category.choices],
            required=False,
        )
        self.fields["report_text"] = forms.CharField(
            label=_("What customers ran into, or what we could do better"),
            required=False,
            max_length=services.REPORT_MAX,
            widget=forms.Textarea(attrs={"rows": 3}),
        )

    def drivers(self) -> dict[int, object]:
        return {qid: self.cleaned_data.get(f"q{qid}") for qid in self.driver_ids}
