"""Every read of reviews and their sources that people see, always scoped: a review or a source
outside the reader's subtree or organisation is "not found"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from voxloop.errors import NotFound
from voxloop.reviews.models import Review, ReviewReply, ReviewSource, SourceLocation
from voxloop.tenancy.models import subtree_q
from voxloop.tenancy.scoping import Capability, Scope

SENTIMENTS = ("negative", "neutral", "positive")
# The review metrics export's columns (`reviews.exporting` writes the rows).
REVIEW_METRICS_HEADER = [
    "group",
    "label",
    "reviews",
    "average_rating",
    "rating_low",
    "rating_high",
    "low_sample",
    "share_1_2_stars_pct",
    "response_rate_pct",
    "follow_through_pct",
    "median_reply_hours",
]


@dataclass(frozen=True)
class ReviewFilters:
    source_id: int | None = None
    rating: int | None = None
    sentiment: str = ""
    theme: str = ""
    start: date | None = None
    end: date | None = None  # inclusive
    unit_id: int | None = None
    removed: bool = False  # include removed reviews
    competitors: bool = False  # competitor listings instead of our own


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def visible_reviews(scope: Scope, filters: ReviewFilters | None = None) -> QuerySet[Review]:
    """Reviews of the reader's subtree (records: every role but the viewer)."""
    scope.require(Capability.READ_RECORDS)
    return _filtered(scope, filters or ReviewFilters())


def _filtered(scope: Scope, f: ReviewFilters) -> QuerySet[Review]:
    rows = scope.filter(Review.objects.all(), "unit_path").filter(
        source__is_competitor=f.competitors
    )
    if f.unit_id is not None:
        from voxloop.tenancy.selectors import unit

        rows = rows.filter(unit_path__startswith=unit(scope, f.unit_id).path)
    if not f.removed:
        rows = rows.filter(removed_at__isnull=True)
    if f.source_id is not None:
        rows = rows.filter(source_id=f.source_id)
    if f.rating is not None:
        rows = rows.filter(rating=f.rating)
    if f.sentiment:
        rows = rows.filter(sentiment=f.sentiment)
    if f.start is not None:
        rows = rows.filter(posted_at__gte=_day_start(f.start))
    if f.end is not None:
        rows = rows.filter(posted_at__lt=_day_start(f.end + timedelta(days=1)))
    if f.theme:
        # Themes are a short JSON list per review; matched in Python over the ids (a text
        # filter costs a scan of the reviews in view, as it does for comments, decision 0022).
        ids = [
            pk
            for pk, themes in rows.values_list("pk", "themes")
            if any(f.theme in (t.get("path") or [t.get("key")]) for t in themes or [])
        ]
        rows = rows.filter(pk__in=ids)
    return rows.select_related("source", "unit")


def counted_reviews(scope: Scope, filters: ReviewFilters | None = None) -> QuerySet[Review]:
    """The reviews behind figures (every role that sees the subtree's figures)."""
    scope.require(Capability.VIEW)
    return _filtered(scope, filters or ReviewFilters())


def review(scope: Scope, review_id: int) -> Review:
    scope.require(Capability.READ_RECORDS)
    return scope.get(
        Review.objects.select_related("source", "unit", "location"), "unit_path", pk=review_id
    )


def review_for_case(scope: Scope, review_id: int | None) -> Review | None:
    """The review behind a case, for whoever may read the case (an agent included)."""
    if review_id is None:
        return None
    try:
        return scope.get(Review.objects.select_related("source", "unit"), "unit_path", pk=review_id)
    except NotFound:
        return None


def versions(review_obj: Review) -> list:
    return list(review_obj.versions.all())


def replies(review_obj: Review) -> list[ReviewReply]:
    return list(review_obj.replies.select_related("author"))


def sources(scope: Scope) -> QuerySet[ReviewSource]:
    """Sources placed in the admin's subtree."""
    scope.require(Capability.CONFIGURE)
    return scope.filter(ReviewSource.objects.select_related("unit"), "unit_path")


def source(scope: Scope, source_id: int) -> ReviewSource:
    scope.require(Capability.CONFIGURE)
    return scope.get(ReviewSource.objects.select_related("unit"), "unit_path", pk=source_id)


def source_choices(scope: Scope) -> list[tuple[int, str]]:
    """Sources whose reviews the reader may see, for the list's filter."""
    paths = scope.filter(Review.objects.all(), "unit_path").values("source_id").distinct()
    return list(
        ReviewSource.objects.filter(pk__in=paths, is_competitor=False)
        .order_by("name")
        .values_list("pk", "name")
    )


def locations(source_obj: ReviewSource) -> list[SourceLocation]:
    return list(source_obj.locations.select_related("unit").order_by("external_id"))


def location(scope: Scope, location_id: int) -> SourceLocation:
    scope.require(Capability.CONFIGURE)
    found = (
        SourceLocation.objects.select_related("source", "unit")
        .filter(
            subtree_q(scope.unit_path, "source__unit_path"),
            source__organization_id=scope.organization_id,
        )
        .filter(pk=location_id)
        .first()
    )
    if found is None:
        raise NotFound("No such location.")
    return found


def review_metrics_rows(
    scope: Scope, since: datetime | None, until: datetime | None
) -> tuple[list[str], list[list]]:
    """The review metrics export's header and rows (the exports app's "reviews" kind)."""
    from voxloop.reviews import exporting

    return REVIEW_METRICS_HEADER, exporting.rows(scope, since, until)
