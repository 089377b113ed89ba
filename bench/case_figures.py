"""Benchmark: the dashboards' case figures (decision 0058) on a kept `bench/dashboard.py`
database: the resolved cases of the period and the previous one worked out from every case
(`sla._resolved`, the read before) against the kept resolution-time histogram
(`sla._from_bins`), alternately in one process, and the whole `case_metrics`; p50 / p95 ms.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/vx_perf_dash \\
      nice .venv/bin/python bench/case_figures.py [--multiply 30]

`--multiply N` first adds N-1 copies of every case (shifted by up to a day, no response), so
the case count of a ten-times larger database can be timed without building one, and
rebuilds the histogram.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import percentile, start_django
from bench.dashboard import PERIODS, PERSONAS, timed

COLUMNS = (
    "organization_id, unit_id, unit_path, title, status, priority, created_at, due_at, "
    "resolved_at, closed_at, escalation_level"
)


def _multiply(times: int) -> None:
    from django.db import connection

    shift = "make_interval(mins => (random() * 1440)::int)"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO closedloop_case ({COLUMNS}) SELECT"  # noqa: S608 - no input in it
            " organization_id, unit_id, "
            f"unit_path, title, status, priority, created_at + {shift} AS c, due_at, NULL, "
            "closed_at, escalation_level FROM closedloop_case, generate_series(2, %s)",
            [times],
        )
        # Resolved after their own (new) creation, a random share of a week later.
        cursor.execute(
            "UPDATE closedloop_case SET resolved_at = created_at + make_interval(secs => "
            "(random() ^ 3) * 604800) WHERE response_id IS NULL AND status IN ('resolved', "
            "'closed')"
        )
        cursor.execute("ANALYZE closedloop_case")


def _ops(scope, f) -> dict:
    from voxloop.closedloop import sla

    cases, node, before = sla._cases_for(scope, f), sla._counted_node(scope, f), f.previous()
    organization_id = scope.organization_id
    return {
        "every": lambda: (sla._resolved(cases, f), sla._resolved(cases, before)),
        "bins": lambda: (
            sla._from_bins(organization_id, node, f),
            sla._from_bins(organization_id, node, before),
        ),
        "metrics": lambda: sla.case_metrics(scope, f),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="vx_perf_dashboard")
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--budget", type=float, default=5.0)
    parser.add_argument("--multiply", type=int, default=1)
    args = parser.parse_args()
    url = os.environ["DATABASE_URL"]
    start_django(
        {
            "DATABASE_URL": f"{url.rsplit('/', 1)[0]}/{args.db}",
            "VOXLOOP_HOME": tempfile.mkdtemp(prefix="case-figures-"),
        }
    )
    from bench.scope_org import kept_org, resolve
    from voxloop.analytics import filters
    from voxloop.closedloop import resolution_times
    from voxloop.closedloop.models import Case

    org = kept_org("bench-large")
    if args.multiply > 1:
        _multiply(args.multiply)
        rows = resolution_times.rebuild(org.organization.pk)
        print(f"histogram rebuilt: {rows:,} rows")
    resolved = Case.objects.filter(organization=org.organization, resolved_at__isnull=False)
    print(f"cases resolved: {resolved.count():,}; load {os.getloadavg()}")
    print(f"{'persona':<9}{'period':<7}{'read':<10}{'p50 ms':>9}{'p95 ms':>9}  resolved")
    for persona in PERSONAS:
        scope = resolve(org, persona)
        for period in PERIODS:
            f = filters.parse({"period": period}, today=date.today())
            ops = _ops(scope, f)
            for name in ("every", "bins", "every", "bins", "metrics"):
                got = ops[name]()
                times = timed(ops[name], args.reps, args.budget)
                p50, p95 = percentile(times, 50), percentile(times, 95)
                n = got["resolved"] if name == "metrics" else got[0].n
                print(f"{persona:<9}{period:<7}{name:<10}{p50:>9.1f}{p95:>9.1f}  {n:,}")
    print(f"load {os.getloadavg()}")


if __name__ == "__main__":
    main()
