"""The forms of the review pages: filters, replies, sources (credentials as one password box
per field, never JSON), the location → unit mapping and file imports."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from voxloop.reviews.models import SourceKind
from voxloop.web.forms import UnitCodeField

SENTIMENT_CHOICES = [
    ("", _("Any sentiment")),
    ("positive", _("Positive")),
    ("neutral", _("Neutral")),
    ("negative", _("Negative")),
]
RATING_CHOICES = [("", _("Any rating"))] + [(str(n), "★" * n) for n in (5, 4, 3, 2, 1)]
CREDENTIAL_LABELS = {
    "access_token": _("OAuth access token"),
    "api_key": _("API key"),
    "issuer_id": _("Issuer ID"),
    "key_id": _("Key ID"),
    "private_key": _("Private key (.p8)"),
    "refresh_token": _("OAuth refresh token"),
    "client_id": _("OAuth client ID"),
    "client_secret": _("OAuth client secret"),
    "api_secret": _("API secret"),
    "business_user_id": _("Business user ID"),
}
BY_CHOICES = [
    ("unit", _("Unit")),
    ("source", pgettext_lazy("review", "Source")),
    ("month", _("Month")),
]


def _choices(form: forms.Form, name: str, choices: list) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


class ReviewFilterForm(forms.Form):
    source = forms.TypedChoiceField(
        label=pgettext_lazy("review", "Source"), required=False, coerce=int, empty_value=None
    )
    rating = forms.TypedChoiceField(
        label=_("Rating"), required=False, choices=RATING_CHOICES, coerce=int, empty_value=None
    )
    sentiment = forms.ChoiceField(label=_("Sentiment"), required=False, choices=SENTIMENT_CHOICES)
    theme = forms.ChoiceField(label=_("Theme"), required=False)
    start = forms.DateField(
        label=pgettext_lazy("period", "From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    end = forms.DateField(
        label=pgettext_lazy("period", "To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    by = forms.ChoiceField(label=_("Break down by"), required=False, choices=BY_CHOICES)

    def __init__(
        self,
        *args: Any,
        sources: Sequence[tuple[Any, str]] = (),
        themes: Sequence[tuple[str, str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "source", [("", _("Every source")), *sources])
        _choices(self, "theme", [("", _("Any theme")), *themes])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end comes before the start."))
        return data


class BenchmarkForm(forms.Form):
    unit_code = UnitCodeField(label=_("Region"), required=False)
    start = forms.DateField(
        label=pgettext_lazy("period", "From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    end = forms.DateField(
        label=pgettext_lazy("period", "To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class ReplyForm(forms.Form):
    playbook = forms.TypedChoiceField(
        label=_("Start from a template"), required=False, coerce=int, empty_value=None
    )
    text = forms.CharField(
        label=_("Reply"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args: Any, templates: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(
            self,
            "playbook",
            [("", "—")] + [(p.pk, f"{p.name} ({p.language or '*'})") for p in templates],
        )


class SourceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Connector"), choices=SourceKind.choices)
    unit_code = UnitCodeField(label=_("Unit (and below)"))
    interval_minutes = forms.IntegerField(
        label=_("Fetch every (minutes)"), min_value=15, max_value=10080, initial=60
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    is_competitor = forms.BooleanField(
        label=_("A competitor's listing"),
        required=False,
        help_text=_("Its reviews feed the benchmark only: no alerts, no replies."),
    )
    base_url = forms.CharField(
        label=_("API address"),
        required=False,
        max_length=500,
        help_text=_("Leave empty for the provider's own address."),
    )

    def __init__(
        self,
        *args: Any,
        fixed_kind: str = "",
        hints: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        hints = hints or {}
        from voxloop.reviews.connectors import CONNECTORS

        names = [
            n
            for c in CONNECTORS.values()
            if not fixed_kind or c.kind == fixed_kind
            for n in c.credential_fields
        ]
        for name in dict.fromkeys(names):
            widget: forms.Widget = forms.PasswordInput(render_value=False)
            if name == "private_key":
                widget = forms.Textarea(attrs={"rows": 4, "autocomplete": "off"})
            self.fields[f"cred_{name}"] = forms.CharField(
                label=CREDENTIAL_LABELS[name],
                required=False,
                max_length=5000,
                widget=widget,
                help_text=(
                    _("Stored: %(hint)s. Leave empty to keep it.") % {"hint": hints[name]}
                    if name in hints
                    else _("Only for the connectors that use it.")
                ),
            )
        if fixed_kind:
            self.fields["kind"].disabled = True
            self.fields["kind"].initial = fixed_kind

    def credentials(self, kind: str) -> dict[str, str]:
        from voxloop.reviews.services import credential_fields

        return {
            name: self.cleaned_data.get(f"cred_{name}") or ""
            for name in credential_fields(kind=kind)
            if self.cleaned_data.get(f"cred_{name}")
        }


class LocationForm(forms.Form):
    external_id = forms.CharField(
        label=_("Provider's id"),
        max_length=300,
        help_text=_(
            "Google: accounts/…/locations/…; App Store: the app's Apple ID; Google Play: the "
            "package name; Trustpilot: the business unit id; Yelp: the business id or alias; "
            "files: the value of the location column."
        ),
    )
    unit_code = UnitCodeField(label=_("Unit"))
    label = forms.CharField(label=_("Label"), required=False, max_length=200)
    public_url = forms.URLField(
        assume_scheme="https",
        label=_("Public page"),
        required=False,
        max_length=500,
        help_text=_("Where replies are posted by hand when the provider has no reply API."),
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File (CSV, XLSX or JSON)"),
        help_text=_(
            "Columns: id, location, rating, date; optional scale, author, title, text, "
            "language, reply, reply_date, url, removed."
        ),
    )
