"""Review figures for a period and the one it is compared with, read as aggregates: the main
dashboard's review panel (the analytics `review_metrics` hook), the digests and the review
metrics export. Each period is one aggregate query over the (organisation, unit path, posted)
index range — counts by star and replies — never the reviews themselves; follow-through is
counted the same way; only the replied reviews are read as rows (two times each, for the
median time to reply).

Statistics are the dashboard's (`analytics.metrics`), as in `reviews.figures`:
- Average rating: CSAT's mean on the bounded 1–5 scale, its interval and Welch test.
- Share of 1–2 stars, response rate, follow-through: Wilson intervals; Fisher / pooled z.
- Follow-through: of the 1–2 star reviews of the period, the share that got an owner reply
  within `REVIEW_REPLY_SLA_HOURS` (48) or whose case was resolved by its due time.
- Time to reply: hours from the review to the owner's reply; median, p90 and the mean with
  its t interval (cut at zero) and Welch test.
A change needs the minimum n on both sides, else it says why there is none."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet

from voxloop.analytics import metrics
from voxloop.closedloop import selectors as closedloop_selectors
from voxloop.reviews.models import Review, ReviewSource
from voxloop.tenancy.scoping import Capability, Scope

LOW = (1, 2)
DEFAULT_REPLY_SLA_HOURS = 48


class Period(Protocol):
    """What is read of the dashboard's filters (analytics.filters.Filters)."""

    @property
    def unit_id(self) -> int | None: ...
    @property
    def min_n(self) -> int: ...
    def bounds(self) -> tuple[datetime, datetime]: ...
    def previous(self) -> Period: ...


def reply_sla() -> timedelta:
    return timedelta(hours=getattr(settings, "REVIEW_REPLY_SLA_HOURS", DEFAULT_REPLY_SLA_HOURS))


def own_reviews(scope: Scope, unit_id: int | None = None) -> QuerySet[Review]:
    """The reader's (or one of their units') live reviews of its own listings."""
    scope.require(Capability.VIEW)
    rows = scope.filter(Review.objects.all(), "unit_path")
    if unit_id:
        from voxloop.tenancy.models import subtree_q
        from voxloop.tenancy.selectors import unit

        rows = rows.filter(subtree_q(unit(scope, unit_id).path, "unit_path"))
    # The organisation's own sources by id (a handful), not a join: each review is then read
    # from the counting indexes alone, never looked up in the sources table (decision 0050).
    own = ReviewSource.objects.filter(organization_id=scope.organization_id, is_competitor=False)
    return rows.filter(
        removed_at__isnull=True, source_id__in=list(own.values_list("pk", flat=True))
    )


@dataclass
class Tally:
    """One period's review counts (what the aggregate query returns)."""

    by_star: dict[int, int] = field(default_factory=dict)
    replied: int = 0

    @property
    def n(self) -> int:
        return sum(self.by_star.values())

    @property
    def low(self) -> int:
        return sum(self.by_star.get(s, 0) for s in LOW)

    def counts(self) -> metrics.Counts:
        """The rating as CSAT counts (sum, squares, top-2): the bounded-scale rules."""
        n = self.n
        return metrics.Counts(
            n=n,
            csat_n=n,
            csat_sum=sum(s * k for s, k in self.by_star.items()),
            csat_sq=sum(s * s * k for s, k in self.by_star.items()),
            csat_top2=self.by_star.get(4, 0) + self.by_star.get(5, 0),
        )


def tally(reviews: QuerySet[Review], low: datetime, high: datetime) -> Tally:
    """Reviews by star, then the replied ones, posted in [low, high): two aggregates, the
    second read from the partial covering index `review_replied` (only replied reviews)."""
    period = reviews.filter(posted_at__gte=low, posted_at__lt=high)
    found = period.aggregate(**{f"s{s}": Count("rating", filter=Q(rating=s)) for s in range(1, 6)})
    replied = period.exclude(reply_text="").aggregate(n=Count("*"))["n"]
    return Tally({s: found[f"s{s}"] or 0 for s in range(1, 6)}, replied or 0)


def reply_hours(reviews: QuerySet[Review], low: datetime, high: datetime) -> list[float]:
    rows = reviews.filter(posted_at__gte=low, posted_at__lt=high, reply_at__isnull=False)
    return [
        (reply - posted).total_seconds() / 3600
        for posted, reply in rows.values_list("posted_at", "reply_at").iterator(chunk_size=5000)
        if reply is not None and reply >= posted
    ]


