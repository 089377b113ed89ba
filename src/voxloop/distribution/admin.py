"""Django admin for outreach: scoped, and read-only where a change must go through the
product's services (launching, pausing, sending); the policy is edited through its service."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from voxloop.distribution import services
from voxloop.distribution.models import Campaign, Invitation, OutreachPolicy, Trigger, Widget
from voxloop.tenancy.admin import ReadOnlyScopedAdmin, ScopedAdmin
from voxloop.tenancy.scoping import Scope


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
