"""The journey editor's forms: names in every shipped language, and a touchpoint's measure
picked from lists (interaction types, surveys, their NPS/CSAT/CES questions, review sources)
the admin can see — never typed ids or JSON."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from voxloop.contacts import selectors as contact_selectors
from voxloop.journeys import selectors as journey_selectors
from voxloop.journeys.models import Journey, MeasureKind, Stage, Touchpoint
from voxloop.journeys.services import MEASURED_TYPES, Measure
from voxloop.reviews import selectors as review_selectors
from voxloop.surveys import selectors as survey_selectors
from voxloop.tenancy.scoping import Capability, Scope
from voxloop.web.forms import UnitCodeField, set_choices

MAX_SURVEYS = 200


def other_locales() -> list[tuple[str, str]]:
    return [(code, name) for code, name in settings.LANGUAGES if code != "en"]


class _Named(forms.Form):
    """A name, and the same name in each other shipped language (optional)."""

    name = forms.CharField(label=_("Name"), max_length=120)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, language in other_locales():
            self.fields[f"name_{code}"] = forms.CharField(
                label=_("Name in %(language)s") % {"language": language},
                max_length=120,
                required=False,
            )

    def names(self) -> dict[str, str]:
        return {
            code: self.cleaned_data.get(f"name_{code}", "")
            for code, _ in other_locales()
            if self.cleaned_data.get(f"name_{code}")
        }

    @staticmethod
    def initial_of(row: Journey | Stage | Touchpoint) -> dict[str, Any]:
        return {"name": row.name, **{f"name_{k}": v for k, v in (row.names or {}).items()}}


def _survey_choices(scope: Scope) -> list[tuple[str, str]]:
    surveys = [
        s for s in survey_selectors.visible_surveys(scope)[:MAX_SURVEYS] if not s.is_anonymous
    ]
    return [("", "—"), *[(str(s.pk), s.name) for s in surveys]]


class JourneyForm(_Named):
    unit_code = UnitCodeField(label=_("Owned by unit"), required=False)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    segment = forms.TypedChoiceField(
        label=_("Persona (segment)"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("Only this segment's customers count in the figures: a persona's variant."),
    )
    variant_of = forms.TypedChoiceField(
        label=_("Variant of"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("The journey this persona's variant is based on (optional)."),
    )
    relationship_survey = forms.TypedChoiceField(
        label=_("Relationship survey"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("Its NPS is what the journey analytics explain by touchpoint."),
    )

    def __init__(self, *args: Any, scope: Scope, creating: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        segments = contact_selectors.visible_segments(scope).order_by("name")[:500]
        set_choices(self, "segment", [("", "—"), *[(str(s.pk), s.name) for s in segments]])
        set_choices(self, "relationship_survey", _survey_choices(scope))
        if creating:
            bases = journey_selectors.visible_journeys(scope).filter(variant_of__isnull=True)
            set_choices(self, "variant_of", [("", "—"), *[(str(j.pk), j.name) for j in bases]])
        else:
            del self.fields["unit_code"]
            del self.fields["variant_of"]


class StageForm(_Named):
    pass


def measure_choices(scope: Scope) -> list[tuple[Any, Any]]:
    """The measure picker: grouped options whose values say what they are."""
    surveys = [
        s for s in survey_selectors.visible_surveys(scope)[:MAX_SURVEYS] if not s.is_anonymous
    ]
    questions = []
    for survey in surveys:
        for q in survey_selectors.questions_of(survey):
            if q.type in MEASURED_TYPES:
                questions.append(
                    (f"question:{survey.pk}:{q.key}", f"{survey.name} · {q.key} ({q.type.upper()})")
                )
    out: list[tuple[Any, Any]] = [("", _("Not measured"))]
    out.append((_("Whole survey"), [(f"survey:{s.pk}", s.name) for s in surveys]))
    out.append((_("One question"), questions))
    if scope.can(Capability.CONFIGURE):
        sources = review_selectors.sources(scope).order_by("name")[:200]
        out.append((_("Review source"), [(f"reviews:{s.pk}", s.name) for s in sources]))
    return out


def measure_value(tp: Touchpoint) -> str:
    if tp.measure == MeasureKind.SURVEY:
        return f"survey:{tp.survey_id}"
    if tp.measure == MeasureKind.QUESTION:
        return f"question:{tp.survey_id}:{tp.question_key}"
    if tp.measure == MeasureKind.REVIEWS:
        return f"reviews:{tp.review_source_id}"
    return ""


def parse_measure(value: str, interaction_type_id: int | None) -> Measure:
    kind, _, rest = (value or "").partition(":")
    if not kind:
        return Measure(interaction_type_id=interaction_type_id)
    ident, _, key = rest.partition(":")
    number = int(ident) if ident.isdigit() and len(ident) < 19 else None
    if kind == "reviews":
        return Measure(interaction_type_id, MeasureKind.REVIEWS, review_source_id=number)
    if kind in ("survey", "question"):
        return Measure(interaction_type_id, kind, survey_id=number, question_key=key)
    return Measure(interaction_type_id, kind)


class TouchpointForm(_Named):
    interaction_type = forms.TypedChoiceField(
        label=_("Interaction type (volume)"), required=False, coerce=int, empty_value=None
    )
    measure = forms.ChoiceField(label=_("Measured by"), required=False)
    stage = forms.TypedChoiceField(label=_("Stage"), required=False, coerce=int, empty_value=None)

    def __init__(
        self, *args: Any, scope: Scope, stages: list[Stage] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        types = contact_selectors.interaction_types(scope, archived=False)
        set_choices(self, "interaction_type", [("", "—"), *[(str(t.pk), t.name) for t in types]])
        set_choices(self, "measure", measure_choices(scope))
        if stages:
            set_choices(self, "stage", [(str(s.pk), s.name) for s in stages])
        else:
            del self.fields["stage"]

    def measure_of(self) -> Measure:
        return parse_measure(
            self.cleaned_data.get("measure") or "", self.cleaned_data.get("interaction_type")
        )


class ReorderForm(forms.Form):
    """The new order from drag and drop: ids separated by commas."""

    order = forms.CharField(max_length=2000)

    def ids(self) -> list[int]:
        parts = [p.strip() for p in self.cleaned_data["order"].split(",") if p.strip()]
        if not all(p.isdigit() and len(p) < 19 for p in parts):
            raise forms.ValidationError(_("The order must be a list of ids."))
        return [int(p) for p in parts]
