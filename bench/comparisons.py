"""Benchmark: flagging a units table — each of 200 units against the rest, exact tests while a
side is small, Benjamini–Hochberg over the rows (analytics.comparisons, issue 15).

Units hold 5–300 answers (most under the exact-test limit of 150, the costly case). The
baseline in the same run is the normal-approximation z-test per row that the flags used
before. Goal: a 200-unit table flagged in under 250 ms on one core, cold caches.

    .venv/bin/python bench/comparisons.py [--units 200] [--repeat 5]
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from voxloop.analytics import inference, metrics  # noqa: E402
from voxloop.analytics.metrics import Counts  # noqa: E402


def table(units: int, rng: random.Random) -> list[Counts]:
    rows = []
    for _ in range(units):
        n = rng.randint(5, 300)
        p = sum(rng.random() < 0.45 for _ in range(n))
        d = sum(rng.random() < 0.25 for _ in range(n - p))
        rows.append(Counts(n=n, nps_n=n, promoters=p, detractors=d, passives=n - p - d))
    return rows


def flag(rows: list[Counts]) -> list[bool]:
    total = Counts()
    for c in rows:
        total.add(c)
    changes = [metrics.change("nps", c, Counts().add(total).add(c, -1), 30) for c in rows]
    return inference.benjamini_hochberg([c.p_value for c in changes])


def flag_normal(rows: list[Counts]) -> list[bool]:
    total = Counts()
    for c in rows:
        total.add(c)
    out = []
    for c in rows:
        rest = Counts().add(total).add(c, -1)
        a, b = (
            metrics.nps(c.promoters, c.passives, c.detractors),
            metrics.nps(rest.promoters, rest.passives, rest.detractors),
        )
        z = (a.value - b.value) / math.hypot(a.se or 1e-9, b.se or 1e-9)
        out.append(inference.normal_two_sided_p(z) < 0.05)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rng = random.Random(15)
    exact, normal = [], []
    for _ in range(args.repeat):
        rows = table(args.units, rng)
        inference.nps_exact_p.cache_clear()
        started = time.perf_counter()
        flag(rows)
        exact.append(time.perf_counter() - started)
        started = time.perf_counter()
        flag_normal(rows)
        normal.append(time.perf_counter() - started)
    best, base = 1000 * min(exact), 1000 * min(normal)
    print(f"{args.units} units flagged: {best:.0f} ms (exact tests + BH)")
    print(f"baseline (normal z per row): {base:.1f} ms; ratio {best / base:.0f}×")
    print(f"goal < 250 ms: {'met' if best < 250 else 'NOT met'}")


if __name__ == "__main__":
    main()
