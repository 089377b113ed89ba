"""Every write of analytics: keeping the rollups exact, rebuilding them, saved views.

The rollups are maintained by *reconciling* responses: for each response, subtract what the
ledger (`Counted`) says it contributed and add what it contributes now. A new response adds,
a deleted one subtracts, an edited or moved one does both, and one reconciled twice changes
nothing; so live events, imports, unit moves and rebuilds all share one code path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, connection, transaction
from django.http import QueryDict
from django.utils import timezone

from voxloop.analytics.metrics import COUNT_FIELDS, Counts
from voxloop.analytics.models import (
    AnonymityCycle,
    Counted,
    Facet,
    Frequency,
    Rollup,
    SavedView,
    ViewDigest,
)
from voxloop.errors import Forbidden, InvalidInput
from voxloop.responses import selectors as response_selectors
from voxloop.responses.models import Origin
from voxloop.surveys.selectors import text_question_keys
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.models import PATH_SEGMENT_WIDTH, Role, subtree_q
from voxloop.tenancy.scoping import Capability, Scope
from voxloop.tenancy.services import record_audit

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

REPEATS = (
    *(Facet.STAFF_WEEK, Facet.STAFF_MONTH, Facet.SCORE),
    *(Facet.WEEK_HOUR_MONTH, Facet.TOTAL_MONTH),
)
# PostgreSQL: each batch as one statement over arrays (`unnest`), not one statement per row:
# a reconcile of 1,000 responses writes ~15,000 rollup rows in a few round trips (decision
# 0047). False: one statement per row, as SQLite does (bench/rollup_rebuild.py's baseline).
ARRAYS = True
RollupKey = tuple[int, str, int, int, str, date, str, str, str]


def _ancestors(path: str) -> list[str]:
    w = PATH_SEGMENT_WIDTH
    return [path[:end] for end in range(w, len(path) + 1, w)]


def _entry(row: dict, comment_keys: dict[int, list[str]], zones: dict[str, str]) -> Counted:
    """What a stored response contributes, as a ledger row: its day and hour in its unit's
    time zone (inherited down the tree; the server's when none is set)."""
    zone = tenancy_selectors.zone_of(zones, row["unit_path"])
    at = timezone.localtime(row["submitted_at"], ZoneInfo(zone) if zone else None)
    answers = row["answers"] or {}
    # A comment removed since (erasure, retention) was still made: it goes on counting.
    comment = row.get("comment_removed_at") is not None or any(
        isinstance(answers.get(k), str) and answers[k].strip()
        for k in comment_keys.get(row["survey_id"], ())
    )
    return Counted(
        response_id=row["id"],
        organization_id=row["organization_id"],
        unit_path=row["unit_path"],
        survey_id=row["survey_id"],
        channel=row["channel"],
        origin=row["origin"],
        day=at.date(),
        hour=at.hour,
        staff_id=row["staff_id"],
        locale=row["locale"] or "",
        nps=row["nps"],
        csat=row["csat"],
        ces=row["ces"],
        comment=comment,
    )


def _same(a: Counted | None, b: Counted | None) -> bool:
    if a is None or b is None:
        return a is b
    return all(getattr(a, f) == getattr(b, f) for f in LEDGER_FIELDS)


def _keys(entry: Counted) -> Iterable[RollupKey]:
    """Every rollup row one response counts in: each node from the root down to its unit,
    once in total and once per facet, except the staff facets, kept at the response's own
    unit only (a node's staff figures sum its subtree's rows, decision 0051). An answer
    entered by staff counts in no staff member's figures, whoever entered it: nobody can
    raise their own or a colleague's."""
    day = entry.day
    facets = [
        (Facet.TOTAL, "", day),
        (Facet.HOUR, str(entry.hour), day),
        (Facet.LOCALE, entry.locale, day),
        (Facet.WEEK_HOUR_MONTH, str(day.weekday() * 24 + entry.hour), day.replace(day=1)),
        (Facet.TOTAL_MONTH, "", day.replace(day=1)),
    ]
    if entry.nps is not None:
        facets.append((Facet.SCORE, str(entry.nps), day))
    own: list[tuple[str, str, date]] = []
    if entry.staff_id and entry.origin != Origin.STAFF:
        staff = str(entry.staff_id)
        own.append((Facet.STAFF, staff, day))
        own.append((Facet.STAFF_WEEK, staff, day - timedelta(days=day.weekday())))
        own.append((Facet.STAFF_MONTH, staff, day.replace(day=1)))
    for node in _ancestors(entry.unit_path):
        depth = len(node) // PATH_SEGMENT_WIDTH - 1
        for facet, value, on in facets if node != entry.unit_path else facets + own:
            yield (
                entry.organization_id,
                node,
                depth,
                entry.survey_id,
                entry.channel,
                on,
                facet,
                value,
                entry.origin,
            )


def _contribution(entry: Counted) -> list[int]:
    c = Counts.of_scores(entry.nps, entry.csat, entry.ces, entry.comment)
    return [getattr(c, name) for name in COUNT_FIELDS]


def _accumulate(deltas: dict[RollupKey, list[int]], entry: Counted, sign: int) -> None:
    # Plain lists, not Counts: this runs once per response per node per facet (the hot loop
    # of a rebuild).
    add = [sign * v for v in _contribution(entry)]
    width = len(add)
    for key in _keys(entry):
        current = deltas.get(key)
        if current is None:
            deltas[key] = add[:]
        else:
            for i in range(width):
                current[i] += add[i]


def _upsert_sql() -> str:
    table = connection.ops.quote_name(Rollup._meta.db_table)
    columns = (*KEY_COLUMNS, *COUNT_FIELDS)
    placeholders = ", ".join(["%s"] * len(columns))
    increments = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in COUNT_FIELDS)
    # Identifiers are the model's own; every value is a parameter.
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders}) "  # noqa: S608
        f"ON CONFLICT ({', '.join(UNIQUE)}) DO UPDATE SET {increments}"
    )


