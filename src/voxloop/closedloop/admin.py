"""The closed loop in the Django admin: scoped to the staff user's subtree like tenancy's, and
read-only. Rules, playbooks, cases and plans change through the pages and the API, whose
services check the rules of each change and write the timeline and the audit log; the admin is
for looking things up (a notification's last error, a case's events)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from voxloop.closedloop.models import (
    ActionPlan,
    AlertRule,
    Case,
    CaseEvent,
    Notification,
    Playbook,
    Praise,
    RootCause,
)
from voxloop.tenancy.admin import ReadOnlyScopedAdmin
from voxloop.tenancy.scoping import Scope


class CaseEventInline(admin.TabularInline[CaseEvent, Case]):
    model = CaseEvent
    fields = ("at", "kind", "actor_label", "text")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Case | None = None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyScopedAdmin[Case]):
    list_display = ("id", "title", "unit", "status", "priority", "assignee", "due_at")
    list_filter = ("status", "priority", "escalation_level")
    list_select_related = ("unit", "assignee")
    search_fields = ("title",)
    ordering = ("-created_at",)
    inlines = [CaseEventInline]


@admin.register(AlertRule)
class AlertRuleAdmin(ReadOnlyScopedAdmin[AlertRule]):
    list_display = ("name", "unit", "priority", "sla_hours", "email_mode", "is_active")
    list_filter = ("is_active", "priority")
    exclude = ("webhooks",)  # secrets stay out of admin pages


@admin.register(Playbook)
class PlaybookAdmin(ReadOnlyScopedAdmin[Playbook]):
    list_display = ("name", "kind", "unit")
    list_filter = ("kind",)


@admin.register(ActionPlan)
class ActionPlanAdmin(ReadOnlyScopedAdmin[ActionPlan]):
    list_display = ("title", "unit", "status", "owner", "starts_on", "baseline")
    list_filter = ("status",)


@admin.register(Praise)
class PraiseAdmin(ReadOnlyScopedAdmin[Praise]):
    list_display = ("staff", "unit", "score", "at")


@admin.register(RootCause)
class RootCauseAdmin(ReadOnlyScopedAdmin[RootCause]):
    list_display = ("__str__", "organization")

    def scope_queryset(self, scope: Scope, queryset: QuerySet[RootCause]) -> QuerySet[RootCause]:
        return queryset.filter(organization_id=scope.organization_id)


@admin.register(Notification)
class NotificationAdmin(ReadOnlyScopedAdmin[Notification]):
    list_display = ("id", "channel", "recipient", "key", "status", "attempts", "run_after")
    list_filter = ("status", "channel")
    exclude = ("secret",)

    def scope_queryset(
        self, scope: Scope, queryset: QuerySet[Notification]
    ) -> QuerySet[Notification]:
        # Notifications carry no path of their own: those of cases in the subtree.
        cases = Case.objects.filter(organization_id=scope.organization_id)
        in_scope = scope.filter(cases, path_field="unit_path").values("pk")
        return queryset.filter(case__in=in_scope)
