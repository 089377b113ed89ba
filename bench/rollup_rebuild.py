"""Benchmark: rebuilding an organisation's rollups, and counting live responses (issue 22).

Writes `--responses` raw responses over a year across 10,000 units (10 countries, 244
regions, 9,745 stores; `bench/dashboard_data.synthesize`, COPY on PostgreSQL), with no
rollups. Then, in one run on the same data:

(b) the Python rebuild (`services.rebuild_in_python`'s reconcile in chunks of 10,000) over
    the first `--sample` responses, from empty rollups: the baseline, responses/s;
(a) the set-based rebuild of the whole organisation (`services.rebuild`, decision 0047,
    `--workers` connections), responses/s and the ratio to (b);
(c) live counting: the newest `--live` responses are uncounted (marked incomplete and
    reconciled), then counted again the way the capture path's task does
    (`tasks.reconcile_responses` → `services.reconcile`) in groups of `--group` ids, one
    after another: responses/s against the goal of 1,000/s, writing each batch's rollup rows
    with one statement per row (the earlier path, `counting_sql.ARRAYS = False`) and then with
    one statement per batch (now).

CPU busy / iowait of the whole machine during each step come from /proc/stat (2 cores,
shared), to say what saturates.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
      nice -n 10 .venv/bin/python bench/rollup_rebuild.py --responses 1000000 --db vx_rebuild_1m
    # (c) alone on the dashboard benchmark's kept data (`dashboard.py --keep`)
    … bench/rollup_rebuild.py --db vx_perf_10m --reuse --org bench-large --live-only
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import start_django
from bench.cpu_share import machine_ticks

GOAL_REBUILD_S_10M = 600
GOAL_LIVE_PER_S = 1000
SLUG = "rollup-bench"


@contextmanager
def step(name: str, results: dict):
    before, start = machine_ticks(), time.perf_counter()
    yield
    seconds = time.perf_counter() - start
    after = machine_ticks()
    total = max(after[2] - before[2], 1)
    busy, wait = (after[0] - before[0]) / total, (after[1] - before[1]) / total
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    results[name] = seconds
    print(
        f"  {name}: {seconds:.1f} s (machine CPU busy {busy:.0%}, iowait {wait:.0%}; load {load})",
        flush=True,
    )


def _database(args) -> dict:
    """A named database on the server (kept for --reuse), or SQLite in a scratch home."""
    import tempfile

    env = dict(os.environ, VOXLOOP_HOME=tempfile.mkdtemp(prefix=f"{args.db}-"))
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        env.pop("DATABASE_URL", None)
        return env
    server = url.rsplit("/", 1)[0]
    env["DATABASE_URL"] = f"{server}/{args.db}"
    if not args.reuse:
        import psycopg

        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{args.db}"')
    return env


def _build(args, results: dict):
    from bench.dashboard_data import synthesize
    from bench.scope_org import build_benchmark_org, kept_org

    if args.reuse:
        return kept_org(args.org).organization
    with step("write responses (COPY)", results):
        org = build_benchmark_org(SLUG, units=args.units, users=3).organization
        synthesize(org, args.responses, contacts=0)
    return org


def _ids(org) -> list[int]:
    from voxloop.responses.models import Response

    return list(
        Response.objects.filter(organization=org, is_complete=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _set_complete(ids: list[int], complete: bool) -> None:
    from voxloop.responses.models import Response

    for start in range(0, len(ids), 10_000):
        Response.objects.filter(pk__in=ids[start : start + 10_000]).update(is_complete=complete)


def _groups(ids: list[int], size: int) -> list[list[int]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def _rebuilds(args, org, ids: list[int], results: dict) -> None:
    from django.db import connection

    from voxloop.analytics import services
    from voxloop.analytics.models import Counted, Rollup

    with step("clear the organisation's rollups and ledger", results):
        Rollup.objects.filter(organization=org).delete()
        Counted.objects.filter(organization=org).delete()
    sample = ids[: args.sample]
    with step(f"(b) Python rebuild of the first {len(sample):,} responses", results):
        for chunk in _groups(sample, 10_000):
            services.reconcile(response_ids=chunk)
    python_rate = (
        len(sample) / results[f"(b) Python rebuild of the first {len(sample):,} responses"]
    )
    print(f"      {python_rate:,.0f} responses/s", flush=True)

    with step(f"(a) set-based rebuild of {len(ids):,} responses", results):
        counted = services.rebuild(organization_id=org.pk, workers=args.workers)
    seconds = results[f"(a) set-based rebuild of {len(ids):,} responses"]
    rows = Rollup.objects.filter(organization=org).count()
    rate = counted / seconds
    print(
        f"      {counted:,} counted, {rows:,} rollup rows; {rate:,.0f} responses/s, "
        f"{rows / seconds:,.0f} rollup rows/s; ratio to the Python rebuild {rate / python_rate:.1f}"
        f"; 10M at this rate: {10_000_000 / rate:,.0f} s (goal {GOAL_REBUILD_S_10M} s)",
        flush=True,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def run(args) -> None:
    from django.db import connection

    from voxloop.analytics import counting_sql, services
    from voxloop.analytics.models import Rollup

    results: dict[str, float] = {}
    print(
        f"database: {connection.vendor}; responses: {args.responses:,}; units: {args.units:,}; "
        f"workers: {args.workers}; {os.cpu_count()} cores",
        flush=True,
    )
    org = _build(args, results)
    if args.build_only:
        return
    ids = _ids(org)
    if not args.live_only:
        _rebuilds(args, org, ids, results)
    live = ids[-args.live :]
    rates = {}
    for arrays in (True,) if args.arrays_only else (False, True):
        counting_sql.ARRAYS = arrays
        how = "one statement per batch" if arrays else "one statement per row (before)"
        _set_complete(live, False)
        with step(f"(c) uncount {len(live):,} responses, {how}", results):
            for group in _groups(live, args.group):
                services.reconcile(response_ids=group)
        _set_complete(live, True)
        name = f"(c) count {len(live):,} live responses in groups of {args.group}, {how}"
        with step(name, results):
            for group in _groups(live, args.group):
                services.reconcile(response_ids=group)
        rates[arrays] = len(live) / results[name]
        print(
            f"      {rates[arrays]:,.0f} responses/s; ratio to the goal of "
            f"{GOAL_LIVE_PER_S:,}/s: {rates[arrays] / GOAL_LIVE_PER_S:.2f}",
            flush=True,
        )
    if not args.arrays_only:
        print(
            f"      one statement per batch / per row: {rates[True] / rates[False]:.2f}", flush=True
        )
    if args.check:
        after_live = set(Rollup.objects.filter(organization=org).values_list())
        services.rebuild_in_python(organization_id=org.pk)
        assert {r[1:] for r in after_live} == {
            r[1:] for r in Rollup.objects.filter(organization=org).values_list()
        }, "rollups differ from the Python rebuild"
        print("check: rollups after (a) and (c) equal the Python rebuild's", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--sample", type=int, default=20_000, help="(b): responses")
    parser.add_argument("--live", type=int, default=20_000, help="(c): responses")
    parser.add_argument("--group", type=int, default=1000, help="(c): ids per task")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--db", default="vx_rebuild_bench")
    parser.add_argument("--reuse", action="store_true", help="the data an earlier run wrote")
    parser.add_argument(
        "--org", default=SLUG, help="with --reuse: the organisation (bench-large: dashboard.py's)"
    )
    parser.add_argument("--build-only", action="store_true", help="write the data, no timing")
    parser.add_argument("--live-only", action="store_true", help="with --reuse: (c) only")
    parser.add_argument("--check", action="store_true", help="compare with the Python rebuild")
    parser.add_argument(
        "--arrays-only", action="store_true", help="(c): skip the one-statement-per-row path"
    )
    args = parser.parse_args()
    start_django(_database(args))
    run(args)


if __name__ == "__main__":
    main()
