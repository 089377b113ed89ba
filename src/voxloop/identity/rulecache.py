"""What the sign-in middleware must know of a signed-in person, read once and cached: which
of their organisations require single sign-on (and whether they are its break-glass admin),
whether they have a two-factor device, and which roles must have one.

The cached entry is valid only for the generation counters it was read at, one per person and
one per organisation; every write that changes an answer (a sign-in policy, a two-factor
device, a provisioning or SCIM change of the person) moves the counter, so the next request
reads again. Memberships are not cached here (tenancy reads them on every request): the set of
organisations is part of the entry, so a membership gone is an entry gone. A counter lost from
the cache comes back as a new random value, never as the one an old entry was read at."""

from __future__ import annotations

import functools
import secrets
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import transaction

from voxloop.identity import selectors

TTL = 300  # seconds: a bound on staleness should a write ever forget to move a counter
COUNTER_TTL = 86_400


@dataclass(frozen=True)
class Rules:
    sso_only: frozenset[int] = frozenset()  # organisations a password session may not enter
    has_device: bool = False
    # organisation → roles that must pass two-factor (empty: every role); absent: none must.
    two_factor: dict[int, tuple[str, ...]] = field(default_factory=dict)


def _counter(kind: str, key: int) -> str:
    return f"identity:gen:{kind}:{key}"


def _read(user_id: int, organization_ids: list[int]) -> Rules:
    policies = selectors.policies_for(organization_ids)
    return Rules(
        sso_only=frozenset(
            org
            for org, p in policies.items()
            if p.sso_enabled and p.sso_required and p.break_glass_user_id != user_id
        ),
        has_device=selectors.has_confirmed_device(user_id),
        two_factor={
            org: tuple(p.two_factor_role_list())
            for org, p in policies.items()
            if p.two_factor_required
        },
    )


def rules_for(user_id: int, organization_ids: list[int]) -> Rules:
    """The person's rules in these organisations: one cache read when nothing changed."""
    orgs = sorted(set(organization_ids))
    entry_key = f"identity:rules:{user_id}"
    counters = [_counter("user", user_id)] + [_counter("org", o) for o in orgs]
    found = cache.get_many([entry_key, *counters])
    generations = []
    for key in counters:
        value = found.get(key)
        if value is None:
            cache.add(key, secrets.token_hex(8), COUNTER_TTL)
            value = cache.get(key)
        generations.append(value)
    stamp = (tuple(orgs), tuple(generations))
    entry = found.get(entry_key)
    if isinstance(entry, tuple) and len(entry) == 2 and entry[0] == stamp and None not in stamp[1]:
        return entry[1]
    rules = _read(user_id, orgs)
    cache.set(entry_key, (stamp, rules), TTL)
    return rules


def _move(key: str) -> None:
    cache.set(key, secrets.token_hex(8), COUNTER_TTL)


def changed(*, user_id: int | None = None, organization_id: int | None = None) -> None:
    """A write changed a person's or an organisation's rules: entries read before are stale.
    Moved now and again at commit, so that a request reading in between caches nothing that
    outlives the transaction."""
    keys = []
    if user_id is not None:
        keys.append(_counter("user", user_id))
    if organization_id is not None:
        keys.append(_counter("org", organization_id))
    for key in keys:
        _move(key)
        transaction.on_commit(functools.partial(_move, key))
