"""Responses in the Django admin: read-only, scoped to the staff user's subtree.

Answers are evidence of what a customer said; nobody edits them, here or anywhere else.
Employee surveys keep no contact or staff at capture; their answers are listed one by one
only for roles that export, and never with the unit they came from (the same rule as the
responses selectors).
"""

from __future__ import annotations

from django.contrib import admin

from voxloop.privacy.redaction import mask_answers
from voxloop.responses.models import Response
from voxloop.surveys.models import SurveyKind
from voxloop.tenancy.admin import ScopedAdmin
from voxloop.tenancy.scoping import Capability

# What would tell who wrote an anonymous (employee) answer; the source names the invitation,
# and the invitation its contact.
IDENTIFYING = (
    *("unit", "unit_path", "staff", "contact", "contact_snapshot", "source_key"),
    *("entered_by", "entered_token", "kiosk"),  # who typed it in, or the kiosk at their desk
)


@admin.register(Response)
class ResponseAdmin(ScopedAdmin):
    scope_path_field = "unit_path"
    list_display = (
        "id",
        "survey",
        "place",
        "channel",
        "origin",
        "nps",
        "nps_group",
        "csat",
        "ces",
        "is_complete",
        "submitted_at",
    )
    list_filter = ("channel", "origin", "nps_group", "is_complete", "device")
    list_select_related = ("survey", "unit")
    date_hierarchy = "submitted_at"
    ordering = ("-submitted_at", "-id")
    can_delete = False
    show_full_result_count = False  # counting millions of rows on every page is not worth it

    def scope_queryset(self, scope, queryset):
        queryset = super().scope_queryset(scope, queryset)
        if not scope.can(Capability.EXPORT):
            queryset = queryset.exclude(survey__kind=SurveyKind.EMPLOYEE)
        return queryset

    @admin.display(description="unit")
    def place(self, obj: Response) -> str:
        if obj.survey.is_anonymous or obj.unit is None:
            return "—"
        return str(obj.unit)

    def get_fields(self, request, obj=None):
        hidden = {"resume_token"}
        if obj is not None and obj.survey.is_anonymous:
            hidden.update(IDENTIFYING)
        fields = [f.name for f in Response._meta.fields if f.name not in hidden]
        if not (request.user.is_superuser or self._scope_can(request, Capability.CONFIGURE)):
            # Like exports and the API: only admins read what respondents wrote unmasked.
            fields = ["masked_answers" if f == "answers" else f for f in fields]
        return fields

    @admin.display(description="answers")
    def masked_answers(self, obj: Response) -> dict:
        return mask_answers(obj.answers)

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
