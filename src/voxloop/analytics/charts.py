"""Small chart arithmetic computed on the server: the stretch of days a trend point opens,
and a heatmap's cell shades (the charts themselves are drawn by ECharts from
`chart_specs`, decision 0026)."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Any

RANGES = {
    "nps": (-100, 100),
    "enps": (-100, 100),
    "csat": (0, 100),
    "ces_agree": (0, 100),
    "csat_mean": (1, 5),
    "ces": (1, 7),
}


def bucket_end(start: str, grain: str) -> str:
    """The last day of the trend bucket beginning on `start` (a point opens that stretch)."""
    day = date.fromisoformat(start)
    if grain == "week":
        day += timedelta(days=6)
    elif grain == "month":
        day = day.replace(day=calendar.monthrange(day.year, day.month)[1])
    elif grain == "quarter":
        last_month = day.month + 2
        day = day.replace(month=last_month, day=calendar.monthrange(day.year, last_month)[1])
    return day.isoformat()


def heat_shades(metric: str, grid: list[list[dict[str, Any]]]) -> list[list[dict[str, Any]]]:
    """Each cell with a lightness for its share of the busiest cell (response volume) and a
    hue for its score (red low, green high)."""
    busiest = max((c["n"] for row in grid for c in row), default=0) or 1
    low, high = RANGES.get(metric, (0, 100))
    out = []
    for row in grid:
        shaded = []
        for c in row:
            share = c["n"] / busiest
            # A cell under the minimum n gets no score colour: one answer is not a score.
            if c.get("value") is None or metric not in RANGES or c.get("low_sample"):
                hue = 210
            else:
                hue = round(120 * (min(max(c["value"], low), high) - low) / ((high - low) or 1))
            light = round(97 - 45 * share)
            # Steps of 10° and 5%: classes in dashboard.css (no style attribute, for the CSP).
            step = {"hue_step": 210 if hue == 210 else round(hue / 10) * 10}
            step["light_step"] = min(95, max(50, round(light / 5) * 5))
            shaded.append({**c, "hue": hue, "light": light, **step})
        out.append(shaded)
    return out
