"""The statements live counting writes: rollup increments, the ledger, anonymity cycles.

`counting` works out what changes (exact deltas from the ledger); this module only writes
them. PostgreSQL takes each batch as one statement over column arrays (`unnest`, decision
0047); SQLite, one statement per row. Rows arrive as column lists already (decision 0055):
no per-row tuples are built here and nothing is transposed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db import connection

from voxloop.analytics.metrics import COUNT_FIELDS
from voxloop.analytics.models import AnonymityCycle, Counted, Rollup

KEY_COLUMNS = (
    "organization_id",
    "node_path",
    "depth",
    "survey_id",
    "channel",
    "day",
    "facet",
    "value",
    "origin",
)
UNIQUE = (
    *("organization_id", "node_path", "facet", "day", "survey_id", "channel", "value"),
    "origin",
)
# How counting keys a rollup row: the unique index's columns in its order, then the depth
# (which the path decides), so sorting the keys as they are sorts them in the index's order.
ROW_COLUMNS = (*UNIQUE, "depth")
LEDGER_FIELDS = (
    "organization_id",
    "unit_path",
    "survey_id",
    "channel",
    "origin",
    "day",
    "hour",
    "staff_id",
    "locale",
    "nps",
    "csat",
    "ces",
    "comment",
)
# PostgreSQL: each batch as one statement over arrays (`unnest`), not one statement per row:
# a reconcile of 1,000 responses writes ~15,000 rollup rows in a few round trips (decision
# 0047). False: one statement per row, as SQLite does (bench/rollup_rebuild.py's baseline).
ARRAYS = True
# PostgreSQL: reconciles share this lock and a rebuild's clearing takes it alone, so a
# reconcile can never commit between the rebuild's two deletes (SQLite has one writer anyway).
REBUILD_LOCK = 0x766F78616E  # "voxan"

_ROW_TYPES = ("bigint", "text", "text", "date", "bigint", "text", "text", "text", "smallint")
_LEDGER_TYPES = (
    *("bigint", "bigint", "text", "bigint", "text", "text", "date", "smallint", "bigint"),
    *("text", "smallint", "smallint", "smallint", "boolean"),
)
Column = Sequence[Any]


def _arrays_wanted() -> bool:
    return ARRAYS and connection.vendor == "postgresql"


def _table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def lock(shared: bool) -> None:
    if connection.vendor == "postgresql":
        kind = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {kind}(%s)", [REBUILD_LOCK])


def _array_literal(values: Column, quoted: bool) -> str:
    """A column as one PostgreSQL array literal: written here with str.join, it costs a
    fraction of what the driver's per-element quoting of a list does. The common case (no
    NULL, nothing to escape) is one join at C speed; the rest escapes element by element."""
    if not values:
        return "{}"
    if None not in values:
        if not quoted:
            return "{" + ",".join(map(str, values)) + "}"
        flat = "".join(values)
        if '"' not in flat and "\\" not in flat:
            return '{"' + '","'.join(values) + '"}'
    if quoted:
        items = (
            "NULL" if v is None else '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
            for v in values
        )
    else:
        items = ("NULL" if v is None else str(v) for v in values)
    return "{" + ",".join(items) + "}"


def _arrays(columns: Sequence[Column], types: Sequence[str]) -> tuple[str, list[str]]:
    values = [_array_literal(c, t == "text") for c, t in zip(columns, types, strict=True)]
    return ", ".join(f"%s::{t}[]" for t in types), values


def bump_cycles(months: list[tuple[int, int, date]]) -> None:
    """Mark each (organisation, survey, month) as changed, in the same transaction as the
    rows (the anonymity rule works out again what those months may show)."""
    if not months:
        return
    table = _table(AnonymityCycle)
    with connection.cursor() as cursor:
        if _arrays_wanted():
            arrays, values = _arrays(list(zip(*months, strict=True)), ("bigint", "bigint", "date"))
            cursor.execute(
                f"INSERT INTO {table} (organization_id, survey_id, month, version, computed) "  # noqa: S608
                f"SELECT o, s, m, 1, -1 FROM unnest({arrays}) AS k(o, s, m) "
                "ON CONFLICT (organization_id, survey_id, month) "
                f"DO UPDATE SET version = {table}.version + 1",
                values,
            )
            return
        cursor.executemany(
            f"INSERT INTO {table} (organization_id, survey_id, month, version, computed) "  # noqa: S608
            "VALUES (%s, %s, %s, 1, -1) ON CONFLICT (organization_id, survey_id, month) "
            f"DO UPDATE SET version = {table}.version + 1",
            months,
        )


def upsert_rollups(keys: Sequence[tuple], counts: Sequence[tuple], shrunk: list[tuple]) -> None:
    """Atomic increments (INSERT … ON CONFLICT DO UPDATE SET n = n + …) of rows keyed in
    ROW_COLUMNS order (sorted: each B-tree page is visited once), then drop the `shrunk`
    rows that fell to nothing, so the tables hold only what exists."""
    table = _table(Rollup)
    columns = (*ROW_COLUMNS, *COUNT_FIELDS)
    increments = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in COUNT_FIELDS)
    upsert = f"ON CONFLICT ({', '.join(UNIQUE)}) DO UPDATE SET {increments}"
    with connection.cursor() as cursor:
        if _arrays_wanted():
            arrays, values = _arrays(
                [*zip(*keys, strict=True), *zip(*counts, strict=True)],
                (*_ROW_TYPES, *["integer"] * len(COUNT_FIELDS)),
            )
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608 - the model's own names
                f"SELECT * FROM unnest({arrays}) {upsert}",
                values,
            )
            if shrunk:
                arrays, values = _arrays(list(zip(*shrunk, strict=True)), _ROW_TYPES[: len(UNIQUE)])
                match = " AND ".join(f"r.{c} = k.{c}" for c in UNIQUE)
                cursor.execute(
                    f"DELETE FROM {table} r USING unnest({arrays}) "  # noqa: S608
                    f"AS k({', '.join(UNIQUE)}) WHERE r.n = 0 AND {match}",
                    values,
                )
            return
        placeholders = ", ".join(["%s"] * len(columns))
        cursor.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders}) {upsert}",  # noqa: S608
            [(*k, *c) for k, c in zip(keys, counts, strict=True)],
        )
        if shrunk:
            where = " AND ".join(f"{c} = %s" for c in UNIQUE)
            cursor.executemany(f"DELETE FROM {table} WHERE n = 0 AND {where}", shrunk)  # noqa: S608


def insert_ledger(entries: list[tuple]) -> None:
    """New ledger rows, each ("response_id", *LEDGER_FIELDS), in one statement (the ORM would
    split them into many INSERTs)."""
    if not entries:
        return
    table = _table(Counted)
    columns = ("response_id", *LEDGER_FIELDS)
    with connection.cursor() as cursor:
        if _arrays_wanted():
            arrays, values = _arrays(list(zip(*entries, strict=True)), _LEDGER_TYPES)
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608
                f"SELECT * FROM unnest({arrays})",
                values,
            )
            return
        cursor.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608 - the model's own names
            f"VALUES ({', '.join(['%s'] * len(columns))})",
            entries,
        )
