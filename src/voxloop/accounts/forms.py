"""Forms of the sign-in, password and personal token pages."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_stubs_ext import StrOrPromise

from voxloop.web.forms import set_choices


class LoginForm(AuthenticationForm):
    """Django's sign-in form with the hints phones and password managers use."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(
            {"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        )
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class PasswordResetRequestForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )


EXPIRY_LABELS = {30: _("30 days"), 90: _("90 days"), 365: _("1 year")}


def expiry_choices() -> list[tuple[str, StrOrPromise]]:
    """The usual lifetimes shorter than the longest allowed (VOXLOOP_TOKEN_MAX_DAYS), and it."""
    longest = settings.TOKEN_MAX_DAYS
    days = [d for d in EXPIRY_LABELS if d < longest] + [longest]
    return [
        (str(d), EXPIRY_LABELS.get(d) or ngettext("%(days)d day", "%(days)d days", d) % {"days": d})
        for d in days
    ]


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, e.g. “CRM sync”."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    expires = forms.ChoiceField(label=_("Expires after"), choices=(), initial="90")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "expires", expiry_choices())

    def expires_at(self) -> datetime:
        return timezone.now() + timedelta(days=int(self.cleaned_data["expires"]))
