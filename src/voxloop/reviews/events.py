"""The plain-data form of a review that other apps receive with `reviews_received`: enough to
evaluate alert rules and build webhook payloads without reading this app's tables."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse

from voxloop.privacy.redaction import mask
from voxloop.reviews.models import Review

TEXT_LIMIT = 2000


def review_link(review_id: int) -> str:
    return settings.BASE_URL.rstrip("/") + reverse("reviews:review", args=[review_id])


def review_event(review: Review) -> dict[str, Any]:
    themes: dict[str, list[str]] = {}
    for theme in review.themes or []:
        for key in theme.get("path") or [theme["key"]]:
            themes.setdefault(key, [])
            if theme["sentiment"] not in themes[key]:
                themes[key].append(theme["sentiment"])
    return {
        "id": review.pk,
        "organization_id": review.organization_id,
        "unit_id": review.unit_id,
        "unit_path": review.unit_path,
        "source_id": review.source_id,
        "source_kind": review.source.kind,
        "source_name": review.source.name,
        "is_competitor": review.source.is_competitor,
        "rating": review.rating,
        "title": mask(review.title)[:TEXT_LIMIT],
        "text": mask(review.text)[:TEXT_LIMIT],
        "language": review.language,
        "sentiment": review.sentiment,
        "themes": themes,
        "posted_at": review.posted_at.isoformat(),
        "url": review.url,
        "link": review_link(review.pk),
    }
