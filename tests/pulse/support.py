"""Builders for pulse tests, through the services."""

from __future__ import annotations

from tests.factories import make_member
from voxloop.pulse import services
from voxloop.pulse.models import Invite, Programme, Wave


def programme(org, unit_key: str = "root", **settings) -> Programme:
    return services.create_programme(
        actor=org.system,
        unit=org.units[unit_key],
        settings=services.Settings(name=settings.pop("name", "Monthly pulse"), **settings),
    )


def staff(org, unit_key: str, count: int, prefix: str = "emp") -> None:
    """`count` employees (agents) at the unit."""
    for i in range(count):
        make_member(org.system, f"{prefix}-{unit_key}-{i}", org.units[unit_key], "agent")


def answer_all(wave: Wave, unit_key_path: str, enps: int, *, driver: int = 4, limit: int = 0):
    """Every invite of the wave at the unit (by path) answers the same scores."""
    invites = Invite.objects.filter(wave=wave, unit__path=unit_key_path, answered=False)
    for i, invite in enumerate(invites.order_by("pk")):
        if limit and i >= limit:
            break
        drivers = {qid: driver for qid in wave.question_ids[1:]}
        services.answer(invite=invite, enps=enps, drivers=drivers)
