"""PostgreSQL: an organisation's rollups and ledger rebuilt in set-based SQL (decision 0047).

The Python rebuild (`services.rebuild_in_python`) reconciles every response in chunks: right,
and the reference, but about 2,500 responses/s. Here the database does the same work on whole
sets, and no response row travels to Python:

1. **Ledger**: one `INSERT … SELECT` from the responses selector's own query: day and hour by
   `AT TIME ZONE` with each unit's zone resolved once in a small temporary table, the comment
   flag by a regular expression that blanks exactly what Python's `str.strip()` does.
2. **Rollups, level by level**: the deepest level's rows are grouped from the ledger rows of
   its units (each fanned out to its 2 to 5 facets); every level above sums the rows of the
   level below under its parent's path (but the staff facets, which stay at their own unit,
   decision 0051), plus the ledger rows of its own units, plus those of the level below's
   units in the facets kept at ancestors only (decision 0059). A response is fanned out
   once per facet, never once per ancestor.
3. **Parallel by unit-path range**: the root's children are split into contiguous path ranges
   of about equal size, one connection (a thread) each; each range writes its ledger and its
   nodes below the root in one transaction, and adds its share of the root's rows with the
   same atomic increment a reconcile uses (`ON CONFLICT … SET n = n + excluded.n`).

Concurrency is `services`' rebuild lock: reconciles take it shared per transaction; here it is
held exclusively from the clearing to the last range's commit (one transaction on one
connection; with ranges in parallel, a session-level lock on the coordinating connection), so
no reconcile commits in between, and one waiting meanwhile finds the rebuilt ledger.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.db import connection, connections, transaction
from django.utils import timezone

from voxloop.analytics.counting_sql import KEY_COLUMNS, REBUILD_LOCK, UNIQUE
from voxloop.analytics.metrics import COUNT_FIELDS
from voxloop.analytics.models import STAFF_FACETS, AnonymityCycle, Counted, Facet, Rollup
from voxloop.responses import selectors as response_selectors
from voxloop.responses.models import Origin
from voxloop.surveys import selectors as survey_selectors
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.models import PATH_SEGMENT_WIDTH

W = PATH_SEGMENT_WIDTH
# The hour of the week (Facet.WEEK_HOUR_MONTH's value): Monday 0, as date.weekday() × 24 + hour.
WEEK_HOUR = "((EXTRACT(ISODOW FROM c.day)::int - 1) * 24 + c.hour)"
# Per connection, for the sorts and hashes of the grouping (the default 4 MB spills at once).
WORK_MEM = "256MB"
# A non-blank answer has a character that Python's str.strip() keeps.
_SPACES = "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace())
NON_BLANK = f"[^{_SPACES}]"
# What one ledger row `c` adds to each counter (metrics.Counts.of_scores).
_ADDS = {
    "n": "1",
    "nps_n": "(c.nps IS NOT NULL)::int",
    "promoters": "coalesce((c.nps >= 9)::int, 0)",
    "passives": "coalesce((c.nps BETWEEN 7 AND 8)::int, 0)",
    "detractors": "coalesce((c.nps <= 6)::int, 0)",
    "csat_n": "(c.csat IS NOT NULL)::int",
    "csat_sum": "coalesce(c.csat, 0)",
    "csat_sq": "coalesce(c.csat * c.csat, 0)",
    "csat_top2": "coalesce((c.csat >= 4)::int, 0)",
    "ces_n": "(c.ces IS NOT NULL)::int",
    "ces_sum": "coalesce(c.ces, 0)",
    "ces_sq": "coalesce(c.ces * c.ces, 0)",
    "ces_agree": "coalesce((c.ces >= 5)::int, 0)",
    "comments": "c.comment::int",
}
assert tuple(_ADDS) == COUNT_FIELDS
GROUP = "node, facet, day, survey_id, channel, value, origin"  # the unique index's order
Range = tuple[str | None, str | None]


def _table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _in_range(column: str, low: str | None, high: str | None) -> tuple[str, list[str]]:
    sql, params = "", []
    if low:
        sql, params = f" AND {column} >= %s", [low]
    if high:
        sql, params = f"{sql} AND {column} < %s", [*params, high]
    return sql, params


def _ranges(paths: list[str], workers: int) -> list[Range]:
    """Contiguous ranges of the root's children with about as many units each. A bound is a
    child's path, so each child's whole subtree lies in one range."""
    children = [p for p in paths if len(p) == 2 * W]
    if workers < 2 or len(children) < 2:
        return [(None, None)]
    size = {c: 0 for c in children}
    for p in paths:
        if len(p) >= 2 * W and p[: 2 * W] in size:
            size[p[: 2 * W]] += 1
    share, seen = sum(size.values()) / workers, 0
    bounds: list[str] = []
    for child in children:
        if seen >= share * (len(bounds) + 1) and len(bounds) < workers - 1:
            bounds.append(child)
        seen += size[child]
    edges: list[str | None] = [None, *bounds, None]
    return [(edges[i], edges[i + 1]) for i in range(len(edges) - 1)]


def _prepare(cursor: Any, zones: dict[str, str], texts: dict[int, list[str]]) -> None:
    """Each unit's zone and each survey's free-text keys, as this transaction's tables."""
    cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
    cursor.execute(
        "CREATE TEMP TABLE vx_rebuild_zone (path text PRIMARY KEY, zone text) ON COMMIT DROP"
    )
    cursor.execute(
        "INSERT INTO vx_rebuild_zone SELECT * FROM unnest(%s::text[], %s::text[])",
        [list(zones), list(zones.values())],
    )
    cursor.execute("CREATE TEMP TABLE vx_rebuild_text (survey_id bigint, key text) ON COMMIT DROP")
    pairs = [(s, k) for s, keys in texts.items() for k in keys]
    cursor.execute(
        "INSERT INTO vx_rebuild_text SELECT * FROM unnest(%s::bigint[], %s::text[])",
        [[s for s, _ in pairs], [k for _, k in pairs]],
    )
    cursor.execute("ANALYZE vx_rebuild_zone")
    cursor.execute("ANALYZE vx_rebuild_text")


