"""The journey map's figures: per touchpoint and per stage, in the reader's scope and period.

Every figure comes from the owning app's scoped reads and the analytics engine's rules:
- volume: interactions of the touchpoint's type (contacts.selectors.interaction_counts);
- scores: the survey's (or one question's) answers counted like the dashboard's
  (analytics.selectors.context + response_counts: scope, unit, period, the persona's
  segment), NPS/CSAT/CES with their interval, low-sample flag and change against the
  period the dashboard would compare with (analytics.metrics.change);
- response rate: completed over delivered invitations (distribution), else answers per
  interaction when the touchpoint has no invitations but has a volume;
- sentiment and top themes of the comments (textanalytics.selectors.comment_figures);
- open cases about those answers or reviews (closedloop.selectors.open_case_count).
A touchpoint's status colours the map: "broken" when the whole 95% interval of its headline
figure lies under the break line or it fell significantly; "watch" when its estimate is under
the good line; "good" otherwise; "low_sample" and "no_data" are never coloured as facts.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

from voxloop.analytics import metrics
from voxloop.analytics import selectors as analytics_selectors
from voxloop.analytics.metrics import Counts
from voxloop.analytics.selectors import Filters
from voxloop.closedloop import selectors as case_selectors
from voxloop.contacts import selectors as contact_selectors
from voxloop.distribution import selectors as outreach_selectors
from voxloop.errors import NotFound
from voxloop.journeys.models import Journey, MeasureKind, Stage, Touchpoint
from voxloop.journeys.selectors import label
from voxloop.reviews import selectors as review_selectors
from voxloop.surveys import selectors as survey_selectors
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.models import OrgUnit
from voxloop.tenancy.scoping import Scope
from voxloop.textanalytics import selectors as text_selectors

# (break line, good line) of each headline metric: under the first is broken when the whole
# interval is under it; under the second needs watching. CSAT in % top-2 box, CES and review
# ratings as means on their scales.
LINES = {"nps": (0.0, 30.0), "csat": (70.0, 85.0), "ces": (4.0, 5.5), "rating": (3.5, 4.2)}
STATUSES = ("broken", "watch", "good", "low_sample", "no_data")
TOP_THEMES = 3


@dataclass
class Reading:
    """One touchpoint's counts now and before, and what the comments say."""

    now: Counts = field(default_factory=Counts)
    before: Counts = field(default_factory=Counts)
    metric: str = ""
    sentiments: dict[str, int] = field(default_factory=dict)
    themes: Counter[tuple[str, str]] = field(default_factory=Counter)
    negative_themes: Counter[tuple[str, str]] = field(default_factory=Counter)
    open_cases: int | None = None
    delivered: int = 0
    completed: int = 0
    dashboard: str = ""
    key: tuple[Any, ...] = ()  # what was measured: one count per stage however often used


def period_of(scope: Scope, params: Any, journey: Journey) -> tuple[Filters, OrgUnit]:
    """The dashboard's filters from the page's query (period, compare, unit) for this
    journey: its persona's segment, no survey; the unit resolved inside the scope."""
    f = analytics_selectors.filters_parse(params)
    f = replace(f, survey_id=None, segment_id=journey.segment_id, sentiment="", theme_id=None)
    node = (
        tenancy_selectors.unit(scope, f.unit_id)
        if f.unit_id
        else tenancy_selectors.scope_root(scope)
    )
    return f, node


def journey_map(scope: Scope, journey: Journey, params: Any) -> dict[str, Any]:
    f, node = period_of(scope, params, journey)
    since, until = f.bounds()
    before_since, before_until = f.previous().bounds()
    touchpoints = [tp for stage in journey.stages.all() for tp in stage.touchpoints.all()]
    type_ids = {tp.interaction_type_id for tp in touchpoints if tp.interaction_type_id}
    volumes = contact_selectors.interaction_counts(
        scope, type_ids, since, until, node.path, journey.segment_id
    )
    volumes_before = contact_selectors.interaction_counts(
        scope, type_ids, before_since, before_until, node.path, journey.segment_id
    )
    stages = []
    for stage in journey.stages.all():
        read = [
            _touchpoint_cell(scope, tp, f, node, volumes, volumes_before)
            for tp in stage.touchpoints.all()
        ]
        stages.append(_stage_cell(stage, read, f.min_n))
    return {
        "journey": {"id": journey.pk, "name": label(journey)},
        "period": {
            "start": f.start,
            "end": f.end,
            "previous_start": f.previous().start,
            "previous_end": f.previous().end,
            "period": f.period,
            "compare": f.compare,
        },
        "unit": {"id": node.pk, "name": node.name},
        "segment_id": journey.segment_id,
        "min_n": f.min_n,
        "stages": stages,
    }


