"""Review metrics with the dashboard's statistics rules (`analytics.metrics`: n, 95% intervals,
the low-sample flag, the significance of a change), never formulas of their own.

- Average rating: a mean on the bounded 1–5 scale — the same as CSAT's mean, so it gets the
  same adjusted interval and Welch test (it is computed through CSAT's counts).
- Share of 1–2 stars and response rate: proportions with the continuity-corrected Wilson
  interval; their change by Fisher's exact test or the pooled z-test.
- Time to reply: median and 90th percentile in hours (`metrics.percentile`).
- Follow-through: of the 1–2 star reviews, the share answered within the reply SLA or whose
  case was resolved in time (`reviews.panel`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db.models import QuerySet

from voxloop.analytics import metrics
from voxloop.reviews import panel
from voxloop.reviews.models import InvitationFollowed, Review
from voxloop.reviews.selectors import ReviewFilters, counted_reviews
from voxloop.tenancy.scoping import Scope

LOW = (1, 2)


def rating_counts(ratings: list[int]) -> metrics.Counts:
    """A 1–5 rating counts like a CSAT answer (sum, squares, top-2): the bounded-scale rules."""
    c = metrics.Counts(n=len(ratings))
    for r in ratings:
        c.add(metrics.Counts.of_scores(None, r, None, False))
    c.n = len(ratings)
    return c


def rating_figure(c: metrics.Counts) -> dict[str, Any]:
    found = metrics.figure("csat_mean", c)
    return {**found.as_dict(), "metric": "rating"}


@dataclass
class Rows:
    ratings: list[int]
    replied: int
    reply_hours: list[float]
    sentiments: Counter
    themes: Counter


def _rows(reviews: QuerySet[Review]) -> Rows:
    ratings, replied, hours = [], 0, []
    sentiments: Counter = Counter()
    themes: Counter = Counter()
    names: dict[str, str] = {}
    for rating, posted, reply_at, reply_text, sentiment, found in reviews.values_list(
        "rating", "posted_at", "reply_at", "reply_text", "sentiment", "themes"
    ):
        ratings.append(rating)
        if reply_text:
            replied += 1
            if reply_at and reply_at >= posted:
                hours.append((reply_at - posted).total_seconds() / 3600)
        if sentiment:
            sentiments[sentiment] += 1
        for theme in found or []:
            themes[theme["key"]] += 1
            names[theme["key"]] = theme.get("name") or theme["key"]
    named = Counter({(k, names[k]): v for k, v in themes.items()})
    return Rows(ratings, replied, hours, sentiments, named)


def summary(scope: Scope, filters: ReviewFilters) -> dict[str, Any]:
    """Every headline figure for the reviews in view, and the change against the period just
    before (same length) when the filters name a period."""
    reviews = counted_reviews(scope, filters)
    now = _rows(reviews)
    out = _headline(now)
    out["invitations_followed"] = followed_invitations(scope, filters)
    # Of the 1–2 star reviews in view, those answered within the reply SLA or whose case was
    # resolved in time (`reviews.panel`, the dashboard's definition).
    since, until = datetime(1970, 1, 1, tzinfo=UTC), datetime(9999, 1, 1, tzinfo=UTC)
    followed, low_n = panel.followed_through(scope, reviews, since, until)
    out["follow_through"] = metrics.proportion("follow_through", followed, low_n).as_dict()
    out["reply_sla_hours"] = panel.reply_sla().total_seconds() / 3600
    if filters.start and filters.end:
        length = (filters.end - filters.start).days + 1
        before = ReviewFilters(
            **{
                **filters.__dict__,
                "start": filters.start - timedelta(days=length),
                "end": filters.start - timedelta(days=1),
            }
        )
        prev = _rows(counted_reviews(scope, before))
        out["previous"] = _headline(prev)
        out["change"] = {
            "rating": metrics.change(
                "csat_mean", rating_counts(now.ratings), rating_counts(prev.ratings)
            ).as_dict(),
            "low_share": _share_change(now, prev),
        }
    return out


def followed_invitations(scope: Scope, filters: ReviewFilters) -> int:
    """Respondents of the subtree who followed a review invitation's link in the period."""
    rows = scope.filter(InvitationFollowed.objects.all(), "unit_path")
    if filters.start is not None:
        rows = rows.filter(followed_at__date__gte=filters.start)
    if filters.end is not None:
        rows = rows.filter(followed_at__date__lte=filters.end)
    return rows.count()


