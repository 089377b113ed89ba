"""Retention: each organisation's periods applied by a periodic task, with a report of what
would go that the settings page, the API and `voxloop privacy retention --dry-run` show.

- Raw responses older than their period are deleted (answers, comments, and the cases and
  messages built on them), except those an open case still works from. Analytics archives
  what they counted first, so every dashboard figure stays (decision 0012).
- Comments older than theirs lose their free text; scores and choices stay.
- Contacts with no sign of life for longer than theirs are erased like on request.
- Audit entries older than theirs are deleted.

Work is done in batches, so one run is bounded however much is due; what is left is due at
the next run (decision 0005: the data says what is due, not the clock).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from voxloop.closedloop import selectors as closedloop_selectors
from voxloop.contacts import selectors as contact_selectors
from voxloop.distribution import selectors as distribution_selectors
from voxloop.privacy.erasure import erase_by_retention
from voxloop.privacy.models import PERIODS
from voxloop.privacy.selectors import policy_of
from voxloop.responses import forgetting
from voxloop.responses import selectors as response_selectors
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy import services as tenancy_services
from voxloop.tenancy.scoping import Scope
from voxloop.tenancy.services import record_audit

log = logging.getLogger(__name__)
BATCH = 500
MAX_BATCHES = 20  # per kind and run: at most 10,000 rows of each, then the next run goes on


@dataclass
class RetentionReport:
    """How many of each would go (a dry run) or went (a run)."""

    cutoffs: dict[str, datetime | None] = field(default_factory=dict)
    responses: int = 0
    comments: int = 0
    contacts: int = 0
    audit_entries: int = 0
    finished: bool = True  # False when a run stopped at its batch limit

    @property
    def counts(self) -> dict[str, int]:
        return {
            "responses": self.responses,
            "comments": self.comments,
            "contacts": self.contacts,
            "audit_entries": self.audit_entries,
        }

    @property
    def anything(self) -> bool:
        return any(self.counts.values())


def cutoffs(*, periods: dict[str, int | None], now: datetime) -> dict[str, datetime | None]:
    return {
        name: (now - timedelta(days=days) if (days := periods.get(name)) else None)
        for name in PERIODS
    }


def _busy_contacts(organization_id: int, before: datetime) -> tuple[QuerySet[Any, int], ...]:
    return (
        distribution_selectors.invited_contact_ids(organization_id, before),
        closedloop_selectors.open_case_contact_ids(organization_id),
    )


def report(
    *,
    organization_id: int,
    periods: dict[str, int | None] | None = None,
    now: datetime | None = None,
) -> RetentionReport:
    """What applying these periods (default: the saved ones) would remove now."""
    now = now or timezone.now()
    periods = periods if periods is not None else policy_of(organization_id).periods
    cut = cutoffs(periods=periods, now=now)
    result = RetentionReport(cutoffs=cut)
    if cut["response_days"]:
        keep = closedloop_selectors.open_case_response_ids(organization_id)
        result.responses = response_selectors.expired_ids(
            organization_id, cut["response_days"], keep
        ).count()
    if cut["comment_days"]:
        result.comments = response_selectors.count_with_text_before(
            organization_id, cut["comment_days"], after=cut["response_days"]
        )
    if cut["contact_days"]:
        busy = _busy_contacts(organization_id, cut["contact_days"])
        result.contacts = contact_selectors.inactive_contact_ids(
            organization_id, cut["contact_days"], busy
        ).count()
    if cut["audit_days"]:
        result.audit_entries = tenancy_selectors.audit_entries_before(
            organization_id, cut["audit_days"]
        ).count()
    return result


def _batches(step: Callable[[], int]) -> tuple[int, bool]:
    """Run `step()` (returns how many it handled) until it handles less than a batch."""
    total = 0
    for _ in range(MAX_BATCHES):
        done = step()
        total += done
        if done < BATCH:
            return total, True
    return total, False


def apply(*, organization_id: int, now: datetime | None = None) -> RetentionReport:
    """Remove what the organisation's periods say is due; one audit entry for the run."""
    now = now or timezone.now()
    policy = policy_of(organization_id)
    cut = cutoffs(periods=policy.periods, now=now)
    system = Scope.system(tenancy_selectors.organization_root(organization_id), "retention")
    result = RetentionReport(cutoffs=cut)
    finished = []
    if (answered_before := cut["response_days"]) is not None:
        keep = closedloop_selectors.open_case_response_ids(organization_id)
        result.responses, done = _batches(
            lambda: forgetting.expire_responses(
                organization_id=organization_id, before=answered_before, keep=keep, limit=BATCH
            )
        )
        finished.append(done)
    if (written_before := cut["comment_days"]) is not None:
        result.comments, done = _batches(
            lambda: forgetting.remove_old_texts(
                organization_id=organization_id, before=written_before, limit=BATCH, now=now
            )
        )
        finished.append(done)
    if cut["contact_days"]:
        busy = _busy_contacts(organization_id, cut["contact_days"])
        inactive = contact_selectors.inactive_contact_ids(
            organization_id, cut["contact_days"], busy
        )
        result.contacts, done = _batches(
            lambda: erase_by_retention(system=system, contact_ids=list(inactive[:BATCH]))
        )
        finished.append(done)
    audit_before = cut["audit_days"]
    if audit_before:
        result.audit_entries, done = _batches(
            lambda: tenancy_services.delete_audit_before(
                organization_id=organization_id, before=audit_before, limit=BATCH
            )
        )
        finished.append(done)
    result.finished = all(finished)
    if policy.pk is not None:
        policy.last_applied_at = now
        policy.save(update_fields=["last_applied_at"])
        if result.anything:
            record_audit(
                actor=system,
                action="privacy.retention",
                target=policy,
                changes={"counts": result.counts},
            )
    return result


def apply_everywhere(*, now: datetime | None = None) -> int:
    """Every organisation with a retention period (the periodic task); how many were run."""
    from voxloop.privacy.selectors import policies_with_retention

    applied = 0
    for policy in policies_with_retention():
        try:
            apply(organization_id=policy.organization_id, now=now)
        except Exception:  # one organisation's failure must not hold the others' back
            log.exception("retention of organisation %s failed", policy.organization_id)
            continue
        applied += 1
    return applied
