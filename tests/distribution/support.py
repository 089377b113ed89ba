"""Helpers shared by the distribution tests (import from here, never from a conftest)."""

from __future__ import annotations

from voxloop.distribution.models import Invitation, InvitationStatus


def invite(
    outreach, who: str = "ann", *, locale: str = "en", status: str = InvitationStatus.SENT
) -> Invitation:
    """An email invitation of the `outreach` fixture's survey to one of its people."""
    acme, survey, people = outreach
    contact = people[who]
    return Invitation.objects.create(
        organization_id=acme.root.organization_id,
        unit_path=contact.unit_path,
        survey=survey,
        contact=contact,
        channel="email",
        locale=locale,
        status=status,
    )
