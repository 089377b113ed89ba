"""How the reviews app follows the others: units that move take their reviews' paths along;
a person's erasure erases their name as a reviewer."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from voxloop.privacy.signals import contact_erasing
from voxloop.reviews import forgetting
from voxloop.reviews.models import Review, ReviewSource, SourceLocation
from voxloop.tenancy.models import repath_copies
from voxloop.tenancy.signals import unit_moved


@receiver(unit_moved, dispatch_uid="reviews.repath")
def follow_unit_move(
    sender: Any, organization_id: int, old_path: str, new_path: str, **kwargs: Any
) -> None:
    repath_copies(ReviewSource.objects.filter(organization_id=organization_id), old_path, new_path)
    repath_copies(Review.objects.filter(organization_id=organization_id), old_path, new_path)
    repath_copies(
        SourceLocation.objects.filter(source__organization_id=organization_id), old_path, new_path
    )


@receiver(contact_erasing, dispatch_uid="reviews.forget_person")
def forget_person(sender: Any, organization_id: int, person: Any, **kwargs: Any) -> dict[str, int]:
    return {"reviews": forgetting.erase_names(organization_id, forgetting.names_of(person))}
