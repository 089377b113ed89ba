"""Scoped dashboard reads from the rollups: KPIs, trends, unit drill-down, breakdowns.

Every read starts from `context(scope, filters)`, which resolves the unit inside the scope
(a unit outside it is "not found") and the surveys the figures count. The rollup rows read are
those of that one node (or its direct children), so the cost follows the period and the
number of children, not the size of the organisation.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import ExtractIsoWeekDay

from voxloop.analytics import anonymity, comparisons, hooks, metrics, own_counts, raw_counts
from voxloop.analytics.filters import Filters
from voxloop.analytics.metrics import COUNT_FIELDS, Counts
from voxloop.analytics.models import BELOW_FACETS, STAFF_FACETS, Facet, Rollup, SavedView
from voxloop.contacts import selectors as contact_selectors
from voxloop.errors import Forbidden, InvalidInput
from voxloop.responses.models import Origin
from voxloop.surveys import selectors as survey_selectors
from voxloop.surveys.models import ANONYMOUS_KINDS
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.models import PATH_SEGMENT_WIDTH, OrgUnit, ancestor_paths, subtree_q
from voxloop.tenancy.scoping import Capability, Scope

SUMS = {name: Sum(name) for name in COUNT_FIELDS}


@dataclass(frozen=True)
class Context:
    scope: Scope
    filters: Filters
    node: OrgUnit
    survey_ids: tuple[int, ...]
    anonymous: bool  # employee surveys: figures follow the anonymity rule (decision 0016)
    # With a segment filter: its members' ids (a subquery); the figures then come from the
    # responses themselves, as the rollups do not know who answered.
    segment_members: QuerySet | None = None
    # Anonymous surveys: which nodes may show which months (anonymity.Release).
    release: anonymity.Release | None = None
    # Every time zone counted in under the node ("" for the server's): more than one and
    # each answer's day and hour are its own unit's local ones.
    zones: frozenset[str] = frozenset()
    # All surveys: the programme's headline survey (id, name) the KPI cards show, if chosen.
    headline: tuple[int, str] | None = None
    # With a comment filter (sentiment, theme): the ids of the responses it keeps (text
    # analytics' `text_filter` hook); the figures then come from the responses themselves.
    narrowed: QuerySet | None = None

    @property
    def from_responses(self) -> bool:
        return self.segment_members is not None or self.narrowed is not None

    @property
    def metric(self) -> str:
        return "enps" if self.anonymous and self.filters.metric == "nps" else self.filters.metric


def context(scope: Scope, filters: Filters) -> Context:
    scope.require(Capability.VIEW)
    if filters.unit_id:
        node = tenancy_selectors.unit(scope, filters.unit_id)
    else:
        node = tenancy_selectors.scope_root(scope)
    if filters.survey_id:
        chosen = survey_selectors.survey(scope, filters.survey_id)
        ids: tuple[int, ...] = (chosen.pk,)
        anonymous = chosen.is_anonymous
        headline = None
    else:
        anonymous = filters.metric == "enps"
        kinds = survey_selectors.counted_surveys(scope).values_list("id", "kind")
        ids = tuple(i for i, kind in kinds if (kind in ANONYMOUS_KINDS) == anonymous)
        primary = survey_selectors.headline_survey(scope, anonymous)
        headline = (primary.pk, primary.name) if primary else None
    zones = tenancy_selectors.time_zones(scope.organization_id)
    filters = filters.in_zone(tenancy_selectors.zone_of(zones, node.path))
    below = {z for p, z in zones.items() if p.startswith(node.path)} | {filters.zone}
    members = None
    if filters.segment_id:
        if anonymous:
            raise InvalidInput(
                "Employee surveys are anonymous: they cannot be filtered by a segment.",
                field="segment",
            )
        members = contact_selectors.segment_member_ids(scope, filters.segment_id)
    if filters.sentiment or filters.theme_id:
        if anonymous:
            raise InvalidInput(
                "Employee surveys are anonymous: they cannot be filtered by what was written.",
                field="sentiment" if filters.sentiment else "theme",
            )
        narrowed = hooks.call("text_filter", scope, filters)
        return Context(
            scope,
            filters,
            node,
            ids,
            anonymous,
            members,
            zones=frozenset(below),
            headline=headline,
            narrowed=narrowed,
        )
    if not anonymous:
        return Context(
            scope, filters, node, ids, anonymous, members, zones=frozenset(below), headline=headline
        )
    filters = anonymity.read_filters(filters)
    months = sorted({*filters.months(), *filters.previous().months()})
    root_path = node.path[:PATH_SEGMENT_WIDTH]
    release = anonymity.release(scope.organization_id, root_path, ids, months)
    return Context(scope, filters, node, ids, anonymous, None, release, frozenset(below), headline)


def refuse_for_anonymous(ctx: Context, dimension: str, field: str = "by") -> None:
    if ctx.anonymous:
        anonymity.refuse_breakdown(dimension, field)


def _node(ctx: Context, facet: str) -> Q:
    """The rows of the context's node for this facet: its own row, or for a staff facet,
    kept at each response's own unit only, every row of its subtree (decision 0051)."""
    if facet in STAFF_FACETS:
        return subtree_q(ctx.node.path, "node_path")
    return Q(node_path=ctx.node.path)


