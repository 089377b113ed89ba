"""Django admin for the organisation tree, memberships, staff and the audit log.

Superusers see every organisation. Any other staff user sees only the subtree of their active
membership, with its role deciding what they may change; Django's per-model permissions are
not consulted for them, so the admin can never show more than the product's own pages. Every
save goes through the services, so the audit log records admin changes like any other.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar
from zoneinfo import available_timezones

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db.models import ForeignKey, Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from voxloop.errors import DomainError, Forbidden
from voxloop.tenancy import services
from voxloop.tenancy.models import (
    AuditEntry,
    Membership,
    Organization,
    OrgUnit,
    Role,
    Staff,
    subtree_q,
)
from voxloop.tenancy.scoping import Capability, Scope

M = TypeVar("M", bound=Model)


def member_scope(request: HttpRequest) -> Scope:
    """The scope `tenancy.middleware` set on the request; refused when the user has none."""
    scope: Scope | None = getattr(request, "scope", None)
    if scope is None:
        raise Forbidden("You have no membership to act with.")
    return scope


def admin_actor(request: HttpRequest, organization_id: int) -> Scope:
    """Who a change in the admin is made as: the active membership's scope, or for a superuser
    the whole organisation, still named after the superuser in the audit log."""
    if not request.user.is_superuser:
        return member_scope(request)
    root = OrgUnit.objects.get(organization_id=organization_id, parent__isnull=True)
    return Scope(
        organization_id=organization_id,
        unit_id=root.pk,
        unit_path=root.path,
        role=Role.ADMIN,
        user_id=request.user.pk,
        actor_label=request.user.get_username(),
    )


class ScopedAdmin(admin.ModelAdmin[M]):
    """Limits rows, foreign-key choices and actions to the staff user's subtree."""

    scope_path_field = "unit__path"
    scope_org_field = "organization_id"
    # The admin lists rows one by one: never for a role that reads aggregates only.
    view_capability = Capability.READ_RECORDS
    can_delete = True

    # --- whose rows ---------------------------------------------------------------------
    @staticmethod
    def request_scope(request: HttpRequest) -> Scope | None:
        return getattr(request, "scope", None)

    def scope_queryset(self, scope: Scope, queryset: QuerySet[M]) -> QuerySet[M]:
        return queryset.filter(
            subtree_q(scope.unit_path, self.scope_path_field),
            **{self.scope_org_field: scope.organization_id},
        )

    def get_queryset(self, request: HttpRequest) -> QuerySet[M]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        scope = self.request_scope(request)
        if scope is None:
            return queryset.none()
        return self.scope_queryset(scope, queryset)

    def scoped_choices(self, request: HttpRequest, model: type[Model]) -> QuerySet[Any] | None:
        """Foreign-key choices a scoped user may pick; None leaves Django's default."""
        scope = self.request_scope(request)
        if scope is None:
            return None
        if model is OrgUnit:
            return scope.units()
        if model is Organization:
            return Organization.objects.filter(pk=scope.organization_id)
        if model is Membership:
            return scope.filter(Membership.objects.select_related("user", "unit"))
        if model is get_user_model():
            members = scope.filter(Membership.objects.all()).values_list("user_id", flat=True)
            return get_user_model().objects.filter(pk__in=members)
        return None

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField[Any] | None:
        if not request.user.is_superuser:
            if self.request_scope(request) is None:
                kwargs["queryset"] = db_field.related_model._default_manager.none()
            else:
                choices = self.scoped_choices(request, db_field.related_model)
                if choices is not None:
                    kwargs["queryset"] = choices
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # --- who may do what ----------------------------------------------------------------
    def _scope_can(self, request: HttpRequest, capability: Capability) -> bool:
        scope = self.request_scope(request)
        return scope is not None and scope.can(capability)

    def has_module_permission(self, request: HttpRequest) -> bool:
        if request.user.is_superuser:
            return True
        return self._scope_can(request, self.view_capability)

    def has_view_permission(self, request: HttpRequest, obj: M | None = None) -> bool:
        if request.user.is_superuser:
            return True
        return self._scope_can(request, self.view_capability)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser or self._scope_can(request, Capability.CONFIGURE)

    def has_change_permission(self, request: HttpRequest, obj: M | None = None) -> bool:
        return request.user.is_superuser or self._scope_can(request, Capability.CONFIGURE)

    def has_delete_permission(self, request: HttpRequest, obj: M | None = None) -> bool:
        return self.can_delete and self.has_change_permission(request, obj)

    # --- domain refusals become messages, never 500s -------------------------------------
    def _refusal(self, request: HttpRequest, error: DomainError) -> HttpResponseRedirect:
        self.message_user(request, error.message, messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())

    def changeform_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return super().changeform_view(request, *args, **kwargs)
        except DomainError as error:
            return self._refusal(request, error)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        try:
            return super().changelist_view(request, extra_context)
        except DomainError as error:
            return self._refusal(request, error)

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        try:
            return super().delete_view(request, object_id, extra_context)
        except DomainError as error:
            return self._refusal(request, error)

    def actor(self, request: HttpRequest, organization_id: int) -> Scope:
        return admin_actor(request, organization_id)


