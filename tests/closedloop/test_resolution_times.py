"""The kept resolution-time histogram (decision 0058): the dashboards' case figures read from
it equal those worked out from every resolved case (counts, SLA and mean exactly; median and
p90 within the stated bound) on random cases resolved, reopened, resolved again and deleted;
the kept rows equal a rebuild; a store manager's figures count only that store's cases; and
the migration's backfill gives the same rows."""

import importlib
import math
import random
from datetime import UTC, date, datetime, timedelta

import pytest

from tests.closedloop.support import give_cause
from voxloop.analytics import filters
from voxloop.closedloop import casework, resolution_times, sla
from voxloop.closedloop.models import Case, ResolutionBin

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
STORES = ("c1r1s1", "c1r1s2", "c1r2s1", "c2r1s1")


def _hours(rng: random.Random) -> float:
    """Minutes to weeks, with ties (a few whole hours) as real cases have."""
    if rng.random() < 0.15:
        return float(rng.choice([1, 2, 24]))
    return math.exp(rng.uniform(math.log(0.02), math.log(400)))


def _bins():
    return sorted(
        ResolutionBin.objects.filter(n__gt=0).values_list(
            "node_path", "grain", "day", "bucket", "n", "met"
        )
    )


@pytest.fixture
def random_cases(world):
    acme, rng = world.acme, random.Random(58)
    admin = acme.scope("admin")
    made = []
    for i in range(90):
        unit = acme.units[rng.choice(STORES)]
        created = datetime(2026, 8, 20, tzinfo=UTC) + timedelta(hours=rng.uniform(0, 24 * 100))
        case = Case.objects.create(
            organization=acme.root.organization,
            unit=unit,
            unit_path=unit.path,
            title=f"case {i}",
            created_at=created,
            due_at=created + timedelta(hours=48),
        )
        give_cause(case)
        if rng.random() < 0.85:
            resolved = created + timedelta(hours=_hours(rng))
            casework.change_status(actor=admin, case=case, status="resolved", now=resolved)
            if rng.random() < 0.2:  # reopened, and some resolved again later
                casework.change_status(actor=admin, case=case, status="in_progress", now=resolved)
                if rng.random() < 0.5:
                    later = resolved + timedelta(hours=_hours(rng))
                    casework.change_status(actor=admin, case=case, status="closed", now=later)
            elif rng.random() < 0.2:
                casework.change_status(actor=admin, case=case, status="closed", now=resolved)
        made.append(case)
    for case in rng.sample(made, 8):
        case.delete()
    return made


PERIODS = [
    {"start": "2026-09-01", "end": "2026-11-30"},  # whole months
    {"start": "2026-09-13", "end": "2026-11-21"},  # ragged at both ends
    {"start": "2026-10-03", "end": "2026-10-19"},  # days only
    {"period": "90d"},
    {"period": "last_quarter"},
]


def _exact(scope, chosen, monkeypatch):
    monkeypatch.setattr(sla, "_counted_node", lambda scope, filters: None)
    try:
        return sla.case_metrics(scope, chosen, now=NOW)
    finally:
        monkeypatch.undo()


def _close(got, exact):
    if exact is None:
        return got is None
    bound = max(abs(exact) * resolution_times.BOUND_PCT / 100, 1 / 60) + 0.005  # + rounding
    return abs(got - exact) <= bound


@pytest.mark.parametrize("person", ["store", "regional", "admin", "director"])
def test_figures_from_the_histogram_equal_a_recount(world, random_cases, person, monkeypatch):
    scope = world.acme.scope(person)
    for chosen in PERIODS:
        f = filters.parse({**chosen, "min_n": "1"}, today=date(2026, 12, 1))
        got = sla.case_metrics(scope, f, now=NOW)
        exact = _exact(scope, f, monkeypatch)
        assert got["resolution_hours"].pop("within_pct") == resolution_times.BOUND_PCT
        assert exact["resolution_hours"].pop("within_pct") is None
        for key in ("median", "p90"):
            g, e = got["resolution_hours"].pop(key), exact["resolution_hours"].pop(key)
            assert _close(g, e), (person, chosen, key, g, e)
        assert _same(got, exact), (person, chosen)


def _same(got, exact) -> bool:
    if isinstance(exact, dict):
        return got.keys() == exact.keys() and all(_same(got[k], exact[k]) for k in exact)
    if isinstance(exact, float):
        return got == pytest.approx(exact, rel=1e-9, abs=1e-9)
    return got == exact


def test_some_figures_were_resolved_in_each_period(world, random_cases):
    f = filters.parse({**PERIODS[1], "min_n": "1"}, today=date(2026, 12, 1))
    assert sla.case_metrics(world.acme.scope("admin"), f, now=NOW)["resolved"] >= 20


