"""Forms of the shell: filters and the admin's edits of units, staff and people.

Units are picked by their external code rather than from a drop-down: an organisation can
have ten thousand stores. A datalist on the page offers the codes as suggestions.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import TracebackType
from typing import Any
from zoneinfo import available_timezones

from django import forms
from django.utils.translation import gettext_lazy as _

from voxloop.errors import DomainError, NotFound
from voxloop.tenancy import selectors
from voxloop.tenancy.models import OrgUnit, Role, UnitKind
from voxloop.tenancy.scoping import Scope

# Services name the input at fault with their own words; these are the form's words for them.
FIELD_ALIASES = {"parent": "parent_code", "unit": "unit_code", "user": "username"}

AUDIT_ACTIONS = [
    ("", _("All actions")),
    ("unit.", _("Units")),
    ("staff.", _("Staff")),
    ("membership.", _("Memberships")),
    ("user.", _("Users")),
    ("token.", _("API tokens")),
    ("organization.", _("Organisations")),
]


def apply_domain_error(form: forms.Form, error: DomainError) -> None:
    """Show a refused change on the form, next to the field it names when the form has it."""
    field = FIELD_ALIASES.get(error.field or "", error.field)
    form.add_error(field if field in form.fields else None, error.message)


class domain_errors_on:
    """Run a form's service call; a refusal (DomainError) is shown on the form instead.

    The one shape of a page that changes something::

        if form.is_valid():
            with domain_errors_on(form):
                thing = services.make_thing(scope=scope, **form.cleaned_data)
                return redirect(thing)
        return render(request, "page.html", {"form": form}, status=400)

    The service's error lands next to the field it names (`aliases`: the form's name for a
    service's field), else at the top of the form; the code after the block re-renders.
    """

    def __init__(self, form: forms.Form, aliases: Mapping[str, str] | None = None) -> None:
        self.form = form
        self.aliases = aliases or {}

    def __enter__(self) -> forms.Form:
        return self.form

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool:
        if not isinstance(error, DomainError):
            return False
        named = error.field or ""
        if named in self.aliases:
            self.form.add_error(self.aliases[named], error.message)
        else:
            apply_domain_error(self.form, error)
        return True


class UnitCodeField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("help_text", _("Type a unit's name or its code, e.g. S-0042."))
        super().__init__(**kwargs)
        self.widget.attrs.update(
            {"list": "unit-codes", "autocomplete": "off", "data-picker": "units"}
        )


def resolve_unit(form: forms.Form, scope: Scope, field: str) -> OrgUnit | None:
    """The visible unit whose code was typed into `field`, or a form error naming it."""
    code = form.cleaned_data.get(field)
    if not code:
        return None
    try:
        return selectors.unit_by_code(scope, code.strip())
    except NotFound:
        form.add_error(field, _("No unit with this code in your part of the organisation."))
        return None


class UnitFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *UnitKind.choices]
    )


class _OwnIds:
    """Several forms share a page (add, edit, move); each needs its own element ids."""

    id_format = "id_%s"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", self.id_format)
        super().__init__(*args, **kwargs)


class UnitCreateForm(_OwnIds, forms.Form):
    id_format = "add_%s"
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", "—"), *UnitKind.choices])
    code = forms.CharField(label=_("External code"), max_length=64)


class UnitEditForm(UnitCreateForm):
    id_format = "edit_%s"
    is_active = forms.BooleanField(label=_("Active"), required=False)
    # Days, hours and periods of the unit's figures count in this zone (docs/analytics.md).
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        required=False,
        choices=[
            ("", _("As the unit above")),
            *((zone, zone) for zone in sorted(available_timezones()) if "/" in zone),
        ],
    )


class UnitMoveForm(_OwnIds, forms.Form):
    id_format = "move_%s"
    parent_code = UnitCodeField(label=_("New parent unit"))


class StaffFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    unit = UnitCodeField(label=_("Unit code"), required=False)


class StaffAddForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    code = forms.CharField(label=_("Employee code"), max_length=64)
    unit_code = UnitCodeField(label=_("Unit"))
    email = forms.EmailField(label=_("Email"), required=False)
    job_title = forms.CharField(label=_("Job title"), required=False, max_length=120)


class InviteForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    email = forms.EmailField(label=_("Email"))
    first_name = forms.CharField(label=_("First name"), required=False, max_length=150)
    last_name = forms.CharField(label=_("Last name"), required=False, max_length=150)
    unit_code = UnitCodeField(label=_("Unit"))
    # Least privilege unless the admin deliberately picks more.
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.VIEWER)


class MembershipChangeForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    unit_code = UnitCodeField(label=_("Unit"))
    title = forms.CharField(label=_("Job title"), required=False, max_length=120)


class PeopleFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label=_("Action"), required=False, choices=AUDIT_ACTIONS)


def set_choices(form: forms.BaseForm, name: str, choices: list[Any]) -> None:
    """Give one of the form's choice fields its options, which depend on the request."""
    field = form.fields[name]
    if not isinstance(field, forms.ChoiceField):
        raise TypeError(f"{name} is not a choice field")
    field.choices = choices
