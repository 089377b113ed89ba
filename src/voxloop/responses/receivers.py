from django.dispatch import receiver

from voxloop.responses import services
from voxloop.tenancy.signals import unit_moved


@receiver(unit_moved)
def follow_unit_move(sender, organization_id: int, old_path: str, new_path: str, **kwargs):
    services.repath_after_move(organization_id, old_path, new_path)
