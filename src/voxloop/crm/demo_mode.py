"""A connector's demo ("fake") mode: `base_url = "demo:"`. It never touches the network (its
session refuses every call); instead `replay` feeds recorded provider webhooks through the
same inbound path as real ones (`inbound.store_events`, then `inbound.take_in`), so they
become interactions that fire the triggers exactly as a live help desk's would. Only the
signature check is skipped: a recorded event is not a request from anywhere.

The recordings are Zendesk's trigger-webhook JSON ("ticket solved", with the requester's
email, so no user lookup is needed); `recorded_tickets` builds a deterministic set."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from voxloop.crm.connectors.base import DEMO_URL, HookRequest

if TYPE_CHECKING:
    from voxloop.crm.models import CrmConnector

DEMO_KINDS = ("zendesk",)


@dataclass(frozen=True)
class RecordedPerson:
    email: str
    first_name: str = ""
    last_name: str = ""


def recorded_tickets(
    people: list[RecordedPerson], anchor: datetime, first_ticket: int = 5001
) -> list[bytes]:
    """One "ticket solved" trigger webhook per person, an hour apart before `anchor`."""
    bodies = []
    for n, person in enumerate(people):
        solved = anchor - timedelta(hours=len(people) - n)
        bodies.append(
            json.dumps(
                {
                    "ticket_id": first_ticket + n,
                    "status": "solved",
                    "requester_id": 900000 + n,
                    "requester_email": person.email,
                    "requester_name": f"{person.first_name} {person.last_name}".strip(),
                    "updated_at": solved.strftime("%Y-%m-%dT%H:%M:%SZ"),
                }
            ).encode()
        )
    return bodies


def replay(*, connector: CrmConnector, bodies: list[bytes]) -> list[int]:
    """Take recorded webhooks in through a demo connector; the stored events' ids (each
    already taken in: an interaction recorded, its triggers enqueued once the transaction
    commits)."""
    from voxloop.crm import inbound
    from voxloop.crm.connectors import connector as provider_of
    from voxloop.errors import InvalidInput

    if connector.base_url != DEMO_URL or connector.kind not in DEMO_KINDS:
        raise InvalidInput("Only a connector in demo mode replays recorded events.", "base_url")
    provider = provider_of(connector.kind)
    events = []
    for body in bodies:
        hook = HookRequest(method="POST", url=DEMO_URL, headers={}, body=body)
        events.extend(provider.events_of(hook))
    received = inbound.store_events(connector=connector, events=events)
    for pk in received.event_ids or []:
        inbound.take_in(pk)
    return list(received.event_ids or [])
