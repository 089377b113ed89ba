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

import json
import math
import re
from collections import defaultdict
from itertools import pairwise
from typing import Any

from django.db.models import Count, F, FloatField, Func, QuerySet
from django.db.models.fields.json import KeyTextTransform, KeyTransform
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
# The drivers page fits its model on at most this many responses (a systematic sample, said
# on the page): the bootstrap intervals stay narrow and the page opens within its budget.
# Its choice effects, cheap per row, keep SAMPLE_LIMIT.
PAGE_SAMPLE_LIMIT = 5_000
ATTRIBUTE_PROBE = 2_000  # rows looked at for the names of customer attributes
RATED = ("rating", "csat", "ces", "yes_no")
CHOICE = ("single_choice", "multiple_choice", "dropdown")


def _surveys(ctx: Context) -> list[Survey]:
    return list(survey_selectors.visible_surveys(ctx.scope).filter(pk__in=ctx.survey_ids))


def _sampled(rows: QuerySet, limit: int | None = None) -> tuple[QuerySet, dict[str, int]]:
    """All rows, or every k-th by id once there are more than `limit` (SAMPLE_LIMIT)."""
    total = rows.count()
    step = max(1, math.ceil(total / (limit or SAMPLE_LIMIT)))
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


def survey_drivers(
    ctx: Context, survey: Survey, choices: int = 5
) -> tuple[dict[str, Any], list[tuple[str, list[dict[str, Any]]]]]:
    """One survey's driver analysis and the choice effects of its first `choices` choice
    questions, from one read of its responses (the drivers page shows one survey at a time)."""
    questions = survey_selectors.questions_of(survey)
    keys = _keys_read(questions)
    rows, sample = _survey_rows(ctx, survey, keys, PAGE_SAMPLE_LIMIT)
    analysis = _one_survey(ctx, survey, (rows, sample))
    asked = [q for q in questions if q.type in CHOICE][:choices]
    counted: list[tuple[int, Any, int]] = []
    if asked:
        wanted = list(dict.fromkeys(k for q in asked for k in [q.key, *_condition_keys(q.show_if)]))
        if keys is not None and all(k in keys for k in wanted):
            counted = _answer_counts(ctx, survey, wanted)
        else:
            read, _ = _survey_rows(ctx, survey, None, attributes=False)
            counted = [(nps, answers, 1) for nps, answers, _snapshot in read]
    effects = []
    for question in asked:
        picked = _picked_in(counted, question)
        effects.append((question.key, _effect_rows(ctx, [(survey, *picked)])))
    return analysis, effects


def _answer_counts(ctx: Context, survey: Survey, keys: list[str]) -> list[tuple[int, Any, int]]:
    """(nps, the answers to `keys`, how many responses gave both) over the same responses
    as `_survey_rows` (sampled above SAMPLE_LIMIT): counted by the database, so the choice
    effects' display logic and tallies run once per distinct combination of answers, not
    once per response (a few hundred rows instead of ~17,000 on the demo's largest survey)."""
    sampled, _ = _sampled(
        raw_counts.responses(ctx).filter(survey_id=survey.pk, nps__isnull=False).order_by()
    )
    columns = {f"a{i}": KeyTransform(k, "answers") for i, k in enumerate(keys)}
    grouped = sampled.values("nps", **columns).annotate(k=Count("pk")).order_by()
    out = []
    for row in grouped:
        answers = {k: row[f"a{i}"] for i, k in enumerate(keys) if row[f"a{i}"] is not None}
        out.append((row["nps"], answers, row["k"]))
    return out


def _survey_rows(
    ctx: Context,
    survey: Survey,
    keys: list[str] | None = None,
    limit: int | None = None,
    attributes: bool = True,
) -> tuple[list[tuple], dict[str, int]]:
    """(nps, answers, contact snapshot) of the survey's responses, or of a sample of them.
    With `keys`, only those answers are read, as text for the model's numbers (the database
    extracts them: long comments and other answers are never decoded), which is most of the
    cost on a big survey."""
    sampled, sample = _sampled(
        raw_counts.responses(ctx).filter(survey_id=survey.pk, nps__isnull=False).order_by(),
        limit,
    )
    if keys is None:
        return list(sampled.values_list("nps", "answers", "contact_snapshot")), sample
    names: list[str] = []
    if attributes:  # customer attributes: the names found in the first rows, only those read
        seen = sampled.values_list("contact_snapshot", flat=True)[:ATTRIBUTE_PROBE]
        names = sorted({k for snap in seen for k in (snap or {}) if ATTRIBUTE.match(str(k))})
    # No value is decoded one by one (Django's JSON converter was most of a cold page): the
    # answers come as text, which `_number` parses ("7", "true", "yes") as it did the decoded
    # value; an attribute comes as a float when it is a JSON number, else NULL (only numbers
    # are attributes of the model, `_numeric_attributes`).
    texts: dict[str, Any] = {f"_a{i}": KeyTextTransform(k, "answers") for i, k in enumerate(keys)}
    texts |= {f"_s{i}": _JsonNumber("contact_snapshot", a) for i, a in enumerate(names)}
    columns = [*texts]
    rows = []
    width = len(keys)
    for nps, *values in sampled.annotate(**texts).values_list("nps", *columns):
        answers = {k: v for k, v in zip(keys, values[:width], strict=True) if v is not None}
        snapshot = {a: v for a, v in zip(names, values[width:], strict=True) if v is not None}
        rows.append((nps, answers, snapshot))
    return rows, sample


