"""The demo's customer health: personas per account size and two service tiers (segments
with a kind), a year of weekly logins by the B2B contacts (usage sent in as interactions),
accounts that struggle using the product less and churning more often, a health model with
usage, seats and renewal, monthly scores for a year and the scores of today — with a few of
`accountmgr`'s accounts sliding into red and their calls to action open.

Runs after the rest of the demo (answers, cases, comments, invitations exist), through the
owning apps' services.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from voxloop.contacts import interactions, lifecycle
from voxloop.contacts import selectors as contact_selectors
from voxloop.contacts import services as contact_services
from voxloop.contacts.models import Interaction
from voxloop.distribution import services as outreach
from voxloop.health import computing, services
from voxloop.health.models import Mapping, SignalKind
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.scoping import Scope

WEEKS = 52
BEFORE = 8  # weeks of use before the year, so its first scores have a month of usage
SLIDING = 3  # accountmgr's accounts that fall into red this month

PERSONAS = [
    ("Enterprise buyers", "Accounts of 1,000 people or more.",
     [{"field": "account.attributes.employees", "op": "gte", "value": 1000}]),
    ("Mid-market teams", "Accounts of 100 to 999 people.",
     [{"field": "account.attributes.employees", "op": "gte", "value": 100},
      {"field": "account.attributes.employees", "op": "lte", "value": 999}]),
    ("Small businesses", "Accounts of fewer than 100 people.",
     [{"field": "account.attributes.employees", "op": "lte", "value": 99}]),
]  # fmt: skip
TIERS = [
    ("High-touch", "An account manager calls and writes personally.",
     [{"field": "account_tier", "op": "eq", "value": "high_touch"}]),
    ("Low-touch", "Automated digital surveys only.",
     [{"field": "account_tier", "op": "eq", "value": "low_touch"}]),
]  # fmt: skip
# Each tier's survey cadence (decision 0041): name → (min days between, max per 90 days, asked).
CADENCE = {"High-touch": (45, 2, "owner"), "Low-touch": (14, 4, "automated")}


def _model(system: Scope) -> None:
    signals = [
        (SignalKind.NPS, "", 3, Mapping.CURVE, -50, 50),
        (SignalKind.NPS_TREND, "", 1, Mapping.CURVE, -30, 10),
        (SignalKind.CSAT, "", 1, Mapping.CURVE, 50, 90),
        (SignalKind.OPEN_CASES, "", 1, Mapping.CURVE, 3, 0),
        (SignalKind.SENTIMENT, "", 1, Mapping.CURVE, -50, 50),
        (SignalKind.SILENCE, "", 1, Mapping.CURVE, 100, 0),
        (SignalKind.INTERACTIONS, "login", 4, Mapping.CURVE, 2, 14),
        (SignalKind.ATTRIBUTE, "seats", 1, Mapping.CURVE, 2, 30),
        (SignalKind.TENURE, "", 1, Mapping.CURVE, 6, 48),
        (SignalKind.RENEWAL, "renewal_month", 1, Mapping.STEPS, 30, 90),
    ]
    services.save_model(
        actor=system,
        name="B2B account health",
        window_days=180,
        red_below=45,
        amber_below=65,
        sla_hours=48,
        signals=[
            {"kind": k, "param": p, "weight": w, "mapping": m, "bad": b, "good": g}
            for k, p, w, m, b, g in signals
        ],
    )


def _audiences(system: Scope) -> None:
    root = tenancy_selectors.scope_root(system)
    for kind, rows in (("persona", PERSONAS), ("tier", TIERS)):
        for name, description, filters in rows:
            segment = contact_services.save_segment(
                actor=system, unit=root, name=name, filters=filters
            )
            services.save_audience(
                actor=system, kind=kind, name=name, segment_id=segment.pk,
                description=description,
            )  # fmt: skip
            if name in CADENCE:
                gap, most, asked = CADENCE[name]
                outreach.set_segment_rule(
                    actor=system, segment_id=segment.pk, min_days_between=gap,
                    max_per_90_days=most, ask_by=asked,
                )  # fmt: skip


def add_health(system: Scope, rng: random.Random, anchor: datetime) -> int:
    """Returns how many calls to action are open."""
    org = system.organization_id
    root = tenancy_selectors.scope_root(system)
    login = contact_services.define_interaction_type(
        actor=system, unit=root, key="login", name="Product login"
    )
    _model(system)
    accounts = list(contact_selectors.accounts_of(org).select_related("owner"))
    people: dict[int, list] = {}
    for contact in (
        contact_selectors.people_of(org)
        .filter(account__isnull=False)
        .select_related("account")
        .order_by("pk")
    ):
        if contact.account is not None:
            people.setdefault(contact.account.pk, []).append(contact)
    if not people:  # a demo without B2B customers (or too small to give them people)
        return 0
    _audiences(system)
    start = anchor - timedelta(weeks=WEEKS)
    # Struggling accounts: lower use already a year ago, falling further, and churning more.
    mine = [
        a
        for a in accounts
        if a.owner is not None and a.owner.username == "accountmgr" and people.get(a.pk)
    ]
    sliding = {a.pk for a in mine[:SLIDING]}
    struggling = {a.pk for a in accounts if rng.random() < 0.3} - sliding
    events = []
    churn: list[tuple] = []
    for account in accounts:
        left_at = None
        if (account.pk in struggling and rng.random() < 0.55) or rng.random() < 0.06:
            left_at = start + timedelta(days=rng.randint(60, 350))
            churn.append((account, left_at))
        for week in range(-BEFORE, WEEKS):
            at = start + timedelta(weeks=week, hours=rng.randint(8, 80))
            if left_at is not None and at >= left_at:
                break
            share = max(0, week) / WEEKS
            if account.pk in struggling:
                chance = 0.35 - 0.3 * share
            elif account.pk in sliding:
                chance = 0.85 if week < WEEKS - 5 else 0.0  # stopped using it this month
            else:
                chance = 0.8
            for contact in people.get(account.pk, []):
                if rng.random() < chance:
                    events.append(Interaction(type=login, contact=contact, unit=contact.home_unit,
                                              channel="app", occurred_at=at))  # fmt: skip
    interactions.import_history(actor=system, interactions=events)
    for account, left_at in churn:
        lifecycle.record_status(
            actor=system, customer=account, status="churned", at=left_at, source="demo"
        )
    # A year of monthly scores (accounts), then today's for accounts and contacts; the fall
    # from last month to today opens the calls to action.
    for month in range(12, 0, -1):
        computing.compute(
            organization_id=org, at=anchor - timedelta(days=30 * month),
            calls_to_action=False, contacts=False,
        )  # fmt: skip
    return computing.compute(organization_id=org, at=anchor).calls_to_action
