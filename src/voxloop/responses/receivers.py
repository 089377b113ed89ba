from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from voxloop.privacy.signals import contact_erasing
from voxloop.responses import kiosks, services
from voxloop.responses.models import Kiosk
from voxloop.tenancy.models import OrgUnit
from voxloop.tenancy.signals import unit_moved

# Longer than any submission takes between reading its unit and committing.
STRAGGLER_DELAY = timedelta(seconds=30)


@receiver(post_save, sender=Kiosk)
@receiver(post_delete, sender=Kiosk)
@receiver(post_save, sender=OrgUnit)
@receiver(post_delete, sender=OrgUnit)
def kiosk_access_changed(sender: object, **kwargs: Any) -> None:
    kiosks.recent_kiosks.forget_all()  # a kiosk's reach is its unit's path


@receiver(unit_moved)
def follow_unit_move(
    sender: object, organization_id: int, old_path: str, new_path: str, **kwargs: Any
) -> None:
    kiosks.recent_kiosks.forget_all()
    services.repath_after_move(
        organization_id=organization_id, old_path=old_path, new_path=new_path
    )
    transaction.on_commit(lambda: _heal_later(organization_id, old_path))


def _heal_later(organization_id: int, old_path: str) -> None:
    from voxloop.responses.tasks import heal_unit_paths

    if not heal_unit_paths.get_backend().supports_defer:
        # A backend that runs tasks at once (tests, VOXLOOP_TASKS=immediate) has no "later".
        heal_unit_paths.enqueue(organization_id, old_path)
        return
    heal_unit_paths.using(run_after=timezone.now() + STRAGGLER_DELAY).enqueue(
        organization_id, old_path
    )


@receiver(contact_erasing, dispatch_uid="responses.erase_person")
def erase_person(
    sender: object, organization_id: int, response_ids: list[int], now: datetime, **kwargs: Any
) -> dict[str, int]:
    from voxloop.responses import forgetting

    return forgetting.erase_person(
        organization_id=organization_id, response_ids=response_ids, now=now
    )