def changed(form: forms.BaseForm, fields: Iterable[str]) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in fields if name in form.changed_data}


@admin.register(Organization)
class OrganizationAdmin(ScopedAdmin[Organization]):
    list_display = ("name", "slug", "created_at")
    search_fields = ("name", "slug")
    can_delete = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Organization]:
        queryset = admin.ModelAdmin.get_queryset(self, request)
        if request.user.is_superuser:
            return queryset
        scope = self.request_scope(request)
        return queryset.filter(pk=scope.organization_id) if scope else queryset.none()

    # Creating and renaming organisations is for the operators of the installation.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: Organization | None = None) -> bool:
        return request.user.is_superuser

    def get_readonly_fields(
        self, request: HttpRequest, obj: Organization | None = None
    ) -> tuple[str, ...]:
        return ("slug",) if obj else ()

    def save_model(
        self,
        request: HttpRequest,
        obj: Organization,
        form: forms.ModelForm[Organization],
        change: bool,
    ) -> None:
        if not change:
            root = services.create_organization(name=obj.name, slug=obj.slug)
            obj.pk = root.organization_id
            return
        original = Organization.objects.get(pk=obj.pk)
        if original.name != obj.name:
            obj.save(update_fields=["name"])
            actor = self.actor(request, obj.pk)
            services.record_audit(
                actor=actor,
                action="organization.update",
                target=obj,
                changes={"name": [original.name, obj.name]},
            )


