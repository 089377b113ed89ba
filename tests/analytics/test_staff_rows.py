"""Staff rollups are kept at the response's own unit only (decision 0051): every unit's staff
figures, read as the sum of its subtree's rows, equal a recount of the raw responses — after
live counting, a unit move and a rebuild; and after the migration that moved them there.
Rollups have no database foreign keys any more: deleting their survey or organisation still
removes them."""

import importlib
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

from django.db import connection
from django.db.models import Count, Q, Sum

from tests.analytics.support import cx_survey, respond, staff_of
from voxloop.analytics import filters, selectors, services
from voxloop.analytics.metrics import COUNT_FIELDS
from voxloop.analytics.models import STAFF_FACETS, Facet, Rollup
from voxloop.responses.models import Origin, Response
from voxloop.tenancy import services as tenancy_services
from voxloop.tenancy.models import subtree_q
from voxloop.tenancy.removal import delete_organization

TODAY = date(2026, 11, 30)
START = datetime(2026, 9, 1, 9, tzinfo=UTC)
# (where the answer was given, whose staff member, origin): answers at every depth, a clerk
# named at a unit other than their own, and staff-entered answers that count for nobody.
ANSWERS = [
    ("c1r1s1", "c1r1s1", Origin.RESPONDENT),
    ("c1r1s1", "c1r1s1", Origin.RESPONDENT),
    ("c1r1s2", "c1r1s2", Origin.RESPONDENT),
    ("c1r1s2", "c1r1s1", Origin.RESPONDENT),
    ("c1r1", "c1r1s1", Origin.RESPONDENT),
    ("c1", "c2r1s1", Origin.RESPONDENT),
    ("root", "c2r2s2", Origin.RESPONDENT),
    ("c2r1s1", "c2r1s1", Origin.RESPONDENT),
    ("c2r1s1", "c2r1s1", Origin.STAFF),
    ("c2r2s2", "c2r2s2", Origin.RESPONDENT),
]


def _raw(unit) -> dict[str, tuple[int, int, int, int]]:
    """Each staff member's (n, promoters, detractors, csat sum) from the responses."""
    rows = (
        Response.objects.filter(
            subtree_q(unit.path, "unit_path"),
            is_complete=True,
            staff_id__isnull=False,
            origin=Origin.RESPONDENT,
        )
        .values("staff_id")
        .annotate(
            n=Count("id"),
            p=Count("id", filter=Q(nps__gte=9)),
            d=Count("id", filter=Q(nps__lte=6)),
            c=Sum("csat"),
        )
        .order_by()
    )
    return {str(r["staff_id"]): (r["n"], r["p"], r["d"], r["c"] or 0) for r in rows}


def _read(world, unit, period: str) -> dict[str, tuple[int, int, int, int]]:
    chosen = filters.parse({"period": period, "unit": str(unit.pk)}, today=TODAY)
    ctx = selectors.context(world.acme.scope("admin"), chosen)
    found = selectors._counts_by(ctx, Facet.STAFF, "value")
    return {k: (c.n, c.promoters, c.detractors, c.csat_sum) for k, c in found.items() if c.n}


def _assert_every_level(world) -> None:
    for key, unit in world.acme.units.items():
        unit.refresh_from_db()
        expected = _raw(unit)
        assert _read(world, unit, "365d") == expected, key
        board = selectors.staff_leaderboard(
            selectors.context(
                world.acme.scope("admin"),
                filters.parse({"period": "365d", "unit": str(unit.pk)}, today=TODAY),
            ),
            limit=50,
        )
        shown = {str(r["key"]): r["n"] for r in board["ranked"] + board["too_few"]}
        assert shown == {k: v[0] for k, v in expected.items()}, key


def _answer(world, survey) -> None:
    org = world.acme
    for i, (where, whose, origin) in enumerate(ANSWERS * 3):
        response = respond(
            survey,
            org.units[where],
            nps=(i * 3) % 11,
            csat=1 + i % 5,
            at=START + timedelta(days=3 * i, hours=i),
            staff=staff_of(org.units[whose]),
        )
        if origin == Origin.STAFF:
            Response.objects.filter(pk=response.pk).update(origin=origin)
            services.reconcile(response_ids=[response.pk])


def test_staff_figures_at_every_level_equal_a_raw_recount(
    world, immediate_tasks, django_capture_on_commit_callbacks
):
    survey = cx_survey(world.acme, name="Staff")
    with django_capture_on_commit_callbacks(execute=True):
        _answer(world, survey)
    staff_rows = Rollup.objects.filter(facet__in=STAFF_FACETS)
    counted = Response.objects.filter(staff_id__isnull=False, origin=Origin.RESPONDENT)
    # Only at the response's own unit: no row at a node where no such answer was given.
    assert set(staff_rows.values_list("node_path", flat=True)) == set(
        counted.values_list("unit_path", flat=True)
    )
    _assert_every_level(world)
    live = set(Rollup.objects.values_list())
    services.rebuild(organization_id=world.acme.root.organization_id)
    assert {r[1:] for r in live} == {r[1:] for r in Rollup.objects.values_list()}
    _assert_every_level(world)
    # The store moves to another country: its staff rows move with it, none stay behind.
    with django_capture_on_commit_callbacks(execute=True):
        tenancy_services.move_unit(
            actor=world.acme.system,
            unit=world.acme.units["c1r1s1"],
            new_parent=world.acme.units["c2r1"],
        )
    _assert_every_level(world)


