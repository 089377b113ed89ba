"""From a provider's pages to stored reviews (system work: tasks and imports, never a person's
request, so no scope).

- **Idempotent.** A review is one row per (source, provider id); a fetch that changes nothing
  writes only when it was seen. An edit (text, rating, title, author or owner reply) keeps
  what it said before as a `ReviewVersion`.
- **Resumable.** The cursor (which location, which page, when the pass began) is saved after
  every page, so a pass stopped by a rate limit or a killed worker carries on where it was.
- **Removals.** Providers that list every live review (Google Business Profile, App Store,
  Trustpilot): a review a complete pass did not see was removed. Files say so in a column.
- **Backoff.** 429 and 5xx answers put the next attempt at the provider's Retry-After, else
  at 1, 2, 4… minutes (at most six hours); other refusals wait for the next scheduled fetch.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from voxloop import sealing
from voxloop.reviews import analysing, bulking
from voxloop.reviews.connectors import connector
from voxloop.reviews.connectors.base import Fetched, ProviderError, SourceConfig
from voxloop.reviews.models import Review, ReviewSource, ReviewVersion, SourceLocation

log = logging.getLogger(__name__)
MAX_BACKOFF = timedelta(hours=6)
PAGES_PER_RUN = 200  # then the task enqueues itself again, so one source never hogs a worker


@dataclass
class Stored:
    new: list[int] = field(default_factory=list)
    edited: list[int] = field(default_factory=list)
    removed: int = 0
    unchanged: int = 0


@dataclass
class FetchOutcome:
    stored: Stored
    finished: bool
    retry_in: timedelta | None = None  # when set: try again after this long
    error: str = ""


def digest_of(item: Fetched) -> str:
    parts = (
        item.rating,
        item.title,
        item.text,
        item.author_name,
        item.reply_text,
        item.edited_at.isoformat() if item.edited_at else "",
    )
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def config_of(source: ReviewSource) -> SourceConfig:
    """What a connector needs of a source; a renewed access token is stored sealed at once."""

    def keep(credentials: dict[str, str]) -> None:
        source.credentials = sealing.seal(credentials)
        ReviewSource.objects.filter(pk=source.pk).update(credentials=source.credentials)

    return SourceConfig(
        source.kind, source.base_url, sealing.unseal(source.credentials), on_refresh=keep
    )


def store(
    *, source: ReviewSource, location: SourceLocation, items: list[Fetched], now: datetime
) -> Stored:
    """Insert new reviews, update edited ones (keeping their earlier version) and mark all as
    seen; removals named by the file are marked too. One transaction per page."""
    result = Stored()
    by_id = {item.external_id: item for item in items}
    with transaction.atomic():
        existing = {
            r.external_id: r
            for r in Review.objects.select_for_update().filter(
                source=source, external_id__in=list(by_id)
            )
        }
        fresh = []
        for external_id, item in by_id.items():
            review = existing.get(external_id)
            if review is None:
                fresh.append(_new_review(source, location, item, now))
            elif _update(review, item, now):
                result.edited.append(review.pk)
            else:
                result.unchanged += 1
        analysing.fill(fresh)
        result.new = bulking.insert(fresh)
        result.removed = sum(1 for item in items if item.removed)
        seen = [r.pk for r in existing.values()]
        Review.objects.filter(pk__in=seen).update(seen_at=now)
    return result


def _new_review(
    source: ReviewSource, location: SourceLocation, item: Fetched, now: datetime
) -> Review:
    return Review(
        organization_id=source.organization_id,
        source=source,
        location=location,
        unit_id=location.unit_id,
        unit_path=location.unit_path,
        external_id=item.external_id,
        author_name=item.author_name[:200],
        rating=item.rating,
        title=item.title[:500],
        text=item.text,
        language=item.language[:12],
        posted_at=item.posted_at,
        edited_at=item.edited_at,
        reply_text=item.reply_text,
        reply_at=item.reply_at,
        url=item.url[:1000],
        removed_at=now if item.removed else None,
        digest=digest_of(item),
        seen_at=now,
        created_at=now,
    )


def _update(review: Review, item: Fetched, now: datetime) -> bool:
    """Bring the stored review up to what the provider says; whether anything changed."""
    changed = False
    if item.removed != review.is_removed:
        review.removed_at = now if item.removed else None
        changed = True
    new_digest = digest_of(item)
    if new_digest != review.digest:
        ReviewVersion.objects.create(
            review=review,
            author_name=review.author_name,
            rating=review.rating,
            title=review.title,
            text=review.text,
            edited_at=review.edited_at,
            reply_text=review.reply_text,
            recorded_at=now,
        )
        # An author name erased here stays erased: the provider's copy is not ours to keep.
        if not review.author_name.startswith(ERASED):
            review.author_name = item.author_name[:200]
        review.rating = item.rating
        review.title = item.title[:500]
        review.text = item.text
        review.language = item.language[:12] or review.language
        review.edited_at = item.edited_at or now
        review.reply_text = item.reply_text
        review.reply_at = item.reply_at
        review.url = item.url[:1000] or review.url
        review.digest = new_digest
        analysing.fill([review])
        changed = True
    if changed:
        review.seen_at = now
        review.save()
    return changed


ERASED = "\u2205"  # the name shown once an author's name was erased ("∅")


def mark_unseen_removed(*, location: SourceLocation, since: datetime, now: datetime) -> int:
    """After a complete pass over a location: reviews it did not list were removed."""
    return Review.objects.filter(
        location=location, seen_at__lt=since, removed_at__isnull=True
    ).update(removed_at=now)


def backoff(failures: int, told: float | None) -> timedelta:
    if told is not None:
        return timedelta(seconds=max(1.0, told))
    return min(MAX_BACKOFF, timedelta(minutes=2 ** max(0, failures - 1)))


def fetch(source_id: int, now: datetime | None = None) -> FetchOutcome:
    """Carry the source's pass on from its cursor until it ends, fails or hits the page limit."""
    now = now or timezone.now()
    source = ReviewSource.objects.filter(pk=source_id, is_active=True).first()
    total = Stored()
    if source is None or connector(source.kind) is None:
        return FetchOutcome(total, True)
    provider = connector(source.kind)
    assert provider is not None
    config = config_of(source)
    locations = list(source.locations.order_by("pk"))
    cursor = dict(source.cursor or {})
    index, token = int(cursor.get("location", 0)), str(cursor.get("page", ""))
    started = cursor.get("started") or now.isoformat()
    pages = 0
    while index < len(locations):
        if pages >= PAGES_PER_RUN:
            return FetchOutcome(total, False, timedelta(0))
        location = locations[index]
        try:
            page = provider.page(config, location.external_id, token)
        except ProviderError as error:
            return _failed(source, error, total, now)
        pages += 1
        stored = store(source=source, location=location, items=page.reviews, now=now)
        _add(total, stored)
        analysing.announce(stored.new, now)
        token = page.next_token
        if not token:
            if provider.lists_everything:
                total.removed += mark_unseen_removed(
                    location=location, since=datetime.fromisoformat(started), now=now
                )
            index += 1
        source.cursor = {"location": index, "page": token, "started": started}
        source.save(update_fields=["cursor"])
    source.cursor = {}
    source.failures = 0
    source.last_error = ""
    source.last_fetched_at = now
    source.next_fetch_at = now + timedelta(minutes=source.interval_minutes)
    source.save(
        update_fields=["cursor", "failures", "last_error", "last_fetched_at", "next_fetch_at"]
    )
    return FetchOutcome(total, True)


def _failed(
    source: ReviewSource, error: ProviderError, total: Stored, now: datetime
) -> FetchOutcome:
    source.failures = min(source.failures + 1, 1000)
    source.last_error = str(error)[:500]
    if error.transient:
        wait = backoff(source.failures, error.retry_after)
    else:
        wait = timedelta(minutes=source.interval_minutes)
    source.next_fetch_at = now + wait
    source.save(update_fields=["failures", "last_error", "next_fetch_at"])
    log.warning("reviews: %s (source %s) — next try in %s", error, source.pk, wait)
    return FetchOutcome(total, False, wait if error.transient else None, str(error))


def _add(total: Stored, part: Stored) -> None:
    total.new += part.new
    total.edited += part.edited
    total.removed += part.removed
    total.unchanged += part.unchanged
