"""How idea boards follow the others: units that move take their boards' and ideas' paths
along; a person's erasure reaches their follows, comments, votes and ideas."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from voxloop.ideas import forgetting
from voxloop.ideas.models import Board, Idea
from voxloop.privacy.signals import contact_erasing
from voxloop.tenancy.models import repath_copies
from voxloop.tenancy.signals import unit_moved


@receiver(unit_moved, dispatch_uid="ideas.repath")
def follow_unit_move(
    sender: Any, organization_id: int, old_path: str, new_path: str, **kwargs: Any
) -> None:
    repath_copies(Board.objects.filter(organization_id=organization_id), old_path, new_path)
    repath_copies(Idea.objects.filter(organization_id=organization_id), old_path, new_path)


@receiver(contact_erasing, dispatch_uid="ideas.forget_person")
def forget_person(sender: Any, organization_id: int, person: Any, **kwargs: Any) -> dict[str, int]:
    return forgetting.forget_person(organization_id=organization_id, person=person)
