"""Benchmark: one call of each safety-net sweep over a busy window (decision 0062).

`closedloop.evaluate_missed` (every 15 s) and `analytics.count_missed` look for the
responses of the last 15 minutes that their ledger (`Evaluated`, `Counted`) lacks. Before
0062 each read every id of the window into Python and subtracted the ledger there; now one
anti-join returns only the missing ids. This writes `--recent` responses into the window
(45,000 = 15 minutes at 50 submissions/s) and `--older` before it, every one held in both
ledgers, then times, alternated, the old way (written out below as it was) against the
sweep's code, with 0 and then `--missing` responses left out of the ledgers. Enqueues go to
django-tasks' dummy backend: the evaluations and counting of the missing ones cost the same
both ways and are not timed.

SQLite in a temporary folder, or PostgreSQL when DATABASE_URL is set (a scratch database).

    .venv/bin/python bench/sweeps.py [--recent 45000] [--older 100000] [--missing 50] [--repeat 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.common import (
    detractor_rule,
    published_visit_survey,
    scratch_database,
    start_django,
)

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
CHUNK = 5000


def load_average() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def populate(recent: int, older: int) -> list[int]:
    """Responses in the window and before it, all evaluated and counted; the window's ids."""
    from django.utils import timezone

    from voxloop.analytics.models import Counted
    from voxloop.closedloop.models import Evaluated
    from voxloop.responses.models import Response
    from voxloop.tenancy import services as tenancy
    from voxloop.tenancy.scoping import Scope

    root = tenancy.create_organization(name="Bench Retail", slug="bench")
    system = Scope.system(root)
    survey = published_visit_survey(system, root)
    detractor_rule(system, root, survey)
    now = timezone.now()
    # (how many, first at, spread over): the window's well inside the sweeps' 15 minutes for
    # the minutes this bench takes; the others a day or two old.
    spans = [
        (older, now - timedelta(days=2), timedelta(days=1)),
        (recent, now - timedelta(minutes=12), timedelta(minutes=11)),
    ]
    window: list[int] = []
    for count, first, spread in spans:
        step = spread / max(count, 1)
        for start in range(0, count, CHUNK):
            rows = [
                Response(
                    organization_id=root.organization_id,
                    survey=survey,
                    unit=root,
                    unit_path=root.path,
                    is_complete=True,
                    nps=n % 11,
                    answers={"nps": n % 11},
                    started_at=first + step * n,
                    submitted_at=first + step * n,
                )
                for n in range(start, min(start + CHUNK, count))
            ]
            ids = [r.pk for r in Response.objects.bulk_create(rows)]
            Evaluated.objects.bulk_create([Evaluated(response_id=i, at=now) for i in ids])
            Counted.objects.bulk_create([_counted(i, root, survey, now) for i in ids])
            if count is recent:
                window += ids
    return window


def _counted(response_id: int, root: Any, survey: Any, now: Any) -> Any:
    from voxloop.analytics.models import Counted

    return Counted(
        response_id=response_id,
        organization_id=root.organization_id,
        unit_path=root.path,
        survey_id=survey.pk,
        channel="web",
        day=now.date(),
        hour=now.hour,
        locale="en",
    )


def old_evaluate_missed(*, since: Any, until: Any) -> list[int]:
    """`evaluation.evaluate_missed` before decision 0062, its reads written out."""
    from voxloop.closedloop.models import AlertRule, Evaluated
    from voxloop.closedloop.tasks import EVALUATION_BATCH, evaluate_responses, urgent
    from voxloop.responses import selectors as response_selectors
    from voxloop.responses.models import Response

    Evaluated.objects.filter(at__lt=since - timedelta(hours=1)).delete()
    complete = Response.objects.filter(is_complete=True)
    recent = set(complete.filter(submitted_at__gte=since).values_list("pk", flat=True))
    recent -= set(complete.filter(submitted_at__gte=until).values_list("pk", flat=True))
    if not recent:
        return []
    held = set(Evaluated.objects.filter(pk__in=recent).values_list("pk", flat=True))
    rows = response_selectors.complete_named_orgs(recent - held)
    orgs = set(
        AlertRule.objects.filter(
            organization_id__in={org for _, org in rows}, is_active=True, applies_to="responses"
        ).values_list("organization_id", flat=True)
    )
    missed: dict[int, list[int]] = {}
    for pk, org in sorted(rows):
        if org in orgs:
            missed.setdefault(org, []).append(pk)
    for org, ids in missed.items():
        for start in range(0, len(ids), EVALUATION_BATCH):
            urgent(evaluate_responses).enqueue(org, ids[start : start + EVALUATION_BATCH])
    return sorted(pk for ids in missed.values() for pk in ids)


