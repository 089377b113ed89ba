"""How 360 feedback follows the others: a person's erasure reaches the customer invitations
that hold their contact and address."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from voxloop.feedback360 import forgetting
from voxloop.privacy.redaction import KnownPerson
from voxloop.privacy.signals import contact_erasing


@receiver(contact_erasing, dispatch_uid="feedback360.forget_person")
def forget_person(
    sender: Any, organization_id: int, contact_id: int, person: KnownPerson, **kwargs: Any
) -> dict[str, int]:
    return forgetting.forget_person(
        organization_id=organization_id, contact_id=contact_id, person=person
    )
