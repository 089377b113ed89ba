"""Units this process holds for the capture path are dropped when any unit changes."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from voxloop.tenancy.models import OrgUnit
from voxloop.tenancy.selectors import recent_units
from voxloop.tenancy.signals import unit_moved


@receiver(post_save, sender=OrgUnit, dispatch_uid="tenancy.units_changed")
@receiver(post_delete, sender=OrgUnit, dispatch_uid="tenancy.units_deleted")
@receiver(unit_moved, dispatch_uid="tenancy.units_moved")
def units_changed(sender, **kwargs) -> None:
    recent_units.forget_all()