# --- one touchpoint --------------------------------------------------------------------------


def _touchpoint_cell(
    scope: Scope,
    tp: Touchpoint,
    f: Filters,
    node: OrgUnit,
    volumes: dict[int, tuple[int, int]],
    volumes_before: dict[int, tuple[int, int]],
) -> tuple[dict[str, Any], Reading]:
    reading = _read(scope, tp, f, node)
    volume = volume_before = None
    if tp.interaction_type_id:
        volume = volumes.get(tp.interaction_type_id, (0, 0))[0]
        volume_before = volumes_before.get(tp.interaction_type_id, (0, 0))[0]
    cell: dict[str, Any] = {
        "id": tp.pk,
        "name": label(tp),
        "measure": tp.measure,
        "measure_label": _measure_label(tp),
        "interaction_type": tp.interaction_type.name if tp.interaction_type else "",
        "volume": volume,
        "volume_before": volume_before,
        "responses": reading.now.n,
        "response_rate": _response_rate(reading, volume),
        "dashboard_url": reading.dashboard,
    }
    cell.update(_scores(reading, f.min_n))
    cell["score_rows"] = score_rows(cell["scores"], cell["metric"])
    cell.update(_comments(reading))
    cell["open_cases"] = reading.open_cases
    reading.key = (tp.measure, tp.survey_id, tp.question_key, tp.review_source_id)
    return cell, reading


def _measure_label(tp: Touchpoint) -> str:
    if tp.measure == MeasureKind.QUESTION and tp.survey is not None:
        return f"{tp.survey.name} · {tp.question_key}"
    if tp.measure == MeasureKind.SURVEY and tp.survey is not None:
        return tp.survey.name
    if tp.measure == MeasureKind.REVIEWS and tp.review_source is not None:
        return tp.review_source.name
    return ""


def _read(scope: Scope, tp: Touchpoint, f: Filters, node: OrgUnit) -> Reading:
    if tp.measure in (MeasureKind.SURVEY, MeasureKind.QUESTION) and tp.survey_id:
        try:
            return _read_survey(scope, tp, f, node)
        except NotFound:  # a survey this reader may not see: nothing to show, not an error
            return Reading()
    if tp.measure == MeasureKind.REVIEWS and tp.review_source_id:
        return _read_reviews(scope, tp, f, node)
    return Reading()


def _read_survey(scope: Scope, tp: Touchpoint, f: Filters, node: OrgUnit) -> Reading:
    assert tp.survey_id is not None
    ctx = analytics_selectors.context(scope, replace(f, survey_id=tp.survey_id, unit_id=node.pk))
    earlier = ctx.filters.previous()
    reading = Reading(dashboard=_dashboard_url(ctx.filters))
    if tp.measure == MeasureKind.QUESTION:
        reading.metric = survey_question_metric(tp)
        reading.now = answer_counts(
            analytics_selectors.responses_of(ctx), tp.question_key, reading.metric
        )
        reading.before = answer_counts(
            analytics_selectors.responses_of(ctx, earlier), tp.question_key, reading.metric
        )
    else:
        reading.now = analytics_selectors.response_counts(ctx)
        reading.before = analytics_selectors.response_counts(ctx, earlier)
        reading.metric = _headline_metric(reading.now, reading.before)
    answered = analytics_selectors.responses_of(ctx).order_by().values("pk")
    sentiments, themes = text_selectors.comment_figures(scope, answered)
    reading.sentiments = sentiments
    for row in themes:
        key = (row["theme__key"], row["theme__name"])
        reading.themes[key] += row["n"]
        if row["sentiment"] == "negative":
            reading.negative_themes[key] += row["n"]
    reading.open_cases = case_selectors.open_case_count(scope, responses=answered)
    reading.delivered, reading.completed = outreach_selectors.response_rate_counts(
        scope, ctx.filters
    )
    return reading