def _share_change(now: Rows, prev: Rows) -> dict[str, Any]:
    a, b = len(now.ratings), len(prev.ratings)
    if min(a, b) < metrics.DEFAULT_MIN_N:
        return metrics.no_comparison(metrics.LOW_SAMPLE if a and b else metrics.NO_DATA).as_dict()
    k1 = sum(1 for r in now.ratings if r in LOW)
    k2 = sum(1 for r in prev.ratings if r in LOW)
    return metrics.proportion_change(k1, a, k2, b).as_dict()


def _headline(rows: Rows) -> dict[str, Any]:
    n = len(rows.ratings)
    by_star = Counter(rows.ratings)
    low = sum(by_star[s] for s in LOW)
    return {
        "volume": n,
        "rating": rating_figure(rating_counts(rows.ratings)),
        "distribution": [
            {"stars": s, "count": by_star[s], "share": (100.0 * by_star[s] / n) if n else None}
            for s in (5, 4, 3, 2, 1)
        ],
        "low_share": metrics.proportion("low_share", low, n).as_dict(),
        "response_rate": metrics.proportion("response_rate", rows.replied, n).as_dict(),
        "reply_hours": {
            "n": len(rows.reply_hours),
            "median": metrics.percentile(rows.reply_hours, 50),
            "p90": metrics.percentile(rows.reply_hours, 90),
        },
        "sentiment": {s: rows.sentiments.get(s, 0) for s in ("positive", "neutral", "negative")},
        "themes": [
            {"key": key, "name": name, "count": count}
            for (key, name), count in rows.themes.most_common(10)
        ],
    }


def breakdown(scope: Scope, filters: ReviewFilters, by: str) -> list[dict[str, Any]]:
    """Average rating, volume and share of 1–2 stars per unit (the reader's unit's children
    and their subtrees), per source or per month."""
    reviews = counted_reviews(scope, filters)
    groups: dict[Any, list[int]] = {}
    labels: dict[Any, str] = {}
    if by == "source":
        for key, name, rating in reviews.values_list("source_id", "source__name", "rating"):
            groups.setdefault(key, []).append(rating)
            labels[key] = name
    elif by == "month":
        for posted, rating in reviews.values_list("posted_at", "rating"):
            month = date(posted.year, posted.month, 1)
            groups.setdefault(month, []).append(rating)
            labels[month] = month.strftime("%Y-%m")
    else:
        from voxloop.tenancy import selectors as tenancy_selectors

        top = tenancy_selectors.unit(scope, filters.unit_id or scope.unit_id)
        children = list(tenancy_selectors.visible_units(scope, parent_id=top.pk))
        paths = [(c.path, c) for c in children]
        for path, rating in reviews.values_list("unit_path", "rating"):
            for child_path, child in paths:
                if path.startswith(child_path):
                    groups.setdefault(child.pk, []).append(rating)
                    labels[child.pk] = child.name
                    break
    rows = []
    for key in sorted(groups, key=lambda k: labels[k]):
        ratings = groups[key]
        low = sum(1 for r in ratings if r in LOW)
        rows.append(
            {
                "key": key.isoformat() if isinstance(key, date) else key,
                "label": labels[key],
                "volume": len(ratings),
                "rating": rating_figure(rating_counts(ratings)),
                "low_share": metrics.proportion("low_share", low, len(ratings)).as_dict(),
            }
        )
    return rows
