"""Scoped reads of health: scores of the accounts and contacts a member may read (their
subtree, like the accounts themselves), the at-risk list of an account manager, an account's
history, personas and tiers, and how well the score separated churn from renewal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from voxloop.analytics.hooks import AudienceGroup
from voxloop.contacts import selectors as contact_selectors
from voxloop.contacts.models import Account
from voxloop.errors import NotFound
from voxloop.health import validation
from voxloop.health.models import (
    Audience,
    AudienceKind,
    CallToAction,
    HealthHistory,
    HealthModel,
    HealthScore,
)
from voxloop.tenancy.scoping import Capability, Scope

AT_RISK_BANDS = ("red", "amber")


def _scores(scope: Scope) -> QuerySet[HealthScore]:
    return scope.filter(HealthScore.objects.all(), path_field="unit_path")


def model(scope: Scope) -> HealthModel | None:
    """The organisation's health model (every member sees how scores are made)."""
    scope.require(Capability.VIEW)
    return (
        HealthModel.objects.filter(organization_id=scope.organization_id)
        .prefetch_related("signals")
        .first()
    )


def account_scores(
    scope: Scope,
    band: str = "",
    mine: bool = False,
    audience: Audience | None = None,
) -> QuerySet[HealthScore]:
    """Accounts' scores one by one (records): the subtree's, or only the reader's own
    accounts (`mine`: the account manager's book), optionally of one band or persona/tier."""
    scope.require(Capability.READ_RECORDS)
    scores = _scores(scope).filter(account__isnull=False)
    if mine:
        scores = scores.filter(account__owner_id=scope.user_id)
    if band:
        scores = scores.filter(band=band)
    if audience is not None:
        scores = scores.filter(account_id__in=_audience_accounts(scope, audience))
    return scores.select_related("account", "account__owner").order_by("score", "pk")


def at_risk(scope: Scope, mine: bool = True, limit: int = 200) -> list[HealthScore]:
    """Red then amber accounts, lowest score first: by default the reader's own book."""
    scores = account_scores(scope, mine=mine).filter(band__in=AT_RISK_BANDS)
    return list(scores.order_by("-band", "score", "pk")[:limit])  # "red" > "amber"


HOME_SHOWN = 5  # at-risk accounts on the reader's home


def home_at_risk(scope: Scope) -> dict[str, Any] | None:
    """The home's first panel (analytics hook `at_risk_accounts`) for a reader who owns
    accounts: their red then amber accounts, lowest score first, then the other at-risk
    accounts of their subtree; None for anyone who owns none (or may not read records)."""
    if not scope.can(Capability.READ_RECORDS) or not scope.user_id:
        return None
    book = account_scores(scope, mine=True)
    if not book.exists():
        return None
    mine = at_risk(scope, mine=True, limit=HOME_SHOWN)
    rows = mine + [
        s
        for s in at_risk(scope, mine=False, limit=HOME_SHOWN + len(mine))
        if s.account is not None and s.account.owner_id != scope.user_id
    ]
    return {
        "mine": book.filter(band__in=AT_RISK_BANDS).count(),
        "red": book.filter(band="red").count(),
        "url": reverse("health:at_risk"),
        "items": [_home_row(scope, s) for s in rows[:HOME_SHOWN]],
    }


def _home_row(scope: Scope, s: HealthScore) -> dict[str, Any]:
    account = s.account
    assert account is not None  # at_risk reads accounts' scores only
    change = (
        round(s.score - s.previous_score, 1)
        if s.score is not None and s.previous_score is not None
        else None
    )
    return {
        "account_id": account.pk,
        "name": account.name,
        "mine": account.owner_id == scope.user_id,
        "score": None if s.score is None else round(s.score, 1),
        "band": s.band,
        "change": change,
        "url": reverse("health:account", args=[account.pk]),
    }


def contact_scores(scope: Scope, band: str = "") -> QuerySet[HealthScore]:
    scope.require(Capability.READ_RECORDS)
    scores = _scores(scope).filter(contact__isnull=False)
    if band:
        scores = scores.filter(band=band)
    return scores.select_related("contact").order_by("score", "pk")


@dataclass
class AccountHealth:
    account: Account
    score: HealthScore | None
    history: list[HealthHistory]
    calls: list[CallToAction]


