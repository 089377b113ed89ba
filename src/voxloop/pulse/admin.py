"""Pulse programmes, waves and frontline reports in the Django admin: scoped to the staff
user's subtree and read-only (changes go through the services, which check the role and
write the audit log). Answers and invitations are not listed: answers are read only as
figures behind the floor (decision 0042)."""

from __future__ import annotations

from django.contrib import admin

from voxloop.pulse.models import Programme, Report, Wave
from voxloop.tenancy.admin import ReadOnlyScopedAdmin


@admin.register(Programme)
class ProgrammeAdmin(ReadOnlyScopedAdmin[Programme]):
    list_display = ("name", "unit", "cadence", "floor", "is_active", "next_wave_at")
    list_filter = ("cadence", "is_active")
    search_fields = ("name",)


@admin.register(Wave)
class WaveAdmin(ReadOnlyScopedAdmin[Wave]):
    scope_path_field = "programme__unit_path"
    list_display = ("programme", "number", "opened_at", "invited", "reminded_at")


@admin.register(Report)
class ReportAdmin(ReadOnlyScopedAdmin[Report]):
    list_display = ("category", "unit", "reported_on", "plan")
    list_filter = ("category",)
