"""The churn rollup (decision 0048): its counts equal reading every customer's history, for
varied histories, periods and subtrees, after edits, moves and deletions; a rebuild makes the
same rows the services keep."""

import random
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.utils import timezone

from tests.contacts.helpers import add_contact
from voxloop.contacts import churn_rollup, lifecycle, selectors
from voxloop.contacts import services as contact_services
from voxloop.contacts.models import (
    Account,
    ChurnCounted,
    ChurnDay,
    ChurnSpell,
    Contact,
    StatusChange,
)

D = date


def test_spells_by_hand():
    spells = churn_rollup.spells
    assert spells(D(2026, 1, 1), []) == [(D(2026, 1, 2), None)]
    # Left, came back, left again; the first churn predates nothing counted before it.
    history = [(D(2026, 3, 1), "churned"), (D(2026, 4, 1), "active"), (D(2026, 5, 1), "churned")]
    assert spells(D(2026, 1, 1), history) == [
        (D(2026, 1, 2), D(2026, 3, 1)),
        (D(2026, 4, 2), D(2026, 5, 1)),
    ]
    # Left and came back the same day: still a customer the next morning, the churn counted.
    assert spells(D(2026, 1, 1), [(D(2026, 2, 1), "churned"), (D(2026, 2, 1), "active")]) == [
        (D(2026, 1, 2), D(2026, 2, 1)),
        (D(2026, 2, 2), None),
    ]
    # Joined on the day they left: never counted at a period's start.
    assert spells(D(2026, 2, 1), [(D(2026, 2, 1), "churned")]) == []
    # History older than the joining: the customer counts from the day after joining.
    assert spells(D(2026, 6, 1), [(D(2026, 2, 1), "churned"), (D(2026, 3, 1), "active")]) == [
        (D(2026, 6, 2), None)
    ]


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _random_history(world, rng: random.Random) -> list[Contact]:
    acme = world.acme
    admin = acme.scope("admin")
    stores = ["c1r1s1", "c1r1s2", "c1r2s1", "c2r1s1", "c2r2s2"]
    made = []
    for i in range(36):
        since = D(2025, 6, 1) + timedelta(days=rng.randrange(0, 540))
        contact = add_contact(acme, rng.choice(stores), f"R{i}", customer_since=since)
        group = rng.choice(["promoter", "passive", "detractor", ""])
        if group:
            contact_services.note_response(
                contact_id=contact.pk, submitted_at=_at(D(2026, 6, 1), 9), nps_group=group
            )
        made.append(contact)
        day = D(2025, 9, 1) + timedelta(days=rng.randrange(0, 60))
        for _ in range(rng.randrange(0, 5)):
            status = rng.choice(["churned", "active", "churned"])
            lifecycle.record_status(
                actor=admin, customer=contact, status=status, at=_at(day, rng.randrange(0, 24))
            )
            day += timedelta(days=rng.choice([0, 0, 1, 3, 20, 45, 90]))
    # History filled in late, dated before a later change.
    lifecycle.record_status(
        actor=admin, customer=made[0], status="churned", at=_at(D(2025, 8, 20), 8)
    )
    return made


PERIODS = [
    (D(2025, 9, 1), D(2025, 12, 1)),
    (D(2025, 10, 15), D(2025, 10, 16)),
    (D(2025, 12, 1), D(2026, 3, 1)),
    (D(2025, 7, 1), D(2026, 7, 1)),
    (D(2026, 1, 1), D(2026, 1, 31)),
]


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return datetime.combine(start, time.min, tz), datetime.combine(end, time.min, tz)


def _assert_equal_to_reading(world) -> int:
    scope = world.acme.scope("admin")
    compared = 0
    for start, end in PERIODS:
        since, until = _bounds(start, end)
        for unit in ["", "c1", "c1r1", "c1r1s2", "c2r2s2"]:
            path = world.acme.units[unit].path if unit else ""
            for kind, by in [("contact", "nps_group"), ("contact", ""), ("account", "")]:
                fast = selectors.churn_counts(scope, since, until, path, kind=kind, by=by)
                read = selectors.churn_counts_read(scope, since, until, path, kind=kind, by=by)
                assert fast == read, (start, end, unit, kind, by)
                compared += sum(r for r, _ in read.values())
    return compared


def _rows() -> set:
    days = set(
        ChurnDay.objects.values_list("node_path", "kind", "nps_group", "day", "started", "ended")
    )
    spells = set(
        ChurnSpell.objects.values_list(
            "node_path", "kind", "nps_group", "start_day", "end_day", "n"
        )
    )
    return days | spells


def test_rollup_equals_reading_every_history_and_a_rebuild(world):
    rng = random.Random(48)
    made = _random_history(world, rng)
    assert _assert_equal_to_reading(world) > 50  # the comparison compares something
    acme, admin = world.acme, world.acme.scope("admin")
    # Edits the rollup depends on: joining date, home unit, latest group, deletions.
    made[1].customer_since = D(2025, 11, 3)
    made[1].save()
    made[2].home_unit = acme.units["c2r1s1"]
    made[2].unit_path = acme.units["c2r1s1"].path
    made[2].save()
    contact_services.note_response(
        contact_id=made[3].pk, submitted_at=_at(D(2026, 7, 1), 9), nps_group="detractor"
    )
    made[4].delete()
    StatusChange.objects.filter(contact=made[5]).order_by("changed_at").first().delete()
    account = Account.objects.create(
        organization_id=acme.root.organization_id,
        unit=acme.units["c1r1s1"],
        unit_path=acme.units["c1r1s1"].path,
        external_id="A1",
        name="Account",
        tier="low_touch",
        customer_since=D(2025, 1, 1),
    )
    lifecycle.record_status(
        actor=admin, customer=account, status="churned", at=_at(D(2025, 10, 20), 9)
    )
    _assert_equal_to_reading(world)
    kept = _rows()
    assert kept
    churn_rollup.rebuild(organization_id=acme.root.organization_id)
    assert _rows() == kept
    assert ChurnCounted.objects.filter(organization_id=acme.root.organization_id).count() == 36


def test_a_unit_move_moves_its_customers_counts(world):
    from voxloop.tenancy import services as tenancy_services

    rng = random.Random(7)
    _random_history(world, rng)
    acme = world.acme
    tenancy_services.move_unit(
        actor=acme.scope("admin"), unit=acme.units["c1r1"], new_parent=acme.units["c2"]
    )
    world.acme.units = {k: type(u).objects.get(pk=u.pk) for k, u in acme.units.items()}
    _assert_equal_to_reading(world)


@pytest.mark.parametrize("zone", ["Asia/Tokyo"])
def test_days_are_the_units_own(world, zone, settings):
    """A period of local days in the unit's zone counts a churn at 20:00 UTC on the next day."""
    acme = world.acme
    store = acme.units["c1r1s1"]
    store.time_zone = zone
    store.save(update_fields=["time_zone"])
    contact = add_contact(acme, "c1r1s1", "T", customer_since=D(2025, 1, 1))
    lifecycle.record_status(
        actor=acme.scope("admin"),
        customer=contact,
        status="churned",
        at=datetime(2025, 10, 31, 20, tzinfo=UTC),  # 1 November in Tokyo
    )
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(zone)
    nov = (datetime(2025, 11, 1, tzinfo=tz), datetime(2025, 12, 1, tzinfo=tz))
    scope = acme.scope("admin")
    assert selectors.churn_counts(scope, *nov, store.path) == {"": (1, 1)}