def old_count_missing(*, since: Any) -> list[int]:
    """What `counting.count_missed` handed to `reconcile` before decision 0062."""
    from voxloop.analytics.models import Counted
    from voxloop.responses.models import Response

    recent = list(
        Response.objects.filter(is_complete=True, submitted_at__gte=since).values_list(
            "pk", flat=True
        )
    )
    held = set(Counted.objects.filter(pk__in=recent).values_list("pk", flat=True))
    return [i for i in recent if i not in held]


def new_count_missing(*, since: Any) -> list[int]:
    """What `counting.count_missed` hands to `reconcile` now."""
    from voxloop.analytics.models import Counted
    from voxloop.responses import selectors as response_selectors

    return response_selectors.completed_missing(since, Counted.objects.all())


def timed(work: Callable[[], list[int]]) -> tuple[float, int]:
    started = time.perf_counter()
    found = work()
    return (time.perf_counter() - started) * 1000, len(found)


def compare(label: str, pairs: dict[str, tuple[Callable, Callable]], repeat: int) -> None:
    from django.utils import timezone

    for sweep, (old, new) in pairs.items():
        times: dict[str, list[float]] = {"old": [], "new": []}
        found: dict[str, set[int]] = {"old": set(), "new": set()}
        for _ in range(repeat):  # alternated, so both see the same machine
            for name, work in (("old", old), ("new", new)):
                now = timezone.now()
                ms, n = timed(lambda w=work, now=now: w(now))
                times[name].append(ms)
                found[name].add(n)
        old_ms, new_ms = statistics.median(times["old"]), statistics.median(times["new"])
        print(
            f"{sweep:16} {label:10} found old {sorted(found['old'])} new {sorted(found['new'])}"
            f"  median old {old_ms:8.1f} ms  new {new_ms:8.1f} ms  new/old {new_ms / old_ms:.3f}"
        )


def explain(pairs: dict[str, tuple[Callable, Callable]]) -> None:
    """The plans of the new sweeps' queries (EXPLAIN ANALYZE on PostgreSQL)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    for sweep, (_old, new) in pairs.items():
        with CaptureQueriesContext(connection) as queries:
            new(timezone.now())
        sql = next(q["sql"] for q in queries.captured_queries if "NOT EXISTS" in q["sql"])
        prefix = "EXPLAIN ANALYZE " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
        with connection.cursor() as cursor:
            cursor.execute(prefix + sql)
            print(f"{sweep}:", *(" ".join(map(str, row)) for row in cursor.fetchall()), sep="\n  ")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recent", type=int, default=45_000)
    parser.add_argument("--older", type=int, default=100_000)
    parser.add_argument("--missing", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--explain", action="store_true", help="print the new queries' plans")
    args = parser.parse_args()
    with scratch_database("vx_bench_sweeps") as env:
        start_django(env)
        from django.db import connection
        from django.test.utils import override_settings

        from voxloop.analytics.models import Counted
        from voxloop.closedloop import evaluation
        from voxloop.closedloop.models import Evaluated

        started = time.perf_counter()
        window = populate(args.recent, args.older)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("VACUUM ANALYZE")
        print(
            f"{connection.vendor}: {args.recent:,} responses in the window, {args.older:,} "
            f"before it, written in {time.perf_counter() - started:.0f} s; load {load_average()}"
        )

        def closed(old: bool) -> Callable:
            def run(now: Any) -> list[int]:
                window = {
                    "since": now - timedelta(minutes=15),
                    "until": now - timedelta(seconds=10),
                }
                return (old_evaluate_missed if old else evaluation.evaluate_missed)(**window)

            return run

        def counting(old: bool) -> Callable:
            def run(now: Any) -> list[int]:
                since = now - timedelta(minutes=15)
                return (old_count_missing if old else new_count_missing)(since=since)

            return run

        pairs = {
            "evaluate_missed": (closed(True), closed(False)),
            "count_missed": (counting(True), counting(False)),
        }
        with override_settings(TASKS=DUMMY):
            compare("0 missing", pairs, args.repeat)
            gone = window[len(window) // 2 : len(window) // 2 + args.missing]
            Evaluated.objects.filter(pk__in=gone).delete()
            Counted.objects.filter(pk__in=gone).delete()
            compare(f"{args.missing} missing", pairs, args.repeat)
            if args.explain:
                explain(pairs)
        print(f"load {load_average()}")


if __name__ == "__main__":
    main()
