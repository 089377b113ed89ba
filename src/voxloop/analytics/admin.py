"""Analytics in the Django admin: rollups read-only (they are derived; rebuild instead of
editing), saved views and digest opt-outs, each scoped to the staff user's subtree."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from voxloop.analytics.models import DigestSubscription, Rollup, SavedView, ViewDigest
from voxloop.surveys.models import ANONYMOUS_KINDS
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.admin import ScopedAdmin
from voxloop.tenancy.scoping import Scope
from voxloop.tenancy.services import record_audit


@admin.register(Rollup)
class RollupAdmin(ScopedAdmin[Rollup]):
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

    def get_queryset(self, request: HttpRequest) -> QuerySet[Rollup]:
        # A node's day is a group of any size: anonymous surveys' rows are read only through
        # the anonymity rule (decision 0016), never here.
        return super().get_queryset(request).exclude(survey__kind__in=ANONYMOUS_KINDS)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Rollup | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Rollup | None = None) -> bool:
        return False


@admin.register(SavedView)
class SavedViewAdmin(ScopedAdmin[SavedView]):
    list_display = ("name", "owner", "unit", "shared", "published_role", "created_at")
    list_filter = ("shared", "published_role")
    search_fields = ("name",)
    # An admin may withdraw a view's sharing or publication, or rename it; the owner and
    # where it was saved stay (whom it reaches is decided by them).
    fields = ("name", "query", "owner", "unit", "shared", "published_role")
    readonly_fields = ("owner", "unit", "query")

    def save_model(self, request: HttpRequest, obj: SavedView, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        changes = {name: form.cleaned_data.get(name) for name in form.changed_data}
        record_audit(
            actor=getattr(request, "scope", None),
            action="analytics.view_changed",
            target=obj,
            changes=changes,
        )

    def delete_model(self, request: HttpRequest, obj: SavedView) -> None:
        record_audit(
            actor=getattr(request, "scope", None), action="analytics.view_deleted", target=obj
        )
        super().delete_model(request, obj)

    def scope_queryset(self, scope: Scope, queryset: QuerySet[SavedView]) -> QuerySet[SavedView]:
        # A view belongs to its owner; an admin sees those of people in their subtree.
        owners = tenancy_selectors.member_user_ids(scope)
        return queryset.filter(organization_id=scope.organization_id, owner_id__in=owners)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(DigestSubscription)
class DigestSubscriptionAdmin(ScopedAdmin[DigestSubscription]):
    scope_path_field = "membership__unit__path"
    scope_org_field = "membership__organization_id"
    list_display = ("membership", "enabled", "last_sent_at")
    list_filter = ("enabled",)
    readonly_fields = ("membership", "last_sent_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(ViewDigest)
class ViewDigestAdmin(ScopedAdmin[ViewDigest]):
    scope_path_field = "membership__unit__path"
    scope_org_field = "membership__organization_id"
    list_display = ("view", "membership", "frequency", "last_sent_at")
    list_filter = ("frequency",)
    readonly_fields = ("view", "membership", "last_sent_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
