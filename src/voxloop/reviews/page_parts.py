"""What the review pages draw: ECharts specs in the shapes `analytics/charts.js` draws
(`analytics.chart_specs`, decision 0026: numbers and translated text only, handed over by
`json_script`), built from figures the domain modules computed. The two shapes used are
written here, as `analytics.chart_specs` is not part of the analytics app's public surface."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _


def whiskers(rows: list[dict], label: str, low: float, high: float) -> dict[str, Any]:
    """Values with their 95% whiskers (charts.js "whiskers"); hollow: low sample."""
    shown = [r for r in rows if r.get("value") is not None]
    return {
        "kind": "whiskers",
        "name": label,
        "labels": [r["name"] for r in shown],
        "value": [r["value"] for r in shown],
        "low": [r.get("low") for r in shown],
        "high": [r.get("high") for r in shown],
        "n": [r["n"] for r in shown],
        "hollow": [bool(r.get("low_sample")) for r in shown],
        "axis": {"min": low, "max": high},
    }


def trend(label: str, points: list[dict]) -> dict[str, Any]:
    """A line with its interval band (charts.js "trend"); hollow points: low sample."""
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
        "hollow": [bool(p.get("low_sample")) for p in shown],
        "marks": [],
        "axis": {"min": None, "max": None},
    }


def benchmark_charts(result: dict[str, Any]) -> dict[str, Any]:
    """ECharts specs by the dashboard's conventions (charts.js): the ranking as
    ratings with their 95% whiskers (hollow: too few reviews), the gap by month with its band."""
    bars = [
        {
            "name": row["label"] if row["mine"] else f"{row['label']} ({_('competitor')})",
            "value": row["rating"]["value"],
            "low": row["rating"]["low"],
            "high": row["rating"]["high"],
            "n": row["volume"],
            "low_sample": row["rating"]["low_sample"],
        }
        for row in result["rows"]
    ]
    points = [
        {
            "start": m["month"][:7],
            "value": m["gap"],
            "low": m["gap_low"],
            "high": m["gap_high"],
            "n": m["n"],
            "low_sample": m["low_sample"],
        }
        for m in result["trend"]
    ]
    return {
        "ranking": whiskers(bars, _("Average rating"), 1, 5) if bars else None,
        "gap": trend(_("Gap in average rating (mine − competitors)"), points)
        if any(p["value"] is not None for p in points)
        else None,
    }
