"""Responses in the Django admin: read-only, scoped to the staff user's subtree.

Answers are evidence of what a customer said; nobody edits them, here or anywhere else.
Anonymous (employee) surveys' answers are not here at all: the admin lists and filters rows by
unit, date and channel, each of which could tell who answered. They are read in aggregates
under the anonymity rule, and one by one only in a whole month's export at a scope the rule
allows (decision 0016).
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from voxloop.privacy.redaction import mask_answers
from voxloop.responses.models import Response
from voxloop.surveys.models import ANONYMOUS_KINDS
from voxloop.tenancy.admin import ScopedAdmin
from voxloop.tenancy.scoping import Capability


@admin.register(Response)
class ResponseAdmin(ScopedAdmin[Response]):
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

    def get_queryset(self, request: HttpRequest) -> QuerySet[Response]:
        # Superusers too: nobody lists anonymous answers by unit, day or channel.
        return super().get_queryset(request).exclude(survey__kind__in=ANONYMOUS_KINDS)

    @admin.display(description="unit")
    def place(self, obj: Response) -> str:
        return "—" if obj.unit is None else str(obj.unit)

    def get_fields(self, request: HttpRequest, obj: Response | None = None) -> tuple[str, ...]:
        fields = [f.name for f in Response._meta.fields if f.name != "resume_token"]
        if not (request.user.is_superuser or self._scope_can(request, Capability.CONFIGURE)):
            # Like exports and the API: only admins read what respondents wrote unmasked.
            fields = ["masked_answers" if f == "answers" else f for f in fields]
        return tuple(fields)

    @admin.display(description="answers")
    def masked_answers(self, obj: Response) -> dict:
        return mask_answers(obj.answers)

    def get_readonly_fields(
        self, request: HttpRequest, obj: Response | None = None
    ) -> tuple[str, ...]:
        return self.get_fields(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Response | None = None) -> bool:
        return False
