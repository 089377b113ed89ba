"""The demo's 360 cycle: the regional managers (up to ten), rated by their country manager,
each other (same country) and three store managers each, with most raters answered and the
cycle closed so every report shows figures and comments. Built through the services;
deterministic for a seed; a few hundred rows."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from voxloop.accounts.services import create_user
from voxloop.feedback360 import services
from voxloop.feedback360.models import Cycle, Invitation
from voxloop.tenancy import services as tenancy_services
from voxloop.tenancy.models import Membership, OrgUnit
from voxloop.tenancy.scoping import Scope

EMAIL_DOMAIN = "northwind.example"
COMMENTS = (
    "Explains the why behind every change.",
    "Could make decisions faster when stores disagree.",
    "Visits often and listens to the floor team.",
    "Shares customer comments with us every week.",
    "Sometimes hard to reach on weekends.",
)


def _member(system: Scope, name: str, unit: OrgUnit, role: str) -> Membership:
    user = create_user(username=name, email=f"{name}@{EMAIL_DOMAIN}", check_password=False)
    return tenancy_services.grant_membership(actor=system, user=user, unit=unit, role=role)


def _people(
    system: Scope, regions: list[OrgUnit], stores: dict[int, list[OrgUnit]], first: Membership
) -> list[Membership]:
    """A regional manager per region (the demo's "regional" login for its region), a
    manager per country above them and store managers below."""
    subjects = []
    for unit in regions:
        code = unit.code.lower()
        if unit.pk == first.unit_id:
            subjects.append(first)
        else:
            subjects.append(_member(system, f"rm-{code}", unit, "manager"))
        for store in stores.get(unit.pk, [])[:3]:
            _member(system, f"sm-{store.code.lower()}", store, "manager")
    for parent_id in {unit.parent_id for unit in regions}:
        country = next(u.parent for u in regions if u.parent_id == parent_id)
        if country is not None:
            _member(system, f"cm-{country.code.lower()}", country, "manager")
    return subjects


def add_feedback360(
    system: Scope,
    root: OrgUnit,
    regional: Membership,
    regions: list[OrgUnit],
    stores: dict[int, list[OrgUnit]],
    rng: random.Random,
) -> Cycle:
    subjects = _people(system, regions[:10], stores, regional)
    cycle = services.create_cycle(
        actor=system,
        unit=root,
        name="Regional managers 360",
        deadline=timezone.localdate() + timedelta(days=14),
        subject_membership_ids=[m.pk for m in subjects],
    )
    competencies = list(cycle.competencies.values_list("pk", flat=True))
    for invitation in Invitation.objects.filter(subject__cycle=cycle).order_by("pk"):
        if rng.random() < 0.15 and invitation.relationship != "self":
            continue  # some never answer
        lean = rng.choice((3, 4, 4, 5))
        ratings = {pk: max(1, min(5, lean + rng.choice((-1, 0, 0, 1)))) for pk in competencies}
        comment = rng.choice(COMMENTS) if rng.random() < 0.5 else ""
        services.answer(invitation=invitation, ratings=ratings, comment=comment)
    services.close(actor=system, cycle=cycle)
    return cycle
