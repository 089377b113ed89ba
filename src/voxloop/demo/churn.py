"""The demo's customers leaving: a year of churn in which detractors leave about three times
as often as promoters, and a few are won back — so the churn card and the "who leaves" panel
tell a CX story. (`customer_since` comes from each contact's tenure, set when the demo adds
them.)

Historical responses are imported without events, so the contacts' latest NPS group is set
here from their responses, as the response event would have.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from voxloop.contacts import lifecycle
from voxloop.contacts import selectors as contact_selectors
from voxloop.contacts import services as contact_services
from voxloop.responses import selectors as response_selectors
from voxloop.tenancy.scoping import Scope

YEAR = timedelta(days=365)
CHURN_BY_GROUP = {"detractor": 0.21, "passive": 0.11, "promoter": 0.07, "": 0.1}
WIN_BACK = 0.12


def add_churn(system: Scope, rng: random.Random, anchor: datetime) -> int:
    """Returns how many status changes the history holds."""
    latest = _latest_answers(system.organization_id)
    contact_services.note_responses(latest=latest)
    changes = []
    contacts = contact_selectors.people_of(system.organization_id).order_by("pk")
    for contact in contacts.only("id", "unit_path", "customer_since"):
        if contact.customer_since is None:  # the demo gives every contact one
            continue
        since = datetime.combine(contact.customer_since, time.min, tzinfo=anchor.tzinfo)
        answered_at, group = latest.get(contact.pk, (None, ""))
        if rng.random() >= CHURN_BY_GROUP.get(group, 0.1):
            continue
        earliest = max(anchor - YEAR, since, answered_at or since)
        left = earliest + (anchor - earliest) * rng.random()
        changes.append((contact, "churned", left))
        if rng.random() < WIN_BACK and anchor - left > timedelta(days=20):
            changes.append((contact, "active", left + (anchor - left) * rng.random()))
    return lifecycle.seed_history(actor=system, changes=changes, source="demo")


def _latest_answers(organization_id: int) -> dict[int, tuple[datetime, str]]:
    rows = response_selectors.contact_nps_history(organization_id)
    return {
        contact_id: (at, group or "")
        for contact_id, at, group in rows.iterator()
        if contact_id is not None and at is not None
    }