def _delete_empty_sql() -> str:
    table = connection.ops.quote_name(Rollup._meta.db_table)
    where = " AND ".join(f"{c} = %s" for c in UNIQUE)
    return f"DELETE FROM {table} WHERE n = 0 AND {where}"  # noqa: S608


def _bump_cycles_sql() -> str:
    table = connection.ops.quote_name(AnonymityCycle._meta.db_table)
    return (
        f"INSERT INTO {table} (organization_id, survey_id, month, version, computed) "  # noqa: S608
        "VALUES (%s, %s, %s, 1, -1) ON CONFLICT (organization_id, survey_id, month) "
        f"DO UPDATE SET version = {table}.version + 1"
    )


def _bump_cycles(keys: Iterable[RollupKey]) -> None:
    """Mark each survey's month these rows belong to as changed, in the same transaction as
    the rows (the anonymity rule works out again what those months may show)."""
    months = sorted({(k[0], k[3], k[5].replace(day=1)) for k in keys})
    with connection.cursor() as cursor:
        if ARRAYS and connection.vendor == "postgresql" and months:
            table = connection.ops.quote_name(AnonymityCycle._meta.db_table)
            arrays, values = _arrays(months, ("bigint", "bigint", "date"))
            cursor.execute(
                f"INSERT INTO {table} (organization_id, survey_id, month, version, computed) "  # noqa: S608
                f"SELECT o, s, m, 1, -1 FROM unnest({arrays}) AS k(o, s, m) "
                "ON CONFLICT (organization_id, survey_id, month) "
                f"DO UPDATE SET version = {table}.version + 1",
                values,
            )
            return
        cursor.executemany(_bump_cycles_sql(), months)


