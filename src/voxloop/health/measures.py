"""What each signal measured for a group of contacts (an account's, or one contact) at a
moment, read through the owning apps' selectors: responses (NPS, CSAT, CES), text analytics
(comment sentiment), the closed loop (cases), distribution (unanswered invitations) and
contacts (usage events, attributes, tenure, renewal). Nothing here writes.

A value is None when nothing was measured (no answer in the window, no invitation ever
sent…): the score leaves it out instead of counting it as 0. Counts that exist and are zero
(no open case) are measurements.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from voxloop.closedloop import selectors as case_selectors
from voxloop.contacts import selectors as contact_selectors
from voxloop.distribution import selectors as outreach_selectors
from voxloop.health.models import SignalKind
from voxloop.responses import selectors as response_selectors
from voxloop.textanalytics import selectors as text_selectors

USAGE_DAYS = 30  # usage events count over the last 30 days


@dataclass
class Target:
    """One account (its contacts) or one contact, as the score sees it."""

    contact_ids: list[int]
    attributes: dict[str, Any]
    customer_since: date | None


@dataclass
class Gathered:
    """Per contact, what the owning apps hold between the window's start and the moment."""

    answers: dict[int, list[tuple[datetime, int | None, int | None, int | None]]] = field(
        default_factory=dict
    )
    sentiment: dict[int, dict[str, int]] = field(default_factory=dict)
    cases: dict[int, tuple[int, int]] = field(default_factory=dict)
    asks: dict[int, list[bool]] = field(default_factory=dict)
    usage: dict[str, tuple[dict[int, int], dict[int, int]]] = field(default_factory=dict)


def gather(
    organization_id: int,
    contact_ids: list[int],
    kinds: Iterable[tuple[str, str]],
    at: datetime,
    window_days: int,
) -> Gathered:
    """One read per source for every contact at once (not one per contact)."""
    wanted = set(kinds)
    names = {k for k, _ in wanted}
    since = at - timedelta(days=window_days)
    out = Gathered()
    if names & {SignalKind.NPS, SignalKind.NPS_TREND, SignalKind.CSAT, SignalKind.CES}:
        rows = response_selectors.scores_of_contacts(organization_id, contact_ids, since, at)
        for contact_id, submitted_at, nps, csat, ces in rows:
            if submitted_at is None:  # complete answers have one; the type cannot say so
                continue
            out.answers.setdefault(contact_id, []).append((submitted_at, nps, csat, ces))
    if SignalKind.SENTIMENT in names:
        out.sentiment = text_selectors.sentiment_of_contacts(
            organization_id, contact_ids, since, at
        )
    if names & {SignalKind.OPEN_CASES, SignalKind.OVERDUE_CASES}:
        out.cases = case_selectors.cases_of_contacts(organization_id, contact_ids, at)
    if SignalKind.SILENCE in names:
        out.asks = outreach_selectors.asks_of_contacts(organization_id, contact_ids, at)
    for kind, param in wanted:
        if kind == SignalKind.INTERACTIONS and param:
            recent = at - timedelta(days=USAGE_DAYS)
            out.usage[param] = (
                contact_selectors.interaction_counts_of_contacts(
                    organization_id, contact_ids, param, recent, at
                ),
                contact_selectors.interaction_counts_of_contacts(
                    organization_id, contact_ids, param, since, at
                ),
            )
    return out


def _nps(scores: list[int]) -> float | None:
    if not scores:
        return None
    promoters = sum(s >= 9 for s in scores)
    detractors = sum(s <= 6 for s in scores)
    return round(100.0 * (promoters - detractors) / len(scores), 1)


def value(
    kind: str,
    param: str,
    target: Target,
    data: Gathered,
    at: datetime,
    window_days: int,
) -> float | None:
    """The raw value of one signal for one target (None: not measured)."""
    ids = target.contact_ids
    answers = [a for c in ids for a in data.answers.get(c, [])]
    if kind == SignalKind.NPS:
        # Relationship NPS: each contact's latest answer counts once.
        latest = [[a[1] for a in data.answers.get(c, []) if a[1] is not None][-1:] for c in ids]
        return _nps([s for found in latest for s in found])
    if kind == SignalKind.NPS_TREND:
        middle = at - timedelta(days=window_days / 2)
        now = _nps([a[1] for a in answers if a[1] is not None and a[0] >= middle])
        before = _nps([a[1] for a in answers if a[1] is not None and a[0] < middle])
        return None if now is None or before is None else round(now - before, 1)
    if kind == SignalKind.CSAT:
        csat = [a[2] for a in answers if a[2] is not None]
        return round(100.0 * sum(s >= 4 for s in csat) / len(csat), 1) if csat else None
    if kind == SignalKind.CES:
        ces = [a[3] for a in answers if a[3] is not None]
        return round(sum(ces) / len(ces), 2) if ces else None
    if kind in (SignalKind.OPEN_CASES, SignalKind.OVERDUE_CASES):
        which = 0 if kind == SignalKind.OPEN_CASES else 1
        return float(sum(data.cases.get(c, (0, 0))[which] for c in ids))
    if kind == SignalKind.SENTIMENT:
        pos = sum(data.sentiment.get(c, {}).get("positive", 0) for c in ids)
        neg = sum(data.sentiment.get(c, {}).get("negative", 0) for c in ids)
        total = sum(sum(data.sentiment.get(c, {}).values()) for c in ids)
        return round(100.0 * (pos - neg) / total, 1) if total else None
    if kind == SignalKind.SILENCE:
        asked = [answered for c in ids for answered in data.asks.get(c, [])]
        return round(100.0 * sum(not a for a in asked) / len(asked), 1) if asked else None
    if kind == SignalKind.INTERACTIONS:
        recent, whole = data.usage.get(param, ({}, {}))
        if not any(whole.get(c) for c in ids):
            return None  # never sent for these contacts: not measured, not "no use"
        return float(sum(recent.get(c, 0) for c in ids))
    if kind == SignalKind.ATTRIBUTE:
        raw = target.attributes.get(param)
        return float(raw) if isinstance(raw, int | float) and not isinstance(raw, bool) else None
    if kind == SignalKind.TENURE:
        if target.customer_since is None:
            return None
        return round((at.date() - target.customer_since).days / 30.44, 1)
    if kind == SignalKind.RENEWAL:
        return _days_to_renewal(target.attributes.get(param or "renewal_date"), at.date())
    return None


def _days_to_renewal(raw: Any, today: date) -> float | None:
    """An ISO date, or a month number (1–12: the first of that month, next time it comes)."""
    if isinstance(raw, int) and not isinstance(raw, bool) and 1 <= raw <= 12:
        year = today.year if raw > today.month else today.year + 1
        return float((date(year, raw, 1) - today).days)
    if isinstance(raw, str):
        try:
            return float((date.fromisoformat(raw[:10]) - today).days)
        except ValueError:
            return None
    return None
