"""Django admin for outreach: scoped, and read-only where a change must go through the
product's services (launching, pausing, sending); the policy is edited through its service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from voxloop.contacts import selectors as contact_selectors
from voxloop.distribution import services
from voxloop.distribution.models import (
    Campaign,
    Invitation,
    OutreachPolicy,
    SegmentRule,
    Trigger,
    Widget,
)
from voxloop.tenancy.admin import ReadOnlyScopedAdmin, ScopedAdmin
from voxloop.tenancy.scoping import Capability, Scope


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyScopedAdmin[Campaign]):
    list_display = ("name", "survey", "channel", "status", "send_at", "unit")
    list_filter = ("status", "channel")
    search_fields = ("name",)
    list_select_related = ("survey", "unit")


@admin.register(Trigger)
class TriggerAdmin(ReadOnlyScopedAdmin[Trigger]):
    list_display = ("name", "interaction_type", "survey", "channel", "delay_minutes", "is_active")
    list_filter = ("is_active", "channel")
    list_select_related = ("interaction_type", "survey")


@admin.register(Widget)
class WidgetAdmin(ReadOnlyScopedAdmin[Widget]):
    """Changed on the outreach pages or the API, where origins and rules are checked."""

    list_display = ("name", "survey", "unit", "sample_percent", "manual_only", "is_active")
    list_filter = ("is_active", "manual_only", "position")
    search_fields = ("name", "key")
    list_select_related = ("survey", "unit")


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyScopedAdmin[Invitation]):
    list_display = (
        "ref",
        "contact",
        "survey",
        "campaign",
        "channel",
        "status",
        "skip_reason",
        "sent_at",
    )
    list_filter = ("status", "channel", "skip_reason")
    search_fields = ("ref", "contact__email", "contact__external_id")
    list_select_related = ("contact", "survey", "campaign")
    raw_id_fields = ("contact", "interaction")


class SegmentRuleInline(admin.TabularInline[SegmentRule, OutreachPolicy]):
    """Rules per segment (tiers, personas), on the policy's page; saved through the service
    (OutreachPolicyAdmin.save_formset), so the segment is checked and the change audited."""

    model = SegmentRule
    fields = ("segment", "min_days_between", "max_per_90_days", "ask_by")
    extra = 1

    # The same reach as the policy itself: the organisation's admins (the service checks it).
    def _may(self, request: HttpRequest) -> bool:
        scope = ScopedAdmin.request_scope(request)
        return request.user.is_superuser or (scope is not None and scope.can(Capability.CONFIGURE))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "segment":
            scope = ScopedAdmin.request_scope(request)
            if scope is not None:
                kwargs["queryset"] = contact_selectors.visible_segments(scope)
            elif not request.user.is_superuser:
                kwargs["queryset"] = db_field.related_model._default_manager.none()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(OutreachPolicy)
class OutreachPolicyAdmin(ScopedAdmin[OutreachPolicy]):
    list_display = (
        "organization",
        "min_days_between",
        "max_per_90_days",
        "quiet_start_hour",
        "quiet_end_hour",
    )
    fields = ("min_days_between", "max_per_90_days", "quiet_start_hour", "quiet_end_hour")
    inlines = (SegmentRuleInline,)
    can_delete = False

    def scope_queryset(
        self, scope: Scope, queryset: QuerySet[OutreachPolicy]
    ) -> QuerySet[OutreachPolicy]:
        return queryset.filter(organization_id=scope.organization_id)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # one per organisation, created on first change through the service

    def save_model(
        self,
        request: HttpRequest,
        obj: OutreachPolicy,
        form: forms.ModelForm[OutreachPolicy],
        change: bool,
    ) -> None:
        values = {name: form.cleaned_data[name] for name in form.changed_data}
        services.update_policy(actor=self.actor(request, obj.organization_id), **values)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        actor = self.actor(request, form.instance.organization_id)
        # What the admin's change message reads; the service wrote the audit entries.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for row in formset.forms:
            data = getattr(row, "cleaned_data", None) or {}
            old = row.initial.get("segment") if row.instance.pk else None
            if data.get("DELETE") and old:
                services.remove_segment_rule(actor=actor, segment_id=old)
            elif data and not data.get("DELETE") and row.has_changed() and data.get("segment"):
                if old and old != data["segment"].pk:
                    services.remove_segment_rule(actor=actor, segment_id=old)
                services.set_segment_rule(
                    actor=actor,
                    segment_id=data["segment"].pk,
                    min_days_between=data["min_days_between"],
                    max_per_90_days=data["max_per_90_days"],
                    ask_by=data["ask_by"],
                )
