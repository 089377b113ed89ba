"""Resolved cases counted by resolution time (`ResolutionBin`, decision 0058), so that the
dashboards' median and p90 resolution time cost O(months + ragged days) rows of one node
instead of every case resolved in the period.

A resolution time falls in a bucket: one minute wide below an hour, then 2 % wide
(`RATIO`). Each bucket keeps its count and the sum of its hours, so the mean and its interval
are exact, and a percentile is read as the mean of the bucket holding its rank: exact when
that bucket holds one case (or equal ones), and never further from the exact value than
`BOUND_PCT` % or one minute, whichever is larger.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from voxloop.analytics.hooks import DashboardFilters
from voxloop.analytics.selectors import month_tiling
from voxloop.closedloop.models import Case, ResolutionBin
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.models import ancestor_paths

RATIO = 1.02
BOUND_PCT = 2.0
# The cases opened (by the day of `created_at`) are kept in the same rows under this bucket.
OPENED = -1
_MINUTE_BUCKETS = 60
_LOG_RATIO = math.log(RATIO)

Key = tuple[str, str, date, int]  # node_path, grain, day, bucket


def bucket(seconds: float) -> int:
    minutes = max(seconds, 0.0) / 60
    if minutes < _MINUTE_BUCKETS:
        return int(minutes)
    return _MINUTE_BUCKETS + int(math.log(minutes / _MINUTE_BUCKETS) / _LOG_RATIO)


def _local_day(at: datetime, zone: str) -> date:
    return timezone.localtime(at, ZoneInfo(zone) if zone else None).date()


def _keys(path: str, day: date, b: int) -> list[Key]:
    month = day.replace(day=1)
    return [
        key
        for node in [*ancestor_paths(path), path]
        for key in ((node, "d", day, b), (node, "m", month, b))
    ]


@dataclass
class _Cell:
    n: int = 0
    met: int = 0
    hours: float = 0.0
    hours_sq: float = 0.0

    def add(self, sign: int, hours: float, met: bool) -> None:
        self.n += sign
        self.met += sign * met
        self.hours += sign * hours
        self.hours_sq += sign * hours * hours


def _add_opened(cells: dict[Key, _Cell], case: Case, zone: str, sign: int) -> None:
    for key in _keys(case.unit_path, _local_day(case.created_at, zone), OPENED):
        cells[key].n += sign


def _add(cells: dict[Key, _Cell], case: Case, zone: str, sign: int) -> None:
    assert case.resolved_at is not None
    seconds = (case.resolved_at - case.created_at).total_seconds()
    day = _local_day(case.resolved_at, zone)
    for key in _keys(case.unit_path, day, bucket(seconds)):
        cells[key].add(sign, seconds / 3600, case.resolved_at <= case.due_at)


def _zone(organization_id: int, path: str) -> str:
    return tenancy_selectors.zone_of(tenancy_selectors.time_zones(organization_id), path)


_TABLE = ResolutionBin._meta.db_table
_ROW = "(%s, %s, %s, %s, %s, %s, %s, %s)"  # node_path, grain, day, bucket, n, met, hours, sq
# Placeholders only: the table is the model's, every value a parameter.
_ADD = (
    f"INSERT INTO {_TABLE} (organization_id, node_path, grain, day, bucket, n, met, hours, "  # noqa: S608
    "hours_sq) VALUES {values} ON CONFLICT (organization_id, node_path, grain, day, bucket) "
    f"DO UPDATE SET n = {_TABLE}.n + excluded.n, met = {_TABLE}.met + excluded.met, hours = "
    f"{_TABLE}.hours + excluded.hours, hours_sq = {_TABLE}.hours_sq + excluded.hours_sq"
)
_TAKE = (
    f"UPDATE {_TABLE} SET n = {_TABLE}.n + v.column5, met = {_TABLE}.met + v.column6, "  # noqa: S608
    f"hours = {_TABLE}.hours + v.column7, hours_sq = {_TABLE}.hours_sq + v.column8 FROM "
    "(VALUES {values}) AS v WHERE organization_id = %s AND node_path = v.column1 AND grain = "
    "v.column2 AND day = v.column3 AND bucket = v.column4"
)


def _upsert(organization_id: int, cells: dict[Key, _Cell]) -> None:
    """Add the cells to the stored counts, one statement for those counted in and one for
    those counted out. Counting out updates only rows that exist (the case was counted into
    them), so a case deleted with its organisation, whose rows are gone, writes nothing."""
    added: list[Any] = []
    taken: list[Any] = []
    for (node, grain, day, b), c in cells.items():
        if c.n or c.met or c.hours or c.hours_sq:  # n 0: out and back into one bucket
            row = [node, grain, day, b, c.n, c.met, c.hours, c.hours_sq]
            (added if c.n >= 0 else taken).append(row)
    with connection.cursor() as cursor:
        if taken:
            values = ", ".join([_ROW] * len(taken))
            params = [v for row in taken for v in row] + [organization_id]
            cursor.execute(_TAKE.format(values=values), params)
        if added:
            values = ", ".join(["(%s, " + _ROW[1:]] * len(added))
            params = [v for row in added for v in (organization_id, *row)]
            cursor.execute(_ADD.format(values=values), params)


def count(case: Case, *, sign: int) -> None:
    """Count a case in (sign 1: opened) or out (sign -1: deleted): as opened, and as resolved
    with the times it was counted with if it is."""
    cells: dict[Key, _Cell] = defaultdict(_Cell)
    zone = _zone(case.organization_id, case.unit_path)
    _add_opened(cells, case, zone, sign)
    if case.resolved_at is not None:
        _add(cells, case, zone, sign)
    _upsert(case.organization_id, cells)


def resolved_changed(case: Case, *, before: datetime | None) -> None:
    """After a status change: count the case out with its previous resolution time and in
    with its new one (either may be None)."""
    if before == case.resolved_at:
        return
    cells: dict[Key, _Cell] = defaultdict(_Cell)
    zone = _zone(case.organization_id, case.unit_path)
    if before is not None:
        was = Case(unit_path=case.unit_path, created_at=case.created_at, due_at=case.due_at)
        was.resolved_at = before
        _add(cells, was, zone, -1)
    if case.resolved_at is not None:
        _add(cells, case, zone, 1)
    _upsert(case.organization_id, cells)


@transaction.atomic
def rebuild(
    organization_id: int,
    *,
    cases: Any = Case,
    bins: Any = ResolutionBin,
    zones: dict[str, str] | None = None,
) -> int:
    """Count an organisation's cases again (after a unit moves or changes zone, or to check
    the kept counts; the backfill migration passes its historical models). Returns the rows
    written."""
    if zones is None:
        zones = tenancy_selectors.time_zones(organization_id)
    cells: dict[Key, _Cell] = defaultdict(_Cell)
    every = cases.objects.filter(organization_id=organization_id).order_by()
    fields = ("unit_path", "created_at", "resolved_at", "due_at")
    for path, created, resolved_at, due in every.values_list(*fields).iterator(2000):
        case = Case(unit_path=path, created_at=created, resolved_at=resolved_at, due_at=due)
        zone = tenancy_selectors.zone_of(zones, path)
        _add_opened(cells, case, zone, 1)
        if resolved_at is not None:
            _add(cells, case, zone, 1)
    bins.objects.filter(organization_id=organization_id).delete()
    rows = [
        bins(
            organization_id=organization_id,
            node_path=node,
            grain=grain,
            day=day,
            bucket=b,
            n=c.n,
            met=c.met,
            hours=c.hours,
            hours_sq=c.hours_sq,
        )
        for (node, grain, day, b), c in cells.items()
    ]
    bins.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


# --- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Histogram:
    """The resolved cases of a node and period: (bucket, n, met, hours, hours_sq) by bucket;
    and how many cases were opened in it."""

    bins: list[tuple[int, int, int, float, float]]
    opened: int = 0

    @property
    def n(self) -> int:
        return sum(b[1] for b in self.bins)

    @property
    def met(self) -> int:
        return sum(b[2] for b in self.bins)

    @property
    def total(self) -> float:
        return sum(b[3] for b in self.bins)

    @property
    def total_sq(self) -> float:
        return sum(b[4] for b in self.bins)

    def percentile(self, q: float) -> float | None:
        """As PostgreSQL's percentile_cont (linear between the two nearest ranks), each rank
        read as the mean of its bucket."""
        n = self.n
        if not n:
            return None
        position = q / 100 * (n - 1)
        low = math.floor(position)
        fraction = position - low
        at_low = self._at(low)
        return at_low if fraction == 0 else at_low + fraction * (self._at(low + 1) - at_low)

    def _at(self, rank: int) -> float:
        seen = 0
        for _, n, _, hours, _ in self.bins:
            if n > 0 and rank < seen + n:
                return hours / n
            seen += max(n, 0)
        return self.bins[-1][3] / max(self.bins[-1][1], 1)


def histogram(organization_id: int, node_path: str, chosen: DashboardFilters) -> Histogram:
    """The node's resolved cases of the period's days, by bucket: the whole months from
    month rows, the days around them from day rows."""
    months, days = month_tiling(chosen)
    period = Q(grain="m", day__in=months) if months else Q(pk__in=[])
    for low, high in days:
        period |= Q(grain="d", day__gte=low, day__lte=high)
    rows: QuerySet[Any] = (
        ResolutionBin.objects.filter(period, organization_id=organization_id, node_path=node_path)
        .values("bucket")
        .annotate(n=Sum("n"), met=Sum("met"), hours=Sum("hours"), hours_sq=Sum("hours_sq"))
        .order_by("bucket")
        .values_list("bucket", "n", "met", "hours", "hours_sq")
    )
    found = [row for row in rows if row[1]]
    opened = sum(row[1] for row in found if row[0] == OPENED)
    return Histogram([row for row in found if row[0] != OPENED], opened)