def _ledger(cursor: Any, organization_id: int, low: str | None, high: str | None) -> int:
    """counting._entry for every completed response in the range, in one statement. A path
    that is no unit's (none should be) takes its nearest unit ancestor's zone."""
    source, source_params = response_selectors.counting_source_sql(organization_id, low, high)
    columns = (
        *("response_id", "organization_id", "unit_path", "survey_id", "channel", "origin"),
        *("day", "hour", "staff_id", "locale", "nps", "csat", "ces", "comment", "archived"),
    )
    sql = f"""
        INSERT INTO {_table(Counted)} ({", ".join(columns)})
        SELECT r.id, r.organization_id, r.unit_path, r.survey_id, r.channel, r.origin,
               l.at::date, extract(hour FROM l.at)::smallint, r.staff_id,
               coalesce(r.locale, ''), r.nps, r.csat, r.ces,
               r.comment_removed_at IS NOT NULL OR EXISTS (
                   SELECT 1 FROM vx_rebuild_text t
                   WHERE t.survey_id = r.survey_id
                     AND jsonb_typeof(r.answers -> t.key) = 'string'
                     AND (r.answers ->> t.key) ~ %s),
               false
        FROM ({source}) r
        LEFT JOIN vx_rebuild_zone z ON z.path = r.unit_path
        CROSS JOIN LATERAL (SELECT r.submitted_at AT TIME ZONE coalesce(
            z.zone,
            (SELECT a.zone FROM vx_rebuild_zone a WHERE starts_with(r.unit_path, a.path)
             ORDER BY length(a.path) DESC LIMIT 1),
            %s) AS at) l
        ON CONFLICT (response_id) DO NOTHING
    """  # noqa: S608 - our own tables and the selector's own query; values are parameters
    # An archived entry (its response deleted by retention) keeps its row: DO NOTHING.
    cursor.execute(sql, [NON_BLANK, *source_params, timezone.get_current_timezone_name()])
    return cursor.rowcount