def _apply(deltas: dict[RollupKey, list[int]]) -> None:
    """Atomic increments (INSERT … ON CONFLICT DO UPDATE SET n = n + …), then drop rows that
    fell to nothing so the tables hold only what exists."""
    live = [(k, c) for k, c in deltas.items() if any(c)]
    if not live:
        return
    # A week's or month's row repeats its days' rows: the months to bump are those days'.
    # A score's row repeats its day's total: those months are bumped by the total's row.
    _bump_cycles(k for k, _ in live if k[6] not in REPEATS)
    # In the unique index's order: each B-tree page is visited once, not once per row.
    live.sort(key=lambda kc: (kc[0][1], kc[0][6], kc[0][5], kc[0][3], kc[0][4], kc[0][7:]))
    params: list[tuple[Any, ...]] = [(*key, *c) for key, c in live]
    shrunk = [key for key, c in live if c[0] < 0]  # c[0] is n
    if ARRAYS and connection.vendor == "postgresql":
        _apply_as_arrays(params, shrunk)
        return
    with connection.cursor() as cursor:
        cursor.executemany(_upsert_sql(), params)
        if shrunk:
            # key order (org, node, depth, survey, channel, day, facet, value, origin) →
            # UNIQUE order
            cursor.executemany(
                _delete_empty_sql(),
                [(k[0], k[1], k[6], k[5], k[3], k[4], k[7], k[8]) for k in shrunk],
            )


_KEY_TYPES = ("bigint", "text", "smallint", "bigint", "text", "date", "text", "text", "text")


def _array_literal(values: Iterable[Any], quoted: bool) -> str:
    """A column as one PostgreSQL array literal: written here with str.join, it costs a
    fraction of what the driver's per-element quoting of a list does (a third of a batch)."""
    if quoted:
        items = (
            "NULL" if v is None else '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
            for v in values
        )
    else:
        items = ("NULL" if v is None else str(v) for v in values)
    return "{" + ",".join(items) + "}"


def _arrays(rows: list[tuple[Any, ...]], types: tuple[str, ...]) -> tuple[str, list[str]]:
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in types]
    values = [_array_literal(c, t == "text") for c, t in zip(columns, types, strict=True)]
    return ", ".join(f"%s::{t}[]" for t in types), values


def _apply_as_arrays(params: list[tuple[Any, ...]], shrunk: list[RollupKey]) -> None:
    table = connection.ops.quote_name(Rollup._meta.db_table)
    columns = (*KEY_COLUMNS, *COUNT_FIELDS)
    increments = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in COUNT_FIELDS)
    arrays, values = _arrays(params, (*_KEY_TYPES, *["integer"] * len(COUNT_FIELDS)))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608 - the model's own names
            f"SELECT * FROM unnest({arrays}) "
            f"ON CONFLICT ({', '.join(UNIQUE)}) DO UPDATE SET {increments}",
            values,
        )
        if shrunk:
            arrays, values = _arrays(shrunk, _KEY_TYPES)
            match = " AND ".join(f"r.{c} = k.{c}" for c in UNIQUE)
            cursor.execute(
                f"DELETE FROM {table} r USING unnest({arrays}) "  # noqa: S608
                f"AS k({', '.join(KEY_COLUMNS)}) WHERE r.n = 0 AND {match}",
                values,
            )


def _insert_ledger(entries: list[Counted]) -> None:
    """The new ledger rows in one executemany (the ORM would split them into many INSERTs)."""
    if not entries:
        return
    table = connection.ops.quote_name(Counted._meta.db_table)
    columns = ("response_id", *LEDGER_FIELDS)
    rows = [tuple(getattr(e, c) for c in columns) for e in entries]
    if ARRAYS and connection.vendor == "postgresql":
        types: tuple[str, ...] = ("bigint", "bigint", "text", "bigint", "text", "text")
        types += ("date", "smallint", "bigint", "text", "smallint", "smallint", "smallint")
        types += ("boolean",)
        arrays, values = _arrays(rows, types)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608
                f"SELECT * FROM unnest({arrays})",
                values,
            )
        return
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608 - the model's own names
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def count_missed(*, since: datetime) -> int:
    """Count the responses completed since then that the ledger does not hold yet: the ones
    whose counting was lost (a web process stopped before it handed them to a worker)."""
    recent = response_selectors.completed_since(since)
    held = set(Counted.objects.filter(pk__in=recent).values_list("pk", flat=True))
    return reconcile(response_ids=[i for i in recent if i not in held])


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


