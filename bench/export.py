"""Benchmark: streaming a million responses out as CSV (and a slice as XLSX) in constant memory.

Loads N responses (default 1,000,000) through the responses app's historical import into an
organisation of 400 stores, then downloads `/analytics/export/responses.csv` for the whole
year as the CX director (an analyst at the root) through Django's test client, reading the
streamed body piece by piece. Prints rows/s, the resident memory of the process at the start
of the download and its peak during it (sampled every 50,000 rows: it must stay flat, not grow
with the rows), and the ratio to a baseline measured in the same run: the raw database driver
reading the same columns with one cursor and Python's csv writer formatting them. Then the
same for XLSX over the first `--xlsx` rows (openpyxl's write-only mode; slower by nature).
SQLite in a temporary folder, or PostgreSQL when DATABASE_URL is set (a scratch database).

    .venv/bin/python bench/export.py [--responses 1000000] [--xlsx 100000]
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import scratch_database, start_django

SAMPLE_EVERY = 50_000
COMMENTS = ("Quick and friendly", "Long queue at the till", "出色的服务", "Personal amabil", "")


def rss_mb() -> float:
    """Resident memory of this process now (Linux), in MB."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * 4096 / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--xlsx", type=int, default=100_000)
    args = parser.parse_args()
    with scratch_database("vx_bench_export") as env:
        start_django(env, tasks="database")  # rollup tasks queue up; no worker runs them
        from django.db import connection

        print(f"database: {connection.vendor}; responses: {args.responses:,}")
        director, survey = load(args.responses)
        csv_rate, peak = export_csv(director, args.responses)
        base_rate = driver_baseline(survey)
        print(
            f"CSV export: {csv_rate:,.0f} rows/s; raw driver + csv: {base_rate:,.0f} rows/s; "
            f"ratio {csv_rate / base_rate:.2f}; peak memory growth {peak:.0f} MB"
        )
        export_xlsx(director, args.xlsx)
        connection.close()


def load(count: int):
    from django.contrib.auth import get_user_model

    from bench.scope_org import build_benchmark_org
    from voxloop.responses.services import Submission, import_history
    from voxloop.surveys import services as survey_services
    from voxloop.tenancy.models import OrgUnit
    from voxloop.tenancy.scoping import Scope

    began = time.perf_counter()
    org = build_benchmark_org("export", units=400, users=5)
    root = OrgUnit.objects.get(organization=org.organization, depth=0)
    admin = Scope.system(root)
    survey = survey_services.create_survey(
        actor=admin, unit=root, name="Visit", kind="transactional", default_locale="en", locales=[]
    )
    for key, kind in (("nps", "nps"), ("csat", "csat"), ("comment", "long_text")):
        survey_services.add_question(
            actor=admin, survey=survey, key=key, type=kind, texts={"title": {"en": key}}
        )
    survey_services.publish(actor=admin, survey=survey)
    stores = list(OrgUnit.objects.filter(organization=org.organization, kind="store"))
    rng = random.Random(3)
    start = datetime.now(UTC) - timedelta(days=360)

    def submissions():
        for i in range(count):
            comment = COMMENTS[i % len(COMMENTS)]
            answers = {"nps": rng.randint(0, 10), "csat": rng.randint(1, 5)}
            if comment:
                answers["comment"] = f"{comment} #{i}"
            at = start + timedelta(seconds=rng.randrange(355 * 86400))
            yield Submission(survey=survey, answers=answers, unit=rng.choice(stores),
                             channel="web", locale="en", submitted_at=at)  # fmt: skip

    written = import_history(survey=survey, submissions=submissions(), batch_size=5000)
    print(f"loaded {written:,} responses in {time.perf_counter() - began:.0f}s")
    director = get_user_model().objects.get(pk=org.users["director"])
    return director, survey


def _download(user, path: str) -> tuple[int, float, float]:
    """(body bytes, seconds, peak RSS growth in MB) of one streamed download."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    baseline, peak, size, lines, next_sample = rss_mb(), 0.0, 0, 0, SAMPLE_EVERY
    began = time.perf_counter()
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    body = response.streaming_content if response.streaming else [response.content]
    for piece in body:
        size += len(piece)
        lines += piece.count(b"\n")
        if lines >= next_sample:
            peak, next_sample = max(peak, rss_mb() - baseline), next_sample + SAMPLE_EVERY
    elapsed = time.perf_counter() - began
    return size, elapsed, max(peak, rss_mb() - baseline)


def export_csv(user, count: int) -> tuple[float, float]:
    from django.db import reset_queries

    reset_queries()
    print(f"memory at start of download: {rss_mb():.0f} MB")
    size, elapsed, peak = _download(user, "/analytics/export/responses.csv?period=365d")
    print(f"CSV: {count:,} rows, {size / 1e6:.0f} MB in {elapsed:.1f}s")
    return count / elapsed, peak


def driver_baseline(survey) -> float:
    """The same columns, one server-side read, formatted by csv.writer into memory-light IO."""
    from django.db import connection

    sql = (
        "SELECT r.id, r.submitted_at, s.name, u.code, u.name, r.channel, r.locale, r.nps,"
        " r.nps_group, r.csat, r.ces, r.answers FROM responses_response r"
        " JOIN surveys_survey s ON s.id = r.survey_id JOIN tenancy_orgunit u ON u.id = r.unit_id"
        " WHERE r.survey_id = %s ORDER BY r.submitted_at, r.id"
    )
    began, rows = time.perf_counter(), 0
    sink = io.StringIO()
    writer = csv.writer(sink)
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, [survey.pk])
        while batch := cursor.fetchmany(2000):
            for row in batch:
                writer.writerow(row)
            rows += len(batch)
            sink.seek(0)
            sink.truncate()
    return rows / (time.perf_counter() - began)


def export_xlsx(user, limit: int) -> None:
    if limit <= 0:
        return
    from voxloop.responses.models import Response

    last = Response.objects.order_by("submitted_at", "id").values_list("submitted_at", flat=True)
    end = last[limit - 1].date() if last.count() >= limit else datetime.now(UTC).date()
    first = last.first().date()
    path = f"/analytics/export/responses.xlsx?start={first}&end={end}"
    size, elapsed, peak = _download(user, path)
    rows = Response.objects.filter(submitted_at__date__lte=end).count()
    print(
        f"XLSX: {rows:,} rows, {size / 1e6:.0f} MB in {elapsed:.1f}s ({rows / elapsed:,.0f}"
        f" rows/s); peak memory growth {peak:.0f} MB"
    )


if __name__ == "__main__":
    main()