def followed_through(
    scope: Scope, reviews: QuerySet[Review], low: datetime, high: datetime, n: int | None = None
) -> tuple[int, int]:
    """(followed through, 1–2 star reviews) in [low, high), counted in the database: replies
    in time by one aggregate; then, of the rest, those whose case the closed loop resolved in
    time (it names review ids of the organisation's cases since `low`: cases, not reviews)."""
    lows = reviews.filter(posted_at__gte=low, posted_at__lt=high, rating__in=LOW)
    in_time = Q(reply_at__isnull=False, reply_at__lte=F("posted_at") + reply_sla()) & ~Q(
        reply_text=""
    )
    if n is None:  # else the caller counted them already (`Tally.low`)
        n = lows.aggregate(n=Count("*"))["n"] or 0
    done = (lows.filter(in_time).aggregate(n=Count("*"))["n"] or 0) if n else 0
    if n and done < n:
        resolved = closedloop_selectors.reviews_resolved_in_time(
            organization_id=scope.organization_id, since=low
        )
        if resolved:
            done += lows.exclude(in_time).filter(pk__in=sorted(resolved)).count()
    return done, n


def _share_change(k1: int, n1: int, k2: int, n2: int, min_n: int) -> dict[str, Any]:
    if min(n1, n2) < min_n:
        reason = metrics.LOW_SAMPLE if n1 and n2 else metrics.NO_DATA
        return metrics.no_comparison(reason).as_dict()
    return metrics.proportion_change(k1, n1, k2, n2).as_dict()


def hours_figure(hours: list[float], min_n: int) -> metrics.Figure:
    found = metrics.mean("reply_time", sum(hours), sum(h * h for h in hours), len(hours), min_n)
    if found.low is not None and found.low < 0:  # a duration is never negative
        found = metrics.Figure(**{**found.__dict__, "low": 0.0})
    return found


def _hours(hours: list[float], before: list[float], min_n: int) -> dict[str, Any]:
    now, then = hours_figure(hours, min_n), hours_figure(before, min_n)
    if min(len(hours), len(before)) < min_n:
        change = metrics.no_comparison(
            metrics.LOW_SAMPLE if hours and before else metrics.NO_DATA
        ).as_dict()
    else:
        change = metrics.mean_change(now, then).as_dict()
    return {
        "n": len(hours),
        "median": metrics.percentile(hours, 50),
        "p90": metrics.percentile(hours, 90),
        "mean": now.as_dict(),
        "change": change,
    }


def period_figures(
    scope: Scope,
    reviews: QuerySet[Review],
    bounds: tuple[datetime, datetime],
    before: tuple[datetime, datetime],
    min_n: int = metrics.DEFAULT_MIN_N,
) -> dict[str, Any]:
    """Every review figure of one period with its change against the other."""
    now, then = tally(reviews, *bounds), tally(reviews, *before)
    rating = {**metrics.figure("csat_mean", now.counts(), min_n).as_dict(), "metric": "rating"}
    followed, low_n = followed_through(scope, reviews, *bounds, n=now.low)
    followed_before, low_before = followed_through(scope, reviews, *before, n=then.low)
    n, m = now.n, then.n
    return {
        "volume": n,
        "previous_volume": m,
        "rating": rating,
        "rating_change": metrics.change("csat_mean", now.counts(), then.counts(), min_n).as_dict(),
        "distribution": [
            {
                "stars": s,
                "count": now.by_star.get(s, 0),
                "share": 100.0 * now.by_star.get(s, 0) / n if n else None,
            }
            for s in (5, 4, 3, 2, 1)
        ],
        "low_share": metrics.proportion("low_share", now.low, n, min_n).as_dict(),
        "low_share_change": _share_change(now.low, n, then.low, m, min_n),
        "response_rate": metrics.proportion("response_rate", now.replied, n, min_n).as_dict(),
        "response_rate_change": _share_change(now.replied, n, then.replied, m, min_n),
        "follow_through": metrics.proportion("follow_through", followed, low_n, min_n).as_dict(),
        "follow_through_change": _share_change(followed, low_n, followed_before, low_before, min_n),
        "reply_sla_hours": reply_sla().total_seconds() / 3600,
        "reply_time": _hours(reply_hours(reviews, *bounds), reply_hours(reviews, *before), min_n),
    }


def dashboard_reviews(scope: Scope, filters: Period) -> dict[str, Any] | None:
    """The dashboard's review panel (the `review_metrics` hook): None where the reader's
    subtree has no review at all, so organisations without reviews see no empty panel."""
    reviews = own_reviews(scope, filters.unit_id)
    if not reviews.exists():
        return None
    return period_figures(
        scope, reviews, filters.bounds(), filters.previous().bounds(), filters.min_n
    )
