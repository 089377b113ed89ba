"""How the reviews app follows the others: units that move take their reviews' paths along;
a person's erasure erases their name as a reviewer."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from voxloop.privacy.signals import contact_erasing
from voxloop.reviews import forgetting
from voxloop.reviews.models import Review, ReviewSource, SourceLocation
from voxloop.tenancy.signals import unit_moved


@receiver(unit_moved, dispatch_uid="reviews.repath")
def follow_unit_move(
    sender: Any, organization_id: int, old_path: str, new_path: str, **kwargs: Any
) -> None:
    from django.db.models import F, Value
    from django.db.models.functions import Concat, Substr

    for model in (ReviewSource, SourceLocation, Review):
        rows = model.objects.filter(unit_path__startswith=old_path)
        if model is not SourceLocation:
            rows = rows.filter(organization_id=organization_id)
        else:
            rows = rows.filter(source__organization_id=organization_id)
        rows.update(unit_path=Concat(Value(new_path), Substr(F("unit_path"), len(old_path) + 1)))


@receiver(contact_erasing, dispatch_uid="reviews.forget_person")
def forget_person(sender: Any, organization_id: int, person: Any, **kwargs: Any) -> dict[str, int]:
    return {"reviews": forgetting.erase_names(organization_id, forgetting.names_of(person))}
