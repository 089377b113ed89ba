"""The privacy settings form: periods in days (empty: keep), and masking at capture."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from voxloop.privacy.services import MAX_DAYS, MIN_DAYS

LABELS = {
    "response_days": (
        _("Delete raw responses after (days)"),
        _("Answers and comments are deleted; the dashboards keep every figure they made."),
    ),
    "comment_days": (
        _("Remove comments after (days)"),
        _("What respondents wrote is deleted; their scores and choices stay."),
    ),
    "contact_days": (
        _("Erase contacts inactive for (days)"),
        _("No response, interaction, invitation or change in this time: erased as on request."),
    ),
    "audit_days": (
        _("Delete audit entries after (days)"),
        _("At least a year: the audit log is what proves an erasure was done."),
    ),
    "reviewer_name_days": (
        _("Erase reviewers' names after (days)"),
        _(
            "Names on online reviews, counted from the review's date; the text and rating "
            "stay. Empty: the contacts' period."
        ),
    ),
}


class PolicyForm(forms.Form):
    mask_at_capture = forms.BooleanField(
        label=_("Store comments masked"),
        required=False,
        help_text=_(
            "Emails, phone numbers, card and id numbers in new answers are masked before they "
            "are stored. Nobody, admins included, can read the original afterwards."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, (label, help_text) in LABELS.items():
            self.fields[name] = forms.IntegerField(
                label=label,
                help_text=help_text,
                required=False,
                min_value=MIN_DAYS[name],
                max_value=MAX_DAYS,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )
        self.order_fields([*LABELS, "mask_at_capture"])
