"""The demo's journeys (issue 20): the retail "Buy in store" (visit → purchase → delivery →
support: the store survey and the review sources measuring the visit, the support survey's
CSAT measuring help with an order), "Support ticket" (opened → resolved → followed up, the
support survey's CSAT and CES questions) and, with B2B accounts, the "Onboarding → adoption →
renewal" variant for the B2B decision makers' persona, measured by the relationship survey.
Interaction history for the funnels: store visits, purchases a few hours later, deliveries
days after and, for some, a support ticket after the delivery; and tickets opened before the
ones already closed."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from voxloop.contacts import selectors as contact_selectors
from voxloop.contacts import services as contact_services
from voxloop.contacts.interactions import import_history
from voxloop.contacts.models import Interaction, InteractionType
from voxloop.journeys import services
from voxloop.journeys.models import Journey
from voxloop.journeys.services import Measure
from voxloop.reviews import selectors as review_selectors
from voxloop.tenancy.scoping import Scope

VISITORS = 1500
HELP_AFTER_DELIVERY = 0.2  # delivered orders followed by a support ticket (the 4th stage)

NAMES = {
    "Buy in store": {
        "zh-hans": "到店购买",
        "zh-hant": "到店購買",
        "ja": "店舗での購入",
        "ro": "Cumpărare în magazin",
    },
    "Visit": {"zh-hans": "到店", "zh-hant": "到店", "ja": "来店", "ro": "Vizită"},
    "Purchase": {"zh-hans": "购买", "zh-hant": "購買", "ja": "購入", "ro": "Cumpărare"},
    "Delivery": {"zh-hans": "配送", "zh-hant": "配送", "ja": "配送", "ro": "Livrare"},
    "Support": {"zh-hans": "售后支持", "zh-hant": "售後支援", "ja": "サポート", "ro": "Asistență"},
    "Support ticket": {
        "zh-hans": "支持工单",
        "zh-hant": "支援工單",
        "ja": "サポートチケット",
        "ro": "Tichet de asistență",
    },
    "Open": {"zh-hans": "提交", "zh-hant": "提交", "ja": "受付", "ro": "Deschidere"},
    "Resolve": {"zh-hans": "解决", "zh-hant": "解決", "ja": "解決", "ro": "Rezolvare"},
    "Follow up": {"zh-hans": "回访", "zh-hant": "回訪", "ja": "フォローアップ", "ro": "Urmărire"},
    "Onboarding → adoption → renewal": {
        "zh-hans": "入门 → 采用 → 续约",
        "zh-hant": "入門 → 採用 → 續約",
        "ja": "オンボーディング → 定着 → 更新",
        "ro": "Integrare → adoptare → reînnoire",
    },
    "Onboarding": {
        "zh-hans": "入门",
        "zh-hant": "入門",
        "ja": "オンボーディング",
        "ro": "Integrare",
    },
    "Adoption": {"zh-hans": "采用", "zh-hant": "採用", "ja": "定着", "ro": "Adoptare"},
    "Renewal": {"zh-hans": "续约", "zh-hant": "續約", "ja": "更新", "ro": "Reînnoire"},
}


def _define(
    system: Scope, root: Any, types: dict[str, InteractionType], key: str, name: str
) -> InteractionType:
    if key not in types:
        types[key] = contact_services.define_interaction_type(
            actor=system, unit=root, key=key, name=name
        )
    return types[key]


def _stage(
    system: Scope, journey: Journey, name: str, touchpoints: list[tuple[str, Measure]]
) -> None:
    stage = services.add_stage(scope=system, journey=journey, name=name, names=NAMES.get(name))
    for tp_name, measure in touchpoints:
        services.add_touchpoint(
            scope=system, stage=stage, name=tp_name, measure=measure, names=NAMES.get(tp_name)
        )


def add_journeys(
    system: Scope, tree: Any, surveys: Any, rng: random.Random, anchor: datetime
) -> int:
    """Returns how many interactions the journeys' history added."""
    root = tree.root
    types = {t.key: t for t in contact_selectors.interaction_types(system)}
    visit = _define(system, root, types, "store_visit", "Store visit")
    purchase = _define(system, root, types, "purchase", "Online purchase")
    delivery = _define(system, root, types, "delivery", "Delivery")
    closed = _define(system, root, types, "ticket_closed", "Support ticket closed")
    opened = _define(system, root, types, "ticket_opened", "Support ticket opened")

    shop = services.create_journey(
        scope=system,
        unit=root,
        name="Buy in store",
        names=NAMES["Buy in store"],
        relationship_survey_id=surveys.relationship.pk,
    )
    at_visit = [("Store visit", Measure(visit.pk, "survey", survey_id=surveys.store_visit.pk))]
    for source in review_selectors.sources(system).filter(is_competitor=False)[:1]:
        at_visit.append(("Online reviews", Measure(measure="reviews", review_source_id=source.pk)))
    _stage(system, shop, "Visit", at_visit)
    _stage(system, shop, "Purchase", [("Checkout", Measure(purchase.pk))])
    _stage(system, shop, "Delivery", [("Home delivery", Measure(delivery.pk))])
    _stage(
        system,
        shop,
        "Support",
        [("Help with an order", Measure(opened.pk, "question", surveys.support.pk, "csat"))],
    )

    support = services.create_journey(
        scope=system,
        unit=root,
        name="Support ticket",
        names=NAMES["Support ticket"],
        relationship_survey_id=surveys.relationship.pk,
    )
    _stage(system, support, "Open", [("Ticket opened", Measure(opened.pk))])
    _stage(
        system,
        support,
        "Resolve",
        [("Ticket closed", Measure(closed.pk, "question", surveys.support.pk, "csat"))],
    )
    _stage(
        system,
        support,
        "Follow up",
        [("Effort to get help", Measure(None, "question", surveys.support.pk, "ces"))],
    )
    _b2b(system, root, surveys)
    return _history(system, rng, anchor, visit, purchase, delivery, closed, opened)


