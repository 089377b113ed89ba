"""An account's score over time as a chart spec for the analytics pages' `charts.js` (its
"trend" kind, drawn with the vendored ECharts): no interval, the calls to action as marks."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from voxloop.health.models import HealthHistory, HealthModel


def history_chart(history: list[HealthHistory], model: HealthModel | None) -> dict[str, Any]:
    shown = [h for h in history if h.score is not None]
    falls = [h for h in shown if h.moves and h.band == "red"]
    return {
        "kind": "trend",
        "name": _("Health"),
        "band": "",
        "x": [str(h.day) for h in shown],
        "value": [h.score for h in shown],
        "low": [None for _h in shown],
        "high": [None for _h in shown],
        "n": ["" for _h in shown],
        "hollow": [False for _h in shown],
        "marks": [{"x": str(h.day), "label": _("Red")} for h in falls[:10]],
        "axis": {"min": 0, "max": 100},
        "red_below": model.red_below if model else None,
        "amber_below": model.amber_below if model else None,
    }
