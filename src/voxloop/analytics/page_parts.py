"""The dashboard's ranked units panel and its charts, put together for the page, its live
fragment and the CSV downloads from the same reads (issue 16 items 2 and 4).

The panel's own parameters ride in the dashboard's URL beside the filters, so every view of
it is a link that works without JavaScript:
- `units`: "children" (the node's children, default), "movers" (biggest changes among them)
  or "board" (a leaderboard of every unit of one kind below the node, `board=<kind>`);
- `sort`: value, change, n or name; `order`: desc (default) or asc.
"""

from __future__ import annotations

import copy
import hashlib
from dataclasses import replace
from typing import Any

from django.core.cache import cache
from django.http import QueryDict
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from voxloop.analytics import chart_specs, distribution, driver_reads, hooks, rankings, selectors
from voxloop.analytics.selectors import Context
from voxloop.errors import InvalidInput
from voxloop.surveys import selectors as survey_selectors
from voxloop.surveys.models import Survey
from voxloop.tenancy.models import UnitKind

PANEL_VIEWS = ("children", "movers", "board")
PANEL_PARAMS = ("units", "sort", "order", "board")


def group_names() -> dict[str, str]:
    return {
        "detractors": _("Detractors (0–6)"),
        "passives": _("Passives (7–8)"),
        "promoters": _("Promoters (9–10)"),
    }


def panel_choice(params: QueryDict) -> dict[str, Any]:
    """The panel's parameters, checked: a bad one is a 400 naming it."""
    view = params.get("units") or "children"
    if view not in PANEL_VIEWS:
        raise InvalidInput(f"'units' must be one of {', '.join(PANEL_VIEWS)}.", field="units")
    sort = params.get("sort") or "value"
    if sort not in rankings.SORTS:
        raise InvalidInput(f"'sort' must be one of {', '.join(rankings.SORTS)}.", field="sort")
    # Names A to Z, changes biggest drop first (what people look for), figures best first.
    order = params.get("order") or ("asc" if sort in ("name", "change") else "desc")
    if order not in ("asc", "desc"):
        raise InvalidInput("'order' must be asc or desc.", field="order")
    return {"view": view, "sort": sort, "order": order, "board": params.get("board") or ""}


def ranked_rows(ctx: Context, choice: dict[str, Any]) -> tuple[list[dict[str, Any]], str]:
    """The rows the panel shows and the kind of unit a leaderboard lists ("" otherwise)."""
    kind = ""
    if choice["view"] == "board":
        kinds = rankings.board_kinds(ctx)
        default = "store" if "store" in kinds else (kinds[-1] if kinds else "")
        kind = choice["board"] or default
        rows = rankings.leaderboard(ctx, kind) if kind else []
    else:
        rows = rankings.children(ctx)
    if choice["view"] == "movers":
        return rankings.movers(rows), kind
    return rankings.ordered(rows, choice["sort"], choice["order"] == "desc"), kind


def units_panel(ctx: Context, params: QueryDict, metric_label: str) -> dict[str, Any]:
    choice = panel_choice(params)
    rows, kind = ranked_rows(ctx, choice)
    scale = rankings.whisker_scale(rows, ctx.metric)
    span = (scale["high"] - scale["low"]) or 1.0
    lower_is_better = ctx.metric == "churn_rate"
    for r in rows:
        r["bar"] = _bar(r, scale["low"], span)
        change = r.get("change") or {}
        delta = change.get("delta")
        r["tone"] = (
            ""
            if delta is None or not change.get("significant") or delta == 0
            else ("good" if (delta > 0) != lower_is_better else "bad")
        )
    kinds = dict(UnitKind.choices)
    base = params.copy()
    for name in (*PANEL_PARAMS, "fragment"):
        base.pop(name, None)
    # A row's link opens that unit with the same order of rows (a drop leads to its drops).
    drill = params.copy()
    for name in ("unit", "units", "board", "fragment"):
        drill.pop(name, None)
    if choice["view"] != "movers":
        drill["sort"], drill["order"] = choice["sort"], choice["order"]
    return {
        "drill_query": drill.urlencode(),
        "choice": choice,
        "rows": rows,
        "kind": kind,
        "kinds": [(k, kinds.get(k, k)) for k in rankings.board_kinds(ctx)],
        "query": base.urlencode(),
        "chart": chart_specs.unit_bars(rows, metric_label, scale),
        "sorts": [
            ("value", metric_label),
            ("change", pgettext("difference", "Change")),
            ("n", "n"),
            ("name", _("Unit")),
        ],
    }


def _bar(row: dict[str, Any], low: float, span: float) -> dict[str, float] | None:
    """The row's bar and whisker in a 0–100 box (an inline SVG: no style attribute)."""
    if row.get("value") is None or row.get("suppressed"):
        return None

    def at(v: float) -> float:
        return round(min(max((v - low) / span, 0.0), 1.0) * 100, 1)

    zero = at(max(low, min(0.0, low + span)))
    value = at(row["value"])
    out = {"x": min(zero, value), "width": abs(value - zero), "value": value, "zero": zero}
    if row.get("low") is not None and row.get("high") is not None:
        out.update(low=at(row["low"]), high=at(row["high"]))
    return out