def account_health(scope: Scope, account_id: int, days: int = 400) -> AccountHealth:
    """One account in the scope (else NotFound) with its score, history and calls."""
    account = contact_selectors.account_in_scope(scope, account_id)
    since = timezone.localdate() - timedelta(days=days)
    history = HealthHistory.objects.filter(account=account, day__gte=since).order_by("day")
    return AccountHealth(
        account=account,
        score=HealthScore.objects.filter(account=account).first(),
        history=list(history),
        calls=list(CallToAction.objects.filter(account=account)[:20]),
    )


def band_counts(scope: Scope, audience: Audience | None = None) -> dict[str, int]:
    """Accounts per band in the subtree (figures: every role that views)."""
    scope.require(Capability.VIEW)
    scores = _scores(scope).filter(account__isnull=False)
    if audience is not None:
        scores = scores.filter(account_id__in=_audience_accounts(scope, audience))
    rows = scores.values("band").annotate(n=Count("pk")).order_by()
    counts = {"red": 0, "amber": 0, "green": 0, "": 0}
    counts.update({r["band"]: r["n"] for r in rows})
    return counts


def breakdown(scope: Scope, kind: str) -> list[tuple[Audience, dict[str, int]]]:
    """Band counts of accounts per persona or per tier."""
    return [(a, band_counts(scope, a)) for a in audiences(scope).filter(kind=kind)]


# --- personas and tiers ---------------------------------------------------------------------


def audiences(scope: Scope) -> QuerySet[Audience]:
    """Personas and tiers defined at the member's unit, above it (company-wide) or below."""
    scope.require(Capability.VIEW)
    from voxloop.tenancy.models import ancestor_paths, subtree_q

    return (
        Audience.objects.filter(organization_id=scope.organization_id)
        .filter(
            Q(unit_path__in=ancestor_paths(scope.unit_path))
            | subtree_q(scope.unit_path, "unit_path")
        )
        .select_related("segment")
    )


def audience(scope: Scope, audience_id: int) -> Audience:
    found = audiences(scope).filter(pk=audience_id).first() if abs(audience_id) < 2**63 else None
    if found is None:
        raise NotFound("No such persona or tier.", field="audience")
    return found


def audience_groups(scope: Scope) -> list[AudienceGroup]:
    """For the dashboard's segment filter and breakdowns: its personas and tiers, as
    (label, options) groups that know their kind."""
    rows = list(audiences(scope).order_by("kind", "name"))
    groups = []
    for kind, label in AudienceKind.choices:
        options = [(a.segment_id, a.name) for a in rows if a.kind == kind]
        if options:
            groups.append(AudienceGroup(kind, str(label), options))
    return groups


def _audience_accounts(scope: Scope, found: Audience) -> QuerySet:
    members = contact_selectors.segment_member_ids(scope, found.segment_id)
    return contact_selectors.account_ids_of_contacts(members)


# --- validation -------------------------------------------------------------------------------


@dataclass
class Validation:
    since: datetime
    until: datetime
    result: validation.Separation
    stayed_mean: float | None
    left_mean: float | None


def separation(scope: Scope, until: datetime | None = None, days: int = 365) -> Validation:
    """How well each account's score at the start of the last year (its history's row on or
    just before that day) told the accounts that churned during the year from those that
    renewed, over the accounts in the scope."""
    scope.require(Capability.VIEW)
    until = until or timezone.now()
    since = until - timedelta(days=days)
    outcomes = contact_selectors.account_outcomes(scope.organization_id, since, until)
    in_scope = set(contact_selectors.account_ids_in_scope(scope))
    start = timezone.localdate(since)
    rows = (
        HealthHistory.objects.filter(
            organization_id=scope.organization_id,
            account_id__in=[a for a in outcomes if a in in_scope],
            day__lte=start + timedelta(days=31),
            score__isnull=False,
        )
        .order_by("account_id", "day")
        .values_list("account_id", "day", "score")
    )
    first: dict[int, float] = {}
    for account_id, day, score in rows:
        left_at = outcomes[account_id]
        if score is None:  # filtered out above; the type cannot say so
            continue
        if left_at is not None and day >= timezone.localdate(left_at):
            continue  # a score taken after leaving would know the answer
        if day <= start or account_id not in first:
            first[account_id] = score
    stayed = [s for a, s in first.items() if outcomes[a] is None]
    left = [s for a, s in first.items() if outcomes[a] is not None]
    return Validation(
        since=since,
        until=until,
        result=validation.separation(stayed, left),
        stayed_mean=round(sum(stayed) / len(stayed), 1) if stayed else None,
        left_mean=round(sum(left) / len(left), 1) if left else None,
    )
