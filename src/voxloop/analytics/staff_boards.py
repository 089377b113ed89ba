"""Staff boards: the dashboard's staff table for preset periods, worked out ahead (decision
0053, the step decision 0048 proposed).

Ranking the staff of a large node needs every person's sums over the period: O(staff in
scope), ~0.5 s for the director's 19,490 people over 12 months. What the page shows of it is
bounded (the first `LIMIT` ranked and the `LIMIT` with too few answers), so for the periods
people open most (every preset: last 7/30/90/365 days, this/last week, month, quarter,
year, month and year to date) the table is stored as a `StaffBoard` row, computed by the
same selector the live read uses (`selectors.staff_leaderboard`), and the page reads that
one row, showing when it was worked out.

- A board is for one node *as one subtree's members see it* (`viewer_path`: tenancy's
  visible staff decide who may appear), one preset, metric, minimum n and set of surveys.
  Rows are relabelled through tenancy's `staff_names` under the reader's scope when read,
  so a name change shows at once and a person out of the reader's reach never does.
- A board is used only for the very days the reader's period covers today and while it is
  younger than `USABLE_FOR`; otherwise the page reads live and stores what it read, so the
  next reader gets the board. Custom ranges, channel/origin/segment/comment filters and
  employee surveys always read live.
- The periodic task (`refresh_due`) recomputes boards older than `REFRESH_AFTER`, drops
  those nobody read for `FORGET_AFTER`, and seeds every preset's board for each unit with
  at least `SEED_MIN_STAFF` staff before anyone asks (their first reader would otherwise
  wait for the live read).
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from voxloop.analytics import selectors
from voxloop.analytics.filters import min_sample, parse
from voxloop.analytics.models import StaffBoard
from voxloop.analytics.periods import PRESETS
from voxloop.errors import NotFound
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.models import Role
from voxloop.tenancy.scoping import Scope

LIMIT = 20  # rows of each list, as selectors.staff_leaderboard's default
REFRESH_AFTER = timedelta(minutes=10)
USABLE_FOR = timedelta(hours=1)  # a worker that is down: the page falls back to live reads
FORGET_AFTER = timedelta(days=7)
SEED_MIN_STAFF = 200
SEED_METRIC = "nps"


def eligible(ctx: selectors.Context) -> bool:
    """Whether the context's staff table may come from a board: a preset period over the
    rollups, no filter a board does not know."""
    f = ctx.filters
    return not (
        ctx.anonymous
        or ctx.from_responses
        or f.period not in PRESETS
        or f.channel
        or f.origin
        or f.cycle
    )


def _surveys_key(survey_ids: tuple[int, ...]) -> str:
    return hashlib.sha256(",".join(map(str, sorted(survey_ids))).encode()).hexdigest()


def _key(ctx: selectors.Context) -> dict[str, Any]:
    return {
        "organization_id": ctx.scope.organization_id,
        "node_path": ctx.node.path,
        "viewer_path": ctx.scope.unit_path,
        "period": ctx.filters.period,
        "metric": ctx.metric,
        "min_n": ctx.filters.min_n,
        "surveys_key": _surveys_key(ctx.survey_ids),
    }


def leaderboard(ctx: selectors.Context) -> dict[str, Any]:
    """The payload's staff table: from the context's board when it is usable, else read
    live (and stored as the board when the context may have one). `as_of` says when a
    board was worked out (None: read just now; absent for employee surveys' empty table)."""
    if ctx.anonymous:  # employee answers are never tied to a person: no table to date
        return selectors.staff_leaderboard(ctx, LIMIT)
    if not eligible(ctx):
        return {**selectors.staff_leaderboard(ctx, LIMIT), "as_of": None}
    now = timezone.now()
    found = StaffBoard.objects.filter(**_key(ctx)).first()
    f = ctx.filters
    if (
        found is not None
        and (found.start, found.end) == (f.start, f.end)
        and now - found.computed_at <= USABLE_FOR
    ):
        if now - found.read_at > timedelta(hours=1):  # one write an hour, not one a read
            StaffBoard.objects.filter(pk=found.pk).update(read_at=now)
        return shown(ctx.scope, found.board, found.computed_at)
    board = selectors.staff_leaderboard(ctx, LIMIT)
    store(ctx, board, now)
    return {**board, "as_of": None}


def shown(scope: Scope, board: dict[str, Any], as_of: datetime) -> dict[str, Any]:
    """A stored board under the reader's scope: current names, only people in reach."""
    rows = [*board.get("ranked", []), *board.get("too_few", [])]
    names = tenancy_selectors.staff_names(scope, [int(r["key"]) for r in rows])

    def relabel(part: str) -> list[dict[str, Any]]:
        return [
            {**r, "label": str(names[int(r["key"])])}
            for r in board.get(part, [])
            if int(r["key"]) in names
        ]

    return {"ranked": relabel("ranked"), "too_few": relabel("too_few"), "as_of": as_of.isoformat()}


def store(ctx: selectors.Context, board: dict[str, Any], at: datetime) -> None:
    """Keep `board` (read at `at`) as the context's board; a concurrent writer's wins ties."""
    f = ctx.filters
    values = {
        "node_id": ctx.node.pk,
        "viewer_id": ctx.scope.unit_id,
        "surveys": sorted(ctx.survey_ids),
        "start": f.start,
        "end": f.end,
        "board": board,
        "computed_at": at,
        "read_at": at,
    }
    try:
        with transaction.atomic():
            StaffBoard.objects.update_or_create(**_key(ctx), defaults=values)
    except IntegrityError:  # another process stored the same board first: keep theirs
        pass


def _context(row: StaffBoard) -> selectors.Context | None:
    """The context a stored board was read under (None: its units moved or went away)."""
    scope = Scope(
        organization_id=row.organization_id,
        unit_id=row.viewer_id,
        unit_path=row.viewer_path,
        role=Role.VIEWER,
        actor_label="staff boards",
    )
    params = {"period": row.period, "unit": str(row.node_id), "metric": row.metric}
    try:
        viewer = tenancy_selectors.unit(scope, row.viewer_id)  # not found once it moved
        ctx = selectors.context(scope, parse({**params, "min_n": str(row.min_n)}))
    except NotFound:
        return None
    if ctx.node.path != row.node_path or viewer.path != row.viewer_path:
        return None
    return replace(ctx, survey_ids=tuple(row.surveys))


def refresh(row: StaffBoard) -> bool:
    """Work the board out again from the rollups (False: dropped, its units moved)."""
    ctx = _context(row)
    if ctx is None or not eligible(ctx):
        row.delete()
        return False
    store(ctx, selectors.staff_leaderboard(ctx, LIMIT), timezone.now())
    return True


def seed(organization_id: int) -> int:
    """Every preset's board (default metric, minimum n, surveys) of each unit with at least
    `SEED_MIN_STAFF` staff, as its own members see it, where none is stored yet."""
    made = 0
    for unit_id, path in tenancy_selectors.units_with_many_staff(organization_id, SEED_MIN_STAFF):
        scope = Scope(organization_id, unit_id, path, Role.VIEWER, actor_label="staff boards")
        for period in PRESETS:
            params = {"period": period, "metric": SEED_METRIC, "min_n": str(min_sample())}
            ctx = selectors.context(scope, parse(params))
            if not eligible(ctx) or StaffBoard.objects.filter(**_key(ctx)).exists():
                continue
            store(ctx, selectors.staff_leaderboard(ctx, LIMIT), timezone.now())
            made += 1
    return made


def refresh_due(now: datetime | None = None, limit: int = 200) -> int:
    """The periodic task's work: forget unread boards, seed the busy units' boards, and
    recompute the oldest boards past `REFRESH_AFTER` (at most `limit`). How many were
    worked out."""
    now = now or timezone.now()
    StaffBoard.objects.filter(read_at__lt=now - FORGET_AFTER).delete()
    done = 0
    for organization in tenancy_selectors.organizations():
        done += seed(organization.pk)
    stale = StaffBoard.objects.filter(computed_at__lt=now - REFRESH_AFTER).order_by("computed_at")
    for row in stale[:limit]:
        done += refresh(row)
    return done
