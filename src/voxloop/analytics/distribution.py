"""How the 0–10 answers spread (issue 16 item 4): promoters, passives and detractors with
their shares, and the count of each score from 0 to 10, for the KPI cards' surveys (the
headline survey when there is one).

The three groups and the eleven scores come from the rollups (the score facet, decision
0033); with a segment or comment filter, from the responses themselves. Anonymous surveys
show neither: their figures stay in released blocks (decision 0016).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.db.models import Count

from voxloop.analytics import raw_counts, selectors
from voxloop.analytics.selectors import Context

SCORES = range(11)


def nps_distribution(ctx: Context) -> dict[str, Any] | None:
    """{"n", "groups": [{"key", "n", "share"}], "scores": [{"score", "n"}]}, or None when
    there is nothing to show (anonymous survey, no 0–10 answer)."""
    if ctx.anonymous:
        return None
    if ctx.headline:
        ctx = replace(ctx, survey_ids=(ctx.headline[0],))
    counts = selectors.totals(ctx)
    if not counts.nps_n:
        return None
    n = counts.nps_n
    groups: list[dict[str, Any]] = [
        {"key": key, "n": k, "share": round(100 * k / n, 1)}
        for key, k in (
            ("detractors", counts.detractors),
            ("passives", counts.passives),
            ("promoters", counts.promoters),
        )
    ]
    if ctx.from_responses:
        by_score = dict(
            raw_counts.responses(ctx)
            .filter(nps__isnull=False)
            .values_list("nps")
            .annotate(k=Count("id"))
            .order_by()
        )
    else:
        rows = selectors.score_counts(ctx)
        by_score = {int(k): v for k, v in rows.items()}
    scores = [{"score": s, "n": int(by_score.get(s, 0))} for s in SCORES]
    return {"n": n, "groups": groups, "scores": scores, "low_sample": n < ctx.filters.min_n}