class _JsonNumber(Func):
    """A key of a JSON column when its value is a number, else NULL, as a float: the
    database tells the type, so nothing is decoded here."""

    output_field = FloatField()

    def __init__(self, column: str, key: str) -> None:
        super().__init__(F(column))
        self.key = key

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, tuple]:
        column, params = compiler.compile(self.source_expressions[0])
        sql = (
            f"(CASE WHEN jsonb_typeof({column} -> %s) = 'number' "
            f"THEN ({column} ->> %s)::float8 END)"
        )
        return sql, (*params, self.key, *params, self.key)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, tuple]:
        column, params = compiler.compile(self.source_expressions[0])
        path = f"$.{json.dumps(self.key)}"
        sql = (
            f"(CASE WHEN json_type({column}, %s) IN ('integer', 'real') "
            f"THEN json_extract({column}, %s) END)"
        )
        return sql, (*params, path, *params, path)


def _keys_read(questions: list[Question]) -> list[str] | None:
    """The answers the drivers page needs: rated and choice questions' own, and those their
    display logic looks at; None (read everything) if a key cannot be read on its own."""
    keys: list[str] = []
    for q in questions:
        if q.type in RATED or q.type in CHOICE:
            keys.append(q.key)
            keys += _condition_keys(q.show_if)
    keys = list(dict.fromkeys(keys))
    safe = all(isinstance(k, str) and QUESTION_KEY.match(k) and "__" not in k for k in keys)
    return keys if safe else None


def _condition_keys(rule: Any) -> list[str]:
    if isinstance(rule, dict):
        own = [rule["question"]] if isinstance(rule.get("question"), str) else []
        return own + [k for v in rule.values() for k in _condition_keys(v)]
    if isinstance(rule, list):
        return [k for v in rule for k in _condition_keys(v)]
    return []


def _one_survey(
    ctx: Context, survey: Survey, read: tuple[list[tuple], dict[str, int]] | None = None
) -> dict[str, Any]:
    questions = survey_selectors.questions_of(survey)
    rows, sample = read or _survey_rows(ctx, survey)
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
    found = []
    for survey in _surveys(ctx):
        question = next(
            (q for q in survey_selectors.questions_of(survey) if q.key == question_key), None
        )
        if question is None or question.type not in CHOICE:
            continue
        found.append((survey, *_shown_and_picked(ctx, survey, question)))
    return _effect_rows(ctx, found)


def _effect_rows(
    ctx: Context, found: list[tuple[Survey, Counts, dict[str, Counts]]]
) -> list[dict[str, Any]]:
    """Per answer: NPS of those who chose it against those shown it who did not; flags
    Benjamini–Hochberg controlled over every row."""
    groups: list[tuple[Any, str, Counts, Counts]] = []
    for survey, shown, picked in found:
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


def _picked_in(
    rows: list[tuple[int, Any, int]], question: Question
) -> tuple[Counts, dict[str, Counts]]:
    """`_shown_and_picked` over answers already counted (nps, answers, how many)."""
    # Plain counts of each 0–10 score per answer (a hot loop over every row read).
    shown = [0] * 11
    picked: dict[str, list[int]] = defaultdict(lambda: [0] * 11)
    for nps, answers, k in rows:
        if question.show_if and not survey_selectors.was_shown(question, answers):
            continue  # never asked: neither with nor without
        answer = (answers or {}).get(question.key)
        shown[nps] += k
        for value in set(answer if isinstance(answer, list) else [answer]):
            if isinstance(value, str | int) and not isinstance(value, bool):
                picked[str(value)][nps] += k
    return _of_scores(shown), {value: _of_scores(c) for value, c in picked.items()}


def _of_scores(by_score: list[int]) -> Counts:
    """The counts of NPS answers from how many gave each score."""
    n = sum(by_score)
    return Counts(
        n=n,
        nps_n=n,
        promoters=sum(by_score[9:]),
        passives=sum(by_score[7:9]),
        detractors=sum(by_score[:7]),
    )


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
