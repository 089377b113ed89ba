"""A journey world: a company-wide "Buy in store" journey over Acme's stores, its touchpoints
measured by a visit survey (NPS), one CSAT question and interaction types, with answers and
events placed at two sibling stores inside a fixed period (October–November 2026)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from tests.analytics.support import cx_survey, respond
from tests.contacts.helpers import add_contact
from voxloop.contacts import services as contact_services
from voxloop.contacts.interactions import import_history
from voxloop.contacts.models import Contact, Interaction, InteractionType
from voxloop.journeys import services
from voxloop.journeys.models import Journey
from voxloop.journeys.services import Measure

PERIOD = {"period": "custom", "start": "2026-11-01", "end": "2026-11-30"}
IN_PERIOD = datetime(2026, 11, 10, 12, tzinfo=UTC)
BEFORE = datetime(2026, 10, 10, 12, tzinfo=UTC)


@dataclass
class JourneyWorld:
    journey: Journey
    survey: object
    types: dict[str, InteractionType]
    contacts: dict[str, list[Contact]] = field(default_factory=dict)


def define_types(org) -> dict[str, InteractionType]:
    return {
        key: contact_services.define_interaction_type(
            actor=org.scope("admin"), unit=org.root, key=key, name=key.title()
        )
        for key in ("visit", "purchase", "delivery")
    }


def buy_in_store(org, survey, types, name: str = "Buy in store") -> Journey:
    admin = org.scope("admin")
    journey = services.create_journey(
        scope=admin,
        unit=org.root,
        name=name,
        names={"ja": "店舗での購入", "zh-hans": "到店购买"},
        relationship_survey_id=None,
    )
    visit = services.add_stage(scope=admin, journey=journey, name="Visit", names={"ja": "来店"})
    buy = services.add_stage(scope=admin, journey=journey, name="Purchase")
    deliver = services.add_stage(scope=admin, journey=journey, name="Delivery")
    services.add_touchpoint(
        scope=admin,
        stage=visit,
        name="Store visit",
        measure=Measure(
            interaction_type_id=types["visit"].pk, measure="survey", survey_id=survey.pk
        ),
    )
    services.add_touchpoint(
        scope=admin,
        stage=buy,
        name="Checkout",
        measure=Measure(
            interaction_type_id=types["purchase"].pk,
            measure="question",
            survey_id=survey.pk,
            question_key="csat",
        ),
    )
    services.add_touchpoint(
        scope=admin,
        stage=deliver,
        name="Home delivery",
        measure=Measure(interaction_type_id=types["delivery"].pk),
    )
    return journey


def events(org, rows: list[tuple[Contact, InteractionType, datetime]]) -> None:
    import_history(
        actor=org.system,
        interactions=[
            Interaction(contact=c, type=t, unit=c.home_unit, occurred_at=when)
            for c, t, when in rows
        ],
    )


def build(org) -> JourneyWorld:
    """At store c1r1s1: 12 customers (8 promoters, 2 passives, 2 detractors, CSAT 5/4/2…);
    at c1r1s2: 5 customers, all detractors; before the period, 4 at c1r1s1."""
    survey = cx_survey(org)
    types = define_types(org)
    journey = buy_in_store(org, survey, types)
    built = JourneyWorld(journey=journey, survey=survey, types=types)
    unit = org.units["c1r1s1"]
    here = [add_contact(org, "c1r1s1", f"H{i}") for i in range(12)]
    there = [add_contact(org, "c1r1s2", f"T{i}") for i in range(5)]
    built.contacts = {"here": here, "there": there}
    scores = [10, 10, 9, 9, 9, 10, 9, 10, 8, 7, 3, 5]
    csats = [5, 5, 4, 4, 5, 4, 5, 5, 3, 3, 1, 2]
    rows = []
    for i, (contact, nps, csat) in enumerate(zip(here, scores, csats, strict=True)):
        at = IN_PERIOD + timedelta(hours=i)
        respond(survey, unit, nps=nps, csat=csat, at=at, contact=contact)
        rows.append((contact, types["visit"], at - timedelta(hours=2)))
        if i < 8:
            rows.append((contact, types["purchase"], at + timedelta(hours=1 + i)))
        if i < 4:
            rows.append((contact, types["delivery"], at + timedelta(days=2)))
    for i, contact in enumerate(there):
        at = IN_PERIOD + timedelta(hours=i)
        respond(survey, org.units["c1r1s2"], nps=2, csat=1, at=at, contact=contact)
        rows.append((contact, types["visit"], at - timedelta(hours=1)))
    for i in range(4):
        respond(survey, unit, nps=10, csat=5, at=BEFORE + timedelta(hours=i), contact=here[i])
    events(org, rows)
    return built
