"""Benchmark: the drivers page's analysis on the demo (issue 16 item 5, goal under 300 ms).

Times `analytics.page_parts.drivers` — one survey's Shapley model with its 200-resample
bootstrap and its choice effects, as the page asks for it — for every customer survey of the
demo, for the director over 90 days: cold (cache emptied) and warm, in CPU time of this
process (SQLite runs in it; CPU time is steadier than wall time on a shared machine). The
baseline, in the same run, is reading the same responses' scores alone (`nps` of every
response of the survey in the period), the least any analysis of them must do.

    VOXLOOP_HOME=<a home with the demo seeded> .venv/bin/python bench/drivers_page.py [--reps 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
GOAL_MS = 300.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--user", default="director")
    parser.add_argument("--period", default="90d")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "voxloop.config.settings")
    import django

    django.setup()
    from django.core.cache import cache
    from django.http import QueryDict
    from django.utils import translation

    from voxloop.analytics import filters, page_parts, raw_counts, selectors
    from voxloop.surveys.models import Survey
    from voxloop.tenancy.models import Membership
    from voxloop.tenancy.scoping import Scope

    scope = Scope.of(Membership.objects.get(user__username=args.user))

    def cpu_ms(fn, cold: bool) -> float:
        times = []
        for _ in range(args.reps):
            if cold:
                cache.clear()
            start = time.process_time()
            fn()
            times.append(1000 * (time.process_time() - start))
        return statistics.median(times)

    print(f"drivers page, {args.user}, {args.period}: median CPU ms over {args.reps} runs")
    print(f"{'survey':24s} {'responses':>9s} {'cold':>7s} {'warm':>7s} {'scores only':>11s} ratio")
    with translation.override("en"):
        customer = Survey.objects.filter(organization__slug="demo").exclude(kind="employee")
        for survey in customer.order_by("name"):
            query = QueryDict(f"period={args.period}&survey={survey.pk}")
            ctx = selectors.context(scope, filters.parse(query))
            rows = raw_counts.responses(ctx).filter(survey_id=survey.pk, nps__isnull=False)
            base = cpu_ms(lambda rows=rows: list(rows.values_list("nps", flat=True)), False)
            cold = cpu_ms(lambda ctx=ctx: page_parts.drivers(ctx), True)
            warm = cpu_ms(lambda ctx=ctx: page_parts.drivers(ctx), False)
            verdict = "ok" if cold <= GOAL_MS else "over"
            print(
                f"{survey.name[:24]:24s} {rows.count():9d} {cold:7.0f} {warm:7.0f} "
                f"{base:11.0f} {cold / max(base, 0.1):5.1f}× {verdict}"
            )


if __name__ == "__main__":
    main()
