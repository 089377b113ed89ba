"""A 360 report as the page shows it: the column names and the chart (the analytics
whiskers chart: a bar per competency and group with its 95% interval)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from voxloop.feedback360 import reporting
from voxloop.feedback360.models import SCALE, Relationship


def label(key: str) -> str:
    if key == reporting.COMBINED:
        return str(_("Others (combined)"))
    if key == reporting.ALL_OTHERS:
        return str(_("All others"))
    return str(Relationship(key).label)


def columns(report: reporting.Report) -> list[dict[str, str]]:
    return [{"key": key, "label": label(key)} for key in report.columns]


def table(report: reporting.Report) -> list[dict[str, Any]]:
    """Rows with their cells in the columns' order (a cell: a figure, or None)."""
    return [
        {"text": row["text"], "cells": [row["cells"].get(key) or {} for key in report.columns]}
        for row in report.rows
    ]


def chart(report: reporting.Report) -> dict[str, Any]:
    labels, values, lows, highs, ns, hollow = [], [], [], [], [], []
    for row in report.rows:
        for key in report.columns:
            cell = row["cells"].get(key)
            if cell is None or cell["value"] is None:
                continue
            labels.append(f"{row['text']} · {label(key)}")
            values.append(cell["value"])
            lows.append(cell["low"])
            highs.append(cell["high"])
            ns.append(cell["n"])
            hollow.append(cell["low_sample"])
    return {
        "kind": "whiskers",
        "name": str(_("Mean (1–5)")),
        "labels": labels,
        "value": values,
        "low": lows,
        "high": highs,
        "n": ns,
        "hollow": hollow,
        "axis": {"min": SCALE[0], "max": SCALE[1]},
    }
