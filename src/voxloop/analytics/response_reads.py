"""Scoped reads that need the raw responses: comments and contact attributes (choice effects
and drivers: analytics.driver_reads). They go through the responses app's scoped selector,
for the same unit and period as the rest of the dashboard, and never for employee surveys'
single answers."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import replace
from datetime import timedelta
from typing import Any

from django.db.models.fields.json import KeyTextTransform
from django.utils import timezone

from voxloop.analytics import raw_counts, selectors
from voxloop.analytics.filters import min_sample
from voxloop.analytics.metrics import Counts
from voxloop.analytics.selectors import Context, cell, refuse_for_anonymous
from voxloop.errors import InvalidInput
from voxloop.privacy.redaction import mask
from voxloop.surveys.selectors import text_question_keys
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.scoping import Capability

ATTRIBUTE = re.compile(r"^[A-Za-z0-9_]{1,40}$")
QUESTION_KEY = re.compile(r"^[-A-Za-z0-9_]{1,60}$")
NUMERIC_BANDS = 5
MIN_WINDOW = timedelta(minutes=10)


def verbatims(ctx: Context, limit: int = 20) -> list[dict[str, Any]] | None:
    """The newest comments with their score, unit and staff member (text escaped where shown),
    emails, phones, cards and ids masked for every reader: panels are shown on screens and
    mailed in digests. None for a role that reads aggregates only (a viewer): a comment is a
    record."""
    if not ctx.scope.can(Capability.READ_RECORDS):
        return None
    if ctx.anonymous:
        return []  # an employee's words could name them
    keys = text_question_keys(ctx.survey_ids)
    every_key = sorted({k for ks in keys.values() for k in ks})
    if not every_key:
        return []
    rows = newest_comments(ctx, every_key, limit)
    out = []
    for r in rows:
        text = next((r.answers[k] for k in keys.get(r.survey_id, ()) if r.answers.get(k)), "")
        out.append(
            {
                "id": r.pk,
                "text": mask(text),
                "nps": r.nps,
                "csat": r.csat,
                "unit": r.unit.name if r.unit else "",
                "staff": r.staff.name if r.staff else "",
                "survey": r.survey.name,
                "locale": r.locale,
                "at": r.submitted_at.isoformat(),
            }
        )
    return out


def newest_comments(ctx: Context, keys: list[str], limit: int) -> list[Any]:
    """The newest `limit` responses with a comment, newest first, exactly as the whole period
    ordered by time would give them, without reading the whole period (decision 0027): look
    back over a window sized from the comment rate the rollups give, and widen it fourfold
    until it holds `limit` comments or reaches the period's start. Every row left out of a
    window is older than every row in it, so a window holding `limit` rows holds the newest."""
    rows = raw_counts.responses(ctx, shown=True).filter(answers__has_any_keys=keys)
    if not tenancy_selectors.visible_units(ctx.scope, parent_id=ctx.node.pk).exists():
        # A unit without children: its subtree is its own path. Said as an equality, the
        # (organization, unit_path, submitted_at) index gives the newest first, on SQLite
        # too, whose planner otherwise walks every response of the surveys in the window.
        rows = rows.filter(unit_path=ctx.node.path)
    since, until = ctx.filters.bounds()
    until = min(until, timezone.now() + timedelta(minutes=1))
    span = max(until - since, timedelta(0))
    counted = selectors.totals(replace(ctx, segment_members=None, narrowed=None)).comments
    # Twice the expected time for `limit` comments: one query most times.
    window = max(span * min(1.0, 2 * limit / counted) if counted else span, MIN_WINDOW)
    while True:
        low = max(since, until - window)
        found = list(rows.filter(submitted_at__gte=low)[:limit])
        if len(found) >= limit or low <= since:
            return found
        window *= 4


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number and abs(number) != float("inf") else None


def attribute_breakdown(ctx: Context, attribute: str, edges: list[float] | None = None) -> dict:
    """The metric by the value of one contact attribute at the time of the response; numbers
    (tenure, spend) in bands — given `edges`, else five bands of about equal size."""
    if not ATTRIBUTE.match(attribute or ""):
        raise InvalidInput("'attribute' must be letters, digits or _ (at most 40).", "attribute")
    refuse_for_anonymous(ctx, "attribute")  # employee answers keep no attributes anyway
    rows = (
        raw_counts.responses(ctx)
        .annotate(attr=KeyTextTransform(attribute, "contact_snapshot"))
        .exclude(attr__isnull=True)
        .values("attr")
        .annotate(**raw_counts.SCORE_AGGREGATES)
        .order_by()
    )
    groups = {row["attr"]: Counts.of(row) for row in rows}
    numeric = {k: number for k in groups if (number := _number(k)) is not None}
    if groups and len(numeric) == len(groups) and (edges or len(groups) > 8):
        groups, labels = _banded(groups, numeric, edges)
    else:
        labels = {k: str(k) for k in groups}
    if not ctx.scope.can(Capability.READ_RECORDS):
        # An attribute's value can be a person's (a name, an email): a role that reads
        # aggregates only sees values shared by at least the organisation's minimum sample.
        floor = max(ctx.filters.min_n, min_sample())
        groups = {k: c for k, c in groups.items() if c.n >= floor}
    cells = [{"key": labels[k], "label": labels[k], **cell(ctx, c)} for k, c in groups.items()]
    return {"attribute": attribute, "rows": cells}


def _banded(
    groups: dict[str, Counts], numeric: dict[str, float], edges: list[float] | None
) -> tuple[dict[str, Counts], dict[str, str]]:
    if not edges:
        ordered = sorted(groups, key=lambda k: numeric[k])
        total = sum(groups[k].n for k in ordered)
        edges, running = [], 0
        for k in ordered:
            running += groups[k].n
            if (
                running >= total * (len(edges) + 1) / NUMERIC_BANDS
                and len(edges) < NUMERIC_BANDS - 1
            ):
                edges.append(numeric[k])
    edges = sorted(set(edges))
    banded: dict[str, Counts] = defaultdict(Counts)
    order: list[str] = []
    for k in sorted(groups, key=lambda k: numeric[k]):
        v = numeric[k]
        i = sum(1 for e in edges if v > e)
        low = "" if i == 0 else f"{edges[i - 1]:g}"
        high = "" if i == len(edges) else f"{edges[i]:g}"
        label = f"≤ {high}" if not low else (f"> {low}" if not high else f"{low}–{high}")
        if label not in banded:
            order.append(label)
        banded[label].add(groups[k])
    return {label: banded[label] for label in order}, {label: label for label in order}
