"""360 feedback's part of erasing a person (`privacy.signals.contact_erasing`, decision 0012).

A customer asked to rate a subject is held on their invitation: the contact's id, their
address and language. Erasure takes all three off (the link from their email stops working);
the invitation stays as a counted "customer asked" and their answer, which never named them,
stays in the subject's report."""

from __future__ import annotations

from django.db.models import Q

from voxloop.feedback360.models import Invitation
from voxloop.privacy.redaction import KnownPerson


def forget_person(*, organization_id: int, contact_id: int, person: KnownPerson) -> dict[str, int]:
    found = Q(contact_id=contact_id)
    for address in person.emails:
        found |= Q(contact_id__isnull=False, email__iexact=address)
    rows = Invitation.objects.filter(found, subject__cycle__organization_id=organization_id)
    forgotten = rows.update(contact_id=None, email="", language="")
    return {"feedback360_invitations": forgotten} if forgotten else {}
