"""Scoped reads that need the raw responses: comments, contact attributes, choice effects and
drivers. They go through the responses app's scoped selector, for the same unit and period
as the rest of the dashboard, and never for employee surveys' single answers."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from django.db.models.fields.json import KeyTextTransform

from voxloop.analytics import drivers, metrics, raw_counts
from voxloop.analytics.filters import min_sample
from voxloop.analytics.metrics import Counts
from voxloop.analytics.selectors import Context, cell, refuse_for_anonymous
from voxloop.errors import InvalidInput
from voxloop.privacy.redaction import mask
from voxloop.surveys import selectors as survey_selectors
from voxloop.surveys.selectors import text_question_keys
from voxloop.tenancy.scoping import Capability

ATTRIBUTE = re.compile(r"^[A-Za-z0-9_]{1,40}$")
QUESTION_KEY = re.compile(r"^[-A-Za-z0-9_]{1,60}$")
SAMPLE_LIMIT = 20_000  # driver analysis uses the newest responses up to this many
NUMERIC_BANDS = 5


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
    rows = raw_counts.responses(ctx, shown=True).filter(answers__has_any_keys=every_key)[:limit]
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
    numeric = {k: _number(k) for k in groups}
    if groups and all(v is not None for v in numeric.values()) and (edges or len(groups) > 8):
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


def _banded(groups: dict, numeric: dict, edges: list[float] | None):
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


def choice_effects(ctx: Context, question_key: str) -> list[dict[str, Any]]:
    """NPS of the respondents who picked each choice against those who did not."""
    # The key becomes part of an ORM path (answers__<key>): "nps__gt" would be a lookup, not
    # a key. Only a choice question of the surveys in view is accepted.
    if not QUESTION_KEY.match(question_key or "") or "__" in question_key:
        raise InvalidInput("'question' must be a question key.", "question")
    if ctx.anonymous:
        # Groups by answer inside every block would need their own suppression (decision
        # 0016); like drivers, not offered for anonymous surveys.
        return []
    if question_key not in choice_questions(ctx):
        # A text question's answers would come back as keys: comments by another door.
        raise InvalidInput("'question' is not a choice question of these surveys.", "question")
    picked: dict[str, Counts] = defaultdict(Counts)
    everyone = Counts()
    for nps, answer in (
        raw_counts.responses(ctx)
        .filter(nps__isnull=False)
        .values_list("nps", f"answers__{question_key}")
        .order_by()[: SAMPLE_LIMIT * 5]
    ):
        one = Counts.of_scores(nps, None, None, False)
        everyone.add(one)
        for value in set(answer if isinstance(answer, list) else [answer]):
            if isinstance(value, str | int) and value is not None:
                picked[str(value)].add(one)
    out = []
    for value, with_it in sorted(picked.items(), key=lambda kv: -kv[1].n):
        without = Counts().add(everyone).add(with_it, -1)
        change = metrics.change("nps", with_it, without, ctx.filters.min_n)
        out.append(
            {
                "value": value,
                "with": cell(ctx, with_it, "nps"),
                "without": cell(ctx, without, "nps"),
                "difference": change.as_dict(),
            }
        )
    return out


def driver_analysis(ctx: Context) -> dict[str, Any]:
    """Shapley importance of each rated question (and numeric attribute) for the 0–10 score."""
    if ctx.anonymous:
        return {"drivers": [], "n": 0, "r2": None}
    rated = _rated_questions(ctx)
    rows = list(
        raw_counts.responses(ctx)
        .filter(nps__isnull=False)
        .values_list("nps", "answers", "contact_snapshot")[:SAMPLE_LIMIT]
    )
    attributes = _numeric_attributes(rows)
    candidates = [*rated, *(f"attr:{a}" for a in attributes)]
    # Only drivers most respondents answered: one optional question would otherwise leave
    # no complete rows at all.
    names = [n for n in candidates if _coverage(rows, n) >= 0.5][: drivers.MAX_DRIVERS]
    outcome, columns = [], [[] for _ in names]
    for nps, answers, snapshot in rows:
        values = [_value(n, answers, snapshot) for n in names]
        if names and all(v is not None for v in values):
            outcome.append(float(nps))
            for column, v in zip(columns, values, strict=True):
                column.append(v)
    if len(outcome) < max(ctx.filters.min_n, len(names) + 2):
        return {"drivers": [], "n": len(outcome), "r2": None}
    result = drivers.shapley_importance(outcome, columns)
    r2 = result["r2"] or 0.0
    out = [
        {
            "driver": n.removeprefix("attr:"),
            "kind": "attribute" if n.startswith("attr:") else "question",
            "importance": imp,
            "share": (imp / r2 if r2 else 0.0),
            "direction": d,
        }
        for n, imp, d in zip(names, result["importance"], result["direction"], strict=True)
    ]
    out.sort(key=lambda d: -d["importance"])
    return {"drivers": out, "n": len(outcome), "r2": r2}


def _value(name: str, answers: dict, snapshot: dict) -> float | None:
    if name.startswith("attr:"):
        return _number((snapshot or {}).get(name[5:]))
    return _number((answers or {}).get(name))


def _coverage(rows: list, name: str) -> float:
    if not rows:
        return 0.0
    sample = rows[:2000]
    return sum(_value(name, a, s) is not None for _, a, s in sample) / len(sample)


def _rated_questions(ctx: Context) -> list[str]:
    keys: list[str] = []
    for survey_id in ctx.survey_ids:
        survey = survey_selectors.visible_surveys(ctx.scope).filter(pk=survey_id).first()
        if survey is None:
            continue
        for q in survey_selectors.questions_of(survey):
            if q.type in ("rating", "csat", "ces") and q.key not in keys:
                keys.append(q.key)
    return keys


def _numeric_attributes(rows: list) -> list[str]:
    seen: dict[str, int] = defaultdict(int)
    for _, _, snapshot in rows[:2000]:
        for k, v in (snapshot or {}).items():
            if isinstance(v, int | float) and not isinstance(v, bool) and ATTRIBUTE.match(k):
                seen[k] += 1
    return [k for k, count in sorted(seen.items(), key=lambda kv: -kv[1]) if count >= 10][:4]


def choice_questions(ctx: Context) -> list[str]:
    """Keys of the single- and multiple-choice questions of the surveys in the filters."""
    keys: list[str] = []
    if ctx.anonymous:
        return keys
    for survey in survey_selectors.visible_surveys(ctx.scope).filter(pk__in=ctx.survey_ids):
        for q in survey_selectors.questions_of(survey):
            if q.type in ("single_choice", "multiple_choice", "dropdown") and q.key not in keys:
                keys.append(q.key)
    return keys
