"""Exports are their requester's: one membership sees and downloads only its own."""

from __future__ import annotations

from django.db.models import QuerySet

from voxloop.errors import NotFound
from voxloop.exports.models import Export
from voxloop.tenancy.scoping import Scope


def my_exports(scope: Scope) -> QuerySet[Export]:
    if scope.membership_id is None:  # the system exports nothing of its own
        return Export.objects.none()
    return Export.objects.filter(
        organization_id=scope.organization_id, membership_id=scope.membership_id
    )


def my_export(scope: Scope, export_id: int) -> Export:
    found = my_exports(scope).filter(pk=export_id).first()
    if found is None:
        raise NotFound("No such export.", field="export")
    return found
