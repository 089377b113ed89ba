"""The demo's help desk: a Zendesk connector in demo mode (`crm.demo_mode`: no network) at
the top of the organisation, whose "ticket solved" events become "Support ticket closed"
interactions — the ones the demo's "After a support ticket" trigger invites from. A few
recorded events are replayed while seeding, so the connector's activity log, its events
and the trigger's invitations have something true to show."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from voxloop.contacts import selectors as contact_selectors
from voxloop.crm import services
from voxloop.crm.connectors.base import DEMO_URL
from voxloop.crm.demo_mode import RecordedPerson, recorded_tickets, replay
from voxloop.crm.models import CrmConnector
from voxloop.tenancy.scoping import Scope

SUPPORT_TYPE = "ticket_closed"  # distribution.demo's support interaction type
RECORDED = 6


def add_crm(system: Scope, tree: Any, anchor: datetime) -> CrmConnector:
    connector = services.create_connector(
        scope=system,
        unit=tree.root,
        name="Zendesk (demo mode)",
        kind="zendesk",
        base_url=DEMO_URL,
        event_types={"ticket_solved": SUPPORT_TYPE},
    )
    # Demo mode calls no system: nothing to sync, nothing to write back.
    services.update_connector(
        scope=system,
        connector=connector,
        sync_contacts=False,
        write_back=False,
        cases_to_tickets=False,
    )
    people = [
        RecordedPerson(email=c.email, first_name=c.first_name, last_name=c.last_name)
        for c in contact_selectors.people_of(system.organization_id)
        .exclude(email="")
        .order_by("pk")[:RECORDED]
    ]
    replay(connector=connector, bodies=recorded_tickets(people, anchor))
    return connector