def _facets(below: bool) -> tuple[str, list[str]]:
    """Each ledger row `c` as its facet rows (facet, value, day); a NULL value is no row.
    The rows at its own unit (`below` False), or those kept at its ancestors only (decision
    0059: a unit's own responses are read from the ledger)."""
    staff = "CASE WHEN c.origin <> %s THEN c.staff_id::text END"
    rows: list[tuple[str, list[str]]] = [
        ("%s, c.hour::text, c.day", [Facet.HOUR]),
        ("%s, c.locale::text, c.day", [Facet.LOCALE]),
        ("%s, c.nps::text, c.day", [Facet.SCORE]),
        (f"%s, {WEEK_HOUR}::text, date_trunc('month', c.day)::date", [Facet.WEEK_HOUR_MONTH]),
    ]
    if not below:
        rows = [
            ("%s, ''::text, c.day", [Facet.TOTAL]),
            ("%s, ''::text, date_trunc('month', c.day)::date", [Facet.TOTAL_MONTH]),
            (f"%s, {staff}, c.day", [Facet.STAFF, Origin.STAFF]),
            (f"%s, {staff}, date_trunc('week', c.day)::date", [Facet.STAFF_WEEK, Origin.STAFF]),
            (f"%s, {staff}, date_trunc('month', c.day)::date", [Facet.STAFF_MONTH, Origin.STAFF]),
        ]
    sql = "VALUES " + ", ".join(f"({r})" for r, _ in rows)
    return sql, [str(p) for _, ps in rows for p in ps]


def _ledger_rows(
    organization_id: int, length: int, unit_length: int, below: bool, in_range: tuple[str, list]
) -> tuple[str, list[Any]]:
    """The ledger rows of the units `unit_length` long, fanned out to their facet rows at
    their ancestor `length` long (their own unit when equal)."""
    facets, facet_params = _facets(below)
    adds = ", ".join(f"{expr} AS {name}" for name, expr in _ADDS.items())
    where, where_params = in_range
    sql = f"""SELECT left(c.unit_path, %s) AS node, c.survey_id, c.channel, f.day, f.facet,
                     f.value, c.origin, {adds}
              FROM {_table(Counted)} c CROSS JOIN LATERAL ({facets}) AS f(facet, value, day)
              WHERE c.organization_id = %s AND length(c.unit_path) = %s{where}
                AND f.value IS NOT NULL"""  # noqa: S608
    return sql, [length, *facet_params, organization_id, unit_length, *where_params]


def _level_select(
    organization_id: int, depth: int, low: str | None, high: str | None, below: bool
) -> tuple[str, list[Any]]:
    """One level's rows: its own units' ledger rows by facet, plus (`below`) the level
    below's rows under their parent's path and the level below's units' own responses in
    the facets kept above them, grouped in the unique index's order."""
    length = W * (depth + 1)
    in_range = _in_range("c.unit_path", low, high)
    sql, params = _ledger_rows(organization_id, length, length, False, in_range)
    parts = [sql]
    if below:
        # Staff rows stay at their own unit (decision 0051): only the others go up a level.
        counters = ", ".join(COUNT_FIELDS)
        parts.append(
            f"SELECT left(node, %s), survey_id, channel, day, facet, value, origin, {counters} "  # noqa: S608
            f"FROM vx_rebuild_level_{depth + 1} WHERE facet <> ALL(%s)"
        )
        params.extend([length, [str(f) for f in STAFF_FACETS]])
        sql, more = _ledger_rows(organization_id, length, length + W, True, in_range)
        parts.append(sql)
        params.extend(more)
    sums = ", ".join(f"sum({name}) AS {name}" for name in COUNT_FIELDS)
    sql = (
        f"SELECT {GROUP}, {sums} FROM ({' UNION ALL '.join(parts)}) x "  # noqa: S608
        f"GROUP BY {GROUP}"
    )
    return sql, params


def _insert_level(
    cursor: Any, organization_id: int, depth: int, source: str, params: list, shared: bool
) -> int:
    """Write a level's rows in the unique index's order (each index page visited once). The
    root's rows, when several ranges share them, are added with the reconciles' atomic
    increment (about twice the cost of a plain insert, so only then)."""
    key = [c if c != "node_path" else "node" for c in KEY_COLUMNS]
    key = ["%s" if c == "organization_id" else "%s" if c == "depth" else c for c in key]
    upsert = ""
    if shared:
        increments = ", ".join(f"{c} = {_table(Rollup)}.{c} + excluded.{c}" for c in COUNT_FIELDS)
        upsert = f" ON CONFLICT ({', '.join(UNIQUE)}) DO UPDATE SET {increments}"
    cursor.execute(
        f"INSERT INTO {_table(Rollup)} ({', '.join((*KEY_COLUMNS, *COUNT_FIELDS))}) "  # noqa: S608
        f"SELECT {', '.join(key)}, {', '.join(COUNT_FIELDS)} FROM ({source}) s "
        f"ORDER BY {GROUP}{upsert}",
        [organization_id, depth, *params],
    )
    return cursor.rowcount


