"""What moves the score, per survey (issue 15 item 5; docs/analytics.md "Drivers").

- One analysis per survey: questions of different surveys that share a key are different
  questions (free text in one, a choice in the other).
- Drivers are the survey's closed rated questions (rating, CSAT, CES, yes/no) answered by
  everyone it was shown to, and numeric customer attributes that are not identifiers.
  Questions shown by display logic to some respondents only are left out of the joint model
  and listed with the reason; every candidate left out is listed, none dropped silently.
- Choice effects compare, among the respondents the question was shown to, those who chose
  an answer with those who did not; their flags are Benjamini–Hochberg controlled.
- The whole period's responses, or above SAMPLE_LIMIT a systematic sample by response id
  (every k-th), which the result states.
- Importance and rank carry bootstrap 95% intervals (drivers.bootstrap).
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from itertools import pairwise
from typing import Any

from django.db.models import F, QuerySet
from django.db.models.functions import Mod

from voxloop.analytics import comparisons, drivers, metrics, raw_counts
from voxloop.analytics.metrics import Counts
from voxloop.analytics.selectors import Context, cell
from voxloop.errors import InvalidInput
from voxloop.surveys import selectors as survey_selectors
from voxloop.surveys.models import Question, Survey

QUESTION_KEY = re.compile(r"^[-A-Za-z0-9_]{1,60}$")
ATTRIBUTE = re.compile(r"^[A-Za-z0-9_]{1,40}$")
IDENTIFIER = re.compile(r"(^id$|_id$|^id_|_no$|_number$|_code$|^number$|^code$)", re.I)
SAMPLE_LIMIT = 20_000
RATED = ("rating", "csat", "ces", "yes_no")
CHOICE = ("single_choice", "multiple_choice", "dropdown")


def _surveys(ctx: Context) -> list[Survey]:
    return list(survey_selectors.visible_surveys(ctx.scope).filter(pk__in=ctx.survey_ids))


def _sampled(rows: QuerySet) -> tuple[QuerySet, dict[str, int]]:
    """All rows, or every k-th by id once there are more than SAMPLE_LIMIT."""
    total = rows.count()
    step = max(1, math.ceil(total / SAMPLE_LIMIT))
    if step > 1:
        rows = rows.annotate(_k=Mod(F("pk"), step)).filter(_k=0)
    return rows, {"responses": total, "every": step}


# --- drivers ---------------------------------------------------------------------------------


def driver_analysis(ctx: Context) -> dict[str, Any]:
    """Per survey in the filters, the Shapley importance of each driver with its bootstrap
    intervals; the top-level fields repeat the survey with the most complete answers."""
    if ctx.anonymous:
        return {"drivers": [], "n": 0, "r2": None, "surveys": []}
    per_survey = [_one_survey(ctx, s) for s in _surveys(ctx)]
    per_survey.sort(key=lambda a: -a["n"])
    first = per_survey[0] if per_survey else {"drivers": [], "n": 0, "r2": None}
    return {"drivers": first["drivers"], "n": first["n"], "r2": first["r2"], "surveys": per_survey}


def driver_surveys(ctx: Context) -> list[Survey]:
    """The surveys the drivers page can analyse, one at a time (issue 16 item 5)."""
    return [] if ctx.anonymous else _surveys(ctx)


def survey_drivers(ctx: Context, survey: Survey) -> dict[str, Any]:
    """One survey's driver analysis (the drivers page shows one survey at a time)."""
    return _one_survey(ctx, survey)


def _one_survey(ctx: Context, survey: Survey) -> dict[str, Any]:
    questions = survey_selectors.questions_of(survey)
    sampled, sample = _sampled(
        raw_counts.responses(ctx).filter(survey_id=survey.pk, nps__isnull=False).order_by()
    )
    rows = list(sampled.values_list("nps", "answers", "contact_snapshot"))
    left_out: list[dict[str, str]] = []
    names = []
    for q in questions:
        if q.type not in RATED:
            continue
        if q.show_if:
            left_out.append({"driver": q.key, "reason": "display_logic"})
        elif _coverage(rows, q.key) < 0.5:
            left_out.append({"driver": q.key, "reason": "mostly_unanswered"})
        else:
            names.append(q.key)
    attributes, ids = _numeric_attributes(rows)
    left_out += [{"driver": a, "reason": "identifier"} for a in ids]
    names += [f"attr:{a}" for a in attributes]
    if len(names) > drivers.MAX_DRIVERS:
        left_out += [
            {"driver": n.removeprefix("attr:"), "reason": "too_many"}
            for n in names[drivers.MAX_DRIVERS :]
        ]
        names = names[: drivers.MAX_DRIVERS]
    outcome: list[float] = []
    columns: list[list[float]] = [[] for _ in names]
    for nps, answers, snapshot in rows:
        values = [v for n in names if (v := _value(n, answers, snapshot)) is not None]
        if names and len(values) == len(names):  # complete answers only
            outcome.append(float(nps))
            for column, v in zip(columns, values, strict=True):
                column.append(v)
    base = {"survey_id": survey.pk, "survey": survey.name, "sample": sample, "left_out": left_out}
    if len(outcome) < max(ctx.filters.min_n, len(names) + 2):
        return {**base, "drivers": [], "n": len(outcome), "r2": None}
    result: dict[str, Any] = drivers.shapley_importance(outcome, columns)
    boot = drivers.bootstrap(outcome, columns)
    r2 = result["r2"] or 0.0
    out = [
        {
            "driver": n.removeprefix("attr:"),
            "kind": "attribute" if n.startswith("attr:") else "question",
            "importance": imp,
            "importance_low": boot["low"][i],
            "importance_high": boot["high"][i],
            "rank_low": boot["rank_low"][i],
            "rank_high": boot["rank_high"][i],
            "share": (imp / r2 if r2 else 0.0),
            "direction": d,
            "_index": i,
        }
        for i, (n, imp, d) in enumerate(
            zip(names, result["importance"], result["direction"], strict=True)
        )
    ]
    out.sort(key=lambda d: -d["importance"])
    for this, following in pairwise(out):
        this["ahead_of_next"] = boot["ahead"][this["_index"]][following["_index"]]
    for d in out:
        d.pop("_index")
        d.setdefault("ahead_of_next", None)
    return {**base, "drivers": out, "n": len(outcome), "r2": r2}


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, str) and value.lower() in ("yes", "no", "true", "false"):
        return float(value.lower() in ("yes", "true"))
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number and abs(number) != float("inf") else None


