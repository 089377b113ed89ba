"""Responses in the Django admin: read-only, scoped to the staff user's subtree.

Answers are evidence of what a customer said; nobody edits them, here or anywhere else.
Employee surveys keep no contact or staff at capture, so nothing personal is shown for them.
"""

from __future__ import annotations

from django.contrib import admin

from voxloop.responses.models import Response
from voxloop.tenancy.admin import ScopedAdmin


@admin.register(Response)
class ResponseAdmin(ScopedAdmin):
    scope_path_field = "unit_path"
    list_display = (
        "id",
        "survey",
        "unit",
        "channel",
        "nps",
        "nps_group",
        "csat",
        "ces",
        "is_complete",
        "submitted_at",
    )
    list_filter = ("channel", "nps_group", "is_complete", "device")
    list_select_related = ("survey", "unit")
    date_hierarchy = "submitted_at"
    ordering = ("-submitted_at", "-id")
    can_delete = False
    show_full_result_count = False  # counting millions of rows on every page is not worth it

    def get_fields(self, request, obj=None):
        return [f.name for f in Response._meta.fields if f.name not in ("resume_token",)]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
