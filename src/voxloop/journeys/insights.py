"""Journey analytics (issue 20): which touchpoint's experience predicts relationship NPS and
churn, the funnel of stages from interaction data, and the time between stages.

- Predictors reuse the dashboard's drivers engine (analytics.selectors.driver_importance:
  Shapley shares of R² with bootstrap intervals of importance and rank) on the customers of
  the period who answered at a touchpoint and have the outcome: their latest answer at each
  touchpoint against their latest relationship NPS in the period (or whether they churned,
  a linear probability model). Only customers with every touchpoint in the model count
  (complete cases); touchpoints are left out, least answered first, until at least `min_n`
  customers remain, and each one left out is listed with its reason. Fewer than `min_n`
  customers: no model, "low sample", with n.
- The funnel counts customers by the first interaction of each stage in the period, in stage
  order: a customer reaches stage k when their first stage-k event comes no earlier than the
  one of stage k−1 they reached. Each step's conversion is a share with its Wilson interval
  (continuity-corrected, analytics.metrics.proportion). Events after the period's end are not
  seen, so recent entrants look like drop-offs: read long periods.
- Time between stages: median and quartiles (analytics.metrics.percentile) in hours over the
  customers who made the step.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from voxloop.analytics import metrics
from voxloop.analytics import selectors as analytics_selectors
from voxloop.analytics.selectors import Filters
from voxloop.contacts import selectors as contact_selectors
from voxloop.errors import NotFound
from voxloop.journeys.figures import period_of
from voxloop.journeys.models import Journey, MeasureKind, Touchpoint
from voxloop.journeys.selectors import label
from voxloop.tenancy.models import OrgUnit
from voxloop.tenancy.scoping import Scope

MAX_ROWS = 200_000  # answers read per touchpoint for the model (the newest first)


def journey_insights(scope: Scope, journey: Journey, params: Any) -> dict[str, Any]:
    f, node = period_of(scope, params, journey)
    touchpoints = [tp for stage in journey.stages.all() for tp in stage.touchpoints.all()]
    scored = _touchpoint_scores(scope, touchpoints, f, node)
    result: dict[str, Any] = {
        "journey": {"id": journey.pk, "name": label(journey)},
        "period": {"start": f.start, "end": f.end},
        "min_n": f.min_n,
        "funnel": funnel(scope, journey, f, node),
        "nps": None,
        "churn": None,
    }
    if journey.relationship_survey_id:
        outcome = _relationship_nps(scope, journey.relationship_survey_id, f, node)
        if outcome is not None:
            result["nps"] = predictors(touchpoints, scored, outcome, f.min_n)
    customers = set().union(*(s.keys() for s in scored.values())) if scored else set()
    churned = contact_selectors.churned_among(scope, customers)
    result["churn"] = predictors(
        touchpoints, scored, {c: float(c in churned) for c in customers}, f.min_n
    )
    return result


# --- per customer scores ---------------------------------------------------------------------


def _latest(rows: Any) -> dict[int, float]:
    """Each contact's latest value of (contact, time, value) rows."""
    out: dict[int, tuple[datetime, float]] = {}
    for contact_id, when, value in rows:
        if value is None or isinstance(value, bool) or not isinstance(value, int | float):
            continue
        if contact_id not in out or when > out[contact_id][0]:
            out[contact_id] = (when, float(value))
    return {c: v for c, (_, v) in out.items()}


def _touchpoint_scores(
    scope: Scope, touchpoints: list[Touchpoint], f: Filters, node: OrgUnit
) -> dict[int, dict[int, float]]:
    """touchpoint id → contact id → the contact's latest score there (its headline metric)."""
    out: dict[int, dict[int, float]] = {}
    for tp in touchpoints:
        if tp.measure not in (MeasureKind.SURVEY, MeasureKind.QUESTION) or not tp.survey_id:
            continue
        try:
            ctx = analytics_selectors.context(
                scope, replace(f, survey_id=tp.survey_id, unit_id=node.pk)
            )
        except NotFound:
            continue
        rows = analytics_selectors.responses_of(ctx).exclude(contact_id__isnull=True)
        if tp.measure == MeasureKind.QUESTION:
            column = f"answers__{tp.question_key}"
        else:
            column = next(
                (
                    m
                    for m in ("nps", "csat", "ces")
                    if rows.filter(**{f"{m}__isnull": False}).exists()
                ),
                "nps",
            )
        values = rows.order_by("-submitted_at").values_list("contact_id", "submitted_at", column)
        out[tp.pk] = _latest(values[:MAX_ROWS])
    return out


def _relationship_nps(
    scope: Scope, survey_id: int, f: Filters, node: OrgUnit
) -> dict[int, float] | None:
    try:
        ctx = analytics_selectors.context(scope, replace(f, survey_id=survey_id, unit_id=node.pk))
    except NotFound:
        return None
    rows = analytics_selectors.responses_of(ctx).exclude(contact_id__isnull=True)
    values = rows.order_by("-submitted_at").values_list("contact_id", "submitted_at", "nps")
    return _latest(values[:MAX_ROWS])


# --- predictors ------------------------------------------------------------------------------


