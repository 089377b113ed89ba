"""Computing scores: per B2B account (over its contacts) and per contact, at a moment, with
the day's history row, the explanation against the score before, and a call to action for
the account's owner when an account falls across a band (one per fall).

A service module: system work (the clock, events, the demo), keyword-only arguments.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from voxloop.closedloop import casework
from voxloop.contacts import selectors as contact_selectors
from voxloop.contacts.models import Account, Contact
from voxloop.health import measures, scoring
from voxloop.health.models import CallToAction, HealthHistory, HealthModel, HealthScore
from voxloop.health.services import model_of
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.scoping import Scope

CHUNK = 200  # targets read and scored together: a few queries per chunk, not per target


@dataclass
class Run:
    accounts: int = 0
    contacts: int = 0
    calls_to_action: int = 0


def _rules(model: HealthModel) -> tuple[list[scoring.Rule], list[tuple[str, str]]]:
    signals = list(model.signals.all())
    rules = [scoring.Rule(s.key, s.weight, s.mapping, s.bad, s.good) for s in signals]
    return rules, [(s.kind, s.param) for s in signals]


def compute(
    *,
    organization_id: int,
    at: datetime | None = None,
    account_ids: Iterable[int] | None = None,
    contact_ids: Iterable[int] | None = None,
    calls_to_action: bool = True,
    contacts: bool = True,
) -> Run:
    """Score the organisation's accounts and their contacts (or only those named) as of
    `at` (default now): the current score, the day's history and, for accounts that fell
    across a band, a call to action."""
    at = at or timezone.now()
    model = model_of(organization_id=organization_id)
    rules, kinds = _rules(model)
    run = Run()
    accounts = contact_selectors.accounts_of(organization_id).select_related("unit")
    people = contact_selectors.people_of(organization_id).filter(account__isnull=False)
    if account_ids is not None or contact_ids is not None:
        named = list(contact_ids or [])
        accounts = accounts.filter(pk__in=[*(account_ids or []), *_accounts_of(people, named)])
        people = contact_selectors.people_of(organization_id).filter(pk__in=named)
    accounts = accounts.exclude(churned_at__lte=at)
    members: dict[int, list[int]] = {}
    for contact_id, account_id in (
        contact_selectors.people_of(organization_id)
        .filter(account__in=accounts)
        .values_list("pk", "account_id")
    ):
        members.setdefault(account_id, []).append(contact_id)
    account_list = list(accounts)
    for start in range(0, len(account_list), CHUNK):
        chunk = account_list[start : start + CHUNK]
        ids = [c for a in chunk for c in members.get(a.pk, [])]
        data = measures.gather(organization_id, ids, kinds, at, model.window_days)
        for account in chunk:
            target = measures.Target(members.get(account.pk, []), account.attributes or {},
                                     account.customer_since)  # fmt: skip
            fell = _store(model, rules, kinds, data, at, target, account=account)
            run.accounts += 1
            if fell and calls_to_action:
                run.calls_to_action += _call_to_action(model, account, fell, at)
    contact_list = list(people.exclude(churned_at__lte=at).order_by("pk")) if contacts else []
    for start in range(0, len(contact_list), CHUNK):
        chunk_c = contact_list[start : start + CHUNK]
        data = measures.gather(organization_id, [c.pk for c in chunk_c], kinds, at,
                               model.window_days)  # fmt: skip
        for contact in chunk_c:
            target = measures.Target([contact.pk], contact.attributes or {}, contact.customer_since)
            _store(model, rules, kinds, data, at, target, contact=contact)
            run.contacts += 1
    return run


def _accounts_of(people: object, contact_ids: list[int]) -> list[int]:
    from django.db.models import QuerySet

    assert isinstance(people, QuerySet)
    return [a for a in people.filter(pk__in=contact_ids).values_list("account_id", flat=True) if a]


def _store(
    model: HealthModel,
    rules: list[scoring.Rule],
    kinds: list[tuple[str, str]],
    data: measures.Gathered,
    at: datetime,
    target: measures.Target,
    account: Account | None = None,
    contact: Contact | None = None,
) -> tuple[str, str, float] | None:
    """Write the score; (band before, band now, score) when it fell across a band."""
    values = {
        rule.key: measures.value(kind, param, target, data, at, model.window_days)
        for rule, (kind, param) in zip(rules, kinds, strict=True)
    }
    value, parts = scoring.score(rules, values)
    band = scoring.band(value, model.red_below, model.amber_below)
    key = {"account": account} if account is not None else {"contact": contact}
    holder = account if account is not None else contact
    assert holder is not None
    with transaction.atomic():
        current = HealthScore.objects.select_for_update().filter(**key).first()
        # A later score exists while history is being filled in: only the day's row changes.
        stale = current is not None and current.computed_at > at
        before = None if stale or current is None else (current.band, current.score)
        moves = scoring.explain(current.parts, list(parts)) if before and current else []
        if not stale:
            current = current or HealthScore(organization_id=holder.organization_id, **key)
            current.unit_path = holder.unit_path
            current.previous_score = before[1] if before is not None else None
            current.score, current.band, current.parts = value, band, list(parts)
            current.moves, current.computed_at = list(moves), at
            current.model_version = model.version
            current.save()
        HealthHistory.objects.update_or_create(
            **key,
            day=timezone.localdate(at),
            defaults={
                "organization_id": holder.organization_id,
                "unit_path": holder.unit_path,
                "score": value,
                "band": band,
                "parts": list(parts),
                "moves": list(moves),
            },
        )
    if before is not None and value is not None and scoring.dropped_across(before[0], band):
        return before[0], band, value
    return None


def _call_to_action(
    model: HealthModel, account: Account, fell: tuple[str, str, float], at: datetime
) -> int:
    """Open the owner's case for this fall, once: the row's unique key (account, day, band)
    refuses a second one however many runs see the same fall."""
    from_band, to_band, value = fell
    try:
        with transaction.atomic():
            call = CallToAction.objects.create(
                organization_id=account.organization_id,
                unit_path=account.unit_path,
                account=account,
                day=timezone.localdate(at),
                from_band=from_band,
                to_band=to_band,
                score=value,
                owner_id=account.owner_id,
            )
            root = tenancy_selectors.organization_root(account.organization_id)
            case = casework.open_call_to_action(
                actor=Scope.system(root, "health"),
                unit=account.unit,
                title=gettext("Health of %(account)s fell to %(band)s (%(score)s)")
                % {"account": account.name, "band": to_band, "score": f"{value:.0f}"},
                assignee_id=account.owner_id,
                note=gettext("Score %(score)s, was %(before)s. Call the account this week.")
                % {"score": f"{value:.0f}", "before": from_band},
                playbook_id=model.playbook_id,
                sla_hours=model.sla_hours,
                now=at,
            )
            call.case_id = case.pk
            call.save(update_fields=["case_id"])
    except IntegrityError:
        return 0
    return 1
