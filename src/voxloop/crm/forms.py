"""The forms of the CRM pages: a connector (credentials as one password box each, never
JSON), its settings with a select per webhook event, and the field mapping as rows of
selects."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from voxloop.crm.connectors import CONNECTORS
from voxloop.crm.models import ConflictRule, CrmKind, Direction, RecordKind
from voxloop.crm.syncing import ACCOUNT_FIELDS, CONTACT_FIELDS
from voxloop.web.forms import UnitCodeField, set_choices

CREDENTIAL_LABELS = {
    "email": _("Agent email (Zendesk)"),
    "api_token": _("API token (Zendesk)"),
    "signing_secret": _("Webhook signing secret (Zendesk)"),
    "api_key": _("API key (Freshdesk)"),
    "webhook_secret": _("Webhook secret (Freshdesk)"),
    "client_id": _("App client id (HubSpot, Salesforce)"),
    "client_secret": _("App client secret (HubSpot, Salesforce)"),
    "access_token": _("Private app token (HubSpot, instead of OAuth)"),
    "organization_id": _("Organisation id (Salesforce)"),
}
FIELD_LABELS = {
    "email": _("Email"),
    "first_name": _("First name"),
    "last_name": _("Last name"),
    "name": _("Full name"),
    "phone": _("Phone"),
    "locale": _("Language"),
}
EVENT_LABELS = {
    "ticket_solved": _("Ticket solved"),
    "ticket_created": _("Ticket created"),
    "ticket_resolved": _("Ticket resolved or closed"),
    "deal_won": _("Deal won"),
    "contact_changed": _("Contact created or changed"),
    "opportunity_closed": _("Opportunity closed"),
    "case_closed": _("Case closed"),
}


def _credential_fields(form: forms.Form, kinds: list[str], hints: dict[str, str]) -> None:
    names = [n for c in CONNECTORS.values() if c.kind in kinds for n in c.credential_fields]
    for name in dict.fromkeys(names):
        form.fields[f"cred_{name}"] = forms.CharField(
            label=CREDENTIAL_LABELS[name],
            required=False,
            max_length=2000,
            widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
            help_text=(
                _("Stored: %(hint)s. Leave empty to keep it.") % {"hint": hints[name]}
                if name in hints
                else _("Only for the systems that use it.")
            ),
        )


def credentials_of(form: forms.Form, kind: str) -> dict[str, str]:
    found = CONNECTORS.get(kind)
    names = found.credential_fields if found else ()
    return {n: form.cleaned_data[f"cred_{n}"] for n in names if form.cleaned_data.get(f"cred_{n}")}


class ConnectForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("System"), choices=CrmKind.choices)
    unit_code = UnitCodeField(label=_("Unit (and below)"))
    base_url = forms.CharField(
        label=_("Account address"),
        required=False,
        max_length=500,
        help_text=_(
            "Zendesk: https://yourcompany.zendesk.com; Freshdesk: https://yourcompany."
            "freshdesk.com; Salesforce: your My Domain login address. Empty for HubSpot."
        ),
    )
    interval_minutes = forms.IntegerField(
        label=_("Sync every (minutes)"), min_value=15, max_value=10080, initial=60
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _credential_fields(self, list(CrmKind.values), {})


class SettingsForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    base_url = forms.CharField(label=_("Account address"), required=False, max_length=500)
    interval_minutes = forms.IntegerField(
        label=_("Sync every (minutes)"), min_value=15, max_value=10080
    )
    is_active = forms.BooleanField(label=_("Active"), required=False)
    sync_contacts = forms.BooleanField(label=_("Sync contacts both ways"), required=False)
    sync_accounts = forms.BooleanField(
        label=_("Sync accounts (companies) both ways"), required=False
    )
    write_back = forms.BooleanField(
        label=_("Write completed responses back (scores and comment)"), required=False
    )
    cases_to_tickets = forms.BooleanField(
        label=_("Open a ticket or task for each case and keep their status in step both ways"),
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        kind: str,
        hints: dict[str, str] | None = None,
        type_choices: list[tuple[str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _credential_fields(self, [kind], hints or {})
        for event in CONNECTORS[kind].events:
            self.fields[f"event_{event}"] = forms.ChoiceField(
                label=_("“%(event)s” becomes the interaction")
                % {"event": EVENT_LABELS.get(event, event)},
                required=False,
                choices=[("", _("— nothing —")), *(type_choices or [])],
            )

    def event_types(self, kind: str) -> dict[str, str]:
        return {e: self.cleaned_data.get(f"event_{e}") or "" for e in CONNECTORS[kind].events}


class MappingRowForm(forms.Form):
    record = forms.ChoiceField(label=_("Record"), choices=RecordKind.choices)
    local_field = forms.ChoiceField(label=_("Voxloop field"))
    remote_field = forms.CharField(label=_("CRM field"), max_length=120)
    direction = forms.ChoiceField(label=_("Direction"), choices=Direction.choices)
    rule = forms.ChoiceField(label=_("When both changed"), choices=ConflictRule.choices)

    def __init__(self, *args: Any, attributes: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = dict.fromkeys([*CONTACT_FIELDS, *ACCOUNT_FIELDS])
        choices: list[tuple[str, Any]] = [(n, FIELD_LABELS.get(n, n)) for n in names]
        choices += [(f"attributes.{a}", f"attributes.{a}") for a in attributes or []]
        set_choices(self, "local_field", choices)


class BaseMappingFormSet(forms.BaseFormSet[MappingRowForm]):
    def __init__(self, *args: Any, attributes: list[str] | None = None, **kwargs: Any) -> None:
        self.attributes = attributes or []
        self.refusal = ""  # what the service refused about the rows as a whole
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), "attributes": self.attributes}


MappingFormSet = cast(
    type[BaseMappingFormSet],
    forms.formset_factory(
        MappingRowForm, formset=BaseMappingFormSet, extra=2, can_delete=True, max_num=100
    ),
)
