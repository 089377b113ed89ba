"""Seeding the demo organisation end to end, in one transaction."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from voxloop.crm.demo import add_crm
from voxloop.demo import customers, people
from voxloop.demo.analytics import count_feedback
from voxloop.demo.churn import add_churn
from voxloop.demo.closedloop import add_closed_loop
from voxloop.demo.feedback import FeedbackResult, add_feedback
from voxloop.demo.org_tree import DemoTree, build_tree
from voxloop.demo.progress import Progress, Silent
from voxloop.demo.reviews import ReviewsResult, add_reviews
from voxloop.demo.text import add_taxonomies, analyse_comments
from voxloop.demo.timing import default_anchor
from voxloop.distribution.demo import add_outreach
from voxloop.feedback360.demo import add_feedback360
from voxloop.health.demo import add_health
from voxloop.ideas.demo import add_ideas
from voxloop.identity.demo import add_sign_in
from voxloop.journeys.demo import add_journeys
from voxloop.pulse.demo import add_pulse
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy import services
from voxloop.tenancy.models import Organization
from voxloop.tenancy.scoping import Scope

DEMO_SLUG = "demo"
DEMO_NAME = "Northwind Group"
DEMO_PASSWORD = "northwind-demo-2026"  # noqa: S105 - printed on the terminal on purpose


@dataclass(frozen=True)
class DemoSize:
    stores: int = 200
    staff: int = 400
    accounts: int = 120
    contacts: int = 20_000
    # Historical responses; None = five per contact (100,000 at the default size).
    responses: int | None = None

    @property
    def response_count(self) -> int:
        return self.contacts * 5 if self.responses is None else self.responses


@dataclass(frozen=True)
class DemoResult:
    organization: Organization
    tree: DemoTree
    logins: list[people.Login]
    staff: int
    accounts: int
    contacts: int
    password: str
    feedback: FeedbackResult | None = None
    reviews: ReviewsResult | None = None


def demo_exists() -> bool:
    return tenancy_selectors.organization_by_slug(DEMO_SLUG) is not None


def seed_demo(
    size: DemoSize = DemoSize(),
    seed: int = 42,
    progress: Progress | None = None,
    password: str = DEMO_PASSWORD,
    anchor: datetime | None = None,
) -> DemoResult:
    """Build Northwind Group; the same seed always gives the same codes, names and ids, and
    for the same `anchor` (default: today, midnight UTC) the same year of feedback before it."""
    if size.stores < 1:
        raise ValueError("The demo needs at least one store.")
    progress = progress or Silent()
    anchor = anchor or default_anchor()
    rng = random.Random(seed)
    with transaction.atomic():
        root = services.create_organization(name=DEMO_NAME, slug=DEMO_SLUG)
        system = Scope.system(root, "voxloop demo")
        tree = build_tree(system, root, size.stores, rng, progress)
        add_taxonomies(system, tree)
        memberships = people.create_logins(system, tree, password)
        staff = people.add_staff(system, tree, size.staff, rng, progress)
        managers = [m for m in memberships if m.title == "Account manager"]
        progress.start("B2B accounts", size.accounts)
        accounts = customers.add_accounts(system, tree, managers, size.accounts, rng)
        progress.advance(size.accounts)
        contacts = customers.add_contacts(
            system, tree, accounts, size.contacts, rng, progress, anchor
        )
        feedback = add_feedback(
            system,
            tree,
            size.response_count,
            random.Random(f"feedback-{seed}"),
            progress,
            anchor,
        )
        add_closed_loop(system, tree, feedback, random.Random(f"loop-{seed}"), anchor)
        online = add_reviews(system, tree, random.Random(f"reviews-{seed}"), anchor)
        add_churn(system, random.Random(f"churn-{seed}"), anchor)
        add_ideas(
            system,
            root,
            memberships,
            random.Random(f"ideas-{seed}"),
            anchor,
            customer_ideas=min(240, 12 + size.stores),
        )
        regional = next(m for m in memberships if m.user.get_username() == "regional")
        add_feedback360(
            system,
            root,
            regional,
            [p.unit for p in tree.regions],
            {
                r.unit.pk: [p.unit for p in tree.stores if p.unit.parent_id == r.unit.pk]
                for r in tree.regions[:10]
            },
            random.Random(f"f360-{seed}"),
        )
        add_pulse(
            system,
            root,
            [placed.unit for placed in tree.stores],
            random.Random(f"pulse-{seed}"),
            anchor,
        )
        add_outreach(
            system,
            tree,
            feedback.surveys,
            random.Random(f"outreach-{seed}"),
            anchor,
        )
        add_journeys(system, tree, feedback.surveys, random.Random(f"journeys-{seed}"), anchor)
        add_sign_in(system, tree.root.code)
        add_crm(system, tree, anchor)
    count_feedback(root.organization_id, progress)
    analyse_comments(root.organization_id, progress)
    progress.start("Customer health", 1)
    with transaction.atomic():
        add_health(system, random.Random(f"health-{seed}"), anchor)
    progress.advance(1)
    return DemoResult(
        organization=root.organization,
        tree=tree,
        logins=people.demo_logins(tree),
        staff=staff,
        accounts=len(accounts),
        contacts=contacts,
        password=password,
        feedback=feedback,
        reviews=online,
    )
