"""PostgreSQL's set-based rebuild (decision 0047) gives row for row the rollups and ledger of
the Python reconcile it replaces there, on data made to catch every rule: time zones inherited
down a deep tree across DST changes, staff-entered answers, blank and removed comments,
archived entries, several surveys, channels, origins and languages."""

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from tests.analytics.support import cx_survey
from voxloop.analytics import counting_sql, services, set_rebuild
from voxloop.analytics.models import AnonymityCycle, Counted, Rollup
from voxloop.responses.models import Response
from voxloop.surveys import services as survey_services
from voxloop.tenancy import services as tenancy_services
from voxloop.tenancy.models import OrgUnit, Staff

# Committed data: the rebuild's ranges run on connections of their own.
on_their_own_connections = pytest.mark.django_db(transaction=True)

# Around the autumn changes of Bucharest (25 Oct, 01:00 UTC), New York (1 Nov, 06:00 UTC) and
# the half-hour change of Lord Howe (5 Apr, 15:00 UTC), and local midnights either side.
INSTANTS = [
    datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
    datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
    datetime(2026, 10, 24, 21, 0, tzinfo=UTC),
    datetime(2026, 11, 1, 5, 30, tzinfo=UTC),
    datetime(2026, 11, 1, 6, 30, tzinfo=UTC),
    datetime(2026, 4, 5, 14, 45, tzinfo=UTC),
    datetime(2026, 4, 5, 15, 15, tzinfo=UTC),
    datetime(2026, 3, 31, 23, 59, tzinfo=UTC),
]
COMMENTS = ["", "  ", "\u3000\xa0\t", "ok", " fine ", 5, None, "\u2003x"]


def _rows() -> tuple[list, list]:
    rollups = sorted(
        Rollup.objects.values_list(
            *("organization_id", "node_path", "depth", "survey_id", "channel", "day"),
            *("facet", "value", "origin", *counting_sql.COUNT_FIELDS),
        )
    )
    ledger = sorted(
        Counted.objects.values_list("response_id", *counting_sql.LEDGER_FIELDS, "archived")
    )
    return rollups, ledger


def _deep_tree(org):
    """Two levels below a store, zones set at a country, a store and the deepest unit."""
    store = org.units["c1r1s1"]
    dept = tenancy_services.create_unit(
        actor=org.system, parent=store, name="Dept", kind="department", code="ADEPT"
    )
    desk = tenancy_services.create_unit(
        actor=org.system, parent=dept, name="Desk", kind="team", code="ADESK"
    )
    zones = {"c1": "Europe/Bucharest", "c1r1s2": "America/New_York", "c2r1": "Asia/Tokyo"}
    for key, zone in zones.items():
        OrgUnit.objects.filter(pk=org.units[key].pk).update(time_zone=zone)
    OrgUnit.objects.filter(pk=desk.pk).update(time_zone="Australia/Lord_Howe")
    return [*org.units.values(), dept, desk]


def _surveys(org) -> list:
    bare = survey_services.create_survey(
        actor=org.scope("admin"), unit=org.root, name="Bare", kind="transactional"
    )
    return [cx_survey(org, name="A"), cx_survey(org, name="B"), bare]


def _responses(org, units, surveys, count: int, rng: random.Random) -> list[Response]:
    staff = list(Staff.objects.filter(organization_id=org.root.organization_id))
    made = []
    for i in range(count):
        unit = rng.choice(units)
        at = rng.choice(INSTANTS) + timedelta(days=rng.choice([0, 0, 1, 30]), minutes=i % 7)
        comment = rng.choice(COMMENTS)
        answers = {"reason": "price"} if comment is None else {"comment": comment}
        made.append(
            Response(
                organization_id=org.root.organization_id,
                survey=rng.choice(surveys),
                unit=unit,
                unit_path=unit.path,
                staff=rng.choice([None, *staff]),
                channel=rng.choice(["web", "qr", "kiosk"]),
                origin=rng.choice(["respondent", "respondent", "staff"]),
                locale=rng.choice(["en", "ja", "ro"]),
                is_complete=rng.random() < 0.9,
                answers=answers,
                nps=rng.choice([None, *range(11)]),
                csat=rng.choice([None, 1, 3, 4, 5]),
                ces=rng.choice([None, 1, 5, 7]),
                comment_removed_at=at if rng.random() < 0.1 else None,
                started_at=at - timedelta(minutes=2),
                submitted_at=at,
            )
        )
    return Response.objects.bulk_create(made)