# PostgreSQL: reconciles share this lock and a rebuild's clearing takes it alone, so a
# reconcile can never commit between the rebuild's two deletes (SQLite has one writer anyway).
REBUILD_LOCK = 0x766F78616E  # "voxan"


def _lock(shared: bool) -> None:
    if connection.vendor == "postgresql":
        kind = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {kind}(%s)", [REBUILD_LOCK])


def _reconcile(ids: list[int]) -> int:
    with transaction.atomic():
        _lock(shared=True)
        old = {c.response_id: c for c in Counted.objects.select_for_update().filter(pk__in=ids)}
        rows = response_selectors.rows_for_counting(ids)
        comment_keys = text_question_keys({r["survey_id"] for r in rows})
        zones = {o: tenancy_selectors.time_zones(o) for o in {r["organization_id"] for r in rows}}
        new = {r["id"]: _entry(r, comment_keys, zones[r["organization_id"]]) for r in rows}
        deltas: dict[RollupKey, list[int]] = {}
        # An archived entry's response was deleted by retention: its counts are final.
        changed = [
            i
            for i in ids
            if not (i in old and old[i].archived) and not _same(old.get(i), new.get(i))
        ]
        for i in changed:
            if i in old:
                _accumulate(deltas, old[i], -1)
            if i in new:
                _accumulate(deltas, new[i], +1)
        _apply(deltas)
        Counted.objects.filter(pk__in=[i for i in changed if i in old]).delete()
        _insert_ledger([new[i] for i in changed if i in new])
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
        _lock(shared=True)
        entries = list(
            Counted.objects.select_for_update()
            .filter(organization_id=organization_id, archived=True)
            .filter(subtree_q(old_path, "unit_path"))
        )
        deltas: dict[RollupKey, list[int]] = {}
        for entry in entries:
            _accumulate(deltas, entry, -1)
            entry.unit_path = new_path + entry.unit_path[len(old_path) :]
            _accumulate(deltas, entry, +1)
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
        entries = list(archived.filter(pk__gt=last).order_by("pk")[:chunk])
        if not entries:
            return added
        deltas: dict[RollupKey, list[int]] = {}
        for entry in entries:
            _accumulate(deltas, entry, +1)
        with transaction.atomic():
            _lock(shared=True)
            _apply(deltas)
        added += len(entries)
        last = entries[-1].pk


def rebuild(
    *,
    organization_id: int,
    progress: Callable[[int, int], None] | None = None,
    workers: int = 2,
) -> int:
    """Recompute an organisation's rollups from its raw responses; returns responses counted.
    PostgreSQL does it in set-based SQL (`set_rebuild`, decision 0047, `workers` connections
    by unit-path range); SQLite, the embedded default, reconciles in Python."""
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
        _lock(shared=False)
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


# --- saved views (decision 0025) -------------------------------------------------------------


def _view_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise InvalidInput("Give the view a name of at most 120 characters.", field="name")
    return name


def _view_query(query: str) -> str:
    from voxloop.analytics import filters
    from voxloop.errors import DomainError

    query = (query or "").lstrip("?")
    if len(query) > 1000 or "\x00" in query:
        raise InvalidInput("These filters are too long to save.", field="query")
    try:
        filters.parse(QueryDict(query))  # refuse a view that would not open
    except DomainError as error:
        raise InvalidInput(f"These filters do not open: {error.message}", field="query") from None
    return query


