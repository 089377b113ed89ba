"""Forms of the sign-in policy page, the SSO start and the two-factor pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from voxloop.identity.models import Protocol
from voxloop.tenancy.models import Role

ROLE_CHOICES = [("", "—"), *Role.choices]


class SsoStartForm(forms.Form):
    email_or_organisation = forms.CharField(
        label=_("Work email or organisation"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "email", "autocapitalize": "none"}),
    )


class PolicyForm(forms.Form):
    sso_enabled = forms.BooleanField(label=_("Single sign-on enabled"), required=False)
    protocol = forms.ChoiceField(label=_("Protocol"), choices=Protocol.choices)
    email_domains = forms.CharField(
        label=_("Email domains"),
        required=False,
        max_length=500,
        help_text=_("Comma separated, e.g. example.com, example.co.jp."),
    )
    issuer = forms.URLField(
        label=_("Issuer URL (OpenID Connect)"), required=False, assume_scheme="https"
    )
    client_id = forms.CharField(label=_("Client ID"), required=False, max_length=255)
    client_secret = forms.CharField(
        label=_("Client secret"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave blank to keep the stored secret."),
    )
    groups_claim = forms.CharField(label=_("Groups claim"), max_length=100, initial="groups")
    metadata_url = forms.URLField(
        label=_("Metadata URL (SAML)"), required=False, assume_scheme="https"
    )
    metadata_xml = forms.CharField(
        label=_("Metadata XML (SAML)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Paste the identity provider's metadata, or give its URL above."),
    )
    groups_attribute = forms.CharField(
        label=_("Groups attribute (SAML)"), required=False, max_length=200, initial="groups"
    )
    idp_initiated = forms.BooleanField(
        label=_("Accept sign-in started at the identity provider (SAML)"),
        required=False,
        help_text=_("Each such answer is accepted once; leave off unless your provider needs it."),
    )
    jit_provisioning = forms.BooleanField(
        label=_("Create people at their first sign-in"), required=False, initial=True
    )
    default_role = forms.ChoiceField(
        label=_("Role when no group maps"), choices=ROLE_CHOICES, required=False
    )
    default_unit_code = forms.CharField(
        label=_("Unit when no group maps (code)"), required=False, max_length=64
    )
    sso_required = forms.BooleanField(
        label=_("Require single sign-on (no passwords)"), required=False
    )
    break_glass_username = forms.CharField(
        label=_("Break-glass admin (username)"),
        required=False,
        max_length=150,
        help_text=_("Still signs in with a password when single sign-on is required."),
    )
    two_factor_required = forms.BooleanField(
        label=_("Require two-factor for password sign-in"), required=False
    )
    two_factor_roles = forms.MultipleChoiceField(
        label=_("For these roles (none: every role)"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class MappingForm(forms.Form):
    """One row of the mappings table; a row left blank is ignored."""

    group = forms.CharField(
        label=_("Group"),
        max_length=200,
        required=False,
        help_text=_("The group name, or a pattern with {code}: store-{code}-managers."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES, required=False)
    unit_code = forms.CharField(
        label=_("Unit code"),
        max_length=100,
        required=False,
        help_text=_("E.g. S-0042, or S-{code}."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("group"):
            if not data.get("role"):
                self.add_error("role", _("Choose a role."))
            if not data.get("unit_code"):
                self.add_error("unit_code", _("Give a unit code."))
        return data


MappingFormSet = forms.formset_factory(MappingForm, extra=2, can_delete=True)


class ScimTokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=pgettext_lazy("two-factor", "Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
        help_text=_("The six digits your authenticator app shows, or a recovery code."),
    )

    def clean_code(self) -> Any:
        return "".join(self.cleaned_data["code"].split()).replace("-", "").lower()
