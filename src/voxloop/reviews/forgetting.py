"""Reviewers' names are personal data: erased on a person's request (`contact_erasing`, by
the names the erasure knows) and after the organisation's own period for them
(`privacy.PrivacyPolicy.reviewer_name_days`, counted from the review's date; unset: the
contacts' period, `contact_days`). Only the name goes: the text, rating and figures stay."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from voxloop.privacy.selectors import policy_of
from voxloop.reviews.fetching import ERASED
from voxloop.reviews.models import Review, ReviewVersion


def erase_names(organization_id: int, names: list[str]) -> int:
    """Reviews of the organisation whose author is one of these names lose it."""
    wanted = [n.strip() for n in names if n and len(n.strip()) >= 3]
    if not wanted:
        return 0
    reviews = Review.objects.filter(organization_id=organization_id, author_name__in=wanted)
    ids = list(reviews.values_list("pk", flat=True))
    reviews.update(author_name=ERASED)
    ReviewVersion.objects.filter(review_id__in=ids).exclude(author_name="").update(
        author_name=ERASED
    )
    return len(ids)


def names_of(person: Any) -> list[str]:
    """The full names a reviewer might have used, from the erasure's KnownPerson (full names
    only: a first name alone would erase strangers)."""
    return [n for n in getattr(person, "full_names", ()) or () if isinstance(n, str)]


def apply_retention(now: datetime | None = None) -> int:
    now = now or timezone.now()
    done = 0
    for organization_id in (
        Review.objects.exclude(author_name__in=("", ERASED))
        .values_list("organization_id", flat=True)
        .distinct()
    ):
        policy = policy_of(organization_id)
        days = policy.reviewer_name_days or policy.contact_days
        if not days:
            continue
        old = Review.objects.filter(
            organization_id=organization_id, posted_at__lt=now - timedelta(days=days)
        ).exclude(author_name__in=("", ERASED))
        ids = list(old.values_list("pk", flat=True)[:5000])
        Review.objects.filter(pk__in=ids).update(author_name=ERASED)
        ReviewVersion.objects.filter(review_id__in=ids).update(author_name=ERASED)
        done += len(ids)
    return done
