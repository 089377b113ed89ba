"""The privacy settings in the Django admin: each organisation's own, changed through the
service (admins at the top unit; checked and audited like on the settings page)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from voxloop.privacy import services
from voxloop.privacy.models import PERIODS, PrivacyPolicy
from voxloop.tenancy.admin import ScopedAdmin
from voxloop.tenancy.scoping import Scope


@admin.register(PrivacyPolicy)
class PrivacyPolicyAdmin(ScopedAdmin[PrivacyPolicy]):
    list_display = ("organization", *PERIODS, "mask_at_capture", "last_applied_at")
    fields = ("organization", *PERIODS, "mask_at_capture", "last_applied_at")
    readonly_fields = ("last_applied_at",)
    can_delete = False

    def scope_queryset(
        self, scope: Scope, queryset: QuerySet[PrivacyPolicy]
    ) -> QuerySet[PrivacyPolicy]:
        return queryset.filter(organization_id=scope.organization_id)

    def get_readonly_fields(
        self, request: HttpRequest, obj: PrivacyPolicy | None = None
    ) -> tuple[str, ...]:
        # The organisation of an existing policy never changes.
        return ("organization", "last_applied_at") if obj else ("last_applied_at",)

    def save_model(
        self,
        request: HttpRequest,
        obj: PrivacyPolicy,
        form: forms.ModelForm[PrivacyPolicy],
        change: bool,
    ) -> None:
        actor = self.actor(request, obj.organization_id)
        values = {name: form.cleaned_data.get(name) for name in (*PERIODS, "mask_at_capture")}
        saved = services.update_policy(actor=actor, **values)
        obj.pk = saved.pk