def _rollups(cursor: Any, organization_id: int, bounds: Range, deepest: int, shared: bool) -> int:
    low, high = bounds
    written = 0
    for depth in range(deepest, -1, -1):
        below = depth < deepest
        source, params = _level_select(organization_id, depth, low, high, below)
        if depth == 0:
            written += _insert_level(cursor, organization_id, depth, source, params, shared)
            break
        cursor.execute(
            f"CREATE TEMP TABLE vx_rebuild_level_{depth} ON COMMIT DROP AS {source}", params
        )
        written += _insert_level(
            cursor,
            organization_id,
            depth,
            f"SELECT * FROM vx_rebuild_level_{depth}",  # noqa: S608
            [],
            False,
        )
        if below:
            cursor.execute(f"DROP TABLE vx_rebuild_level_{depth + 1}")
    return written


def _count_range(
    organization_id: int, bounds: Range, deepest: int, inputs: tuple, shared: bool = False
) -> int:
    """Ledger and rollups of one range, in one transaction of this thread's connection."""
    low, high = bounds
    with transaction.atomic(), connection.cursor() as cursor:
        _prepare(cursor, *inputs)
        counted = _ledger(cursor, organization_id, low, high)
        _rollups(cursor, organization_id, bounds, deepest, shared)
        # Gone at commit anyway; dropped now for a caller's enclosing transaction.
        cursor.execute("DROP TABLE IF EXISTS vx_rebuild_zone, vx_rebuild_text, vx_rebuild_level_1")
    return counted


def _in_thread(organization_id: int, bounds: Range, deepest: int, inputs: tuple) -> int:
    try:
        return _count_range(organization_id, bounds, deepest, inputs, shared=True)
    finally:
        connections.close_all()  # this thread's own connection


def _clear(organization_id: int) -> None:
    Rollup.objects.filter(organization_id=organization_id).delete()
    Counted.objects.filter(organization_id=organization_id, archived=False).delete()


def _bump_cycles(organization_id: int) -> None:
    """Every survey month the rebuilt rows hold changed (counting._apply's, at once)."""
    table = _table(AnonymityCycle)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (organization_id, survey_id, month, version, computed) "  # noqa: S608
            f"SELECT DISTINCT organization_id, survey_id, date_trunc('month', day)::date, 1, -1 "
            f"FROM {_table(Counted)} WHERE organization_id = %s AND unit_path <> '' "
            f"ON CONFLICT (organization_id, survey_id, month) "
            f"DO UPDATE SET version = {table}.version + 1",
            [organization_id],
        )


def _inputs(organization_id: int, paths: list[str]) -> tuple:
    own = tenancy_selectors.time_zones(organization_id)
    server = timezone.get_current_timezone_name()
    zones = {p: tenancy_selectors.zone_of(own, p) or server for p in paths}
    surveys = survey_selectors.organization_survey_ids(organization_id)
    return zones, survey_selectors.text_question_keys(surveys)


def rebuild(
    *,
    organization_id: int,
    workers: int = 2,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Clear an organisation's rollups and live ledger rows and compute them again; returns
    the responses counted. Inside a caller's transaction (or with one worker) everything is
    one transaction of this connection; otherwise the ranges run on `workers` connections."""
    paths = tenancy_selectors.unit_paths(organization_id)
    deepest = max((len(p) // W - 1 for p in paths), default=0)
    inputs = _inputs(organization_id, paths)
    ranges = _ranges(paths, workers)
    if len(ranges) == 1 or connection.in_atomic_block:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [REBUILD_LOCK])
            _clear(organization_id)
            counted = _count_range(organization_id, (None, None), deepest, inputs)
            _bump_cycles(organization_id)
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [REBUILD_LOCK])
        try:
            with transaction.atomic():
                _clear(organization_id)
            with ThreadPoolExecutor(len(ranges)) as pool:
                counts = pool.map(lambda b: _in_thread(organization_id, b, deepest, inputs), ranges)
                counted = sum(counts)
            with transaction.atomic():
                _bump_cycles(organization_id)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [REBUILD_LOCK])
    if progress is not None:
        progress(counted, counted)
    return counted