def _person(actor: Scope) -> int:
    """The user behind the scope: views belong to people, not to the system."""
    if actor.user_id is None:
        raise InvalidInput("Only a person saves, pins or subscribes to views.", field="owner")
    return actor.user_id


def _own(actor: Scope, view: SavedView) -> None:
    if view.owner_id != actor.user_id or view.organization_id != actor.organization_id:
        raise Forbidden("Only the owner of a view changes it.")


def save_view(*, actor: Scope, name: str, query: str, pinned: bool = False) -> SavedView:
    actor.require(Capability.VIEW)
    name, query = _view_name(name), _view_query(query)
    with transaction.atomic():
        view = SavedView.objects.create(
            organization_id=actor.organization_id,
            owner_id=_person(actor),
            unit_id=actor.unit_id,
            name=name,
            query=query,
        )
        if pinned:
            view.pinned_by.add(_person(actor))
        record_audit(
            actor=actor,
            action="analytics.view_saved",
            target=view,
            changes={"name": name, "query": query},
        )
    return view


def update_view(
    *,
    actor: Scope,
    view: SavedView,
    name: str | None = None,
    query: str | None = None,
    shared: bool | None = None,
    published_role: str | None = None,
) -> SavedView:
    """Rename, refilter, share with the unit or publish to a role (admins only); sharing and
    publishing are audited."""
    _own(actor, view)
    changes: dict[str, Any] = {}
    if name is not None and name.strip() != view.name:
        changes["name"] = view.name = _view_name(name)
    if query is not None and query != view.query:
        changes["query"] = view.query = _view_query(query)
    if shared is not None and shared != view.shared:
        changes["shared"] = view.shared = shared
    if published_role is not None and published_role != view.published_role:
        actor.require(Capability.CONFIGURE)
        if published_role and published_role not in Role.values:
            raise InvalidInput(f"'role' must be one of {', '.join(Role.values)}.", "published_role")
        changes["published_role"] = view.published_role = published_role
    if not changes:
        return view
    if ("shared" in changes or "published_role" in changes) and view.unit_id is None:
        view.unit_id = actor.unit_id  # saved before views had a unit: the owner's own
    action = (
        "analytics.view_published"
        if "published_role" in changes
        else "analytics.view_shared"
        if "shared" in changes
        else "analytics.view_changed"
    )
    with transaction.atomic():
        view.save()
        record_audit(actor=actor, action=action, target=view, changes=changes)
    return view


def delete_view(*, actor: Scope, view: SavedView) -> None:
    _own(actor, view)
    with transaction.atomic():
        record_audit(
            actor=actor, action="analytics.view_deleted", target=view, changes={"name": view.name}
        )
        view.delete()


def pin_view(*, actor: Scope, view: SavedView, pinned: bool) -> None:
    """Pin a view the reader can see (selectors.saved_view) to their home, or unpin it."""
    if pinned:
        view.pinned_by.add(_person(actor))
    else:
        view.pinned_by.remove(_person(actor))


def subscribe_view(*, actor: Scope, view: SavedView, frequency: str) -> ViewDigest | None:
    """The reader's email digest of a view they can see: weekly, monthly, or "" for none. It is
    read under the membership that subscribed, like the page."""
    if actor.membership_id is None:
        raise InvalidInput("Only a person with a membership gets digests.", "frequency")
    if not frequency:
        ViewDigest.objects.filter(view=view, membership_id=actor.membership_id).delete()
        return None
    if frequency not in Frequency.values:
        choices = ", ".join(Frequency.values)
        raise InvalidInput(f"'frequency' must be one of {choices}.", "frequency")
    digest, _ = ViewDigest.objects.update_or_create(
        view=view, membership_id=actor.membership_id, defaults={"frequency": frequency}
    )
    return digest
