"""Analytics in the Django admin: rollups read-only (they are derived; rebuild instead of
editing), saved views and digest opt-outs, each scoped to the staff user's subtree."""

from __future__ import annotations

from django.contrib import admin

from voxloop.analytics.models import DigestSubscription, Rollup, SavedView
from voxloop.surveys.models import ANONYMOUS_KINDS
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.admin import ScopedAdmin


@admin.register(Rollup)
class RollupAdmin(ScopedAdmin):
    scope_path_field = "node_path"
    list_display = (
        "day",
        "node_path",
        "survey",
        "channel",
        "facet",
        "value",
        "n",
        "promoters",
        "detractors",
        "csat_n",
        "ces_n",
    )
    list_filter = ("facet", "channel")
    date_hierarchy = "day"
    ordering = ("-day",)
    show_full_result_count = False

    def get_queryset(self, request):
        # A node's day is a group of any size: anonymous surveys' rows are read only through
        # the anonymity rule (decision 0016), never here.
        return super().get_queryset(request).exclude(survey__kind__in=ANONYMOUS_KINDS)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SavedView)
class SavedViewAdmin(ScopedAdmin):
    list_display = ("name", "owner", "query", "created_at")
    search_fields = ("name",)

    def scope_queryset(self, scope, queryset):
        # A view belongs to its owner; an admin sees those of people in their subtree.
        owners = tenancy_selectors.member_user_ids(scope)
        return queryset.filter(organization_id=scope.organization_id, owner_id__in=owners)

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(DigestSubscription)
class DigestSubscriptionAdmin(ScopedAdmin):
    scope_path_field = "membership__unit__path"
    scope_org_field = "membership__organization_id"
    list_display = ("membership", "enabled", "last_sent_at")
    list_filter = ("enabled",)
    readonly_fields = ("membership", "last_sent_at")

    def has_add_permission(self, request) -> bool:
        return False
