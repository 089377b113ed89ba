"""Benchmark: is resolving a user's scope and listing their units independent of org size?

Builds an organisation with 10,000 units and 10,000 users and one with 100 units, then times,
interleaved so both see the same machine state:
  - resolving a scope (membership → Scope),
  - a store manager's and a regional manager's units (first page of 100 and whole subtree),
  - the director's first page,
and prints p50/p95 for each with the ratio large/small (goal ≤ 1.5). Then times `voxloop demo`
at its default size. SQLite in a temporary folder, or PostgreSQL when DATABASE_URL is set (a
scratch database on that server, dropped afterwards).

    .venv/bin/python bench/scope.py [--reps 500] [--skip-demo]
"""

from __future__ import annotations

import argparse
import gc
import subprocess
import sys
import time
from pathlib import Path

GOAL_RATIO = 1.5

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import percentile, scratch_database, start_django  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=500)
    parser.add_argument("--skip-demo", action="store_true")
    args = parser.parse_args()
    with scratch_database("vx_bench_scope") as env:
        start_django(env)
        from django.db import connection

        print(f"database: {connection.vendor}; reps: {args.reps}")
        run_scope_benchmark(args.reps)
        connection.close()
    if not args.skip_demo:
        with scratch_database("vx_bench_demo") as env:
            time_demo(env)


def run_scope_benchmark(reps: int) -> None:
    from bench.scope_org import build_benchmark_org, operations

    began = time.perf_counter()
    small = build_benchmark_org("bench-small", units=100, users=100)
    large = build_benchmark_org("bench-large", units=10_000, users=10_000)
    print(f"built both organisations in {time.perf_counter() - began:.1f}s")
    rows = []
    small_ops, large_ops = operations(small), operations(large)
    for name in small_ops:
        small_times, large_times = measure(small_ops[name], large_ops[name], reps)
        rows.append((name, small_times, large_times))
    report(rows)


def measure(small_op, large_op, reps: int) -> tuple[list[float], list[float]]:
    """Alternate the two so drift (caches, other load) hits both alike; 10% warm-up."""
    small_times, large_times = [], []
    gc.collect()
    gc.disable()  # a collection pause would land on whichever side happened to run
    try:
        _alternate(small_op, large_op, reps, small_times, large_times)
    finally:
        gc.enable()
    return small_times, large_times


def _alternate(small_op, large_op, reps: int, small_times: list, large_times: list) -> None:
    for i in range(reps + reps // 10):
        for op, sink in ((small_op, small_times), (large_op, large_times)):
            start = time.perf_counter()
            op()
            elapsed = (time.perf_counter() - start) * 1000
            if i >= reps // 10:
                sink.append(elapsed)


def report(rows) -> None:
    header = f"{'operation':<34}{'100 units p50/p95 ms':>22}{'10k units p50/p95 ms':>22}"
    print(header + f"{'ratio p50':>11}{'ratio p95':>11}")
    worst = 0.0
    for name, small, large in rows:
        s50, s95 = percentile(small, 50), percentile(small, 95)
        l50, l95 = percentile(large, 50), percentile(large, 95)
        worst = max(worst, l50 / s50)
        print(
            f"{name:<34}{s50:>10.3f} / {s95:<9.3f}{l50:>10.3f} / {l95:<9.3f}"
            f"{l50 / s50:>11.2f}{l95 / s95:>11.2f}"
        )
    verdict = "OK" if worst <= GOAL_RATIO else "OVER GOAL"
    print(f"worst p50 ratio large/small: {worst:.2f} (goal ≤ {GOAL_RATIO}) {verdict}")


def time_demo(env: dict) -> None:
    voxloop = [sys.executable, "-m", "voxloop.cli"]
    subprocess.run([*voxloop, "init", "--no-admin"], env=env, check=True, capture_output=True)
    start = time.perf_counter()
    subprocess.run([*voxloop, "demo"], env=env, check=True, capture_output=True)
    elapsed = time.perf_counter() - start
    print(
        "voxloop demo (200 stores, 400 staff, 120 accounts, 20,000 contacts, "
        f"4 surveys, 100,000 responses): {elapsed:.1f}s"
    )


if __name__ == "__main__":
    main()
