"""Admin for B2B accounts and contacts, scoped like every other admin page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from voxloop.contacts import lifecycle, services
from voxloop.contacts.models import (
    Account,
    Contact,
    CustomerStatus,
    Interaction,
    InteractionType,
    Segment,
    StatusChange,
)
from voxloop.errors import DomainError, Forbidden
from voxloop.privacy import erasure
from voxloop.tenancy.admin import M, ScopedAdmin
from voxloop.tenancy.models import OrgUnit
from voxloop.tenancy.scoping import Capability, Scope
from voxloop.tenancy.services import record_audit


def _save_change(
    actor: Scope, row: Account | Contact, unit: OrgUnit, form: forms.BaseForm, action: str
) -> None:
    """Edit one row in place, keeping its copied unit path and writing the audit entry.

    The contacts services only have bulk inserts so far; this stays here until they grow an
    update, and makes the same checks they would.
    """
    actor.require(Capability.CONFIGURE)
    if not actor.covers(unit):
        raise Forbidden("The unit is outside your part of the organisation.", "unit")
    original = type(row).objects.get(pk=row.pk)
    if not actor.covers_path(original.unit_path):
        raise Forbidden("This row is outside your part of the organisation.")
    changes = {
        name: [str(getattr(original, name)), str(form.cleaned_data[name])]
        for name in form.changed_data
    }
    row.unit_path = unit.path
    with transaction.atomic():
        row.save()
        record_audit(actor=actor, action=action, target=row, changes=changes)


class _ContactsAdmin(ScopedAdmin[M]):
    scope_path_field = "unit_path"

    def scoped_choices(self, request: HttpRequest, model: type[Model]) -> QuerySet[Any] | None:
        scope = self.request_scope(request)
        if model is Account and scope is not None:
            return scope.filter(Account.objects.all(), path_field="unit_path")
        return super().scoped_choices(request, model)

    # Removing people's data needs its own service (consent, erasure requests); not here.
    can_delete = False
    actions: tuple[str, ...] = ("mark_churned", "mark_active")

    def _set_status(self, request: HttpRequest, queryset: QuerySet[Any], status: str) -> None:
        """Only Account and Contact admins offer the status actions."""
        recorded = 0
        for customer in queryset:
            try:
                actor = self.actor(request, customer.organization_id)
                changed = lifecycle.record_status(
                    actor=actor, customer=customer, status=status, source="admin"
                )
            except DomainError as error:
                self.message_user(request, f"{customer}: {error.message}", messages.ERROR)
                continue
            recorded += changed is not None
        text = ngettext("%(n)d customer changed.", "%(n)d customers changed.", recorded)
        self.message_user(request, text % {"n": recorded}, messages.SUCCESS)

    @admin.action(description=_("Mark as churned (left us)"))
    def mark_churned(self, request: HttpRequest, queryset: QuerySet[M]) -> None:
        self._set_status(request, queryset, CustomerStatus.CHURNED)

    @admin.action(description=_("Mark as active again (won back)"))
    def mark_active(self, request: HttpRequest, queryset: QuerySet[M]) -> None:
        self._set_status(request, queryset, CustomerStatus.ACTIVE)


@admin.register(Account)
class AccountAdmin(_ContactsAdmin[Account]):
    list_display = ("name", "external_id", "tier", "unit", "owner", "status", "churned_at")
    list_filter = ("tier", "status")
    search_fields = ("name", "external_id")
    autocomplete_fields = ("unit",)
    list_select_related = ("unit", "owner")
    fields = ("unit", "external_id", "name", "tier", "owner", "attributes", "customer_since")

    def save_model(
        self, request: HttpRequest, obj: Account, form: forms.ModelForm[Account], change: bool
    ) -> None:
        actor = self.actor(request, obj.unit.organization_id)
        if change:
            _save_change(actor, obj, obj.unit, form, "account.update")
        else:
            services.bulk_add_accounts(actor=actor, accounts=[obj])


@admin.register(Contact)
class ContactAdmin(_ContactsAdmin[Contact]):
    actions = (*_ContactsAdmin.actions, "erase_contacts")
    list_display = ("__str__", "external_id", "email", "home_unit", "account", "status")
    list_filter = ("status",)
    search_fields = ("external_id", "email", "last_name")
    autocomplete_fields = ("home_unit",)
    list_select_related = ("home_unit", "account")
    fields = (
        "home_unit",
        "account",
        "external_id",
        "first_name",
        "last_name",
        "email",
        "phone",
        "locale",
        "timezone",
        "attributes",
        "consent_email",
        "consent_sms",
        "unsubscribed_at",
        "email_invalid",
        "phone_invalid",
        "customer_since",
    )

    def save_model(
        self, request: HttpRequest, obj: Contact, form: forms.ModelForm[Contact], change: bool
    ) -> None:
        actor = self.actor(request, obj.home_unit.organization_id)
        if change:
            _save_change(actor, obj, obj.home_unit, form, "contact.update")
        else:
            services.bulk_add_contacts(actor=actor, contacts=[obj])

    def get_queryset(self, request: HttpRequest) -> QuerySet[Contact]:
        # An erased contact is a row of counts, nobody to look at or change.
        return super().get_queryset(request).filter(erased_at__isnull=True)

    @admin.action(description=_("Erase the selected people…"), permissions=["change"])
    def erase_contacts(
        self, request: HttpRequest, queryset: QuerySet[Contact]
    ) -> TemplateResponse | None:
        """Right to erasure, with a page saying what will happen before anything does."""
        contacts = list(queryset.select_related("home_unit"))
        if request.POST.get("confirmed") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "title": _("Erase these people?"),
                "contacts": contacts,
                "opts": self.model._meta,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(
                request, "admin/contacts/contact/erase_confirmation.html", context
            )
        erased = 0
        for contact in contacts:
            try:
                actor = self.actor(request, contact.organization_id)
                erasure.erase_contact(actor=actor, contact_id=contact.pk)
            except DomainError as error:
                self.message_user(request, f"{contact.pk}: {error.message}", messages.ERROR)
                continue
            erased += 1
        text = ngettext("%(n)d person erased.", "%(n)d people erased.", erased)
        self.message_user(request, text % {"n": erased}, messages.SUCCESS)
        return None


class _ReadOnly(_ContactsAdmin[M]):
    """Written through the services (API, imports, pages); the admin shows them."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: M | None = None) -> bool:
        return False


@admin.register(Interaction)
class InteractionAdmin(_ReadOnly[Interaction]):
    list_display = ("type", "contact", "unit", "channel", "external_id", "occurred_at")
    list_filter = ("type",)
    search_fields = ("external_id", "contact__external_id")
    list_select_related = ("type", "contact", "unit")
    raw_id_fields = ("contact",)


@admin.register(Segment)
class SegmentAdmin(_ReadOnly[Segment]):
    list_display = ("name", "unit", "filters")
    list_select_related = ("unit",)


@admin.register(StatusChange)
class StatusChangeAdmin(_ReadOnly[StatusChange]):
    list_display = ("status", "contact", "account", "changed_at", "source", "reason")
    list_filter = ("status", "source")
    raw_id_fields = ("contact", "account")
    list_select_related = ("contact", "account")


@admin.register(InteractionType)
class InteractionTypeAdmin(ScopedAdmin[InteractionType]):
    list_display = ("key", "name")
    can_delete = False

    def scope_queryset(
        self, scope: Scope, queryset: QuerySet[InteractionType]
    ) -> QuerySet[InteractionType]:
        return queryset.filter(organization_id=scope.organization_id)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: InteractionType | None = None
    ) -> bool:
        return False
