"""Benchmark: ingesting online reviews through the file connector with text analytics on.

Builds an organisation of 20 stores with a file source mapping one location to each, then
imports N reviews (default 5,000; the issue's figure is 1,000,000: `--reviews 1000000`, about
ten minutes on two idle cores) as CSV files of `--batch` rows (20,000 by default) through
`reviews.services.import_file` — parsing, storing with the idempotency digest, language,
sentiment and themes for every review, the event for recent ones. Prints reviews/s, the
resident memory after a warm-up file (the text models loaded) and its peak growth (sampled
after every file: it must stay flat), the flatness of the rate (the last quarter of the files
against the first), the time of the dashboard's review panel over the year once loaded, and
the ratio to a baseline measured in the same run: the same rows inserted into the reviews
table by the raw database driver (`executemany`, no parsing, no analysis). `--panel-at 250000`
also times the panel when the import passes that size (not counted in the rate). SQLite in a
temporary folder, or PostgreSQL when DATABASE_URL is set (a scratch database; `--keep` leaves
it in place). The load average is printed at the start and the end.

    .venv/bin/python bench/reviews.py [--reviews 5000] [--batch 20000] [--panel-at N,N]
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import scratch_database, start_django

STORES = 20
TEXTS = (
    ("Friendly staff and a quick checkout.", "en"),
    ("We waited forty minutes and nobody apologised.", "en"),
    ("服务很好，下次还来。", "zh"),
    ("等了一个小时，太慢了。", "zh"),
    ("スタッフの対応がとても丁寧でした。", "ja"),
    ("Personal amabil, dar coada a fost foarte lungă.", "ro"),
    ("", ""),
)


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096 / 1e6


def rows(start: int, count: int, rng: random.Random) -> list[tuple]:
    began = datetime(2026, 1, 1, tzinfo=UTC)
    out = []
    for i in range(start, start + count):
        text, language = TEXTS[rng.randrange(len(TEXTS))]
        posted = began + timedelta(minutes=rng.randrange(525_600))
        out.append(
            (
                f"r{i}",
                f"store-{i % STORES}",
                rng.choice((1, 2, 3, 4, 4, 5, 5, 5)),
                posted,
                text,
                language,
            )
        )
    return out


def as_csv(batch: list[tuple]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "location", "rating", "date", "text", "language"])
    for external_id, location, rating, posted, text, language in batch:
        writer.writerow([external_id, location, rating, posted.isoformat(), text, language])
    return out.getvalue().encode()


def setup():
    from voxloop.reviews import services
    from voxloop.tenancy import services as tenancy_services
    from voxloop.tenancy.scoping import Scope

    root = tenancy_services.create_organization(name="Bench Reviews", slug="bench-reviews")
    admin = Scope.system(root)
    source = services.create_source(scope=admin, unit=root, name="Export", kind="file")
    for n in range(STORES):
        store = tenancy_services.create_unit(
            actor=admin, parent=root, name=f"Store {n}", kind="store", code=f"BR{n:03d}"
        )
        services.set_location(scope=admin, source=source, external_id=f"store-{n}", unit=store)
    return admin, source


def ingest(
    admin, source, total: int, batch: int, panel_at: tuple[int, ...] = ()
) -> tuple[float, float, float, float]:
    from voxloop.reviews import services

    rng = random.Random(7)
    # Warm up first (the text engine's model and dictionaries load on first use): memory is
    # measured from here, so growth means memory that grows with the rows.
    warm = [("w" + row[0], *row[1:]) for row in rows(0, 50, random.Random(1))]
    services.import_file(scope=admin, source=source, name="warm.csv", data=as_csv(warm))
    start_rss = peak = rss_mb()
    began = time.perf_counter()
    done = 0
    rates: list[float] = []  # per file: flat means the table's size does not slow ingestion
    paused = 0.0  # time spent on the panel mid-run, not counted in the rate
    pending = sorted(panel_at)
    while done < total:
        part = rows(done, min(batch, total - done), rng)
        data = as_csv(part)
        file_began = time.perf_counter()
        report = services.import_file(scope=admin, source=source, name="reviews.csv", data=data)
        rates.append(len(part) / (time.perf_counter() - file_began))
        assert report.new == len(part) and not report.problems, report.problems[:3]
        done += len(part)
        peak = max(peak, rss_mb())
        print(f"  {done:,} reviews: {rates[-1]:,.0f}/s, rss {rss_mb():.0f} MB", flush=True)
        while pending and done >= pending[0]:
            pending.pop(0)
            stopped = time.perf_counter()
            ms, counted = panel_time(admin)
            print(f"  review panel over {counted:,} reviews: {ms:,.0f} ms; {load()}", flush=True)
            paused += time.perf_counter() - stopped
    quarter = max(1, len(rates) // 4)
    flatness = (sum(rates[-quarter:]) / quarter) / (sum(rates[:quarter]) / quarter)
    rate = total / (time.perf_counter() - began - paused)
    return rate, start_rss, peak - start_rss, flatness


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def panel_time(admin) -> tuple[float, int]:
    """The dashboard's review panel over the whole year for the whole organisation (the
    aggregates it reads), in ms, and the reviews it counted."""
    from datetime import date

    from voxloop.analytics import filters
    from voxloop.reviews import panel

    chosen = filters.parse({"start": "2026-01-01", "end": "2026-12-31"}, today=date(2027, 1, 1))
    began = time.perf_counter()
    found = panel.dashboard_reviews(admin, chosen)
    return 1000 * (time.perf_counter() - began), (found or {}).get("volume", 0)


def driver_baseline(source, total: int, batch: int) -> float:
    """The same rows, inserted by the raw driver into the same table (another source id)."""
    from django.db import connection

    from voxloop.reviews import services
    from voxloop.reviews.models import SourceLocation
    from voxloop.tenancy.scoping import Scope

    root = source.unit
    other = services.create_source(scope=Scope.system(root), unit=root, name="Raw", kind="file")
    location = SourceLocation.objects.filter(source=source).first()
    now = datetime.now(UTC)
    sql = (
        "INSERT INTO reviews_review (organization_id, source_id, location_id, unit_id, unit_path,"
        " external_id, author_name, rating, title, text, language, posted_at, reply_text, url,"
        " digest, seen_at, sentiment, themes, analysed_digest, created_at)"
        " VALUES (%s, %s, %s, %s, %s, %s, '', %s, '', %s, %s, %s, '', '', '', %s, '', '[]', '', %s)"
    )
    rng = random.Random(7)
    began = time.perf_counter()
    done = 0
    with connection.cursor() as cursor:
        while done < total:
            part = rows(done, min(batch, total - done), rng)
            cursor.executemany(
                sql,
                [
                    (root.organization_id, other.pk, location.pk, location.unit_id,
                     location.unit_path, external_id, rating, text, language, posted, now, now)
                    for external_id, _loc, rating, posted, text, language in part
                ],
            )  # fmt: skip
            done += len(part)
    return total / (time.perf_counter() - began)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=5_000)
    parser.add_argument("--batch", type=int, default=20_000)
    parser.add_argument("--panel-at", default="", help="sizes to time the panel at, e.g. 250000")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    parser.add_argument("--database", default="vx_bench_reviews")
    args = parser.parse_args()
    panel_at = tuple(int(n) for n in args.panel_at.split(",") if n.strip())
    with scratch_database(args.database, keep=args.keep) as env:
        start_django(env, tasks="database")  # events wait in the queue; no worker runs them
        from django.db import connection

        print(f"database: {connection.vendor}; reviews: {args.reviews:,}; {load()}", flush=True)
        admin, source = setup()
        rate, start_rss, growth, flatness = ingest(
            admin, source, args.reviews, args.batch, panel_at
        )
        ms, counted = panel_time(admin)
        base = driver_baseline(source, args.reviews, args.batch)
        print(
            f"file connector + text analytics: {rate:,.0f} reviews/s; raw driver executemany: "
            f"{base:,.0f} rows/s; ratio {rate / base:.3f}; memory at start {start_rss:.0f} MB, "
            f"peak growth {growth:.0f} MB; flatness (last quarter's files / first quarter's "
            f"reviews/s) {flatness:.2f}; dashboard review panel over {counted:,} reviews "
            f"{ms:.0f} ms; {load()}"
        )
        connection.close()


if __name__ == "__main__":
    main()