def survey_question_metric(tp: Touchpoint) -> str:
    assert tp.survey is not None
    types = {q.key: q.type for q in survey_selectors.questions_of(tp.survey)}
    return types.get(tp.question_key, "")


def answer_counts(responses: Any, key: str, metric: str) -> Counts:
    """Counts of one question's answers (its metric: nps, csat or ces) in these responses."""
    total = Counts()
    for (value,) in responses.order_by().values_list(f"answers__{key}").iterator():
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        one = int(value)
        if metric == "nps" and 0 <= one <= 10:
            total.add(Counts.of_scores(one, None, None, False))
        elif metric == "csat" and 1 <= one <= 5:
            total.add(Counts.of_scores(None, one, None, False))
        elif metric == "ces" and 1 <= one <= 7:
            total.add(Counts.of_scores(None, None, one, False))
    return total


def _headline_metric(now: Counts, before: Counts) -> str:
    for metric, n in (("nps", "nps_n"), ("csat", "csat_n"), ("ces", "ces_n")):
        if getattr(now, n) or getattr(before, n):
            return metric
    return ""


def _read_reviews(scope: Scope, tp: Touchpoint, f: Filters, node: OrgUnit) -> Reading:
    unit_id = node.pk if node.pk != scope.unit_id else None
    now = review_selectors.ReviewFilters(
        source_id=tp.review_source_id, start=f.start, end=f.end, unit_id=unit_id
    )
    earlier = f.previous()
    before = replace(now, start=earlier.start, end=earlier.end)
    query = {"source": tp.review_source_id, "start": f.start.isoformat(), "end": f.end.isoformat()}
    reading = Reading(metric="rating", dashboard=f"{reverse('reviews:list')}?{urlencode(query)}")
    rows = review_selectors.counted_reviews(scope, now)
    for rating, sentiment, themes in rows.values_list("rating", "sentiment", "themes"):
        reading.now.add(Counts.of_scores(None, rating, None, False))
        if sentiment:
            reading.sentiments[sentiment] = reading.sentiments.get(sentiment, 0) + 1
        for theme in themes or []:
            key = (theme.get("key", ""), theme.get("name") or theme.get("key", ""))
            reading.themes[key] += 1
            if theme.get("sentiment") == "negative":
                reading.negative_themes[key] += 1
    for (rating,) in review_selectors.counted_reviews(scope, before).values_list("rating"):
        reading.before.add(Counts.of_scores(None, rating, None, False))
    reading.open_cases = case_selectors.open_case_count(
        scope, review_ids=rows.order_by().values("pk")
    )
    return reading


def _dashboard_url(f: Filters) -> str:
    return f"{reverse('analytics:dashboard')}?{urlencode(f.as_query())}"


def _response_rate(reading: Reading, volume: int | None) -> dict[str, Any] | None:
    if reading.delivered:
        found = metrics.proportion("response_rate", reading.completed, reading.delivered)
        return {**found.as_dict(), "basis": "invitations"}
    if volume:
        answered = min(reading.now.n, volume)
        return {
            **metrics.proportion("response_rate", answered, volume).as_dict(),
            "basis": "volume",
        }
    return None


def _figure(metric: str, counts: Counts, min_n: int) -> metrics.Figure:
    if metric == "rating":
        return replace(metrics.figure("csat_mean", counts, min_n), metric="rating")
    return metrics.figure(metric, counts, min_n)


def _change(metric: str, now: Counts, before: Counts, min_n: int) -> metrics.Change:
    return metrics.change("csat_mean" if metric == "rating" else metric, now, before, min_n)


