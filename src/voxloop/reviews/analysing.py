"""Reviews through the same text analytics as survey comments (language, sentiment, themes,
with the taxonomy above their unit), then the event that alert rules and webhooks hear."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from voxloop.reviews.events import review_event
from voxloop.reviews.models import Review
from voxloop.reviews.signals import reviews_received
from voxloop.textanalytics.services import analyse_texts

DEFAULT_ALERT_DAYS = 7


def fill(reviews: list[Review]) -> None:
    """Analyse these (unsaved or changed) reviews in memory, before they are written, so a
    fetched page costs one INSERT and no UPDATE; those whose text is unchanged are skipped."""
    if not getattr(settings, "REVIEW_TEXT_ANALYTICS", True):
        return
    by_org: dict[int, list[Review]] = {}
    for review in reviews:
        if review.analysed_digest != review.digest:
            by_org.setdefault(review.organization_id, []).append(review)
    for organization_id, group in by_org.items():
        found = analyse_texts(
            organization_id=organization_id,
            items=[(r.unit_path, _words(r), r.language) for r in group],
        )
        for review, result in zip(group, found, strict=True):
            words = bool(_words(review))
            review.language = review.language or (result["language"] if words else "")
            review.sentiment = result["sentiment"] if words else ""
            review.sentiment_score = result["score"] if words else None
            review.themes = [
                {"key": t["key"], "name": t["name"], "path": t["path"], "sentiment": t["sentiment"]}
                for t in result["themes"]
            ]
            review.analysed_digest = review.digest


def analyse(review_ids: Iterable[int]) -> int:
    """Analyse stored reviews again where their text changed since (`voxloop` shell, after a
    taxonomy change); how many were."""
    reviews = [
        r for r in Review.objects.filter(pk__in=list(review_ids)) if r.analysed_digest != r.digest
    ]
    fill(reviews)
    fields = ["language", "sentiment", "sentiment_score", "themes", "analysed_digest"]
    Review.objects.bulk_update(reviews, fields, batch_size=500)
    return len(reviews)


def _words(review: Review) -> str:
    return "\n".join(part for part in (review.title, review.text) if part.strip())


def announce(review_ids: list[int], now: datetime) -> None:
    if not review_ids:
        return
    days = getattr(settings, "REVIEW_ALERT_DAYS", DEFAULT_ALERT_DAYS)
    recent = list(
        Review.objects.filter(
            pk__in=review_ids,
            posted_at__gte=now - timedelta(days=days),
            removed_at__isnull=True,
            source__is_competitor=False,
        ).select_related("source")
    )

    if not recent:
        return
    events = [review_event(review) for review in recent]
    transaction.on_commit(lambda: reviews_received.send(sender=Review, events=events))
