"""A journey map out of the product: as a table (CSV/XLSX through voxloop.spreadsheets) and as
an SVG drawn here in Python (no browser on the server; the page turns the SVG into a PNG in
the reader's browser). Both from the same figures as the page (figures.journey_map)."""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _

HEADER = [
    "stage",
    "touchpoint",
    "interaction_type",
    "measured_by",
    "volume",
    "volume_previous",
    "responses",
    "response_rate",
    "response_rate_low",
    "response_rate_high",
    "metric",
    "value",
    "low",
    "high",
    "n",
    "low_sample",
    "change",
    "p_value",
    "significant",
    "status",
    "comments",
    "negative_share",
    "top_themes",
    "open_cases",
]
COLOURS = {
    "broken": "#c62828",
    "watch": "#f9a825",
    "good": "#2e7d32",
    "low_sample": "#9e9e9e",
    "no_data": "#e0e0e0",
}


def _round(value: Any, digits: int = 1) -> Any:
    return round(value, digits) if isinstance(value, float) else value


def table_rows(figures: dict[str, Any]) -> list[list[Any]]:
    rows = []
    for stage in figures["stages"]:
        for tp in stage["touchpoints"]:
            head = tp["headline"] or {}
            moved = tp["change"] or {}
            rate = tp["response_rate"] or {}
            share = tp["sentiment"]["negative_share"] or {}
            rows.append(
                [
                    stage["name"],
                    tp["name"],
                    tp["interaction_type"],
                    tp["measure_label"],
                    tp["volume"],
                    tp["volume_before"],
                    tp["responses"],
                    _round(rate.get("value")),
                    _round(rate.get("low")),
                    _round(rate.get("high")),
                    tp["metric"],
                    _round(head.get("value"), 2),
                    _round(head.get("low"), 2),
                    _round(head.get("high"), 2),
                    head.get("n"),
                    head.get("low_sample"),
                    _round(moved.get("delta"), 2),
                    _round(moved.get("p_value"), 4),
                    moved.get("significant"),
                    tp["status"],
                    tp["sentiment"]["n"],
                    _round(share.get("value")),
                    "; ".join(t["name"] for t in tp["themes"]),
                    tp["open_cases"],
                ]
            )
    return rows


# --- SVG -------------------------------------------------------------------------------------

COLUMN, BOX_H, GAP, TOP = 220, 74, 10, 70


def _text(x: float, y: float, text: str, size: int = 12, weight: str = "normal") -> str:
    return (
        f'<text x="{x:.0f}" y="{y:.0f}" font-size="{size}" font-weight="{weight}" '
        f'font-family="sans-serif" fill="#212121">{escape(text)}</text>'
    )


def _headline_text(tp: dict[str, Any]) -> str:
    head = tp["headline"]
    if not head or head.get("value") is None:
        return _("no data")
    digits = 0 if tp["metric"] in ("nps", "csat") else 2
    value = f"{head['value']:.{digits}f}"
    low, high = head.get("low"), head.get("high")
    span = f" [{low:.{digits}f}–{high:.{digits}f}]" if low is not None and high is not None else ""
    flag = f" · {_('low sample')}" if head.get("low_sample") else ""
    return f"{tp['metric'].upper()} {value}{span}{flag}"


def svg(figures: dict[str, Any]) -> str:
    stages = figures["stages"]
    tallest = max((len(s["touchpoints"]) for s in stages), default=0)
    width = max(COLUMN * max(len(stages), 1) + GAP, 400)
    height = TOP + tallest * (BOX_H + GAP) + 40
    period = figures["period"]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        _text(GAP, 22, figures["journey"]["name"], 16, "bold"),
        _text(GAP, 40, f"{figures['unit']['name']} · {period['start']} – {period['end']}", 11),
    ]
    for i, stage in enumerate(stages):
        x = GAP + i * COLUMN
        parts.append(
            f'<rect x="{x}" y="48" width="{COLUMN - GAP}" height="16" rx="3" '
            f'fill="{COLOURS[stage["status"]]}" opacity="0.35"/>'
        )
        parts.append(_text(x + 4, 60, stage["name"], 12, "bold"))
        for j, tp in enumerate(stage["touchpoints"]):
            y = TOP + j * (BOX_H + GAP)
            colour = COLOURS[tp["status"]]
            parts.append(
                f'<rect x="{x}" y="{y}" width="{COLUMN - GAP}" height="{BOX_H}" rx="6" '
                f'fill="#fafafa" stroke="{colour}" stroke-width="3"/>'
            )
            parts.append(_text(x + 8, y + 18, tp["name"], 12, "bold"))
            parts.append(_text(x + 8, y + 36, _headline_text(tp), 11))
            volume = "" if tp["volume"] is None else f"{_('volume')} {tp['volume']} · "
            parts.append(_text(x + 8, y + 52, f"{volume}{_('responses')} {tp['responses']}", 11))
            if tp["themes"]:
                parts.append(_text(x + 8, y + 68, tp["themes"][0]["name"], 10))
    parts.append("</svg>")
    return "\n".join(parts)