@admin.register(OrgUnit)
class OrgUnitAdmin(ScopedAdmin[OrgUnit]):
    scope_path_field = "path"
    list_display = ("name", "kind", "code", "organization", "depth", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "code")
    autocomplete_fields = ("parent",)
    readonly_fields = ("organization", "path", "depth", "created_at")
    ordering = ("organization", "path")
    # Units are retired (is_active off), never deleted: feedback history points at them.
    can_delete = False

    def get_fields(self, request: HttpRequest, obj: OrgUnit | None = None) -> tuple[str, ...]:
        if obj is None:
            return ("parent", "name", "kind", "code")
        return (
            *("organization", "parent", "name", "kind", "code", "is_active", "time_zone"),
            *("path", "depth"),
        )

    def formfield_for_dbfield(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        if db_field.name == "time_zone":  # a list to choose from, never a name to type
            zones: list[tuple[str, Any]] = [("", _("Same as the parent unit"))]
            zones += [(z, z) for z in sorted(available_timezones())]
            return forms.ChoiceField(
                choices=zones, required=False, label=db_field.verbose_name.capitalize()
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_form(
        self, request: HttpRequest, obj: OrgUnit | None = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm[OrgUnit]]:
        form = super().get_form(request, obj, change, **kwargs)
        if obj is None:
            form.base_fields["parent"].required = True
        return form

    def save_model(
        self, request: HttpRequest, obj: OrgUnit, form: forms.ModelForm[OrgUnit], change: bool
    ) -> None:
        if not change:
            parent = form.cleaned_data["parent"]
            actor = self.actor(request, parent.organization_id)
            unit = services.create_unit(
                actor=actor, parent=parent, name=obj.name, kind=obj.kind, code=obj.code
            )
            obj.pk, obj.organization_id, obj.path = unit.pk, unit.organization_id, unit.path
            return
        original = OrgUnit.objects.get(pk=obj.pk)
        actor = self.actor(request, original.organization_id)
        fields = changed(form, services.UNIT_FIELDS)
        if fields:
            original = services.update_unit(actor=actor, unit=original, **fields)
        if "parent" in form.changed_data and form.cleaned_data["parent"] is not None:
            services.move_unit(actor=actor, unit=original, new_parent=form.cleaned_data["parent"])


@admin.register(Membership)
class MembershipAdmin(ScopedAdmin[Membership]):
    list_display = ("user", "role", "unit", "organization", "title")
    list_filter = ("role",)
    search_fields = ("user__username", "user__email", "unit__name", "unit__code")
    autocomplete_fields = ("unit",)
    list_select_related = ("user", "unit", "organization")
    view_capability = Capability.CONFIGURE

    def get_fields(self, request: HttpRequest, obj: Membership | None = None) -> tuple[str, ...]:
        return ("user", "unit", "role", "title") if obj is None else ("unit", "role", "title")

    def get_readonly_fields(
        self, request: HttpRequest, obj: Membership | None = None
    ) -> tuple[str, ...]:
        return ("user",) if obj else ()

    def save_model(
        self, request: HttpRequest, obj: Membership, form: forms.ModelForm[Membership], change: bool
    ) -> None:
        unit = form.cleaned_data["unit"]
        if not change:
            actor = self.actor(request, unit.organization_id)
            created = services.grant_membership(
                actor=actor, user=obj.user, unit=unit, role=obj.role, title=obj.title
            )
            obj.pk, obj.organization_id = created.pk, created.organization_id
            return
        original = Membership.objects.select_related("unit").get(pk=obj.pk)
        actor = self.actor(request, original.organization_id)
        fields = changed(form, ("unit", "role", "title"))
        if fields:
            services.change_membership(actor=actor, membership=original, **fields)

    def delete_model(self, request: HttpRequest, obj: Membership) -> None:
        services.revoke_membership(actor=self.actor(request, obj.organization_id), membership=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        for membership in queryset.select_related("unit"):
            self.delete_model(request, membership)


@admin.register(Staff)
class StaffAdmin(ScopedAdmin[Staff]):
    list_display = ("name", "code", "unit", "job_title", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "code", "email")
    autocomplete_fields = ("unit",)
    list_select_related = ("unit",)
    fields = ("unit", "name", "code", "email", "job_title", "is_active")
    # Staff who leave are deactivated, so feedback that names them keeps its history.
    can_delete = False

    def save_model(
        self, request: HttpRequest, obj: Staff, form: forms.ModelForm[Staff], change: bool
    ) -> None:
        unit = form.cleaned_data["unit"]
        actor = self.actor(request, unit.organization_id)
        if not change:
            extra = {k: form.cleaned_data[k] for k in ("email", "job_title", "is_active")}
            created = services.add_staff(
                actor=actor, unit=unit, name=obj.name, code=obj.code, **extra
            )
            obj.pk, obj.organization_id = created.pk, created.organization_id
            return
        original = Staff.objects.select_related("unit").get(pk=obj.pk)
        fields = changed(form, services.STAFF_FIELDS)
        new_unit = unit if "unit" in form.changed_data else None
        if fields or new_unit is not None:
            services.update_staff(actor=actor, staff=original, unit=new_unit, **fields)


@admin.register(AuditEntry)
class AuditEntryAdmin(ScopedAdmin[AuditEntry]):
    """The audit log is append-only: nobody edits or deletes it, superusers included."""

    scope_path_field = "unit_path"
    view_capability = Capability.CONFIGURE
    list_display = ("at", "actor_label", "action", "target_type", "target_label", "ip_address")
    search_fields = ("actor_label", "action", "target_label")
    list_filter = ("target_type",)
    ordering = ("-at", "-id")

    def get_readonly_fields(self, request: HttpRequest, obj: AuditEntry | None = None) -> list[str]:
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False


class ReadOnlyScopedAdmin(ScopedAdmin[M]):
    """Scoped and read-only: rows whose changes must go through their app's services."""

    scope_path_field = "unit_path"
    can_delete = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: M | None = None) -> bool:
        return False
