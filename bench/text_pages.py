"""Benchmark: what text analytics adds to the pages, on the demo (Northwind Group).

Seeds the demo (its comments analysed, as `voxloop demo` does; embeddings off) in a scratch
database, then times, as the CX director at the company's root over 90 days and 12 months:
the dashboard without its text breakdowns (the floor, same run), the sentiment and theme
breakdowns together (one comment table), theme impact, trends, emerging themes and the
explorer's first page. Prints p50/p95 in ms per read. SQLite in a temporary folder, or
PostgreSQL when DATABASE_URL is set.

    .venv/bin/python bench/text_pages.py [--responses 30000] [--reps 5]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import percentile, scratch_database, start_django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=30_000)
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()
    with scratch_database("vx_bench_text_pages") as env:
        env["VOXLOOP_TEXT_EMBEDDINGS"] = "false"
        start_django(env, tasks="database")
        from voxloop.demo.seed import DemoSize, seed_demo

        began = time.perf_counter()
        contacts = max(1000, args.responses // 5)
        seed_demo(DemoSize(stores=50, contacts=contacts, responses=args.responses))
        print(f"demo: {args.responses:,} responses seeded in {time.perf_counter() - began:.0f}s")
        run(args.reps)


def run(reps: int) -> None:
    from voxloop.analytics import dashboard, filters
    from voxloop.tenancy.models import Membership
    from voxloop.tenancy.scoping import Scope
    from voxloop.textanalytics.models import CommentAnalysis

    print(f"comments analysed: {CommentAnalysis.objects.count():,}")
    admin = Membership.objects.filter(role="admin", unit__parent__isnull=True).first()
    scope = Scope.of(admin)
    floor_parts = tuple(p for p in dashboard.PARTS if p != "breakdowns")
    for period in ("90d", "365d"):
        ops = _ops(scope, filters.parse({"period": period}), floor_parts)
        print(f"\n{period}, CX director at the root (ms):")
        for name, op in ops.items():
            times = []
            for _ in range(reps):
                start = time.perf_counter()
                op()
                times.append(1000 * (time.perf_counter() - start))
            p50, p95 = percentile(times, 50), percentile(times, 95)
            print(f"  {name:34} p50 {p50:8.1f}  p95 {p95:8.1f}")


def _ops(scope, chosen, floor_parts) -> dict:
    from voxloop.analytics import dashboard, selectors
    from voxloop.textanalytics import explorer, figures, insights

    def ctx():
        return selectors.context(scope, chosen)

    def breakdowns():
        c = ctx()
        return figures.text_dimension(c, "sentiment"), figures.text_dimension(c, "theme")

    return {
        "dashboard without text (floor)": lambda: dashboard.payload(scope, chosen, floor_parts),
        "sentiment + theme breakdowns": breakdowns,
        "theme impact": lambda: insights.theme_impact(ctx()),
        "trending themes": lambda: insights.trending(ctx()),
        "emerging themes": lambda: insights.emerging_themes(ctx()),
        "explorer, first page": lambda: list(
            explorer.with_details(explorer.search(ctx(), q="queue"))[:50]
        ),
    }


if __name__ == "__main__":
    main()
