"""A year of demo feedback: the four surveys, then about 100,000 historical responses loaded
through the response import service (validated and scored like live ones, no alerts).

Scores come from one latent model: a country, region and store effect, the staff member who
served the customer, busy times, and a few named stores whose scores slide over the last
three months — so dashboards, breakdowns and drivers have something real to show.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from voxloop.contacts import selectors as contact_selectors
from voxloop.contacts.models import Contact
from voxloop.demo import streams
from voxloop.demo.org_tree import DemoTree, Placed
from voxloop.demo.people import demo_logins
from voxloop.demo.progress import Progress
from voxloop.demo.questionnaires import DemoSurveys, build_surveys
from voxloop.demo.timing import DAYS, Clock
from voxloop.responses.services import Submission, import_history
from voxloop.surveys.models import Survey
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.models import OrgUnit, Staff
from voxloop.tenancy.scoping import Scope

# Share of all responses per survey; the store QR code is by far the busiest touchpoint.
SHARES = (("store_visit", 0.58), ("relationship", 0.25), ("support", 0.12), ("pulse", 0.05))
# Japanese customers score more modestly for the same experience; Romanians a little higher.
COUNTRY_EFFECT = {"GB": 0.0, "RO": 0.25, "JP": -0.6}
DECLINE_DROP = 3.2  # points of the latent 0–10 score lost by the end of the decline


@dataclass
class FeedbackWorld:
    """Everything the response streams draw from, with each unit's and person's effect."""

    tree: DemoTree
    clock: Clock
    store_effect: dict[int, float] = field(default_factory=dict)
    store_weights: list[float] = field(default_factory=list)
    declining: dict[int, float] = field(default_factory=dict)  # store pk → drop at the end
    staff_by_unit: dict[int, list[Staff]] = field(default_factory=dict)
    staff_effect: dict[int, float] = field(default_factory=dict)
    standouts: list[Staff] = field(default_factory=list)
    strugglers: list[Staff] = field(default_factory=list)
    retail_by_store: dict[int, list[Contact]] = field(default_factory=dict)
    retail: list[Contact] = field(default_factory=list)
    business: list[Contact] = field(default_factory=list)
    place_of: dict[int, Placed] = field(default_factory=dict)

    def decline(self, unit_id: int, amount: float) -> float:
        return self.declining.get(unit_id, 0.0) * amount


@dataclass(frozen=True)
class FeedbackResult:
    surveys: DemoSurveys
    responses: int
    declining: list[OrgUnit]
    standouts: list[str]
    strugglers: list[str]


def add_feedback(
    system: Scope,
    tree: DemoTree,
    count: int,
    rng: random.Random,
    progress: Progress,
    anchor: datetime,
) -> FeedbackResult:
    # The history says these surveys have run for a year: publication predates the answers.
    surveys = build_surveys(system, tree, live_since=anchor - timedelta(days=DAYS + 1))
    world = build_world(tree, rng, anchor)
    progress.start("Responses", count)
    written = 0
    for (name, _share), size in zip(SHARES, split(count), strict=True):
        survey: Survey = getattr(surveys, name)
        stream = getattr(streams, name)(survey, world, size, rng)
        written += import_history(
            survey=survey, submissions=_counted(stream, progress), batch_size=2000
        )
    return FeedbackResult(
        surveys=surveys,
        responses=written,
        declining=[world.place_of[pk].unit for pk in world.declining],
        standouts=[s.name for s in world.standouts],
        strugglers=[s.name for s in world.strugglers],
    )


def split(count: int) -> list[int]:
    """Responses per survey, adding up to exactly `count`."""
    sizes = [int(count * share) for _, share in SHARES]
    sizes[0] += count - sum(sizes)
    return sizes


def _counted(stream: Iterable[Submission], progress: Progress) -> Iterator[Submission]:
    pending = 0
    for submission in stream:
        yield submission
        pending += 1
        if pending == 1000:
            progress.advance(pending)
            pending = 0
    progress.advance(pending)


def build_world(tree: DemoTree, rng: random.Random, anchor: datetime) -> FeedbackWorld:
    world = FeedbackWorld(tree=tree, clock=Clock(anchor))
    world.place_of = {p.unit.pk: p for p in tree.stores}
    region_effect = {p.unit.pk: rng.gauss(0, 0.3) for p in tree.regions}
    for placed in tree.stores:
        store = placed.unit
        world.store_effect[store.pk] = (
            COUNTRY_EFFECT.get(placed.country.code, 0.0)
            + (region_effect.get(store.parent_id, 0.0) if store.parent_id is not None else 0.0)
            + rng.gauss(0, 0.45)
        )
        # Flagship and mall stores see many more shoppers than a small high-street shop.
        world.store_weights.append(rng.lognormvariate(0, 0.5))
    world.declining = {store.pk: DECLINE_DROP for store in _declining_stores(tree, rng)}
    _add_staff(world, tree, rng)
    _add_contacts(world, tree)
    return world


def _declining_stores(tree: DemoTree, rng: random.Random) -> list[OrgUnit]:
    """Four stores (fewer in a tiny demo) with a visible slide; the first is the one the
    `store` login manages, so that login sees the problem on its own dashboard."""
    wanted = min(4, max(1, len(tree.stores) // 3))
    login_store = next(login.unit for login in demo_logins(tree) if login.username == "store")
    others = [p.unit for p in tree.stores if p.unit.pk != login_store.pk]
    # One per country where possible, so each country director has something to find.
    by_country: dict[str, list[OrgUnit]] = {}
    for placed in tree.stores:
        if placed.unit.pk != login_store.pk:
            by_country.setdefault(placed.country.code, []).append(placed.unit)
    chosen = [login_store]
    home = next(p.country.code for p in tree.stores if p.unit.pk == login_store.pk)
    for code in sorted(by_country, key=lambda code: (code == home, code)):
        if len(chosen) < wanted and by_country[code]:
            chosen.append(rng.choice(by_country[code]))
    rest = [u for u in others if u not in chosen]
    chosen += rng.sample(rest, k=min(len(rest), wanted - len(chosen)))
    return chosen[:wanted]


def _add_staff(world: FeedbackWorld, tree: DemoTree, rng: random.Random) -> None:
    staff = list(tenancy_selectors.staff_of(tree.root.organization_id))
    for person in staff:
        world.staff_by_unit.setdefault(person.unit_id, []).append(person)
        world.staff_effect[person.pk] = rng.gauss(0, 0.35)
    # A few people customers clearly remember, for better and for worse.
    picked = rng.sample(staff, k=min(len(staff), 2 * max(1, len(staff) // 40)))
    half = len(picked) // 2
    world.standouts, world.strugglers = picked[:half], picked[half:]
    for person in world.standouts:
        world.staff_effect[person.pk] = 1.4
    for person in world.strugglers:
        world.staff_effect[person.pk] = -2.0


def _add_contacts(world: FeedbackWorld, tree: DemoTree) -> None:
    contacts = contact_selectors.people_of(tree.root.organization_id).order_by("external_id")
    fields = ("id", "organization_id", "home_unit_id", "account_id", "locale", "attributes")
    for contact in contacts.only(*fields):
        if contact.account_id:
            world.business.append(contact)
        elif contact.home_unit_id in world.place_of:
            world.retail.append(contact)
            world.retail_by_store.setdefault(contact.home_unit_id, []).append(contact)
