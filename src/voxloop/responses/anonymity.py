"""One answer per person per month to an anonymous survey, without a link to the person.

A personal link names its invitation and contact. For an anonymous survey the response keeps
neither: its source key is a one-way key, HMAC-SHA256 under the anonymity key (setting
ANONYMITY_KEY, else derived from SECRET_KEY) of the survey, the person and the month the
answer is given in. The same person's link finds the same key again (to resume, or to say
"already answered"); a second answer in the same month collides with the unique source key;
and a row of the database says nothing of whose answer it is to anyone without the key.

Keys are needed only while their month and the next are open (resuming, reminders); after
that `forget_old_keys` clears them, and then not even the key ties an answer to anyone.
Decision 0016 says what this protects against and what it does not.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac

from voxloop.responses.models import Response
from voxloop.surveys.models import ANONYMOUS_KINDS

PREFIX = "anon:"
SALT = "voxloop.responses.anonymity"


def month_of(moment: datetime) -> date:
    """The cycle an answer given at this moment belongs to: its month, in the time zone the
    rollups count days in."""
    return timezone.localtime(moment).date().replace(day=1)


def previous_month(month: date) -> date:
    return (month.replace(day=1) - timedelta(days=1)).replace(day=1)


def source_key(organization_id: int, survey_id: int, person: str, month: date) -> str:
    """The one-way key of this person's answer to the survey in this month."""
    secret = getattr(settings, "ANONYMITY_KEY", "") or settings.SECRET_KEY
    value = f"{organization_id}:{survey_id}:{person}:{month:%Y-%m}"
    return PREFIX + salted_hmac(SALT, value, secret=secret, algorithm="sha256").hexdigest()


def person_of(contact_id: int | None, invitation: str) -> str:
    """Who a personal link stands for: its contact, else (no contact) its invitation."""
    return f"contact:{contact_id}" if contact_id is not None else f"invitation:{invitation}"


def forget_old_keys(now: datetime | None = None) -> int:
    """Clear the one-way keys of anonymous answers older than last month: they only served to
    resume an answer and to stop a second one in the same month, and once gone not even the
    anonymity key ties an answer to its person (decision 0016)."""
    this_month = month_of(now or timezone.now())
    cutoff = datetime.combine(
        previous_month(this_month), time.min, tzinfo=timezone.get_current_timezone()
    )
    old = Q(submitted_at__lt=cutoff) | Q(submitted_at__isnull=True, started_at__lt=cutoff)
    return (
        Response.objects.filter(old, source_key__startswith=PREFIX)
        .filter(survey__kind__in=ANONYMOUS_KINDS)
        .update(source_key=None)
    )
