"""What a campaign's email will look like for one of its contacts, without sending it."""

from __future__ import annotations

from voxloop.contacts.models import Contact
from voxloop.distribution import services
from voxloop.distribution.delivery.emails import build_message
from voxloop.distribution.models import Campaign, Invitation
from voxloop.surveys import definition
from voxloop.tenancy.scoping import Capability, Scope


def preview(scope: Scope, campaign: Campaign, contact: Contact | None = None) -> dict:
    """For a role that reads aggregates only (a viewer), always the sample contact: a real
    one's name and address are records."""
    if contact is None and scope.can(Capability.READ_RECORDS):
        contact = (
            scope.filter(services.audience(campaign=campaign), path_field="unit_path")
            .select_related("home_unit", "account__owner")
            .order_by("pk")
            .first()
        )
    if contact is None:  # an empty audience still shows the layout
        contact = Contact(first_name="Alex", email="alex@example.test", home_unit=campaign.unit)
    invitation = Invitation(
        organization_id=campaign.organization_id,
        ref="preview",
        survey=campaign.survey,
        contact=contact,
        campaign=campaign,
        channel=campaign.channel,
        locale=definition.pick_locale(campaign.survey, [contact.locale]),
    )
    message = build_message(invitation)
    html = next(content for content, mime in message.alternatives if mime == "text/html")
    return {
        "contact_id": contact.pk,
        "subject": message.subject,
        "text": message.body,
        "html": html,
    }
