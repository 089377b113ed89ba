"""Benchmark: decision 0056's reads against the reads they replaced, interleaved on one
connection over the data `bench/dashboard.py --keep` kept (PostgreSQL).

"Before" is this code with the three changes undone in place: the index `rollup_level_days`
dropped inside a transaction that is rolled back, the trend summing the total rows by day,
and the payload's weekday breakdown read again instead of summed from the heat map. Before
and after alternate rep by rep, so the shared machine's load weighs on both alike; prints
p50 / p95 ms of each and the ratio of the p50s, with the load average.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python \\
      bench/dashboard.py --responses 300000 --db vx_perf_dash --keep --build-only --rollups sql
    DATABASE_URL=… nice .venv/bin/python bench/ragged_days.py --db vx_perf_dash --reps 12
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import percentile, start_django

PERIODS = {"90d": "week", "365d": "month"}


class _Undo(Exception):
    """Rolls the dropped index back."""


def before(op: Any) -> float:
    """One timing of `op` with the previous reads (see the module's docstring)."""
    from django.db import connection, transaction

    from voxloop.analytics import selectors
    from voxloop.analytics.models import Facet

    trend_rows, by_weekday = selectors._trend_rows, selectors.by_weekday
    selectors._trend_rows = lambda ctx, grain: selectors._counts_by(ctx, Facet.TOTAL, "day")
    selectors.by_weekday = lambda ctx, grid=None: by_weekday(ctx)
    took = 0.0
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("DROP INDEX rollup_level_days")
            start = time.perf_counter()
            op()
            took = (time.perf_counter() - start) * 1000
            raise _Undo
    except _Undo:
        return took
    finally:
        selectors._trend_rows, selectors.by_weekday = trend_rows, by_weekday


def after(op: Any) -> float:
    start = time.perf_counter()
    op()
    return (time.perf_counter() - start) * 1000


def _load() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def _p(times: list[float]) -> str:
    return f"{percentile(times, 50):7.1f} /{percentile(times, 95):7.1f}"


def ops(org: Any, persona: str, period: str) -> dict[str, Any]:
    from bench.scope_org import resolve
    from voxloop.analytics import dashboard, filters, home, selectors

    scope = resolve(org, persona)
    chosen = filters.parse({"period": period, "grain": PERIODS[period]}, today=date.today())
    ctx = selectors.context(scope, chosen)
    return {
        "payload": lambda: dashboard.payload(scope, chosen),
        "home": lambda: home.home(scope, {"period": period}),
        "movers": lambda: home.movers(ctx),
        "trend": lambda: selectors.trend(ctx),
        "units": lambda: selectors.units(ctx),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="a database bench/dashboard.py kept")
    parser.add_argument("--reps", type=int, default=12)
    parser.add_argument("--personas", default="director,regional,store")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("ragged_days: needs DATABASE_URL=postgres://… (the kept data is PostgreSQL's)")
    env = dict(os.environ, VOXLOOP_HOME=tempfile.mkdtemp(prefix=f"{args.db}-"))
    env["DATABASE_URL"] = f"{url.rsplit('/', 1)[0]}/{args.db}"
    start_django(env)
    from bench.scope_org import kept_org

    org = kept_org("bench-large")
    print(
        f"{'persona':<9}{'period':<7}{'read':<9}{'before p50/p95':>17}{'after p50/p95':>17}", end=""
    )
    print("  before/after p50  load")
    for persona in args.personas.split(","):
        for period in PERIODS:
            for name, op in ops(org, persona, period).items():
                before(op), after(op)  # warm-up, both ways
                was: list[float] = []
                now: list[float] = []
                gc.collect()
                for rep in range(args.reps):  # alternate which goes first
                    pair = (before, after) if rep % 2 else (after, before)
                    for way in pair:
                        (was if way is before else now).append(way(op))
                ratio = percentile(was, 50) / percentile(now, 50)
                print(
                    f"{persona:<9}{period:<7}{name:<9}{_p(was):>17}{_p(now):>17}"
                    f"  {ratio:16.2f}  {_load()}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