def _rows(
    ctx: Context, facet: str = Facet.TOTAL, period: Filters | None = None, by_day: bool = False
) -> QuerySet:
    """The node's rows of one facet in the period; totals not wanted by day come from whole
    months' rows where the period has them (`period_q`)."""
    f = period or ctx.filters
    days = Q(facet=facet, day__gte=f.start, day__lte=f.end)
    if facet == Facet.TOTAL and not by_day:
        days = period_q(f)
    rows = Rollup.objects.filter(
        days,
        _node(ctx, facet),
        organization_id=ctx.scope.organization_id,
        survey_id__in=ctx.survey_ids,
    )
    return _narrowed(rows, f)


def period_q(f: Filters) -> Q:
    """The total rows that sum to the period once: its whole months' rows by month, the days
    before and after them by day (decision 0053): O(months + ragged days), not O(days)."""
    months, ends = month_tiling(f)
    q = Q(facet=Facet.TOTAL_MONTH, day__in=months) if months else Q()
    for start, end in ends:
        q |= Q(facet=Facet.TOTAL, day__gte=start, day__lte=end)
    return q


def month_tiling(f: Filters | hooks.DashboardFilters) -> tuple[list[date], list[tuple[date, date]]]:
    """The period's whole months, and the non-empty day ranges before and after them (the
    whole period when it holds no whole month)."""
    months = tiles(f.start, f.end)[2]
    if not months:
        return [], [(f.start, f.end)]
    ends = [(f.start, months[0] - timedelta(days=1)), (_month_after(months[-1]), f.end)]
    return months, [(start, end) for start, end in ends if start <= end]


def _narrowed(rows: QuerySet, f: Filters) -> QuerySet:
    """Rollup rows of the filters' channel and origin (rollups are kept per both)."""
    if f.channel:
        rows = rows.filter(channel=f.channel)
    return rows.filter(origin=f.origin) if f.origin else rows


def _children_rows(ctx: Context, parent: OrgUnit) -> QuerySet:
    f = ctx.filters
    rows = Rollup.objects.filter(
        subtree_q(parent.path, "node_path"),
        period_q(f),
        organization_id=ctx.scope.organization_id,
        depth=parent.depth + 1,
        survey_id__in=ctx.survey_ids,
    )
    return _narrowed(rows, f)


def _total(rows: QuerySet) -> Counts:
    return Counts.of(rows.aggregate(**SUMS))


