"""Keeping the rollups exact: reconciling responses against the ledger (`Counted`).

For each response, subtract what the ledger says it contributed and add what it contributes
now. A new response adds, a deleted one subtracts, an edited or moved one does both, and one
reconciled twice changes nothing; so live events, imports, unit moves and rebuilds all share
one code path. `counting_sql` writes what this works out.

This is the hot path of live counting (1,000 responses a second, issue 22), so it works on
plain tuples, not model instances (decision 0055): a ledger entry is
("response_id", *LEDGER_FIELDS), a rollup key is in ROW_COLUMNS order.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, tzinfo
from operator import add
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone

from voxloop.analytics import counting_sql
from voxloop.analytics.counting_sql import LEDGER_FIELDS, lock
from voxloop.analytics.metrics import COUNT_FIELDS, Counts
from voxloop.analytics.models import Counted, Facet, Rollup
from voxloop.responses import selectors as response_selectors
from voxloop.responses.models import Origin
from voxloop.surveys.selectors import text_question_keys
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.models import PATH_SEGMENT_WIDTH, subtree_q

Entry = tuple[Any, ...]  # ("response_id", *LEDGER_FIELDS)
RowKey = tuple[Any, ...]  # counting_sql.ROW_COLUMNS
Deltas = dict[RowKey, tuple[int, ...]]
ENTRY_FIELDS = ("response_id", *LEDGER_FIELDS)

# A week's or month's row repeats its days' rows, a score's row its day's total: the months
# to bump are those of the other rows.
REPEATS = frozenset(
    f.value
    for f in (
        Facet.STAFF_WEEK,
        Facet.STAFF_MONTH,
        Facet.SCORE,
        Facet.WEEK_HOUR_MONTH,
        Facet.TOTAL_MONTH,
    )
)
# Plain strings, not the enum's members: these go into every key.
_TOTAL, _HOUR, _LOCALE = Facet.TOTAL.value, Facet.HOUR.value, Facet.LOCALE.value
_SCORE = Facet.SCORE.value
_WEEK_HOUR, _TOTAL_MONTH = Facet.WEEK_HOUR_MONTH.value, Facet.TOTAL_MONTH.value
_STAFF, _STAFF_WEEK, _STAFF_MONTH = (
    Facet.STAFF.value,
    Facet.STAFF_WEEK.value,
    Facet.STAFF_MONTH.value,
)


def _entry(row: dict, comment_keys: dict[int, list[str]], zone: Callable[[int, str], Any]) -> Entry:
    """What a stored response contributes, as a ledger entry: its day and hour in its unit's
    time zone (inherited down the tree; the server's when none is set)."""
    at = row["submitted_at"].astimezone(zone(row["organization_id"], row["unit_path"]))
    answers = row["answers"] or {}
    # A comment removed since (erasure, retention) was still made: it goes on counting.
    comment = row.get("comment_removed_at") is not None or any(
        isinstance(answers.get(k), str) and answers[k].strip()
        for k in comment_keys.get(row["survey_id"], ())
    )
    return (
        *(row["id"], row["organization_id"], row["unit_path"], row["survey_id"]),
        *(row["channel"], row["origin"], at.date(), at.hour, row["staff_id"]),
        *(row["locale"] or "", row["nps"], row["csat"], row["ces"], comment),
    )


def _zones(organization_ids: Iterable[int]) -> Callable[[int, str], Any]:
    """Each unit's time zone object, looked up once per unit path of the batch."""
    zones = {o: tenancy_selectors.time_zones(o) for o in organization_ids}
    server = timezone.get_current_timezone()
    cache: dict[tuple[int, str], tzinfo] = {}

    def zone_of(organization_id: int, path: str) -> Any:
        found = cache.get((organization_id, path))
        if found is None:
            name = tenancy_selectors.zone_of(zones[organization_id], path)
            found = cache[organization_id, path] = ZoneInfo(name) if name else server
        return found

    return zone_of


def _contribution(entry: Entry, sign: int) -> tuple[int, ...]:
    c = Counts.of_scores(entry[10], entry[11], entry[12], entry[13])
    return tuple(sign * getattr(c, name) for name in COUNT_FIELDS)


def _facets(entry: Entry) -> tuple[list[tuple], list[tuple], list[tuple]]:
    """(facet, day, value) of the rows at every node from the root down; of those at its
    ancestors only (BELOW_FACETS: a unit's own responses are read from the ledger, decision
    0059); and of those at the response's own unit only: the staff facets (a node's staff
    figures sum its subtree's rows, decision 0051). An answer entered by staff counts in no
    staff member's figures, whoever entered it: nobody can raise their own or a colleague's."""
    day, hour = entry[6], entry[7]
    month = day.replace(day=1)
    everywhere = [(_TOTAL, day, ""), (_TOTAL_MONTH, month, "")]
    above = [
        (_HOUR, day, str(hour)),
        (_LOCALE, day, entry[9]),
        (_WEEK_HOUR, month, str(day.weekday() * 24 + hour)),
    ]
    if entry[10] is not None:
        above.append((_SCORE, day, str(entry[10])))
    own: list[tuple] = []
    if entry[8] and entry[5] != Origin.STAFF:
        staff = str(entry[8])
        own.append((_STAFF, day, staff))
        own.append((_STAFF_WEEK, day - timedelta(days=day.weekday()), staff))
        own.append((_STAFF_MONTH, month, staff))
    return everywhere, above, own


def _accumulate(deltas: Deltas, entries: Iterable[tuple[Entry, int]]) -> None:
    """Add each (entry, sign)'s contribution to every row it counts in. Entries alike in
    all that makes keys are summed first, so their keys are built once (an edit's old and
    new entry meet there when only CSAT, CES or the comment changed)."""
    alike: dict[tuple, tuple[int, ...]] = {}
    for entry, sign in entries:
        like = entry[1:11]  # organisation … nps: all that makes keys
        mine = _contribution(entry, sign)
        theirs = alike.get(like)
        alike[like] = mine if theirs is None else tuple(map(add, theirs, mine))
    w = PATH_SEGMENT_WIDTH
    get = deltas.get
    for like, counts in alike.items():
        org, path, survey, channel, origin = like[0], like[1], like[2], like[3], like[4]
        everywhere, above, own = _facets((None, *like))
        last = len(path) // w - 1
        for depth in range(last + 1):
            node = path[: w * (depth + 1)]
            for facet, on, value in everywhere + (own if depth == last else above):
                key = (org, node, facet, on, survey, channel, value, origin, depth)
                current = get(key)
                deltas[key] = counts if current is None else tuple(map(add, current, counts))


def _apply(deltas: Deltas) -> None:
    live = sorted(kc for kc in deltas.items() if any(kc[1]))  # keys sort in index order
    if not live:
        return
    keys, counts = zip(*live, strict=True)
    days = {(k[0], k[4], k[3]) for k in keys if k[2] not in REPEATS}
    counting_sql.bump_cycles(sorted({(o, s, d.replace(day=1)) for o, s, d in days}))
    shrunk = [k[:-1] for k, c in live if c[0] < 0]  # c[0] is n; k[:-1] the unique columns
    counting_sql.upsert_rollups(keys, counts, shrunk)


def count_missed(*, since: datetime, until: datetime | None = None) -> int:
    """Count the responses completed since then (and before `until`) that the ledger does not
    hold yet: the ones whose counting was lost (a web process stopped before it handed them
    to a worker). Only the missing ids leave the database (one anti-join, decision 0062)."""
    missing = response_selectors.completed_missing(since, Counted.objects.all(), until)
    return reconcile(response_ids=missing)


def reconcile(*, response_ids: Iterable[int]) -> int:
    """Bring the rollups in line with these responses as they are now; returns how many
    responses changed what they contribute. Safe to repeat and to run concurrently."""
    ids = sorted(set(response_ids))
    if not ids:
        return 0
    for attempt in range(3):
        try:
            return _reconcile(ids)
        except IntegrityError:
            # Another worker wrote a ledger row for one of these meanwhile: everything of this
            # try was rolled back, so do it again over what is there now.
            if attempt == 2:
                raise
    return 0


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """A batch allocates ~50,000 short-lived tuples, all freed by reference counting; left
    on, the cyclic collector ran full passes over the whole process's heap in between:
    a fifth of a batch of 1,000 (decision 0055). Back to what it was afterwards."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _reconcile(ids: list[int]) -> int:
    with _no_cyclic_gc(), transaction.atomic():
        lock(shared=True)
        held = Counted.objects.select_for_update().filter(pk__in=ids)
        old = {e[0]: e for e in held.values_list(*ENTRY_FIELDS, "archived")}
        rows = response_selectors.rows_for_counting(ids)
        comment_keys = text_question_keys({r["survey_id"] for r in rows})
        zone = _zones({r["organization_id"] for r in rows})
        new = {r["id"]: _entry(r, comment_keys, zone) for r in rows}
        # An archived entry's response was deleted by retention: its counts are final.
        # The old entry carries "archived" last: compared without it.
        changed = [
            i
            for i in ids
            if not (i in old and old[i][-1]) and (old[i][:-1] if i in old else None) != new.get(i)
        ]
        deltas: Deltas = {}
        _accumulate(
            deltas,
            [*((old[i][:-1], -1) for i in changed if i in old)]
            + [(new[i], +1) for i in changed if i in new],
        )
        _apply(deltas)
        Counted.objects.filter(pk__in=[i for i in changed if i in old]).delete()
        counting_sql.insert_ledger([new[i] for i in changed if i in new])
    return len(changed)


def recount_subtree(*, organization_id: int, path: str) -> int:
    """Reconcile every response under a unit (after it moved: its ancestors changed)."""
    changed = sum(
        reconcile(response_ids=ids)
        for ids in response_selectors.ids_for_counting(organization_id, path)
    )
    # Responses counted under the old path that are no longer complete or no longer exist
    # were reconciled by their own events; nothing else to do here.
    return changed


def move_archived(*, organization_id: int, old_path: str, new_path: str) -> int:
    """A unit moved: the archived counts of its subtree move with it (there is no response
    left to reconcile them from). Safe to repeat: a second run finds none under the old path."""
    with transaction.atomic():
        lock(shared=True)
        entries = list(
            Counted.objects.select_for_update()
            .filter(organization_id=organization_id, archived=True)
            .filter(subtree_q(old_path, "unit_path"))
        )
        moves: list[tuple[Entry, int]] = []
        for entry in entries:
            moves.append((tuple(getattr(entry, f) for f in ENTRY_FIELDS), -1))
            entry.unit_path = new_path + entry.unit_path[len(old_path) :]
            moves.append((tuple(getattr(entry, f) for f in ENTRY_FIELDS), +1))
        deltas: Deltas = {}
        _accumulate(deltas, moves)
        _apply(deltas)
        Counted.objects.bulk_update(entries, ["unit_path"], batch_size=1000)
    return len(entries)


def forget_responses(*, response_ids: Iterable[int]) -> int:
    """Responses that were deleted: reconciling finds them gone and subtracts them."""
    return reconcile(response_ids=response_ids)


def keep_counted(*, response_ids: Iterable[int]) -> int:
    """Responses about to be deleted because their time is up: count them as they are now,
    then archive their ledger entries, so the dashboards keep every figure they made (the
    deletion's own reconcile then finds nothing to subtract). Runs in the deleting
    transaction, so either both happen or neither."""
    ids = sorted(set(response_ids))
    reconcile(response_ids=ids)
    return Counted.objects.filter(pk__in=ids).update(archived=True)


def _add_archived(organization_id: int, chunk: int = 10000) -> int:
    """Put the archived entries' counts back into freshly cleared rollups (a rebuild)."""
    added, last = 0, 0
    archived = Counted.objects.filter(organization_id=organization_id, archived=True)
    while True:
        entries = list(
            archived.filter(pk__gt=last).order_by("pk").values_list(*ENTRY_FIELDS)[:chunk]
        )
        if not entries:
            return added
        deltas: Deltas = {}
        _accumulate(deltas, [(e, +1) for e in entries])
        with transaction.atomic():
            lock(shared=True)
            _apply(deltas)
        added += len(entries)
        last = entries[-1][0]


def rebuild(
    *,
    organization_id: int,
    progress: Callable[[int, int], None] | None = None,
    workers: int = 2,
) -> int:
    """Recompute an organisation's rollups from its raw responses; returns responses counted.
    PostgreSQL does it in set-based SQL (`set_rebuild`, decision 0047, `workers` connections
    by unit-path range); SQLite, the embedded default, reconciles in Python."""
    from django.db import connection

    if connection.vendor == "postgresql":
        from voxloop.analytics import set_rebuild

        return set_rebuild.rebuild(
            organization_id=organization_id, workers=workers, progress=progress
        )
    return rebuild_in_python(organization_id=organization_id, progress=progress)


def rebuild_in_python(
    *, organization_id: int, progress: Callable[[int, int], None] | None = None
) -> int:
    """Recompute an organisation's rollups from its raw responses; returns responses counted.

    Clears the organisation's rollups and ledger, then counts every completed response in
    chunks (live responses arriving meanwhile are reconciled as usual and never counted
    twice, since each chunk goes through the ledger). Responses deleted by retention are
    counted from their archived ledger entries, which stay.
    """
    with transaction.atomic():
        lock(shared=False)
        Rollup.objects.filter(organization_id=organization_id).delete()
        Counted.objects.filter(organization_id=organization_id, archived=False).delete()
    _add_archived(organization_id)
    total = response_selectors.count_for_counting(organization_id)
    done = 0
    for ids in response_selectors.ids_for_counting(organization_id):
        reconcile(response_ids=ids)
        done += len(ids)
        if progress is not None:
            progress(done, total)
    return done