@on_their_own_connections
def test_set_based_rebuild_equals_the_python_reconcile(world):
    if connection.vendor != "postgresql":
        pytest.skip("the set-based rebuild is PostgreSQL's")
    rng = random.Random(47)
    acme, other = world.acme, world.other
    units = _deep_tree(acme)
    made = _responses(acme, units, _surveys(acme), 400, rng)
    _responses(other, list(other.units.values()), [cx_survey(other, name="O")], 30, rng)
    org_id = acme.root.organization_id
    # Retention: counted, archived, then the responses deleted.
    expiring = [r.pk for r in made[:25] if r.is_complete]
    services.keep_counted(response_ids=expiring)
    Response.objects.filter(pk__in=expiring).delete()
    services.rebuild_in_python(organization_id=org_id)
    services.rebuild_in_python(organization_id=other.root.organization_id)
    expected = _rows()
    rollups, ledger = expected
    # The data reaches every rule the rebuild must follow.
    facets = {r[6] for r in rollups}
    assert facets == {
        "",
        "hour",
        "locale",
        "score",
        "staff",
        "staff_w",
        "staff_m",
        "hour_m",
        "total_m",
    }
    assert max(r[2] for r in rollups) == 5 and sum(r[-1] for r in ledger) == len(expiring)
    hours = {r[0]: r[7] for r in ledger}
    shifted = {r.pk for r in made if r.pk in hours and hours[r.pk] != r.submitted_at.hour}
    assert len(shifted) > 50  # local hours, in several zones
    months_before = set(AnonymityCycle.objects.values_list("organization_id", "survey_id", "month"))

    for workers in (1, 2):
        Rollup.objects.filter(organization_id=org_id).update(n=99)  # stale rows are replaced
        counted = services.rebuild(organization_id=org_id, workers=workers)
        assert _rows() == expected, f"workers={workers}"
        assert counted == sum(1 for r in ledger if r[1] == org_id and not r[-1])
    months = set(AnonymityCycle.objects.values_list("organization_id", "survey_id", "month"))
    assert months == months_before


@on_their_own_connections
def test_live_reconcile_after_a_set_based_rebuild_counts_nothing_twice(world):
    if connection.vendor != "postgresql":
        pytest.skip("the set-based rebuild is PostgreSQL's")
    rng = random.Random(3)
    acme = world.acme
    made = _responses(acme, list(acme.units.values()), _surveys(acme), 60, rng)
    org_id = acme.root.organization_id
    services.rebuild(organization_id=org_id, workers=2)
    before = _rows()
    services.reconcile(response_ids=[r.pk for r in made])  # nothing changed: nothing to do
    assert _rows() == before
    Response.objects.filter(pk=made[0].pk).update(nps=0, submitted_at=timezone.now())
    services.reconcile(response_ids=[made[0].pk])
    edited = _rows()
    services.rebuild_in_python(organization_id=org_id)
    assert _rows() == edited


@pytest.mark.parametrize(
    ("children", "workers", "expected"),
    [
        (["a"], 2, [(None, None)]),
        (["a", "b", "c", "d"], 1, [(None, None)]),
        (["a", "b", "c", "d"], 2, [(None, "c"), ("c", None)]),
        (["a", "b", "c", "d"], 4, [(None, "b"), ("b", "c"), ("c", "d"), ("d", None)]),
    ],
)
def test_ranges_split_the_roots_children_by_units(children, workers, expected):
    width = set_rebuild.W
    root = "1".zfill(width)
    named = {c: root + c.rjust(width, "0") for c in children}
    paths = [root, *named.values(), *(p + "9".zfill(width) for p in named.values())]
    got = set_rebuild._ranges(sorted(paths), workers)
    name = {v: k for k, v in named.items()}
    assert [(name.get(lo), name.get(hi)) for lo, hi in got] == expected


@pytest.mark.django_db
def test_array_literals_round_trip_any_text():
    if connection.vendor != "postgresql":
        pytest.skip("live batches are written as arrays on PostgreSQL")
    texts = ['a"b', "back\\slash", "", None, "NULL", "{,}", "日本 語"]
    numbers = [1, None, 2**40]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT %s::text[], %s::bigint[]",
            [counting_sql._array_literal(texts, True), counting_sql._array_literal(numbers, False)],
        )
        assert cursor.fetchone() == (texts, numbers)
        # Nothing to escape and no NULL: the one-join path, which must read back the same.
        plain, days = ["", "NULL", "{,}", "日本 語", "a b"], [date(2026, 1, 31), date(2026, 2, 1)]
        cursor.execute(
            "SELECT %s::text[], %s::bigint[], %s::date[]",
            [
                counting_sql._array_literal(plain, True),
                counting_sql._array_literal([3, 2**40], False),
                counting_sql._array_literal(days, False),
            ],
        )
        assert cursor.fetchone() == (plain, [3, 2**40], days)
        assert counting_sql._array_literal([], True) == "{}"
