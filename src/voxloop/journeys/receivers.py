"""Journeys follow their owning unit when it moves."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from voxloop.journeys.models import Journey
from voxloop.tenancy.models import repath_copies
from voxloop.tenancy.signals import unit_moved


@receiver(unit_moved, dispatch_uid="journeys.repath")
def follow_unit_move(
    sender: Any, organization_id: int, old_path: str, new_path: str, **kwargs: Any
) -> None:
    repath_copies(Journey.objects.filter(organization_id=organization_id), old_path, new_path)