def test_kept_rows_equal_a_rebuild(world, random_cases):
    kept = _bins()
    assert kept
    resolution_times.rebuild(world.acme.root.organization_id)
    assert _bins() == kept


def test_a_store_manager_counts_only_the_stores_cases(world, random_cases):
    f = filters.parse({**PERIODS[0], "min_n": "1"}, today=date(2026, 12, 1))
    low, high = f.bounds()
    for person, key in (("store", "c1r1s1"), ("sibling_store", "c1r1s2")):
        mine = Case.objects.filter(
            unit_path=world.acme.units[key].path, resolved_at__gte=low, resolved_at__lt=high
        ).count()
        got = sla.case_metrics(world.acme.scope(person), f, now=NOW)["resolved"]
        assert got == mine and 0 < mine < len(random_cases) / 2


def test_an_agent_and_a_survey_filter_read_the_cases_themselves(world, random_cases):
    f = filters.parse({**PERIODS[0], "min_n": "1"}, today=date(2026, 12, 1))
    got = sla.case_metrics(world.acme.scope("agent"), f, now=NOW)
    assert got["resolved"] == 0 and got["resolution_hours"]["within_pct"] is None


def test_percentile_is_exact_for_lone_values_and_within_the_bound():
    rng = random.Random(7)
    for size in (1, 2, 3, 10, 200, 2000):
        values = [_hours(rng) for _ in range(size)]
        cells = {}
        for h in values:
            b = resolution_times.bucket(h * 3600)
            n, total = cells.get(b, (0, 0.0))
            cells[b] = (n + 1, total + h)
        found = resolution_times.Histogram(
            [(b, n, 0, total, 0.0) for b, (n, total) in sorted(cells.items())]
        )
        for q in (50, 90):
            exact = _percentile(sorted(values), q)
            got = found.percentile(q)
            bound = max(exact * resolution_times.BOUND_PCT / 100, 1 / 60)
            assert abs(got - exact) <= bound + 1e-9
            if all(n == 1 for n, _ in cells.values()):
                assert got == pytest.approx(exact)


def _percentile(values, q):
    position = q / 100 * (len(values) - 1)
    low = math.floor(position)
    high = min(low + 1, len(values) - 1)
    return values[low] + (position - low) * (values[high] - values[low])


def test_the_backfill_gives_the_kept_rows(world, random_cases):
    from django.apps import apps

    kept = _bins()
    ResolutionBin.objects.all().delete()
    migration = importlib.import_module("voxloop.closedloop.migrations.0005_resolution_bins")
    migration.backfill(apps, None)
    assert _bins() == kept


def test_reopened_and_resolved_again_in_the_same_bucket_keeps_the_hours(world):
    acme, admin = world.acme, world.acme.scope("admin")
    unit = acme.units["c1r1s1"]
    created = datetime(2026, 11, 2, 9, tzinfo=UTC)
    case = Case.objects.create(
        organization=acme.root.organization,
        unit=unit,
        unit_path=unit.path,
        title="twice",
        created_at=created,
        due_at=created + timedelta(hours=48),
    )
    give_cause(case)
    first = created + timedelta(hours=30)
    casework.change_status(actor=admin, case=case, status="resolved", now=first)
    casework.change_status(actor=admin, case=case, status="in_progress", now=first)
    again = first + timedelta(seconds=20)  # same day, same 2 % bucket: n is unchanged
    casework.change_status(actor=admin, case=case, status="resolved", now=again)
    kept = list(ResolutionBin.objects.filter(n__gt=0, bucket__gte=0).values_list("hours"))
    assert kept and all(h == pytest.approx(30 + 20 / 3600) for (h,) in kept)


def test_a_moved_store_and_a_new_zone_are_counted_again(world, random_cases, monkeypatch):
    from voxloop.tenancy import services as tenancy_services

    acme = world.acme
    f = filters.parse({**PERIODS[1], "min_n": "1"}, today=date(2026, 12, 1))
    regional = acme.scope("regional")  # c1r1: loses the store
    before = sla.case_metrics(regional, f, now=NOW)["resolved"]
    tenancy_services.move_unit(
        actor=acme.system, unit=acme.units["c1r1s1"], new_parent=acme.units["c1r2"]
    )
    after = sla.case_metrics(regional, f, now=NOW)
    assert after["resolved"] < before
    exact = _exact(regional, f, monkeypatch)
    assert after["resolved"] == exact["resolved"] and after["opened"] == exact["opened"]
    in_server_zone = _bins()
    tenancy_services.update_unit(actor=acme.system, unit=acme.root, time_zone="Asia/Tokyo")
    assert _bins() != in_server_zone  # days moved: counted again in the new zone
