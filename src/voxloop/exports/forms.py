from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from voxloop.exports.kinds import KINDS


class ExportForm(forms.Form):
    kind = forms.ChoiceField(label=_("What"), choices=[(k, v.label) for k, v in KINDS.items()])
    fmt = forms.ChoiceField(label=_("Format"), choices=[("xlsx", "XLSX"), ("csv", "CSV")])
    since = forms.DateField(
        label=_("Opened from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Opened before"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    # The dashboard's filters (its query string) when responses are exported from there.
    filters = forms.CharField(required=False, widget=forms.HiddenInput, max_length=2000)
