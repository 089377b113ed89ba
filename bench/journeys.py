"""Benchmark: opening a journey map and its analytics against the dashboard's KPI read.

Seeds a small demo (default 20 stores, 2,000 contacts, 20,000 responses; the journeys' own
interaction history), then times, as the organisation's root, the "Buy in store" map
(`journeys.figures.journey_map`: every touchpoint's counts now and before, comments, cases,
invitations, volumes) and its analytics (funnel, predictors) over the last 90 days, against a
baseline measured in the same run: the dashboard's KPI cards for the same period
(`analytics.selectors.context` + `kpis`). Prints the median of `--reps` runs of each and the
ratios. SQLite in a temporary folder, or PostgreSQL when DATABASE_URL is set (a scratch
database).

    .venv/bin/python bench/journeys.py [--reps 5] [--contacts 2000] [--responses 20000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import scratch_database, start_django


def _median_ms(action, reps: int) -> float:
    times = []
    for _ in range(reps):
        began = time.perf_counter()
        action()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--stores", type=int, default=20)
    parser.add_argument("--contacts", type=int, default=2000)
    parser.add_argument("--responses", type=int, default=20000)
    args = parser.parse_args()
    with scratch_database("bench_journeys") as env:
        start_django(env)
        from voxloop.analytics import selectors as analytics_selectors
        from voxloop.demo import DemoSize, seed_demo
        from voxloop.journeys import figures, insights, selectors
        from voxloop.journeys.models import Journey
        from voxloop.tenancy.scoping import Scope

        size = DemoSize(
            stores=args.stores, staff=40, accounts=8, contacts=args.contacts,
            responses=args.responses,
        )  # fmt: skip
        result = seed_demo(size, seed=7)
        root = result.tree.root
        scope = Scope.system(root)
        journey = selectors.journey(scope, Journey.objects.get(name="Buy in store").pk)
        params = {"period": "90d"}

        def dashboard() -> None:
            ctx = analytics_selectors.context(scope, analytics_selectors.filters_parse(params))
            analytics_selectors.kpis(ctx)

        def journey_map() -> None:
            figures.journey_map(scope, selectors.journey(scope, journey.pk), params)

        def journey_analytics() -> None:
            insights.journey_insights(scope, selectors.journey(scope, journey.pk), params)

        for action in (dashboard, journey_map, journey_analytics):
            action()  # warm up
        base = _median_ms(dashboard, args.reps)
        drawn = _median_ms(journey_map, args.reps)
        analysed = _median_ms(journey_analytics, args.reps)
        touchpoints = sum(len(s.touchpoints.all()) for s in journey.stages.all())
        print(f"dashboard KPIs (baseline): {base:.1f} ms")
        print(
            f"journey map ({touchpoints} touchpoints): {drawn:.1f} ms, "
            f"ratio {drawn / base:.2f} to the baseline"
        )
        print(f"journey analytics: {analysed:.1f} ms, ratio {analysed / base:.2f} to the baseline")


if __name__ == "__main__":
    main()