def _b2b(system: Scope, root: Any, surveys: Any) -> None:
    segment = contact_selectors.visible_segments(system).filter(name="B2B decision makers").first()
    if segment is None:
        return
    name = "Onboarding → adoption → renewal"
    journey = services.create_journey(
        scope=system,
        unit=root,
        name=name,
        names=NAMES[name],
        segment_id=segment.pk,
        relationship_survey_id=surveys.relationship.pk,
    )
    relationship = Measure(None, "question", surveys.relationship.pk, "nps")
    _stage(system, journey, "Onboarding", [("Kick-off call", relationship)])
    _stage(system, journey, "Adoption", [("Quarterly review", relationship)])
    _stage(system, journey, "Renewal", [("Renewal decision", relationship)])


def _history(
    system: Scope,
    rng: random.Random,
    anchor: datetime,
    visit: InteractionType,
    purchase: InteractionType,
    delivery: InteractionType,
    closed: InteractionType,
    opened: InteractionType,
) -> int:
    people = list(
        contact_selectors.people_of(system.organization_id)
        .filter(account__isnull=True)
        .select_related("home_unit")
        .order_by("pk")[:VISITORS]
    )
    rows = []
    for contact in people:
        came = anchor - timedelta(minutes=rng.uniform(60 * 24 * 3, 80 * 24 * 60))
        rows.append(
            Interaction(type=visit, contact=contact, unit=contact.home_unit, occurred_at=came)
        )
        if rng.random() < 0.62:
            bought = came + timedelta(minutes=rng.uniform(5, 180))
            rows.append(
                Interaction(
                    type=purchase, contact=contact, unit=contact.home_unit, occurred_at=bought
                )
            )
            if rng.random() < 0.7:
                brought = bought + timedelta(hours=rng.uniform(20, 120))
                rows.append(
                    Interaction(
                        type=delivery, contact=contact, unit=contact.home_unit, occurred_at=brought
                    )
                )
                asked = brought + timedelta(hours=rng.uniform(6, 240))
                if rng.random() < HELP_AFTER_DELIVERY and asked < anchor:
                    rows.append(
                        Interaction(
                            type=opened, contact=contact, unit=contact.home_unit, occurred_at=asked
                        )
                    )
    tickets = contact_selectors.first_interactions(
        system, [closed.pk], anchor - timedelta(days=400), anchor
    )
    units = {
        c.pk: c
        for c in contact_selectors.people_of(system.organization_id)
        .filter(pk__in=[t[0] for t in tickets])
        .select_related("home_unit")
    }
    for contact_id, _type, when in tickets:
        ticket_holder = units.get(contact_id)
        if ticket_holder is not None:
            rows.append(
                Interaction(
                    type=opened,
                    contact=ticket_holder,
                    unit=ticket_holder.home_unit,
                    occurred_at=when - timedelta(hours=rng.uniform(1, 72)),
                )
            )
    # People who opened a ticket that was never closed: the funnel's drop-off.
    for contact in people[: len(tickets) // 5]:
        rows.append(
            Interaction(
                type=opened,
                contact=contact,
                unit=contact.home_unit,
                occurred_at=anchor - timedelta(hours=rng.uniform(24, 30 * 24)),
            )
        )
    return import_history(actor=system, interactions=rows)
