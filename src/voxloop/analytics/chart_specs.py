"""What each chart shows, as data: one spec per chart for `charts.js` (drawn with Apache
ECharts, decision 0026) and the same numbers as rows for its CSV download and its table.

A spec holds only numbers and text already translated on the server; `charts.js` turns it
into the library's options, so the library could change without touching a template. Specs
reach the page through `json_script` (no inline script, the CSP holds).
"""

from __future__ import annotations

import math
from typing import Any

from django.utils.translation import gettext as _

from voxloop.analytics.charts import RANGES

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _axis(metric: str) -> dict[str, float | None]:
    low, high = RANGES.get(metric, (None, None))
    return {"min": low, "max": high}


def trend(metric: str, label: str, points: list[dict], marks: list[dict]) -> dict[str, Any]:
    shown = [p for p in points if p.get("value") is not None]
    return {
        "kind": "trend",
        "name": label,
        "band": _("Interval (95%)"),
        "x": [p["start"] for p in shown],
        "value": [p["value"] for p in shown],
        "low": [p.get("low") for p in shown],
        "high": [p.get("high") for p in shown],
        "n": [p["n"] for p in shown],
        "hollow": [bool(p.get("low_sample") or p.get("partial")) for p in shown],
        "marks": [{"x": str(m["day"]), "label": m["title"]} for m in marks],
        "axis": _axis(metric),
    }


def trend_rows(points: list[dict]) -> tuple[list[str], list[list[Any]]]:
    header = ["start", "value", "low", "high", "n", "low_sample", "suppressed"]
    rows = [
        [
            p["start"],
            p.get("value"),
            p.get("low"),
            p.get("high"),
            p["n"],
            p.get("low_sample"),
            p.get("suppressed"),
        ]
        for p in points
    ]
    return header, rows


def distribution(dist: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    return {
        "kind": "distribution",
        "groups": [
            {"key": g["key"], "label": names[g["key"]], "share": g["share"], "n": g["n"]}
            for g in dist["groups"]
        ],
        "scores": [s["score"] for s in dist["scores"]],
        "counts": [s["n"] for s in dist["scores"]],
        "share_label": _("Share of answers (%)"),
        "count_label": _("Answers"),
    }


def distribution_rows(dist: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    rows: list[list[Any]] = [[g["key"], g["n"], g["share"]] for g in dist["groups"]]
    rows += [
        [f"score {s['score']}", s["n"], round(100 * s["n"] / dist["n"], 1)] for s in dist["scores"]
    ]
    return ["group", "n", "share_percent"], rows


def unit_bars(rows: list[dict], label: str, scale: dict[str, float]) -> dict[str, Any]:
    shown = [r for r in rows if r.get("value") is not None and not r.get("suppressed")]
    return {
        "kind": "whiskers",
        "name": label,
        "labels": [r["name"] for r in shown],
        "value": [r["value"] for r in shown],
        "low": [r.get("low") for r in shown],
        "high": [r.get("high") for r in shown],
        "n": [r["n"] for r in shown],
        "hollow": [bool(r.get("low_sample")) for r in shown],
        "axis": {"min": scale["low"], "max": scale["high"]},
    }


def unit_rows(rows: list[dict]) -> tuple[list[str], list[list[Any]]]:
    header = ["unit_id", "unit", "kind", "value", "low", "high", "n", "low_sample"]
    header += ["previous", "change", "p_value", "significant", "suppressed"]
    out = []
    for r in rows:
        change = r.get("change") or {}
        out.append(
            [
                r["unit_id"],
                r["name"],
                r["kind"],
                r.get("value"),
                r.get("low"),
                r.get("high"),
                r["n"],
                r.get("low_sample"),
                (r.get("previous") or {}).get("value"),
                change.get("delta"),
                change.get("p_value"),
                change.get("significant"),
                r.get("suppressed"),
            ]
        )
    return header, out


def heatmap(grid: list[list[dict]], weekdays: list[str], label: str) -> dict[str, Any]:
    cells = [
        [hour, day, c.get("value") if not c.get("low_sample") else None, c["n"]]
        for day, row in enumerate(grid)
        for hour, c in enumerate(row)
    ]
    return {
        "kind": "heatmap",
        "name": label,
        "hours": [str(h) for h in range(24)],
        "days": weekdays,
        "cells": cells,
        "axis": _axis_for_cells(cells),
        "n_label": "n",
    }


def _axis_for_cells(cells: list[list[Any]]) -> dict[str, float]:
    values = [c[2] for c in cells if c[2] is not None]
    return {"min": min(values, default=0), "max": max(values, default=1)}


def heatmap_rows(grid: list[list[dict]]) -> tuple[list[str], list[list[Any]]]:
    rows = [
        [WEEKDAYS[day], hour, c["n"], c.get("value"), c.get("low_sample")]
        for day, row in enumerate(grid)
        for hour, c in enumerate(row)
    ]
    return ["weekday", "hour", "n", "value", "low_sample"], rows


def drivers(one: dict[str, Any]) -> dict[str, Any]:
    """Importance as a share of all the variance in the score (not of what is explained), so
    a driver explaining 2 % draws a 2 % bar; whiskers: the bootstrap interval."""
    return {
        "kind": "drivers",
        "name": _("Variance of the score explained (%)"),
        "labels": [d["driver"] for d in one["drivers"]],
        "value": [round(100 * d["importance"], 1) for d in one["drivers"]],
        "low": [round(100 * d["importance_low"], 1) for d in one["drivers"]],
        "high": [round(100 * d["importance_high"], 1) for d in one["drivers"]],
        "axis": {
            "min": 0,
            "max": _tens(max((d["importance_high"] for d in one["drivers"]), default=0)),
        },
    }


def _tens(share: float) -> int:
    """The axis end: the next 10 % above the widest whisker, so bars keep their true size."""
    return max(10, min(100, 10 * math.ceil(100 * share / 10 + 0.01)))


def driver_rows(one: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    header = ["driver", "kind", "importance", "importance_low", "importance_high"]
    header += ["share_of_explained", "rank_low", "rank_high", "direction", "r2", "n"]
    rows = [
        [
            d["driver"],
            d["kind"],
            d["importance"],
            d["importance_low"],
            d["importance_high"],
            d["share"],
            d["rank_low"],
            d["rank_high"],
            d["direction"],
            one["r2"],
            one["n"],
        ]
        for d in one["drivers"]
    ]
    return header, rows


def breakdown_rows(rows: list[dict]) -> tuple[list[str], list[list[Any]]]:
    header = ["key", "label", "value", "low", "high", "n", "low_sample", "suppressed"]
    header.append("vs_rest_significant")
    out = [
        [
            r["key"],
            r.get("label"),
            r.get("value"),
            r.get("low"),
            r.get("high"),
            r["n"],
            r.get("low_sample"),
            r.get("suppressed"),
            (r.get("vs_rest") or {}).get("significant"),
        ]
        for r in rows
    ]
    return header, out