def predictors(
    touchpoints: list[Touchpoint],
    scored: dict[int, dict[int, float]],
    outcome: dict[int, float],
    min_n: int,
) -> dict[str, Any]:
    names = {tp.pk: label(tp) for tp in touchpoints}
    candidates = [
        tp.pk for tp in touchpoints if tp.pk in scored and set(scored[tp.pk]) & set(outcome)
    ]
    left_out: list[dict[str, Any]] = [
        {"id": tp.pk, "name": names[tp.pk], "reason": "no_answers_with_outcome", "n": 0}
        for tp in touchpoints
        if tp.measure in (MeasureKind.SURVEY, MeasureKind.QUESTION) and tp.pk not in candidates
    ]
    coverage = {pk: len(set(scored[pk]) & set(outcome)) for pk in candidates}
    candidates.sort(key=lambda pk: -coverage[pk])
    while len(candidates) > analytics_selectors.max_drivers():
        dropped = candidates.pop()
        left_out.append(_left(dropped, names, "too_many_touchpoints", coverage))
    while candidates:
        complete = set(outcome).intersection(*(scored[pk] for pk in candidates))
        if len(complete) >= min_n or len(candidates) == 1:
            break
        dropped = candidates.pop()
        left_out.append(_left(dropped, names, "too_few_answered_with_the_others", coverage))
    customers = (
        sorted(set(outcome).intersection(*(scored[pk] for pk in candidates))) if candidates else []
    )
    base = {"n": len(customers), "low_sample": len(customers) < min_n, "left_out": left_out}
    y = [outcome[c] for c in customers]
    if len(customers) < max(min_n, 3) or len(set(y)) < 2:
        reason = "low_sample" if len(customers) < max(min_n, 3) else "no_variation"
        return {**base, "reason": reason, "r2": None, "touchpoints": []}
    drivers = [[scored[pk][c] for c in customers] for pk in candidates]
    fitted = analytics_selectors.driver_importance(y, drivers)
    rows = []
    for i, pk in enumerate(candidates):
        rows.append(
            {
                "id": pk,
                "name": names[pk],
                "n": coverage[pk],
                "importance": fitted["importance"][i],
                "low": fitted["low"][i],
                "high": fitted["high"][i],
                "rank_low": fitted["rank_low"][i],
                "rank_high": fitted["rank_high"][i],
                "direction": fitted["direction"][i],
            }
        )
    rows.sort(key=lambda r: -r["importance"])
    return {**base, "reason": "", "r2": fitted["r2"], "touchpoints": rows}


def _left(pk: int, names: dict[int, str], reason: str, coverage: dict[int, int]) -> dict:
    return {"id": pk, "name": names[pk], "reason": reason, "n": coverage[pk]}


# --- funnel and time between stages ----------------------------------------------------------


def funnel(scope: Scope, journey: Journey, f: Filters, node: OrgUnit) -> dict[str, Any]:
    stages = [
        (
            stage,
            {tp.interaction_type_id for tp in stage.touchpoints.all() if tp.interaction_type_id},
        )
        for stage in journey.stages.all()
    ]
    counted = [(stage, types) for stage, types in stages if types]
    skipped = [{"id": s.pk, "name": label(s)} for s, types in stages if not types]
    since, until = f.bounds()
    all_types = set().union(*(types for _, types in counted)) if counted else set()
    firsts = contact_selectors.first_interactions(
        scope, all_types, since, until, node.path, journey.segment_id
    )
    stage_of = {t: i for i, (_, types) in enumerate(counted) for t in types}
    first: dict[int, dict[int, datetime]] = {}
    for contact_id, type_id, when in firsts:
        at = first.setdefault(contact_id, {})
        i = stage_of[type_id]
        if i not in at or when < at[i]:
            at[i] = when
    return {
        "steps": steps(first, [(s.pk, label(s)) for s, _ in counted], f.min_n),
        "skipped": skipped,
    }


def steps(
    first: dict[int, dict[int, datetime]], stages: list[tuple[int, str]], min_n: int
) -> list[dict[str, Any]]:
    """Customers reaching each stage in order, each step's conversion with its interval, and
    the hours the step took (median, quartiles)."""
    reached: dict[int, datetime] = {c: at[0] for c, at in first.items() if 0 in at}
    out: list[dict[str, Any]] = []
    entered = len(reached)
    for i, (pk, name) in enumerate(stages):
        hours: list[float] = []
        if i > 0:
            before, reached = reached, {}
            for contact, when in before.items():
                later = first[contact].get(i)
                if later is not None and later >= when:
                    reached[contact] = later
                    hours.append((later - when).total_seconds() / 3600)
        row: dict[str, Any] = {"id": pk, "name": name, "customers": len(reached)}
        if i > 0:
            previous = out[-1]["customers"]
            row["conversion"] = metrics.proportion(
                "conversion", len(reached), previous, min_n
            ).as_dict()
            row["overall"] = metrics.proportion("overall", len(reached), entered, min_n).as_dict()
            row["hours"] = {
                "n": len(hours),
                "median": metrics.percentile(hours, 50),
                "q1": metrics.percentile(hours, 25),
                "q3": metrics.percentile(hours, 75),
            }
        out.append(row)
    return out
