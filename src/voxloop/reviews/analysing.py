"""Reviews through the same text analytics as survey comments (language, sentiment, themes,
with the taxonomy above their unit), then the event that alert rules and webhooks hear."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from voxloop.reviews.events import review_event
from voxloop.reviews.models import Review
from voxloop.reviews.signals import review_received
from voxloop.textanalytics.services import analyse_texts

DEFAULT_ALERT_DAYS = 7


def analyse(review_ids: Iterable[int]) -> int:
    """Analyse these reviews where their text changed since the last analysis."""
    rows = list(Review.objects.filter(pk__in=list(review_ids)))
    by_org: dict[int, list[Review]] = {}
    for review in rows:
        if review.analysed_digest != review.digest:
            by_org.setdefault(review.organization_id, []).append(review)
    done = 0
    for organization_id, reviews in by_org.items():
        found = analyse_texts(
            organization_id=organization_id,
            items=[(r.unit_path, _words(r), r.language) for r in reviews],
        )
        for review, result in zip(reviews, found, strict=True):
            review.language = review.language or result["language"]
            review.sentiment = result["sentiment"] if _words(review) else ""
            review.sentiment_score = result["score"] if _words(review) else None
            review.themes = [
                {"key": t["key"], "name": t["name"], "path": t["path"], "sentiment": t["sentiment"]}
                for t in result["themes"]
            ]
            review.analysed_digest = review.digest
        Review.objects.bulk_update(
            reviews, ["language", "sentiment", "sentiment_score", "themes", "analysed_digest"]
        )
        done += len(reviews)
    return done


def _words(review: Review) -> str:
    return "\n".join(part for part in (review.title, review.text) if part.strip())


def after_store(review_ids: list[int], *, new: list[int], now: datetime) -> None:
    """Analyse what changed, then announce the new, recent reviews once the page commits."""
    if getattr(settings, "REVIEW_TEXT_ANALYTICS", True):
        analyse(review_ids)
    announce(new, now)


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

    def send() -> None:
        for review in recent:
            review_received.send(sender=Review, review=review, event=review_event(review))

    transaction.on_commit(send)
