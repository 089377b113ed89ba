"""Forms of the contacts pages: search, import upload, segment editing."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from voxloop.contacts.models import Segment
from voxloop.web.forms import UnitCodeField, set_choices

MAX_UPLOAD_BYTES = 200 * 1024 * 1024


class ContactFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    segment = forms.TypedChoiceField(
        label=_("Segment"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, segments: Iterable[Segment] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "segment", [("", _("All contacts"))] + [(s.pk, s.name) for s in segments])


class ContactImportForm(forms.Form):
    file = forms.FileField(label=_("CSV or XLSX file"))
    unknown = forms.ChoiceField(
        label=_("Columns that are no contact field"),
        choices=[
            ("error", _("Refuse the file")),
            ("attribute", _("Keep as attributes")),
            ("ignore", _("Ignore them")),
        ],
        initial="error",
    )
    mapping = forms.CharField(
        label=_("Column mapping"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One per line, COLUMN=FIELD, e.g. Customer No=external_id or "
            "Tenure=attributes.tenure; FIELD empty ignores the column."
        ),
    )

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 200 MB."))
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        return upload

    def clean_mapping(self) -> dict[str, str]:
        mapping = {}
        for line in self.cleaned_data["mapping"].splitlines():
            if not line.strip():
                continue
            column, sep, target = line.partition("=")
            if not sep:
                raise forms.ValidationError(_("Each line is COLUMN=FIELD."))
            mapping[column.strip()] = target.strip()
        return mapping


class SegmentForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    unit_code = UnitCodeField(label=_("Owning unit"), required=False)
    filters = forms.CharField(
        label=_("Who is in it"),
        widget=forms.Textarea(attrs={"rows": 4, "data-condition-builder": "segment-builder"}),
        initial='{"match": "all", "items": []}',
    )

    def clean_filters(self) -> Any:
        try:
            return json.loads(self.cleaned_data["filters"])
        except ValueError:
            raise forms.ValidationError(_("These conditions could not be read.")) from None


class InteractionTypeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120, help_text=_("e.g. Ticket closed"))
    key = forms.SlugField(
        label=_("Key"),
        max_length=60,
        help_text=_("What integrations send as the event's type, e.g. ticket_closed."),
    )
    unit_code = UnitCodeField(
        label=_("Owning unit"),
        required=False,
        help_text=_("It applies to events of this unit and below; empty: your own unit."),
    )
