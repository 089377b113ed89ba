"""Chart geometry computed on the server, drawn as inline SVG by the templates.

No chart library and no CDN: a trend line with its 95% band, and a heatmap's cell shades,
are a few numbers each. Every coordinate is a number the template writes into an attribute;
no user text ever enters SVG markup except through the template's escaping.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Any

WIDTH, HEIGHT, PAD = 640, 220, 28
RANGES = {
    "nps": (-100, 100),
    "enps": (-100, 100),
    "csat": (0, 100),
    "ces_agree": (0, 100),
    "csat_mean": (1, 5),
    "ces": (1, 7),
}


def _y_range(metric: str, points: list[dict[str, Any]]) -> tuple[float, float]:
    """The data's span including its intervals, padded, within the metric's own range, so a
    line moving by a few points is not drawn flat across the whole -100..100 scale."""
    lows = [p["low"] if p.get("low") is not None else p["value"] for p in points]
    highs = [p["high"] if p.get("high") is not None else p["value"] for p in points]
    if not points:
        return RANGES.get(metric, (0, 1))
    low, high = min(lows), max(highs)
    pad = max((high - low) * 0.1, 1.0)
    floor, ceiling = RANGES.get(metric, (0, float("inf")))
    return max(floor, low - pad), min(ceiling, high + pad)


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


def trend(metric: str, points: list[dict[str, Any]], grain: str = "day") -> dict[str, Any]:
    """Polyline, interval band and dots (with their tooltip text and the stretch of days each
    opens when clicked) for a trend."""
    shown = [p for p in points if p.get("value") is not None]
    low, high = _y_range(metric, shown)
    span = (high - low) or 1
    count = max(len(points) - 1, 1)

    def x(i: int) -> float:
        return round(PAD + i * (WIDTH - 2 * PAD) / count, 1)

    def y(v: float) -> float:
        v = min(max(v, low), high)
        return round(HEIGHT - PAD - (v - low) * (HEIGHT - 2 * PAD) / span, 1)

    dots, upper, lower = [], [], []
    for i, p in enumerate(points):
        if p.get("value") is None:
            continue
        dots.append(
            {
                "x": x(i),
                "y": y(p["value"]),
                "start": p["start"],
                "end": bucket_end(p["start"], grain),
                "value": p["value"],
                "n": p["n"],
                "low_sample": p["low_sample"],
                "partial": p.get("partial", False),
                "days": p.get("days"),
            }
        )
        if p.get("low") is not None:
            upper.append(f"{x(i)},{y(p['high'])}")
            lower.append(f"{x(i)},{y(p['low'])}")
    zero = y(0) if low < 0 < high else None
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "line": " ".join(f"{d['x']},{d['y']}" for d in dots),
        "band": " ".join(upper + lower[::-1]),
        "dots": dots,
        "zero": zero,
        "top": high,
        "bottom": low,
        "top_y": PAD,
        "bottom_y": HEIGHT - PAD,
        "first": points[0]["start"] if points else "",
        "last": points[-1]["start"] if points else "",
    }


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
