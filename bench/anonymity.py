"""Benchmark: an anonymous survey's dashboards under the anonymity rule (decision 0012).

Builds an organisation of 10,000 units with a year of answers to two surveys (one store
answers one survey), writes their rollups as the app keeps them, and makes one of the two an
employee (anonymous) survey — mostly small groups, so the blocking hides and merges a lot.
Times the three people's dashboards (KPI cards with the previous period, trend, unit
breakdown) through Voxloop's scoped selectors for the anonymous survey against the same for
the customer survey in the same run: the first read of the anonymous one (every month's
blocks worked out from the rollups and kept), then p50/p95 of the reads after it. Prints the
ratio anonymous/customer (goal: p95 ≤ 150 ms like every dashboard).
SQLite in a temporary folder, or PostgreSQL when DATABASE_URL is set (a scratch database).

    .venv/bin/python bench/anonymity.py [--responses 300000] [--reps 30]
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import percentile, scratch_database, start_django
from bench.dashboard import GOAL_P95_MS, PERSONAS, build, timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=300_000)
    parser.add_argument("--reps", type=int, default=30)
    args = parser.parse_args()
    with scratch_database("vx_bench_anonymity") as env:
        start_django(env)
        from django.db import connection

        print(f"database: {connection.vendor}; responses: {args.responses:,}; reps: {args.reps}")
        run(args.responses, args.reps)
        connection.close()


def dashboards(org, survey_id: int) -> dict:
    from bench.scope_org import resolve
    from voxloop.analytics import filters, selectors

    def dashboard(person: str, period: str, grain: str):
        scope = resolve(org, person)
        chosen = filters.parse(
            {"period": period, "grain": grain, "survey": str(survey_id)}, today=date.today()
        )

        def op():
            ctx = selectors.context(scope, chosen)
            return selectors.kpis(ctx), selectors.trend(ctx), selectors.units(ctx)

        return op

    return {p: dashboard(p, *PERSONAS[p]) for p in PERSONAS}


def run(responses: int, reps: int) -> None:
    from voxloop.analytics.models import HiddenNode
    from voxloop.surveys.models import Survey

    org, feedback = build("bench-anon", 10_000, responses)
    employee, customer = feedback.surveys
    Survey.objects.filter(pk=employee).update(kind="employee")
    anonymous, plain = dashboards(org, employee), dashboards(org, customer)
    began = time.perf_counter()
    anonymous["director"]()
    cold = (time.perf_counter() - began) * 1000
    hidden = HiddenNode.objects.filter(cycle__survey_id=employee).count()
    print(f"first read, every month's blocks worked out: {cold:.0f} ms ({hidden:,} hidden nodes)")
    print(f"{'dashboard':<10}{'anonymous p50/p95':>20}{'customer p50/p95':>20}{'ratio p95':>11}")
    worst = 0.0
    for person in PERSONAS:
        a, c = timed(anonymous[person], reps), timed(plain[person], reps)
        pa, pc = (percentile(a, 50), percentile(a, 95)), (percentile(c, 50), percentile(c, 95))
        worst = max(worst, pa[1])
        print(
            f"{person:<10}{pa[0]:>9.1f} / {pa[1]:<8.1f}{pc[0]:>9.1f} / {pc[1]:<8.1f}"
            f"{pa[1] / pc[1]:>10.2f}"
        )
    verdict = "OK" if worst <= GOAL_P95_MS else "OVER GOAL"
    print(f"worst anonymous p95: {worst:.1f} ms (goal ≤ {GOAL_P95_MS:.0f} ms) {verdict}")


if __name__ == "__main__":
    main()