def _scores(reading: Reading, min_n: int) -> dict[str, Any]:
    """Every score the counts hold, the headline one, its change and the status."""
    scores = {}
    if reading.metric != "rating":
        for metric, n in (("nps", "nps_n"), ("csat", "csat_n"), ("ces", "ces_n")):
            if getattr(reading.now, n) or getattr(reading.before, n):
                scores[metric] = {
                    **_figure(metric, reading.now, min_n).as_dict(),
                    "change": _change(metric, reading.now, reading.before, min_n).as_dict(),
                }
    if not reading.metric:
        return {
            "metric": "",
            "headline": None,
            "change": None,
            "scores": scores,
            "status": "no_data",
        }
    headline = _figure(reading.metric, reading.now, min_n)
    moved = _change(reading.metric, reading.now, reading.before, min_n)
    if reading.metric == "rating":
        scores["rating"] = {**headline.as_dict(), "change": moved.as_dict()}
    return {
        "metric": reading.metric,
        "headline": headline.as_dict(),
        "change": moved.as_dict(),
        "scores": scores,
        "status": status_of(reading.metric, headline, moved),
    }


def score_rows(scores: dict[str, Any], headline: str) -> list[dict[str, Any]]:
    """The scores to show, the headline first; means with two decimals."""
    order = sorted(scores, key=lambda m: (m != headline, ("nps", "csat", "ces", "rating").index(m)))
    return [
        {"metric": m, "figure": scores[m], "digits": 2 if m in ("ces", "rating") else 0}
        for m in order
    ]


def status_of(metric: str, headline: metrics.Figure, moved: metrics.Change) -> str:
    if headline.value is None:
        return "no_data"
    if headline.low_sample:
        return "low_sample"
    broken_line, good_line = LINES[metric]
    if (headline.high is not None and headline.high < broken_line) or (
        moved.significant and (moved.delta or 0) < 0
    ):
        return "broken"
    if headline.value < good_line:
        return "watch"
    return "good"


def _comments(reading: Reading) -> dict[str, Any]:
    total = sum(reading.sentiments.values())
    top = reading.themes.most_common(TOP_THEMES)
    return {
        "sentiment": {
            "n": total,
            "positive": reading.sentiments.get("positive", 0),
            "neutral": reading.sentiments.get("neutral", 0) + reading.sentiments.get("mixed", 0),
            "negative": reading.sentiments.get("negative", 0),
            "negative_share": _share(reading.sentiments.get("negative", 0), total),
        },
        "themes": [
            {"key": key, "name": name, "n": n, "negative": reading.negative_themes[(key, name)]}
            for (key, name), n in top
        ],
    }


def _share(k: int, n: int) -> dict[str, Any] | None:
    return metrics.proportion("share", k, n).as_dict() if n else None


# --- one stage -------------------------------------------------------------------------------


def _stage_cell(stage: Stage, read: list[tuple[dict[str, Any], Reading]], min_n: int) -> dict:
    """A stage: the sums of its touchpoints, its answers counted once per measure (a survey
    measuring two touchpoints counts once), reviews apart from survey scores."""
    cells = [cell for cell, _ in read]
    volumes = [c["volume"] for c in cells if c["volume"] is not None]
    cases = [c["open_cases"] for c in cells if c["open_cases"] is not None]
    ranked = [c["status"] for c in cells]
    status = next((s for s in STATUSES if s in ranked), "no_data")
    now, before, seen = Counts(), Counts(), set()
    for _, reading in read:
        if reading.metric and reading.metric != "rating" and reading.key not in seen:
            seen.add(reading.key)
            now.add(reading.now)
            before.add(reading.before)
    scores = {}
    for metric, n in (("nps", "nps_n"), ("csat", "csat_n"), ("ces", "ces_n")):
        if getattr(now, n) or getattr(before, n):
            scores[metric] = {
                **_figure(metric, now, min_n).as_dict(),
                "change": _change(metric, now, before, min_n).as_dict(),
            }
    return {
        "id": stage.pk,
        "name": label(stage),
        "volume": sum(volumes) if volumes else None,
        "responses": sum(c["responses"] for c in cells),
        "scores": scores,
        "score_rows": score_rows(scores, ""),
        "open_cases": sum(cases) if cases else None,
        "status": status,
        "touchpoints": cells,
    }
