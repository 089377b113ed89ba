from datetime import datetime
from typing import Any

from django.dispatch import receiver

from voxloop.contacts import services
from voxloop.contacts.tasks import note_response
from voxloop.privacy.signals import contact_erasing
from voxloop.responses.models import Response
from voxloop.responses.signals import response_submitted
from voxloop.tenancy.signals import unit_moved


@receiver(unit_moved)
def follow_unit_move(
    sender: object, organization_id: int, old_path: str, new_path: str, **kwargs: Any
) -> None:
    services.repath_after_move(
        organization_id=organization_id, old_path=old_path, new_path=new_path
    )


@receiver(response_submitted)
def remember_last_response(
    sender: object, response_id: int, response: Response, **kwargs: Any
) -> None:
    """Segments on 'last response' and 'NPS group' read the contact row; keep it current."""
    if response.contact_id and response.submitted_at:
        note_response.enqueue(
            response.contact_id, response.submitted_at.isoformat(), response.nps_group
        )


@receiver(contact_erasing, dispatch_uid="contacts.erase_person")
def erase_person(
    sender: object, organization_id: int, contact_id: int, now: datetime, **kwargs: Any
) -> dict[str, int]:
    return services.erase_person(organization_id=organization_id, contact_id=contact_id, now=now)
