"""Units ranked (issue 16 item 2; docs/analytics.md "Units that rank"): each unit's figure,
its change against the previous period with the significance the statistics engine gives
(Benjamini–Hochberg over the rows of one table), sorted by value, change or n; the biggest
movers; and a leaderboard of every unit of one kind under a node (all the stores of a region
or a country, not only its direct children).

Reads go through the same scoped rollup reads as the dashboard: the node is inside the
reader's scope, the rows are those of its subtree in its organisation, and the names come
from the units the scope sees.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from voxloop.analytics import comparisons, metrics, raw_counts
from voxloop.analytics.metrics import Counts
from voxloop.analytics.models import Rollup
from voxloop.analytics.selectors import (
    SUMS,
    Context,
    _children_counts,
    _narrowed,
    cell,
    period_q,
)
from voxloop.errors import InvalidInput
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.models import OrgUnit, subtree_q

SORTS = ("value", "change", "n", "name")
VIEWS = ("all", "movers")
MOVERS = 10  # rows in the "biggest movers" view


def _previous(ctx: Context) -> Context:
    return replace(ctx, filters=ctx.filters.previous())


def _ranked_rows(
    ctx: Context, units: list[OrgUnit], now: dict[str, Counts], before: dict[str, Counts]
) -> list[dict[str, Any]]:
    """One row per unit: figure now, figure before, and the change, flags controlled for the
    false-discovery rate over the rows of the table."""
    earlier = ctx.filters.previous().months()
    prev = _previous(ctx)
    changes: dict[str, metrics.Change] = {}
    rows: dict[str, dict[str, Any]] = {}
    if ctx.release is not None:
        ctx.release.prefetch([u.path for u in units])
    for unit in units:
        current = cell(ctx, now.get(unit.path, Counts()), path=unit.path)
        previous = cell(prev, before.get(unit.path, Counts()), path=unit.path, months=earlier)
        rows[unit.path] = {
            "unit_id": unit.pk,
            "name": unit.name,
            "kind": unit.kind,
            **current,
            "previous": previous,
        }
        if not (current["suppressed"] or previous["suppressed"]):
            changes[unit.path] = metrics.change(
                ctx.metric,
                now.get(unit.path, Counts()),
                before.get(unit.path, Counts()),
                ctx.filters.min_n,
            )
    flags = comparisons.controlled(changes)
    return [{**row, "change": flags.get(path)} for path, row in rows.items()]


def children(ctx: Context) -> list[dict[str, Any]]:
    """The node's direct children, ranked rows (the drill-down table)."""
    units = list(
        tenancy_selectors.visible_units(ctx.scope, parent_id=ctx.node.pk).only(
            "id", "name", "path", "kind"
        )
    )
    now = _children_counts(ctx, ctx.node)
    before = _children_counts(_previous(ctx), ctx.node)
    return _ranked_rows(ctx, units, now, before)


def board_kinds(ctx: Context) -> list[str]:
    """The kinds of unit below the node, top to bottom (what a leaderboard can list)."""
    below = (
        tenancy_selectors.visible_units(ctx.scope)
        .filter(subtree_q(ctx.node.path, "path"))
        .exclude(pk=ctx.node.pk)
        .values_list("kind", "depth")
        .distinct()
    )
    kinds: dict[str, int] = {}
    for kind, depth in below:
        kinds[kind] = min(depth, kinds.get(kind, depth))
    return sorted(kinds, key=lambda k: kinds[k])


def leaderboard(ctx: Context, kind: str) -> list[dict[str, Any]]:
    """Every unit of `kind` anywhere under the node, ranked rows."""
    if kind not in board_kinds(ctx):
        raise InvalidInput("'board' must be a kind of unit under this one.", field="board")
    units = list(
        tenancy_selectors.visible_units(ctx.scope, kind=kind)
        .filter(subtree_q(ctx.node.path, "path"))
        .exclude(pk=ctx.node.pk)
        .only("id", "name", "path", "kind", "depth")
    )
    return _ranked_rows(
        ctx, units, _descendant_counts(ctx, units), _descendant_counts(_previous(ctx), units)
    )


def _descendant_counts(ctx: Context, units: list[OrgUnit]) -> dict[str, Counts]:
    paths = {u.path for u in units}
    out: dict[str, Counts] = {}
    if ctx.from_responses:
        lengths = sorted({len(p) for p in paths})
        found = raw_counts.responses(ctx).values("unit_path")
        for row in found.annotate(**raw_counts.SCORE_AGGREGATES).order_by():
            for length in lengths:
                key = row["unit_path"][:length]
                if key in paths:
                    out.setdefault(key, Counts()).add(Counts.of(row))
        return out
    f = ctx.filters
    rows = Rollup.objects.filter(
        subtree_q(ctx.node.path, "node_path"),
        period_q(f),  # whole months by month (decision 0053)
        organization_id=ctx.scope.organization_id,
        depth__in={u.depth for u in units},
        survey_id__in=ctx.survey_ids,
    )
    for row in _narrowed(rows, f).values("node_path").annotate(**SUMS).order_by():
        if row["node_path"] in paths:
            out[row["node_path"]] = Counts.of(row)
    return out


def _sort_key(by: str) -> Callable[[dict[str, Any]], tuple[bool, Any]]:
    def key(row: dict[str, Any]) -> tuple[bool, Any]:
        if by == "name":
            return (False, row["name"].casefold())
        if by == "n":
            return (row["suppressed"], row["n"] if not row["suppressed"] else 0)
        if by == "change":
            delta = (row.get("change") or {}).get("delta")
            return (delta is None, delta if delta is not None else 0.0)
        return (row["value"] is None, row["value"] if row["value"] is not None else 0.0)

    return key


def ordered(rows: list[dict[str, Any]], by: str, descending: bool) -> list[dict[str, Any]]:
    """Rows sorted by value, change, n or name; rows without that figure always last."""
    if by not in SORTS:
        raise InvalidInput(f"'sort' must be one of {', '.join(SORTS)}.", field="sort")
    known = [r for r in rows if not _sort_key(by)(r)[0]]
    unknown = [r for r in rows if _sort_key(by)(r)[0]]
    known.sort(key=lambda r: _sort_key(by)(r)[1], reverse=descending)
    unknown.sort(key=lambda r: r["name"].casefold())
    return known + unknown


def movers(rows: list[dict[str, Any]], limit: int = MOVERS) -> list[dict[str, Any]]:
    """The rows that changed most, significant changes first, then by the size of the change."""
    moved = [r for r in rows if (r.get("change") or {}).get("delta") is not None]
    moved.sort(key=lambda r: (not r["change"]["significant"], -abs(r["change"]["delta"])))
    return moved[:limit]


def whisker_scale(rows: list[dict[str, Any]], metric: str) -> dict[str, float]:
    """The span the rows' bars and interval whiskers are drawn on: the metric's own scale
    where it has one, else zero to the highest interval end."""
    from voxloop.analytics.charts import RANGES

    if metric in RANGES:
        low, high = RANGES[metric]
        return {"low": float(low), "high": float(high)}
    top = max(
        (r["high"] if r.get("high") is not None else r["value"] or 0 for r in rows), default=1
    )
    return {"low": 0.0, "high": float(top or 1)}
