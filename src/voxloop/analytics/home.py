"""The home page of anyone who reads figures: the answer, not a menu (issue 16, decision 0025).

One composition for every scope — a store, a region, a country, the company, a B2B team: the
headline KPIs of the reader's own subtree with interval, change and significance; the units
below that moved most, up and down, significant ones first (Benjamini–Hochberg over every
unit tested, as the dashboard's tables); the reader's open and overdue cases; the newest
comments (the dashboard's own read: masked, none for a role that reads aggregates only,
none for anonymous surveys); one link to each deeper view; and the saved views the reader
pinned. Every part reads a bounded stretch: one node's rollups, the rollups of the units
one and two levels down, the first few cases and comments of an indexed range.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import timedelta
from typing import Any

from django.db.models import Case as SqlCase
from django.db.models import IntegerField, Q, Sum, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from voxloop.analytics import comparisons, hooks, metrics, response_reads, selectors
from voxloop.analytics.filters import Filters
from voxloop.analytics.metrics import COUNT_FIELDS, Counts
from voxloop.analytics.models import Rollup
from voxloop.closedloop import selectors as case_selectors
from voxloop.errors import Forbidden
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.models import subtree_q
from voxloop.tenancy.scoping import Capability, Scope

MOVERS_SHOWN = 5  # up and down each
MOVER_LEVELS = 2  # the units one and two levels below the reader's
CASES_SHOWN = 5
COMMENTS_SHOWN = 5
RECENT_DAYS = 7  # newest comments are looked for in the period's last week first
# What the home may take from its address: the period and what it is compared with.
HOME_PARAMS = ("period", "start", "end", "compare", "min_n")


@dataclass(frozen=True)
class Home:
    unit: dict[str, Any]
    period: dict[str, Any]  # start, end, preset name, and the comparison's start and end
    headline: dict[str, Any]  # the survey the KPIs count, or how many were pooled
    kpis: list[dict[str, Any]]
    # up, down (rows), tested (how many units were compared), units_below (any at all)
    movers: dict[str, Any]
    cases: dict[str, Any] | None  # None: the reader's role has no cases
    comments: list[dict[str, Any]] | None  # None: the reader reads aggregates only
    links: list[dict[str, str]]
    # The reader's at-risk B2B accounts, their own book first (the health app answers the
    # `at_risk_accounts` hook); None for a reader who owns no accounts.
    at_risk: dict[str, Any] | None
    pinned: list[dict[str, Any]]  # the saved views the reader pinned: id, name, query
    generated_at: str = field(default_factory=lambda: timezone.now().isoformat())

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def home(scope: Scope, params: Any) -> Home:
    """The reader's home: the filters of `params` are the period and comparison only (the home
    is always the reader's own scope), with their role's default period otherwise."""
    chosen = {k: params.get(k) for k in HOME_PARAMS if params.get(k)}
    ctx = selectors.context_from(scope, chosen)
    f = ctx.filters
    before = f.previous()
    query = {k: v for k, v in f.as_query().items() if k in ("period", "start", "end", "compare")}
    return Home(
        unit={"unit_id": ctx.node.pk, "name": ctx.node.name, "kind": ctx.node.kind},
        period={
            "period": f.period,
            "start": f.start.isoformat(),
            "end": f.end.isoformat(),
            "compare": f.compare,
            "compare_start": before.start.isoformat(),
            "compare_end": before.end.isoformat(),
            "includes_today": comparisons.partial_period(ctx)["includes_today"],
        },
        headline=(
            {"survey_id": ctx.headline[0], "survey": ctx.headline[1], "pooled": False}
            if ctx.headline
            else {"pooled": len(ctx.survey_ids) > 1, "surveys": len(ctx.survey_ids)}
        ),
        kpis=selectors.kpis(ctx) if ctx.survey_ids else [],
        movers=movers(ctx),
        cases=cases(scope),
        comments=newest_comments(ctx),
        links=links(scope, ctx.node.pk, urlencode(query)),
        at_risk=at_risk_accounts(scope),
        pinned=[
            {"view_id": v.pk, "name": v.name, "query": v.query}
            for v in selectors.pinned_views(scope)
        ],
    )


def _level_counts(ctx: selectors.Context, period: Filters) -> dict[str, Counts]:
    """Counts of every unit one and two levels below the node: per level, one range of the
    `rollup_children_part` index (a depth range would scan every level of the subtree)."""
    sums = {name: Sum(name) for name in COUNT_FIELDS}
    out: dict[str, Counts] = {}
    for level in range(1, MOVER_LEVELS + 1):
        rows = Rollup.objects.filter(
            subtree_q(ctx.node.path, "node_path"),
            selectors.period_q(period),  # whole months by month (decision 0053)
            organization_id=ctx.scope.organization_id,
            depth=ctx.node.depth + level,
            survey_id__in=ctx.survey_ids,
        )
        if period.channel:
            rows = rows.filter(channel=period.channel)
        if period.origin:
            rows = rows.filter(origin=period.origin)
        grouped = rows.values("node_path").annotate(**sums).order_by()
        out.update({r["node_path"]: Counts.of(dict(r)) for r in grouped})
    return out


def movers(ctx: selectors.Context) -> dict[str, Any]:
    """The units below that moved most since the comparison period, each change tested and the
    flags controlled for the false-discovery rate over every unit tested; significant ones
    first, then by size of the change. Units with too few answers on either side are left
    out (no change is claimed for them)."""
    below = tenancy_selectors.visible_units(ctx.scope, parent_id=ctx.node.pk).exists()
    empty: dict[str, Any] = {
        "up": [],
        "down": [],
        "tested": 0,
        "metric": ctx.metric,
        "units_below": below,
    }
    # Anonymous figures follow the anonymity rule per node and month; raw-response filters
    # (segments, comment filters) have no rollups by unit: both stay on the dashboard.
    if ctx.anonymous or ctx.from_responses or not ctx.survey_ids:
        return empty
    if ctx.headline:
        ctx = replace(ctx, survey_ids=(ctx.headline[0],))
    metric = ctx.metric if ctx.metric not in comparisons.COUNT_METRICS else "nps"
    now, before = _level_counts(ctx, ctx.filters), _level_counts(ctx, ctx.filters.previous())
    changes = {
        path: metrics.change(metric, counts, before.get(path, Counts()), ctx.filters.min_n)
        for path, counts in now.items()
    }
    deltas = {p: c.delta for p, c in changes.items() if c.delta is not None}
    if not deltas:
        return {**empty, "metric": metric}
    flags = comparisons.controlled({p: changes[p] for p in deltas})
    order = sorted(deltas, key=lambda p: (not flags[p]["significant"], -abs(deltas[p])))
    up = [p for p in order if deltas[p] > 0][:MOVERS_SHOWN]
    down = [p for p in order if deltas[p] < 0][:MOVERS_SHOWN]
    units = {
        u.path: u
        for u in tenancy_selectors.visible_units(ctx.scope)
        .filter(path__in=up + down)
        .only("id", "name", "kind", "path")
    }

    def row(path: str) -> dict[str, Any]:
        unit = units[path]
        figure = metrics.figure(metric, now[path], ctx.filters.min_n).as_dict()
        return {
            "unit_id": unit.pk,
            "name": unit.name,
            "kind": unit.kind,
            **figure,
            **{"change": flags[path]},
        }

    return {
        **empty,
        "up": [row(p) for p in up if p in units],
        "down": [row(p) for p in down if p in units],
        "tested": len(deltas),
        "metric": metric,
    }


def newest_comments(ctx: selectors.Context) -> list[dict[str, Any]] | None:
    """The newest few comments of the period (the dashboard's read: masked, None for a role
    that reads aggregates only): first from its last week, a short index range, and from
    the whole period only when that week holds too few."""
    f = ctx.filters
    recent = replace(f, start=max(f.start, f.end - timedelta(days=RECENT_DAYS - 1)))
    found = response_reads.verbatims(replace(ctx, filters=recent), limit=COMMENTS_SHOWN)
    if found is None or len(found) == COMMENTS_SHOWN or recent.start == f.start:
        return found
    return response_reads.verbatims(ctx, limit=COMMENTS_SHOWN)


def at_risk_accounts(scope: Scope) -> dict[str, Any] | None:
    try:
        return hooks.call("at_risk_accounts", scope)
    except Forbidden:
        return None


CALL_PRIORITIES = ("high", "urgent")


def cases(scope: Scope) -> dict[str, Any] | None:
    """The reader's open and overdue cases (an agent's own, everyone else's in their subtree):
    how many, and the most urgent few — calls to action first (high or urgent cases assigned
    to the reader: a B2B account's health falling across a band opens one for its owner)."""
    try:
        open_cases = case_selectors.visible_cases(scope, box="open")
        overdue = case_selectors.visible_cases(scope, box="overdue")
    except Forbidden:
        return None
    calls = Q(assignee_id=scope.user_id, priority__in=CALL_PRIORITIES)
    first = SqlCase(When(calls, then=Value(0)), default=Value(1), output_field=IntegerField())
    open_cases = open_cases.annotate(call_first=first).order_by("call_first", "due_at", "-id")
    return {
        "open": open_cases.count(),
        "overdue": overdue.count(),
        "items": [
            {
                "id": c.pk,
                "title": c.title,
                "unit": c.unit.name if c.unit else "",
                "status": c.status,
                "status_label": str(c.get_status_display()),
                "priority": c.priority,
                "due_at": c.due_at.isoformat() if c.due_at else None,
                "overdue": c.due_at is not None and c.due_at < timezone.now(),
                "call": c.assignee_id == scope.user_id and c.priority in CALL_PRIORITIES,
            }
            for c in open_cases[:CASES_SHOWN]
        ],
    }


def links(scope: Scope, unit_id: int, query: str) -> list[dict[str, str]]:
    """One link to each deeper view the reader's role opens."""
    suffix = f"?{query}" if query else ""
    out = [
        {"name": "unit", "url": reverse("web:unit", args=[unit_id])},
        {"name": "dashboard", "url": reverse("analytics:dashboard") + suffix},
        {"name": "drivers", "url": reverse("analytics:drivers") + suffix},
        {"name": "saved_views", "url": reverse("analytics:views")},
    ]
    if scope.can(Capability.READ_RECORDS):
        out.append({"name": "text", "url": reverse("textanalytics:insights") + suffix})
    if case_selectors.can_read_cases(scope):
        out.append({"name": "cases", "url": reverse("closedloop:inbox")})
    out.append({"name": "units", "url": reverse("web:units")})
    if scope.can(Capability.CONFIGURE):
        out.append({"name": "people", "url": reverse("web:people")})
        out.append({"name": "audit", "url": reverse("web:audit")})
    return out
