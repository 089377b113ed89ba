"""Churn counted from a rollup of customers' active spells (decision 0048).

The churn figure asks, for a period [D, U) (local days): how many customers were active when
D began (`at_risk`), and how many of those churned before U began. Read customer by customer
with their status history that is O(contacts in scope); here every customer is reduced to
its *active spells*: the days whose start finds them a customer (joined before that day,
latest status before it not "churned"), each ending on the day of the churn that ends it (or
open). Within one spell a customer counts for every period that starts inside it, so

    at_risk(D)    = spells begun on or before D − spells ended before D
    churned(D, U) = spells ended in [D, U) − spells begun after D and ended before U

which are sums over day ranges of one node's rows (`ChurnDay`, `ChurnSpell`), kept for every
unit and each of its ancestors, by kind and by the NPS group of the customer's latest answer.
Days are local to the customer's unit's time zone, like every rollup's (decision 0019).

Every write goes through `reconcile` (minus what the ledger says the customer counted, plus
what it counts now, in one transaction): status changes, edits, moves, deletions. `rebuild`
makes an organisation's rows from scratch in bulk (the migration's backfill).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from voxloop.tenancy.models import ancestor_paths

ACTIVE, CHURNED = "active", "churned"
KINDS = ("contact", "account")
# The customer's fields the rollup depends on: a save touching none of them changes nothing.
FIELDS = frozenset({"unit_path", "home_unit", "unit", "customer_since", "last_nps_group"})

Spell = tuple[date, date | None]
DayKey = tuple[int, str, str, str, date]  # organization, node path, kind, group, day
SpellKey = tuple[int, str, str, str, date, date]  # … first day, churn day


@dataclass(frozen=True)
class Entry:
    """What one customer adds to the rollup."""

    organization_id: int
    unit_path: str
    nps_group: str
    spells: tuple[Spell, ...]


def spells(joined: date, changes: Iterable[tuple[date, str]]) -> list[Spell]:
    """The active spells of a customer who joined on `joined`, from their status changes as
    (local day, status) in time order: [(first day counted, churn day or None)]. A day is
    counted when it is after `joined` and the last change before it is not a churn; a spell
    ends on the first day after it holding a churn."""
    by_day: dict[date, tuple[bool, str]] = {}
    for day, status in changes:
        churned, _ = by_day.get(day, (False, ""))
        by_day[day] = (churned or status == CHURNED, status)
    first = joined + timedelta(days=1)
    out: list[Spell] = []
    active_from: date | None = date.min  # the first day found active; None: churned
    for day in sorted(by_day):
        churned, last = by_day[day]
        if churned:
            if active_from is not None and max(first, active_from) <= day:
                out.append((max(first, active_from), day))
            active_from = day + timedelta(days=1) if last == ACTIVE else None
        elif active_from is None:  # only comebacks that day
            active_from = day + timedelta(days=1)
    if active_from is not None:
        out.append((max(first, active_from), None))
    return out


# --- reading -----------------------------------------------------------------------------


def counts(
    organization_id: int, node_path: str, kind: str, start: date, end: date
) -> dict[str, tuple[int, int]]:
    """{NPS group: (customers at the start of `start`, of whom churned before `end`)} for one
    node: two aggregates over its rows up to `end` (bounded by days, not customers)."""
    from voxloop.contacts.models import ChurnDay, ChurnSpell

    node = {"organization_id": organization_id, "node_path": node_path, "kind": kind}
    days = (
        ChurnDay.objects.filter(**node, day__lt=end)
        .values("nps_group")
        .annotate(
            began=Sum("started", filter=Q(day__lte=start)),
            left_before=Sum("ended", filter=Q(day__lt=start)),
            left=Sum("ended", filter=Q(day__gte=start)),
        )
        .order_by()
    )
    inside = dict(
        ChurnSpell.objects.filter(**node, start_day__gt=start, end_day__lt=end)
        .values("nps_group")
        .annotate(n=Sum("n"))
        .order_by()
        .values_list("nps_group", "n")
    )
    out = {}
    for row in days:
        at_risk = (row["began"] or 0) - (row["left_before"] or 0)
        churned = (row["left"] or 0) - inside.get(row["nps_group"], 0)
        if at_risk or churned:
            out[row["nps_group"]] = (at_risk, churned)
    return out


# --- writing -----------------------------------------------------------------------------


def _zone(zones: dict[str, str], path: str) -> Any:
    from voxloop.tenancy.selectors import zone_of

    name = zone_of(zones, path)
    return ZoneInfo(name) if name else timezone.get_default_timezone()


def _entry(row: dict[str, Any], changes: list[tuple[datetime, str]], zones: dict) -> Entry:
    tz = _zone(zones, row["unit_path"])
    joined = row["customer_since"] or timezone.localtime(row["created_at"], tz).date()
    local = [(timezone.localtime(at, tz).date(), status) for at, status in changes]
    return Entry(
        row["organization_id"],
        row["unit_path"],
        row.get("last_nps_group") or "",
        tuple(spells(joined, local)),
    )


def _accumulate(
    days: dict[DayKey, list[int]], spans: dict[SpellKey, int], kind: str, e: Entry, sign: int
) -> None:
    for path in (*ancestor_paths(e.unit_path), e.unit_path):
        for first, end in e.spells:
            key = (e.organization_id, path, kind, e.nps_group)
            days.setdefault((*key, first), [0, 0])[0] += sign
            if end is not None:
                days.setdefault((*key, end), [0, 0])[1] += sign
                spans[(*key, first, end)] = spans.get((*key, first, end), 0) + sign


def _table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _apply(days: dict[DayKey, list[int]], spans: dict[SpellKey, int]) -> None:
    """Atomic increments (INSERT … ON CONFLICT DO UPDATE), then drop rows fallen to zero."""
    from voxloop.contacts.models import ChurnDay, ChurnSpell

    d, s = _table(ChurnDay), _table(ChurnSpell)
    day_rows: list[tuple[Any, ...]] = sorted((*k, *v) for k, v in days.items() if any(v))
    spell_rows: list[tuple[Any, ...]] = sorted((*k, v) for k, v in spans.items() if v)
    # Identifiers are the models' own; every value is a parameter.
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {d} (organization_id, node_path, kind, nps_group, day, started, "  # noqa: S608
            "ended) VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (organization_id, "
            f"node_path, kind, day, nps_group) DO UPDATE SET started = {d}.started + "
            f"excluded.started, ended = {d}.ended + excluded.ended",
            day_rows,
        )
        cursor.executemany(
            f"INSERT INTO {s} (organization_id, node_path, kind, nps_group, start_day, "  # noqa: S608
            "end_day, n) VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (organization_id, "
            f"node_path, kind, start_day, end_day, nps_group) DO UPDATE SET n = {s}.n + "
            "excluded.n",
            spell_rows,
        )
        shrunk = [r[:5] for r in day_rows if r[5] < 0 or r[6] < 0]
        cursor.executemany(
            f"DELETE FROM {d} WHERE started = 0 AND ended = 0 AND organization_id = %s "  # noqa: S608
            "AND node_path = %s AND kind = %s AND nps_group = %s AND day = %s",
            shrunk,
        )
        cursor.executemany(
            f"DELETE FROM {s} WHERE n = 0 AND organization_id = %s AND node_path = %s "  # noqa: S608
            "AND kind = %s AND nps_group = %s AND start_day = %s AND end_day = %s",
            [r[:6] for r in spell_rows if r[6] < 0],
        )


def _model(kind: str) -> Any:
    from voxloop.contacts.models import Account, Contact

    return Contact if kind == "contact" else Account


def _columns(kind: str) -> list[str]:
    base = ["id", "organization_id", "unit_path", "customer_since", "created_at"]
    return [*base, "last_nps_group"] if kind == "contact" else base


def _history(kind: str, changes: Any) -> dict[int, list[tuple[datetime, str]]]:
    out: dict[int, list[tuple[datetime, str]]] = {}
    for owner, at, status in changes.order_by(f"{kind}_id", "changed_at", "id").values_list(
        f"{kind}_id", "changed_at", "status"
    ):
        out.setdefault(owner, []).append((at, status))
    return out


def _ledger_entry(c: Any) -> Entry:
    spells = tuple(
        (date.fromisoformat(a), date.fromisoformat(b) if b else None) for a, b in c.spells
    )
    return Entry(c.organization_id, c.unit_path, c.nps_group, spells)


def _ledger_row(kind: str, owner_id: int, e: Entry) -> Any:
    from voxloop.contacts.models import ChurnCounted

    return ChurnCounted(
        organization_id=e.organization_id,
        kind=kind,
        owner_id=owner_id,
        unit_path=e.unit_path,
        nps_group=e.nps_group,
        spells=[[a.isoformat(), b.isoformat() if b else None] for a, b in e.spells],
    )


def reconcile(*, kind: str, ids: Iterable[int]) -> int:
    """Bring these customers' part of the rollup up to date (created, edited, moved, their
    history changed, or deleted): returns how many changed."""
    from voxloop.contacts.models import ChurnCounted, StatusChange
    from voxloop.tenancy.selectors import time_zones

    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return 0
    with transaction.atomic():
        # The customers' rows locked: two reconciles of one customer run one after the other.
        rows = list(
            _model(kind).objects.select_for_update().filter(pk__in=wanted).values(*_columns(kind))
        )
        ledger = ChurnCounted.objects.filter(kind=kind, owner_id__in=wanted)
        old = {c.owner_id: _ledger_entry(c) for c in ledger}
        history = _history(kind, StatusChange.objects.filter(**{f"{kind}_id__in": wanted}))
        zones = {o: time_zones(o) for o in {r["organization_id"] for r in rows}}
        new = {
            r["id"]: _entry(r, history.get(r["id"], []), zones[r["organization_id"]]) for r in rows
        }
        changed = [i for i in wanted if old.get(i) != new.get(i)]
        if not changed:
            return 0
        days: dict[DayKey, list[int]] = {}
        spans: dict[SpellKey, int] = {}
        for i in changed:
            if i in old:
                _accumulate(days, spans, kind, old[i], -1)
            if i in new:
                _accumulate(days, spans, kind, new[i], +1)
        _apply(days, spans)
        ChurnCounted.objects.filter(kind=kind, owner_id__in=changed).delete()
        ChurnCounted.objects.bulk_create(
            [_ledger_row(kind, i, new[i]) for i in changed if i in new], batch_size=1000
        )
    return len(changed)


def _chunks(kind: str, organization_id: int, size: int) -> Iterator[list[dict[str, Any]]]:
    last = 0
    while True:
        rows = list(
            _model(kind)
            .objects.filter(organization_id=organization_id, pk__gt=last)
            .order_by("pk")
            .values(*_columns(kind))[:size]
        )
        if not rows:
            return
        yield rows
        last = rows[-1]["id"]


def rebuild(*, organization_id: int, chunk: int = 20000) -> int:
    """Every row of an organisation's churn rollup and ledger made again from its customers
    and their history, in bulk (chunks of customers, one pass each); returns the customers
    counted. Used by the migration that introduced the rollup and after a unit moves."""
    from voxloop.contacts.models import ChurnCounted, ChurnDay, ChurnSpell, StatusChange
    from voxloop.tenancy.selectors import time_zones

    zones = time_zones(organization_id)
    counted = 0
    with transaction.atomic():
        for model in (ChurnDay, ChurnSpell, ChurnCounted):
            model.objects.filter(organization_id=organization_id).delete()
        days: dict[DayKey, list[int]] = {}
        spans: dict[SpellKey, int] = {}
        for kind in KINDS:
            for rows in _chunks(kind, organization_id, chunk):
                span = {f"{kind}_id__gte": rows[0]["id"], f"{kind}_id__lte": rows[-1]["id"]}
                history = _history(kind, StatusChange.objects.filter(**span))
                ledger = []
                for r in rows:
                    entry = _entry(r, history.get(r["id"], []), zones)
                    _accumulate(days, spans, kind, entry, +1)
                    ledger.append(_ledger_row(kind, r["id"], entry))
                ChurnCounted.objects.bulk_create(ledger, batch_size=5000)
                counted += len(rows)
        _apply(days, spans)
    return counted


def reconcile_subtree(*, organization_id: int, path: str, chunk: int = 2000) -> int:
    """Count again every customer under a unit (after it moved, or its time zone changed):
    O(customers under it), by chunks."""
    from voxloop.tenancy.models import subtree_q

    changed = 0
    for kind in KINDS:
        under = _model(kind).objects.filter(
            subtree_q(path, "unit_path"), organization_id=organization_id
        )
        ids = list(under.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), chunk):
            changed += reconcile(kind=kind, ids=ids[start : start + chunk])
    return changed
