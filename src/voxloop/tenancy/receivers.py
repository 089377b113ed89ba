"""Units this process holds for the capture path are dropped when any unit changes; the audit
log forgets an erased person's name."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from voxloop.privacy.signals import contact_erasing
from voxloop.tenancy.models import OrgUnit
from voxloop.tenancy.selectors import recent_units
from voxloop.tenancy.signals import unit_moved

if TYPE_CHECKING:
    from voxloop.privacy.redaction import KnownPerson


@receiver(post_save, sender=OrgUnit, dispatch_uid="tenancy.units_changed")
@receiver(post_delete, sender=OrgUnit, dispatch_uid="tenancy.units_deleted")
@receiver(unit_moved, dispatch_uid="tenancy.units_moved")
def units_changed(sender: object, **kwargs: Any) -> None:
    recent_units.forget_all()


@receiver(contact_erasing, dispatch_uid="tenancy.forget_person")
def forget_person(
    sender: object, organization_id: int, contact_id: int, person: KnownPerson, **kwargs: Any
) -> dict[str, int]:
    from voxloop.tenancy import services

    changed = services.forget_person_in_audit(
        organization_id=organization_id, contact_id=contact_id, person=person
    )
    return {"audit_entries": changed}