def trend_marks(ctx: Context) -> list[dict[str, Any]]:
    """Action plans started in the period under the node (closed loop's `plan_starts`)."""
    if ctx.anonymous:
        return []
    found = hooks.call("plan_starts", ctx.scope, ctx.node.path, ctx.filters.start, ctx.filters.end)
    return list(found or [])


def charts(
    ctx: Context, data: dict[str, Any], metric_label: str, weekdays: list[str]
) -> dict[str, Any]:
    """The specs of the dashboard's charts (drawn by charts.js; each has its table)."""
    marks = trend_marks(ctx)
    out: dict[str, Any] = {
        "trend": chart_specs.trend(ctx.metric, metric_label, data.get("trend") or [], marks),
        "marks": marks,
    }
    dist = distribution.nps_distribution(ctx)
    out["distribution"] = dist
    if dist:
        out["distribution_chart"] = chart_specs.distribution(dist, group_names())
    if data.get("heatmap"):
        out["heatmap"] = chart_specs.heatmap(data["heatmap"], weekdays, metric_label)
    return out


# --- the drivers page -------------------------------------------------------------------------

MAX_CHOICE_QUESTIONS = 5
DRIVERS_CACHE_SECONDS = 15 * 60


def drivers(ctx: Context) -> dict[str, Any]:
    """One survey's drivers (the filters' survey, else the headline survey, else the first),
    labelled in the reader's language, and its choice questions' answers with those chosen by
    fewer than the minimum n folded apart."""
    surveys = driver_reads.driver_surveys(ctx)
    out: dict[str, Any] = {"surveys": surveys, "survey": None, "one": None, "choices": []}
    if not surveys:
        return out
    by_id = {s.pk: s for s in surveys}
    wanted = ctx.filters.survey_id or (ctx.headline[0] if ctx.headline else None)
    chosen = by_id.get(wanted or 0) or _most_answered(ctx, surveys)
    ctx = replace(ctx, survey_ids=(chosen.pk,))
    one, effects = _analysis(ctx, chosen)
    labels = survey_selectors.question_labels(ctx.survey_ids, translation.get_language())
    for d in one["drivers"]:
        d["bar"] = round(100 * d["importance"], 1)  # of all the score's variance, not of 100 %
        d["bar_low"] = round(100 * d["importance_low"], 1)
        d["bar_high"] = round(100 * d["importance_high"], 1)
        if d["kind"] == "question" and d["driver"] in labels:
            d["driver"] = labels[d["driver"]]["title"]
    for x in one["left_out"]:
        if x["driver"] in labels:
            x["driver"] = labels[x["driver"]]["title"]
    one["explained"] = round(100 * (one["r2"] or 0.0), 1)
    out.update(survey=chosen, one=one, chart=chart_specs.drivers(one) if one["drivers"] else None)
    for key, rows in effects:
        named = labels.get(key, {"title": key, "choices": {}})
        for row in rows:
            row["label"] = named["choices"].get(row["value"], row["value"])
        enough = [r for r in rows if r["with"]["n"] >= ctx.filters.min_n]
        few = [r for r in rows if r["with"]["n"] < ctx.filters.min_n]
        out["choices"].append({"question": named["title"], "rows": enough, "few": few})
    return out


def _analysis(ctx: Context, survey: Survey) -> tuple[dict[str, Any], list]:
    """The survey's analysis, kept for a while under a key that changes with the filters and
    with every answer counted (the bootstrap and the read of every response are the cost)."""
    f = ctx.filters
    version = selectors.totals(ctx).n
    parts: tuple[Any, ...] = (ctx.scope.organization_id, ctx.node.path, survey.pk, f.start)
    parts += (f.end, f.channel, f.origin, f.segment_id, f.sentiment, f.theme_id, f.min_n, version)
    key = "drivers:" + hashlib.sha256(repr(parts).encode()).hexdigest()
    found = cache.get(key)
    if found is None:
        found = driver_reads.survey_drivers(ctx, survey, MAX_CHOICE_QUESTIONS)
        cache.set(key, found, timeout=DRIVERS_CACHE_SECONDS)
    return copy.deepcopy(found)


def _most_answered(ctx: Context, surveys: list[Survey]) -> Survey:
    """Without a headline survey: the survey with the most answers in the period."""
    counts = selectors.counts_by_survey(ctx)
    return max(surveys, key=lambda s: (counts.get(s.pk, 0), -s.pk))


def driver_survey(ctx: Context, params: QueryDict) -> dict[str, Any]:
    """The analysis behind the drivers page's chart (its CSV download)."""
    found = drivers(ctx)
    if found["one"] is None:
        raise InvalidInput("No survey to analyse in these filters.", field="survey")
    return found["one"]
