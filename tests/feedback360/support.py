"""Builders for 360 tests, through the services. The subject is the regional manager of
c1r1: manager = the country admin of c1; direct reports = the viewer of c1r1 and the store
managers below it (3); peers = the managers `peers` adds at the sibling region c1r2."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tests.factories import make_member
from voxloop.feedback360 import services
from voxloop.feedback360.models import Cycle, Invitation


def add_peers(org, count: int) -> list:
    return [
        make_member(org.system, f"peer-{org.root.pk}-{i}", org.units["c1r2"], "manager")
        for i in range(count)
    ]


def regional_cycle(org, *, peers: int = 2, days: int = 10, **extra) -> Cycle:
    add_peers(org, peers)
    return services.create_cycle(
        actor=org.system,
        unit=org.root,
        name="Regional managers 2026",
        deadline=timezone.localdate() + timedelta(days=days),
        subject_membership_ids=[org.members["regional"].pk],
        **extra,
    )


def invitations(cycle: Cycle, relationship: str) -> list[Invitation]:
    return list(Invitation.objects.filter(subject__cycle=cycle, relationship=relationship))


def answer_all(cycle: Cycle, relationship: str, value: int, comment: str = "") -> None:
    ids = list(cycle.competencies.values_list("pk", flat=True))
    for invitation in invitations(cycle, relationship):
        services.answer(invitation=invitation, ratings=dict.fromkeys(ids, value), comment=comment)
