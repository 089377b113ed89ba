"""Django admin for 360 cycles: scoped to the staff user's subtree and read-only (every
change goes through the services, which check the role and write the audit log). Answers
and invitations are not registered: the admin shows no rater and no single answer."""

from __future__ import annotations

from django.contrib import admin

from voxloop.feedback360.models import Cycle
from voxloop.tenancy.admin import ReadOnlyScopedAdmin


@admin.register(Cycle)
class CycleAdmin(ReadOnlyScopedAdmin[Cycle]):
    list_display = ("name", "unit", "deadline", "is_open", "created_at")
    list_filter = ("is_open",)
    search_fields = ("name",)
    scope_path_field = "unit_path"
