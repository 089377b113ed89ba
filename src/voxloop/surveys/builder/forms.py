"""The builder's forms. Texts typed here are in the survey's default language; the other
languages are edited side by side on the translations page."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from voxloop.errors import DomainError
from voxloop.surveys.builder.logic import OPERATORS
from voxloop.surveys.models import Question, QuestionType, SurveyKind
from voxloop.web.forms import set_choices

OPERATOR_LABELS = {
    "lte": _("is at most"),
    "gte": _("is at least"),
    "eq": _("is"),
    "neq": _("is not"),
    "lt": _("is below"),
    "gt": _("is above"),
    "in": _("is one of"),
    "not_in": _("is none of"),
    "contains": _("includes"),
    "answered": _("was answered"),
}
STYLES = [("numbers", _("Numbers")), ("stars", _("Stars"))]
# Services name the input at fault by its path in the definition; the forms by their fields.
SURVEY_ALIASES = [
    ("branding.colour", "colour"),
    ("branding.logo_url", "logo_url"),
    ("branding", "colour"),
    ("texts", "title"),
    ("default_locale", "default_locale"),
    ("locales", "locales"),
    ("name", "name"),
    ("unit", "unit_code"),
]
QUESTION_ALIASES = [
    ("texts.title", "title"),
    ("texts.help", "help"),
    ("texts.low", "low"),
    ("texts.high", "high"),
    ("config.scale", "scale"),
    ("config.choices", "choices"),
    ("config.rows", "rows"),
    ("config.min", "minimum"),
    ("config.max", "maximum"),
    ("config.unit", "unit"),
    ("config.earliest", "earliest"),
    ("config.latest", "latest"),
    ("show_if", "logic_question"),
    ("value", "logic_value"),
    ("key", "key"),
    ("type", "type"),
]


def apply_error(form: forms.Form, error: DomainError, aliases: list[tuple[str, str]]) -> None:
    """Show a refused change next to the field it names, else at the top of the form."""
    name = error.field or ""
    if name.startswith("show_if") and getattr(form, "cleaned_data", {}).get("logic"):
        form.add_error("logic", f"{error.message}")
        return
    if name.startswith("show_if.") and name.endswith(".op"):
        name = "logic_op"
    elif name.startswith("show_if.") and name.endswith(".value"):
        name = "logic_value"
    else:
        name = next((field for prefix, field in aliases if name.startswith(prefix)), name)
    form.add_error(name if name in form.fields else None, error.message)


def language_choices() -> list[tuple[str, str]]:
    return list(settings.LANGUAGES)


def _language_name(code: str) -> str:
    try:
        return str(translation.get_language_info(code).get("name_local") or code)
    except KeyError:
        return code


class SurveyCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=SurveyKind.choices,
        help_text=_("Employee surveys are anonymous: no name, contact or staff is kept."),
    )
    unit_code = forms.CharField(
        label=_("Owning unit"),
        max_length=64,
        required=False,
        help_text=_("Its code; leave empty for your own unit. Its admins can edit the survey."),
    )
    default_locale = forms.ChoiceField(label=_("Default language"), choices=language_choices)


class SettingsForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    default_locale = forms.ChoiceField(label=_("Default language"), choices=language_choices)
    locales = forms.MultipleChoiceField(
        label=_("Languages offered"),
        choices=language_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    title = forms.CharField(label=_("Title shown to respondents"), max_length=5000, required=False)
    intro = forms.CharField(
        label=_("Introduction"), max_length=5000, required=False, widget=forms.Textarea
    )
    thank_you = forms.CharField(label=_("Thank-you message"), max_length=5000, required=False)
    closed = forms.CharField(label=_("Message once closed"), max_length=5000, required=False)
    colour = forms.CharField(
        label=_("Brand colour"),
        required=False,
        max_length=7,
        widget=forms.TextInput(attrs={"type": "color"}),
    )
    logo_url = forms.CharField(
        label=_("Logo URL"), required=False, max_length=500, help_text=_("https:// or /static/…")
    )
    sender_name = forms.CharField(
        label=_("Sender name"),
        required=False,
        max_length=200,
        help_text=_("Who invitations come from, e.g. the CEO."),
    )
    is_primary = forms.BooleanField(
        label=_("Headline survey"),
        required=False,
        help_text=_("Its figures head the dashboard for all surveys (one per programme)."),
    )
    is_test = forms.BooleanField(
        label=_("Test survey"),
        required=False,
        help_text=_("Its answers are left out of the figures for all surveys."),
    )

    def __init__(self, *args: Any, languages: Iterable[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # An imported survey may be in languages the product's pages are not (decision 0023):
        # they stay choosable on its own settings form.
        known = dict(language_choices())
        extra = [(code, _language_name(code)) for code in languages if code not in known]
        for name in ("default_locale", "locales"):
            field = self.fields[name]
            field.choices = [*language_choices(), *extra]  # type: ignore[attr-defined]


class QuestionForm(forms.Form):
    key = forms.CharField(
        label=_("Key"),
        max_length=60,
        help_text=_("Stable name the answers are stored under, e.g. nps or improve."),
    )
    type = forms.ChoiceField(label=_("Type"), choices=QuestionType.choices)
    title = forms.CharField(label=_("Question"), max_length=5000)
    help = forms.CharField(label=_("Help text"), max_length=5000, required=False)
    required = forms.BooleanField(label=_("Answer required"), required=False)
    low = forms.CharField(label=_("Label of the lowest score"), max_length=200, required=False)
    high = forms.CharField(label=_("Label of the highest score"), max_length=200, required=False)
    scale = forms.IntegerField(
        label=_("Points on the scale"), min_value=2, max_value=10, required=False
    )
    style = forms.ChoiceField(label=_("Shown as"), choices=STYLES, required=False)
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One per line, as “key | label” or just the label."),
    )
    allow_other = forms.BooleanField(label=_("Offer “Other, please specify”"), required=False)
    rows = forms.CharField(
        label=_("Matrix rows"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line, as “key | label” or just the label."),
    )
    minimum = forms.FloatField(label=_("Smallest number allowed"), required=False)
    maximum = forms.FloatField(label=_("Largest number allowed"), required=False)
    integer = forms.BooleanField(label=_("Whole numbers only"), required=False)
    unit = forms.CharField(
        label=pgettext_lazy("measure", "Unit"),
        max_length=20,
        required=False,
        help_text=_("Shown beside the box, e.g. kg, €, nights."),
    )
    earliest = forms.DateField(
        label=_("Earliest date allowed"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    latest = forms.DateField(
        label=_("Latest date allowed"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    logic_question = forms.ChoiceField(
        label=_("Show only when the answer to"), required=False, choices=[]
    )
    logic_op = forms.ChoiceField(
        label=_("Condition"),
        required=False,
        choices=[(op, OPERATOR_LABELS[op]) for op in OPERATORS],
    )
    logic_value = forms.CharField(
        label=_("Value"),
        required=False,
        max_length=500,
        help_text=_("A score, a choice key, yes/no; several separated by commas for “one of”."),
    )

    # The page's builder (web/conditions.js) writes several conditions here; the three fields
    # above stay for scripts that post one condition the older way.
    logic = forms.CharField(
        label=_("Show this question only when"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "data-condition-builder": "logic-builder"}),
    )

    def __init__(
        self,
        *args: Any,
        earlier: Iterable[Question] = (),
        editing: bool = False,
        type_locked: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        set_choices(
            self,
            "logic_question",
            [("", _("— always shown —"))] + [(q.key, q.key) for q in earlier],
        )
        if editing:
            self.fields["key"].disabled = True
        if type_locked:
            self.fields["type"].disabled = True
            self.fields["type"].help_text = _("A published question keeps its type.")


LINE = re.compile(r"^\s*(?:([a-z][a-z0-9_]{0,59})\s*\|\s*)?(.+?)\s*$")


def parse_options(text: str) -> list[tuple[str, str]]:
    """“key | label” lines (or just labels, keyed from the label) → [(key, label)]."""
    options = []
    for index, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = LINE.match(line)
        key, label = (match.group(1), match.group(2)) if match else (None, line.strip())
        if not key:
            key = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")[:60]
            if not key or not key[0].isalpha():
                key = f"option_{index}"
        options.append((key, label))
    return options


def format_options(options: list[dict], locale: str) -> str:
    return "\n".join(f"{o['key']} | {o.get('label', {}).get(locale, '')}" for o in options)


class BranchForm(forms.Form):
    question = forms.ChoiceField(label=_("When the answer to"), required=False, choices=[])
    op = forms.ChoiceField(
        label=_("Condition"),
        required=False,
        choices=[(op, OPERATOR_LABELS[op]) for op in OPERATORS],
    )
    value = forms.CharField(label=_("Value"), required=False, max_length=500)
    text = forms.CharField(label=_("Thank-you message"), required=False, max_length=5000)
    link = forms.CharField(
        label=pgettext_lazy("noun", "Link"),
        required=False,
        max_length=500,
        help_text=_("Optional, e.g. your public review page (https://…)."),
    )

    def __init__(self, *args: Any, questions: Iterable[Question] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "question", [("", _("— anyone —"))] + [(q.key, q.key) for q in questions])


BranchFormSet = forms.formset_factory(BranchForm, extra=1, max_num=10)


class SurveyImportForm(forms.Form):
    file = forms.FileField(
        label=_("Survey file"),
        help_text=_(
            "Qualtrics .qsf, LimeSurvey .lss/.lsa, SurveyJS or KoboToolbox JSON, "
            "XLSForm .xlsx/.xls, or a Voxloop export."
        ),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=SurveyKind.choices)
    unit_code = forms.CharField(
        label=_("Owning unit"),
        max_length=64,
        required=False,
        help_text=_("Its code; leave empty for your own unit. Its admins can edit the survey."),
    )


class ResponsesImportForm(forms.Form):
    file = forms.FileField(
        label=_("Responses file"),
        help_text=_(
            "Qualtrics CSV, LimeSurvey .lsr/.lsa, SurveyJS results or KoboToolbox JSON, "
            "or a CSV with one column per question."
        ),
    )