def _grouped(rows: QuerySet, *by: str) -> dict[Any, Counts]:
    out = {}
    for row in rows.values(*by).annotate(**SUMS).order_by():
        key = row[by[0]] if len(by) == 1 else tuple(row[b] for b in by)
        out[key] = Counts.of(row)
    return out


def _period_total(ctx: Context, period: Filters | None = None) -> Counts:
    if ctx.from_responses:
        return raw_counts.total(ctx, period)
    return _total(_rows(ctx, period=period))


def _counts_by(ctx: Context, facet: str, *by: str) -> dict[Any, Counts]:
    if ctx.from_responses:
        return raw_counts.grouped(ctx, facet, *by)
    if facet == Facet.STAFF and by == ("value",):
        return _grouped(_staff_rows(ctx), "value")
    counts = _grouped(_rows(ctx, facet, by_day="day" in by), *by)
    if facet in BELOW_FACETS:  # the node's own responses: from the ledger (decision 0059)
        own_counts.add(counts, own_counts.grouped(ctx, facet, *by))
    return counts


def _month_after(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def tiles(start: date, end: date) -> tuple[list[date], list[date], list[date]]:
    """The days, weeks (their Mondays) and months (their first days) that cover start..end
    once each: whole months where they fit, whole weeks in what is left, days at the ends.
    A week runs into the next month only when that month is not taken whole."""
    days: list[date] = []
    weeks: list[date] = []
    months: list[date] = []
    one, d = timedelta(days=1), start
    while d <= end:
        following = _month_after(d)
        sunday = d + timedelta(days=6)
        if d.day == 1 and following - one <= end:
            months.append(d)
            d = following
        elif (
            d.weekday() == 0
            and sunday <= end
            and (sunday.month == d.month or _month_after(following) - one > end)
        ):
            weeks.append(d)
            d += timedelta(days=7)
        else:
            days.append(d)
            d += one
    return days, weeks, months


def _staff_rows(ctx: Context) -> QuerySet:
    """The staff rows of the period: by month, week and day as `tiles` covers it, of every
    unit in the node's subtree (they are kept at the response's own unit, decision 0051)."""
    f = ctx.filters
    days, weeks, months = tiles(f.start, f.end)
    rows = Rollup.objects.filter(
        Q(facet=Facet.STAFF, day__in=days)
        | Q(facet=Facet.STAFF_WEEK, day__in=weeks)
        | Q(facet=Facet.STAFF_MONTH, day__in=months),
        _node(ctx, Facet.STAFF),
        organization_id=ctx.scope.organization_id,
        survey_id__in=ctx.survey_ids,
    )
    return _narrowed(rows, f)


def _children_counts(ctx: Context, parent: OrgUnit) -> dict[str, Counts]:
    if ctx.from_responses:
        return raw_counts.children(ctx, parent)
    return _grouped(_children_rows(ctx, parent), "node_path")


def cell(
    ctx: Context,
    counts: Counts,
    metric: str | None = None,
    *,
    path: str | None = None,
    months: list[date] | None = None,
    survey_ids: tuple[int, ...] | None = None,
) -> dict[str, Any]:
    """One figure as the API and pages show it, anonymity applied: for an anonymous survey
    only when the node (`path`, else the context's) may show every month and survey the
    figure covers, and never an empty one (hidden and empty look alike)."""
    figure = metrics.figure(metric or ctx.metric, counts, ctx.filters.min_n)
    if ctx.release is not None:
        shown = ctx.release.shows(
            path or ctx.node.path,
            survey_ids or ctx.survey_ids,
            ctx.filters.months() if months is None else months,
        )
        if not shown or figure.n == 0:
            figure = metrics.suppress(figure)
    return figure.as_dict()


# --- KPIs ------------------------------------------------------------------------------------


def kpis(ctx: Context) -> list[dict[str, Any]]:
    """The headline figures with their change against the previous period: over all surveys,
    the programme's headline survey when an admin chose one, else every counted survey pooled
    answer by answer (the payload's `headline` says which)."""
    if ctx.headline:
        ctx = replace(ctx, survey_ids=(ctx.headline[0],))
    now, before = _period_total(ctx), _period_total(ctx, ctx.filters.previous())
    names = ["enps", "responses"] if ctx.anonymous else ["nps", "csat", "ces", "responses"]
    if not ctx.anonymous and ctx.filters.metric not in names:
        names.insert(0, ctx.filters.metric)
    cards: list[dict[str, Any]] = []
    earlier = ctx.filters.previous().months()
    first = comparisons.history_start(ctx)
    for name in names:
        current = cell(ctx, now, name)
        change = comparisons.kpi_change(ctx, name, now, before, first)
        hidden = current["suppressed"] or cell(ctx, before, name, months=earlier)["suppressed"]
        cards.append(
            {"metric": name, "figure": current, "change": None if hidden else change.as_dict()}
        )
    delivered, completed = hooks.call("delivered_invitations", ctx.scope, ctx.filters) or (0, 0)
    if delivered and not ctx.anonymous:
        rate = metrics.proportion("response_rate", min(completed, delivered), delivered)
        cards.append(
            {
                "metric": "response_rate",
                "figure": rate.as_dict(),
                "change": None,
                "provisional": comparisons.response_rate_provisional(ctx),
            }
        )
    return cards


def case_metrics(ctx: Context) -> dict[str, Any] | None:
    """The closed loop's case figures for the same scope and filters (its `case_metrics`
    provider), or None when no provider is registered, the reader's role has no cases, or the
    dashboard is an employee survey's (no cases are shown next to anonymous figures)."""
    if ctx.anonymous:
        return None
    try:
        return hooks.call("case_metrics", ctx.scope, ctx.filters)
    except Forbidden:
        return None


def totals(ctx: Context) -> Counts:
    return _period_total(ctx)


def staff_entered(ctx: Context) -> int | None:
    """How many of the answers counted were entered by staff (None when the origin filter
    already decides, or for anonymous surveys, whose counts stay in groups)."""
    if ctx.filters.origin or ctx.anonymous:
        return None
    return _period_total(ctx, replace(ctx.filters, origin=Origin.STAFF)).n


# --- time ------------------------------------------------------------------------------------


def bucket_start(day: date, grain: str) -> date:
    if grain == "week":
        return day - timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    if grain == "quarter":
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    return day


def trend(ctx: Context, grain: str | None = None) -> list[dict[str, Any]]:
    grain = grain or ctx.filters.grain
    buckets: dict[date, Counts] = defaultdict(Counts)
    for day, counts in _trend_rows(ctx, grain).items():
        buckets[bucket_start(day, grain)].add(counts)
    if ctx.release is None:
        points = [{"start": s.isoformat(), **cell(ctx, buckets[s])} for s in sorted(buckets)]
        return comparisons.mark_partial(points, ctx, grain)
    # Anonymous: every month or quarter of the period, so a hidden one shows no key of its own.
    months: dict[date, list[date]] = defaultdict(list)
    for month in ctx.filters.months():
        months[bucket_start(month, grain)].append(month)
    return [
        {"start": start.isoformat(), **cell(ctx, buckets[start], months=months[start])}
        for start in sorted(months)
    ]


def _trend_rows(ctx: Context, grain: str) -> dict[date, Counts]:
    """Counts keyed by a day in the bucket they fall in. Months and quarters are made of
    whole months: those come from the month rows (keyed by their first day, still in the
    same bucket) and only the ragged ends by day, O(months + ragged days) not O(days)."""
    if grain in ("month", "quarter") and not ctx.from_responses:
        return _grouped(_rows(ctx), "day")  # `period_q`: month rows and the days around them
    return _counts_by(ctx, Facet.TOTAL, "day")


Grid = list[list[Counts]]


def by_weekday(ctx: Context, grid: Grid | None = None) -> list[dict[str, Any]]:
    """The metric by weekday (Monday 0). From the heat map's `week_hour_counts` when the
    caller has them (each answer is in one hour of its day: the hours sum to the day), so
    the dashboard reads the period once for both; else from the total rows by day."""
    refuse_for_anonymous(ctx, "weekday")
    days: dict[int, Counts] = defaultdict(Counts)
    if grid is not None:
        for weekday, hours in enumerate(grid):
            for counts in hours:
                days[weekday].add(counts)
    else:
        for day, counts in _counts_by(ctx, Facet.TOTAL, "day").items():
            days[day.weekday()].add(counts)
    return [{"key": d, **cell(ctx, days[d])} for d in range(7)]


def week_hour_counts(ctx: Context) -> Grid:
    """Weekday (Monday first) × hour of day: the counts of each cell."""
    refuse_for_anonymous(ctx, "weekday and hour", field="survey")
    grid = [[Counts() for _ in range(24)] for _ in range(7)]
    if ctx.from_responses:
        for (day, hour), counts in _counts_by(ctx, Facet.HOUR, "day", "value").items():
            grid[day.weekday()][int(hour)].add(counts)
    else:
        for (weekday, hour), counts in _week_hours(ctx).items():
            grid[weekday][hour].add(counts)
    return grid


def heatmap(ctx: Context, grid: Grid | None = None) -> list[list[dict[str, Any]]]:
    """Weekday (Monday first) × hour of day: n and the metric in each cell."""
    grid = week_hour_counts(ctx) if grid is None else grid
    return [[cell(ctx, c) for c in row] for row in grid]


def _week_hours(ctx: Context) -> dict[tuple[int, int], Counts]:
    """(weekday, hour) → counts of the period: its whole months from the hour-of-the-week
    rows by month (168 keys a month), its ragged ends from the hour rows by day, summed by
    weekday in the database (decision 0053): O(months + ragged days), not O(days × 24)."""
    f = ctx.filters
    months, ends = month_tiling(f)
    out: dict[tuple[int, int], Counts] = defaultdict(Counts)
    if months:
        rows = _narrowed(
            Rollup.objects.filter(
                organization_id=ctx.scope.organization_id,
                node_path=ctx.node.path,
                facet=Facet.WEEK_HOUR_MONTH,
                day__in=months,
                survey_id__in=ctx.survey_ids,
            ),
            f,
        )
        for value, counts in _grouped(rows, "value").items():
            out[divmod(int(value), 24)].add(counts)
    for start, end in ends:
        days = replace(f, start=start, end=end)
        rows = _rows(ctx, Facet.HOUR, days).annotate(weekday=ExtractIsoWeekDay("day"))
        for (weekday, hour), counts in _grouped(rows, "weekday", "value").items():
            out[(weekday - 1, int(hour))].add(counts)
    own = own_counts.grouped(ctx, Facet.HOUR, "weekday", "value")
    for (weekday, hour), counts in own.items():  # the node's own responses (decision 0059)
        out[(weekday - 1, int(hour))].add(counts)
    return out


# --- the unit tree ---------------------------------------------------------------------------


def _unit_cells(ctx: Context, parent: OrgUnit) -> list[dict[str, Any]]:
    counts = _children_counts(ctx, parent)
    children = list(
        tenancy_selectors.visible_units(ctx.scope, parent_id=parent.pk).only(
            "id", "name", "path", "kind", "code"
        )
    )
    if ctx.release is not None:
        ctx.release.prefetch([parent.path, *(u.path for u in children)])
    flags = (
        {}
        if ctx.release is not None
        else comparisons.flag_against_rest(
            ctx, {u.path: counts.get(u.path, Counts()) for u in children}, ctx.metric
        )
    )
    out = []
    for unit in children:
        c = counts.get(unit.path, Counts())
        figure = cell(ctx, c, path=unit.path)
        row = {"unit_id": unit.pk, "name": unit.name, "kind": unit.kind, **figure}
        out.append({**row, "vs_rest": flags.get(unit.path)})
    return out


def units(ctx: Context) -> dict[str, Any]:
    """The unit, its children (drill down), and — when the scope reaches that far — its parent
    and its siblings, to compare a unit with its peers."""
    node = ctx.node
    result: dict[str, Any] = {
        "unit": {"unit_id": node.pk, "name": node.name, **cell(ctx, totals(ctx))},
        "children": _unit_cells(ctx, node),
        "parent": None,
        "siblings": [],
    }
    if node.parent_id and node.pk != ctx.scope.unit_id:
        parent = tenancy_selectors.unit(ctx.scope, node.parent_id)  # in scope: we are below it
        parent_ctx = replace(ctx, node=parent)
        result["parent"] = {
            "unit_id": parent.pk,
            "name": parent.name,
            **cell(parent_ctx, totals(parent_ctx)),
        }
        result["siblings"] = [u for u in _unit_cells(ctx, parent) if u["unit_id"] != node.pk]
    return result


def unit_path_to(ctx: Context) -> list[dict[str, Any]]:
    """Breadcrumbs from the scope's own unit down to the one shown."""
    chain = tenancy_selectors.ancestors(ctx.scope, ctx.node)
    return [{"unit_id": u.pk, "name": u.name} for u in chain] + [
        {"unit_id": ctx.node.pk, "name": ctx.node.name}
    ]


# --- dimensions ------------------------------------------------------------------------------

TEXT_DIMENSIONS = ("sentiment", "theme")  # from text analytics (`text_dimension` hook)
DIMENSIONS = (
    "unit",
    "survey",
    "channel",
    "staff",
    "language",
    "hour",
    "weekday",
    *("day", "week", "month", "quarter"),
    *TEXT_DIMENSIONS,
    "persona",  # the health app's personas and tiers (`audience_groups` hook)
    "tier",
)


def by_dimension(ctx: Context, dimension: str) -> list[dict[str, Any]]:
    """One row per value of the dimension: key, label and the metric's figure."""
    refuse_for_anonymous(ctx, dimension)
    if dimension in TEXT_DIMENSIONS:
        return hooks.call("text_dimension", ctx, dimension) or []
    if dimension in ("persona", "tier"):
        from voxloop.analytics.audiences import by_audience

        return by_audience(ctx, dimension) or []
    if dimension in ("day", "week", "month", "quarter"):
        return [{"key": r["start"], "label": r["start"], **r} for r in trend(ctx, dimension)]
    if dimension == "weekday":
        return by_weekday(ctx)
    if dimension == "unit":
        return [{"key": u["unit_id"], "label": u["name"], **u} for u in units(ctx)["children"]]
    if dimension == "survey":
        groups = _counts_by(ctx, Facet.TOTAL, "survey_id")
        names = dict(
            survey_selectors.visible_surveys(ctx.scope)
            .filter(pk__in=groups)
            .values_list("id", "name")
        )
    elif dimension == "channel":
        groups = _counts_by(ctx, Facet.TOTAL, "channel")
        names = {}
    elif dimension in ("staff", "language", "hour"):
        facet = {"staff": Facet.STAFF, "language": Facet.LOCALE, "hour": Facet.HOUR}[dimension]
        groups = _counts_by(ctx, facet, "value")
        if dimension == "staff":
            names = tenancy_selectors.staff_names(ctx.scope, [int(k) for k in groups])
            groups = {int(k): v for k, v in groups.items() if int(k) in names}  # in scope only
        elif dimension == "hour":
            groups = {int(k): v for k, v in groups.items()}
            names = {}
        else:
            names = {}
    else:
        raise ValueError(dimension)
    if dimension == "survey" and ctx.release is not None:
        groups = {s: groups.get(s, Counts()) for s in ctx.survey_ids}  # hidden or not: same keys
        names = dict(
            survey_selectors.visible_surveys(ctx.scope)
            .filter(pk__in=ctx.survey_ids)
            .values_list("id", "name")
        )
        rows = [
            {"key": k, "label": str(names.get(k, k)), **cell(ctx, c, survey_ids=(k,))}
            for k, c in groups.items()
        ]
        return sorted(rows, key=lambda r: str(r["key"]))
    flags = comparisons.flag_against_rest(ctx, groups, ctx.metric)
    rows = [
        {"key": k, "label": str(names.get(k, k)), **cell(ctx, c), "vs_rest": flags[k]}
        for k, c in groups.items()
    ]
    return sorted(rows, key=lambda r: str(r["key"]) if dimension != "hour" else r["key"])


def score_counts(ctx: Context) -> dict[str, int]:
    """How many answers gave each 0–10 score in the period (the score rollups, by value)."""
    rows = _rows(ctx, Facet.SCORE).values("value").annotate(k=Sum("nps_n")).order_by()
    out = {r["value"]: r["k"] for r in rows}
    # The node's own responses (decision 0059).
    for value, counts in own_counts.grouped(ctx, Facet.SCORE, "value").items():
        out[value] = out.get(value, 0) + counts.nps_n
    return out


def counts_by_survey(ctx: Context) -> dict[int, int]:
    """How many answers each survey has in the context's period (rollup totals)."""
    return {k: c.n for k, c in _counts_by(ctx, Facet.TOTAL, "survey_id").items()}


def staff_leaderboard(ctx: Context, limit: int = 20) -> dict[str, list[dict[str, Any]]]:
    """Staff with at least the minimum n, best first; the rest listed apart as too few.
    Every person in the node's staff rollups is ranked; only those shown become figures
    (`staff_board`, decision 0033)."""
    if ctx.anonymous:
        return {"ranked": [], "too_few": []}  # employee answers are never tied to a person
    if ctx.from_responses:
        rows = by_dimension(ctx, "staff")
        ranked = [r for r in rows if not r["low_sample"] and r["value"] is not None]
        ranked.sort(key=lambda r: (-r["value"], -r["n"]))
        ranked = comparisons.with_rank_intervals(ranked, first=limit)
        few = sorted((r for r in rows if r["low_sample"]), key=lambda r: -r["n"])
        return {"ranked": ranked, "too_few": few[:limit]}
    import numpy as np

    from voxloop.analytics import staff_board

    # The scope's staff only (a store manager ranks her subtree's people), filtered in the
    # database; fetched with the bare cursor: 20,000 rows of 14 sums through the ORM's
    # per-value converters cost more than the grouping itself (decision 0048).
    # Filtered after the grouping: one semi-join over the people, not over their rows.
    grouped = _staff_rows(ctx).values("value").annotate(**SUMS).order_by()
    try:
        sql, params = grouped.query.sql_with_params()
    except EmptyResultSet:  # no survey in the context: nothing to rank
        return staff_board.leaderboard(ctx, [], np.zeros((0, len(SUMS)), np.int64), limit)
    visible, more = tenancy_selectors.visible_staff_keys(ctx.scope).query.sql_with_params()
    with connection.cursor() as cursor:
        # Both statements are the ORM's own, every value a parameter.
        cursor.execute(
            f"SELECT * FROM ({sql}) g WHERE g.value IN ({visible})",  # noqa: S608
            (*params, *more),
        )
        found = cursor.fetchall()
    keys = [r[0] for r in found]
    counts = np.array([r[1:] for r in found], dtype=np.int64).reshape(len(found), len(SUMS))
    return staff_board.leaderboard(ctx, keys, counts, limit)


# --- saved views (decision 0025) -------------------------------------------------------------


def saved_views(scope: Scope) -> QuerySet[SavedView]:
    """The views the reader may open: their own, those shared with a unit their scope covers,
    and those an admin published to their role somewhere above (or at) their unit. Opening
    one re-applies its filters under the reader's own scope."""
    from django.db.models import Q

    above = [*ancestor_paths(scope.unit_path), scope.unit_path]
    reach = (
        Q(owner_id=scope.user_id)
        | (Q(shared=True) & subtree_q(scope.unit_path, "unit__path"))
        | Q(published_role=scope.role, unit__path__in=above)
    )
    return SavedView.objects.filter(reach, organization_id=scope.organization_id).distinct()


def saved_view(scope: Scope, view_id: int) -> SavedView:
    from voxloop.errors import NotFound

    found = saved_views(scope).filter(pk=view_id).first()
    if found is None:
        raise NotFound("No such saved view.")
    return found


def pinned_views(scope: Scope, limit: int = 10) -> list:
    """The views the reader pinned to their home (that they may still open)."""
    return list(saved_views(scope).filter(pinned_by=scope.user_id).order_by("name")[:limit])


def view_digests(scope: Scope) -> dict[int, str]:
    """The reader's digest subscriptions: view id → frequency."""
    from voxloop.analytics.models import ViewDigest

    if scope.membership_id is None:
        return {}
    rows = ViewDigest.objects.filter(membership_id=scope.membership_id)
    return dict(rows.values_list("view_id", "frequency"))


# --- for apps that build on the dashboard (text analytics) -----------------------------------


def context_from(scope: Scope, params: Any, role_defaults: bool = True) -> Context:
    """The context of a dashboard URL's query parameters (a QueryDict or dict), with the
    role's default period and grain unless the parameters say otherwise."""
    if role_defaults:
        from voxloop.analytics.views import with_role_defaults

        params = with_role_defaults(params, scope.role)
    return context(scope, filters_parse(params))


def filters_parse(params: Any) -> Filters:
    from voxloop.analytics.filters import parse

    return parse(params)


def period_choices() -> list[tuple[str, Any]]:
    from voxloop.analytics.filters import PERIODS

    return [(key, label) for key, (label, _days) in PERIODS.items()]


def responses_of(ctx: Context, period: Filters | None = None, shown: bool = False) -> QuerySet:
    """The complete responses the context counts (`shown`: those it may list one by one, for
    roles that read records), as `raw_counts.responses`."""
    return raw_counts.responses(ctx, period, shown=shown)


def response_counts(ctx: Context, period: Filters | None = None) -> Counts:
    """Every count of the context's responses, read from the responses themselves."""
    return raw_counts.total(ctx, period)


def responses_export(ctx: Context) -> tuple[Iterator[list[Any]], int | None]:
    """The dashboard's responses export under the context: its rows (the role and anonymity
    are checked first) and how many there will be (None for an anonymous survey's, which are
    counted apart), for a background export's progress bar."""
    from voxloop.analytics.exports import response_rows

    rows = response_rows(ctx)
    total = None if ctx.anonymous else raw_counts.responses(ctx, shown=True).count()
    return rows, total


def responses_export_header() -> list[str]:
    """The columns of `responses_export`."""
    from voxloop.analytics.exports import RESPONSE_HEADER

    return list(RESPONSE_HEADER)


def driver_importance(outcome: list[float], drivers: list[list[float]]) -> dict[str, Any]:
    """The drivers engine (Shapley R² shares with bootstrap intervals of importance and rank)
    for other apps' own outcomes and drivers, e.g. a journey's touchpoints against
    relationship NPS: {"r2", "importance", "direction", "low", "high", "rank_low",
    "rank_high", "ahead"}. At most `drivers.MAX_DRIVERS` drivers."""
    from voxloop.analytics import drivers as engine

    fitted = engine.shapley_importance(outcome, drivers)
    return {**fitted, **engine.bootstrap(outcome, drivers)}


def max_drivers() -> int:
    from voxloop.analytics import drivers as engine

    return engine.MAX_DRIVERS
