"""Synthetic feedback for the dashboard benchmark: raw responses as numpy columns (for DuckDB
and pandas) and the same responses aggregated into Voxloop's rollup rows, written straight
into the rollup table (building 10 million Response rows through the app would take far
longer than the benchmark itself; the rollups are exactly what the app would maintain)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
from django.db import connection, transaction

from voxloop.analytics.models import Rollup
from voxloop.surveys.models import Survey
from voxloop.tenancy.models import OrgUnit

DAYS = 365
COUNTERS = (
    "n",
    "nps_n",
    "promoters",
    "passives",
    "detractors",
    "csat_n",
    "csat_sum",
    "csat_sq",
    "csat_top2",
    "ces_n",
    "ces_sum",
    "ces_sq",
    "ces_agree",
    "comments",
)


@dataclass
class Feedback:
    raw: pd.DataFrame  # one row per response: store, region, country, day, survey, channel, nps
    first_day: date
    surveys: list[int]
    stores: list[OrgUnit]
    rollup_rows: int = 0


def synthesize(org, responses: int, seed: int = 7) -> Feedback:
    """`responses` answers over the last year across the organisation's stores."""
    rng = np.random.default_rng(seed)
    units = list(OrgUnit.objects.filter(organization=org).order_by("path"))
    by_id = {u.pk: u for u in units}
    stores = [u for u in units if u.kind == "store"]
    region_of = np.array([u.parent_id for u in stores])
    country_of = np.array([by_id[u.parent_id].parent_id for u in stores])
    root = next(u for u in units if u.depth == 0)
    surveys = [
        Survey.objects.create(
            organization=org,
            unit=root,
            unit_path=root.path,
            name=name,
            kind="transactional",
            status="live",
        ).pk
        for name in ("Store visit", "Relationship")
    ]
    store = rng.integers(0, len(stores), responses, dtype=np.int32)
    # Stores differ: each has its own tilt towards promoters or detractors.
    tilt = rng.normal(0, 1.2, len(stores))
    base = rng.normal(7.6, 2.2, responses) + tilt[store]
    nps = np.clip(np.rint(base), 0, 10).astype(np.int8)
    raw = pd.DataFrame(
        {
            "store": store,
            "region": region_of[store].astype(np.int32),
            "country": country_of[store].astype(np.int32),
            "day": rng.integers(0, DAYS, responses, dtype=np.int16),
            "survey": (store % 2).astype(np.int8),  # a store answers one survey, on one channel
            "channel": ((store // 2) % 2).astype(np.int8),
            "nps": nps,
            "csat": np.where(store % 2 == 1, np.clip(np.rint(nps / 2.2), 1, 5), 0).astype(np.int8),
        }
    )
    first_day = date.today() - timedelta(days=DAYS - 1)
    return Feedback(raw=raw, first_day=first_day, surveys=surveys, stores=stores)


def _aggregate(raw: pd.DataFrame, level: str) -> pd.DataFrame:
    frame = raw.assign(
        promoters=(raw.nps >= 9).astype(np.int32),
        passives=((raw.nps >= 7) & (raw.nps <= 8)).astype(np.int32),
        detractors=(raw.nps <= 6).astype(np.int32),
        csat_n=(raw.csat > 0).astype(np.int32),
        csat_sum=raw.csat.astype(np.int32),
        csat_sq=(raw.csat.astype(np.int32) ** 2),
        csat_top2=(raw.csat >= 4).astype(np.int32),
    )
    keys = [level, "day", "survey", "channel"]
    grouped = frame.groupby(keys, sort=True).agg(
        n=("nps", "size"),
        promoters=("promoters", "sum"),
        passives=("passives", "sum"),
        detractors=("detractors", "sum"),
        csat_n=("csat_n", "sum"),
        csat_sum=("csat_sum", "sum"),
        csat_sq=("csat_sq", "sum"),
        csat_top2=("csat_top2", "sum"),
    )
    return grouped.reset_index().rename(columns={level: "unit"})


def write_rollups(org, feedback: Feedback, batch: int = 50_000) -> int:
    """Rollup rows at every level (store, region, country, company), as the app keeps them."""
    raw = feedback.raw
    root = OrgUnit.objects.get(organization=org, depth=0)
    store_ids = np.array([s.pk for s in feedback.stores], dtype=np.int64)
    levels = [
        _aggregate(raw.assign(store=store_ids[raw.store]), "store"),
        _aggregate(raw, "region"),
        _aggregate(raw, "country"),
        _aggregate(raw.assign(root=np.int32(root.pk)), "root"),
    ]
    paths = dict(OrgUnit.objects.filter(organization=org).values_list("pk", "path"))
    days = [feedback.first_day + timedelta(days=i) for i in range(DAYS)]
    channels = ("web", "qr")
    table = Rollup._meta.db_table
    columns = (
        "organization_id",
        "node_path",
        "depth",
        "survey_id",
        "channel",
        "day",
        "facet",
        "value",
        *COUNTERS,
    )
    written = 0
    with transaction.atomic():
        for frame in levels:
            for start in range(0, len(frame), batch):
                part = frame.iloc[start : start + batch]
                rows = []
                for unit, day, survey, channel, n, p, pa, d, cn, cs, cq, ct in part.itertuples(
                    index=False, name=None
                ):
                    path = paths[int(unit)]
                    rows.append(
                        (
                            org.pk,
                            path,
                            len(path) // 10 - 1,
                            feedback.surveys[survey],
                            channels[channel],
                            days[day],
                            "",
                            "",
                            n,
                            n,
                            p,
                            pa,
                            d,
                            cn,
                            cs,
                            cq,
                            ct,
                            0,
                            0,
                            0,
                            0,
                            0,
                        )
                    )
                _insert(table, columns, rows)
                written += len(rows)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    feedback.rollup_rows = written
    return written


def _insert(table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    if connection.vendor == "postgresql":
        raw_cursor = connection.connection.cursor()
        with raw_cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)  # noqa: S608