def test_ragged_periods_read_days_weeks_and_months_of_the_subtree(
    world, immediate_tasks, django_capture_on_commit_callbacks
):
    survey = cx_survey(world.acme, name="Ragged")
    with django_capture_on_commit_callbacks(execute=True):
        _answer(world, survey)
    for period in ("7d", "30d", "90d", "last_month", "this_quarter"):
        for key in ("root", "c1", "c1r1", "c1r1s1"):
            unit = world.acme.units[key]
            chosen = filters.parse({"period": period, "unit": str(unit.pk)}, today=TODAY)
            ctx = selectors.context(world.acme.scope("admin"), chosen)
            daily = selectors._grouped(selectors._rows(ctx, Facet.STAFF), "value")
            assert selectors._counts_by(ctx, Facet.STAFF, "value") == daily, (period, key)
            raw = (
                Response.objects.filter(
                    subtree_q(unit.path, "unit_path"),
                    staff_id__isnull=False,
                    origin=Origin.RESPONDENT,
                    submitted_at__date__gte=ctx.filters.start,
                    submitted_at__date__lte=ctx.filters.end,
                )
                .values("staff_id")
                .annotate(n=Count("id"))
                .order_by()
            )
            assert {k: c.n for k, c in daily.items()} == {
                str(r["staff_id"]): r["n"] for r in raw
            }, (period, key)


def test_deleting_a_survey_or_an_organisation_removes_its_rollups(
    world, immediate_tasks, django_capture_on_commit_callbacks
):
    org = world.acme
    kept = cx_survey(org, name="Kept")
    gone = cx_survey(org, name="Gone")
    with django_capture_on_commit_callbacks(execute=True):
        respond(kept, org.units["c1r1s1"], nps=9, staff=staff_of(org.units["c1r1s1"]))
    # A survey without responses can be deleted; its rollups (say, archived counts) go too.
    Rollup.objects.create(
        organization_id=org.root.organization_id, node_path=org.root.path, depth=0, survey=gone,
        channel="web", day=TODAY, n=3,
    )  # fmt: skip
    gone.delete()
    assert not Rollup.objects.filter(survey_id=gone.pk).exists()
    assert Rollup.objects.filter(survey_id=kept.pk).exists()
    other = Rollup.objects.filter(organization_id=world.other.root.organization_id).count()
    assert delete_organization(org.root.organization.slug)
    assert not Rollup.objects.filter(organization_id=org.root.organization_id).exists()
    assert Rollup.objects.filter(organization_id=world.other.root.organization_id).count() == other


def test_the_migration_moves_staff_rows_down_and_back_up(
    world, immediate_tasks, django_capture_on_commit_callbacks
):
    """Migration 0009 on data: back to the rows at every ancestor (what each ancestor's row
    held: its subtree's sum), then down to the own units again, the rows counting writes."""
    migration = importlib.import_module(
        "voxloop.analytics.migrations.0009_staff_rows_at_their_own_unit"
    )
    survey = cx_survey(world.acme, name="Migrated")
    with django_capture_on_commit_callbacks(execute=True):
        _answer(world, survey)
    keys = ("organization_id", "node_path", "depth", "survey_id", "channel", "day", "facet")
    columns = (*keys, "value", "origin", *COUNT_FIELDS)
    own = set(Rollup.objects.values_list(*columns))
    editor = SimpleNamespace(connection=connection)
    migration.at_every_ancestor(None, editor)
    staff = Rollup.objects.filter(facet__in=STAFF_FACETS)
    for unit in world.acme.units.values():
        expected: dict[tuple, list[int]] = {}
        for row in own:
            if row[6] in STAFF_FACETS and row[1].startswith(unit.path):
                sums = expected.setdefault(
                    (row[3], row[4], row[5], row[6], row[7], row[8]), [0] * len(COUNT_FIELDS)
                )
                for i, v in enumerate(row[9:]):
                    sums[i] += v
        got = {
            (r[3], r[4], r[5], r[6], r[7], r[8]): list(r[9:])
            for r in staff.filter(node_path=unit.path).values_list(*columns)
        }
        assert got == expected, unit.name
        assert set(staff.filter(node_path=unit.path).values_list("depth", flat=True)) <= {
            unit.depth
        }
    migration.at_own_unit(None, editor)
    assert set(Rollup.objects.values_list(*columns)) == own