def _value(name: str, answers: dict, snapshot: dict) -> float | None:
    if name.startswith("attr:"):
        return _number((snapshot or {}).get(name[5:]))
    return _number((answers or {}).get(name))


def _coverage(rows: list, key: str) -> float:
    if not rows:
        return 0.0
    return sum(_value(key, a, s) is not None for _, a, s in rows) / len(rows)


def _numeric_attributes(rows: list) -> tuple[list[str], list[str]]:
    """Numeric attributes most respondents have, and those left out as identifiers: by name
    (account_id, member_no) or because nearly every respondent has a value of their own."""
    seen: dict[str, list] = defaultdict(list)
    for _, _, snapshot in rows:
        for k, v in (snapshot or {}).items():
            if isinstance(v, int | float) and not isinstance(v, bool) and ATTRIBUTE.match(k):
                seen[k].append(v)
    kept: list[str] = []
    ids: list[str] = []
    for k, values in sorted(seen.items(), key=lambda kv: -len(kv[1])):
        if len(values) < max(10, len(rows) // 2):
            continue
        if IDENTIFIER.search(k) or len(set(values)) > 0.9 * len(values):
            ids.append(k)
        elif len(kept) < 4:
            kept.append(k)
    return kept, ids


# --- choice effects --------------------------------------------------------------------------


def choice_questions(ctx: Context) -> list[str]:
    """Keys of the single- and multiple-choice questions of the surveys in the filters."""
    keys: list[str] = []
    if ctx.anonymous:
        return keys
    for survey in _surveys(ctx):
        for q in survey_selectors.questions_of(survey):
            if q.type in CHOICE and q.key not in keys:
                keys.append(q.key)
    return keys


def choice_effects(ctx: Context, question_key: str) -> list[dict[str, Any]]:
    """Per survey whose question of that key is a choice: NPS of those who chose each answer
    against those shown the question who did not; flags BH-controlled over all rows."""
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
    groups: list[tuple[Any, str, Counts, Counts]] = []
    for survey in _surveys(ctx):
        question = next(
            (q for q in survey_selectors.questions_of(survey) if q.key == question_key), None
        )
        if question is None or question.type not in CHOICE:
            continue
        shown, picked = _shown_and_picked(ctx, survey, question)
        for value, with_it in sorted(picked.items(), key=lambda kv: -kv[1].n):
            without = Counts().add(shown).add(with_it, -1)
            groups.append((survey, value, with_it, without))
    changes = {
        i: metrics.change("nps", w, wo, ctx.filters.min_n) for i, (_, _, w, wo) in enumerate(groups)
    }
    flags = comparisons.controlled(changes)
    return [
        {
            "survey_id": survey.pk,
            "survey": survey.name,
            "value": value,
            "with": cell(ctx, with_it, "nps"),
            "without": cell(ctx, without, "nps"),
            "difference": flags[i],
        }
        for i, (survey, value, with_it, without) in enumerate(groups)
    ]


def _shown_and_picked(
    ctx: Context, survey: Survey, question: Question
) -> tuple[Counts, dict[str, Counts]]:
    rows, _ = _sampled(
        raw_counts.responses(ctx).filter(survey_id=survey.pk, nps__isnull=False).order_by()
    )
    shown = Counts()
    picked: dict[str, Counts] = defaultdict(Counts)
    fields = ("nps", "answers") if question.show_if else ("nps", f"answers__{question.key}")
    for nps, answers in rows.values_list(*fields).iterator(chunk_size=2000):
        if question.show_if:
            if not survey_selectors.was_shown(question, answers):
                continue  # never asked: neither with nor without
            answer = (answers or {}).get(question.key)
        else:
            answer = answers
        one = Counts.of_scores(nps, None, None, False)
        shown.add(one)
        for value in set(answer if isinstance(answer, list) else [answer]):
            if isinstance(value, str | int) and not isinstance(value, bool):
                picked[str(value)].add(one)
    return shown, picked
