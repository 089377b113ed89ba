"""Counters over a time window, the one helper behind every throttle (sign-in failures, reset
emails, the public respondent and SMS endpoints), correct on every cache backend.

A window opens at its first hit and closes `window` seconds later, whatever happens in between:
a lock of fifteen minutes lasts fifteen minutes. Django's generic `cache.incr` (the database and
file caches) rewrites the value with the *default* timeout of 300 s, so a counter kept with it
forgets after five minutes; here those backends get their value written back with the seconds
left in the window, while Redis and local memory keep their own atomic increment, which leaves
the expiry alone.

Each counter is two cache entries: the count, and the instant its window closes (written with
`add`, so the first of two simultaneous hits fixes it). On Redis and local memory an increment is
atomic; the database cache has no atomic increment, so two hits at the same instant may count
once (docs/security.md).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from django.core.cache import caches
from django.core.cache.backends.base import BaseCache

PREFIX = "vx:count:"


@dataclass(frozen=True)
class Tally:
    """A counter's value in its current window, and when that window closes (epoch seconds)."""

    count: int
    closes_at: float

    def retry_after(self, now: float | None = None) -> int:
        """Whole seconds until the window closes (at least 1)."""
        return max(1, math.ceil(self.closes_at - (time.time() if now is None else now)))


def _cache() -> BaseCache:
    return caches["default"]


def _keeps_expiry(cache: BaseCache) -> bool:
    # Backends that override incr (Redis, local memory, memcached) increment in place and keep
    # the entry's expiry; BaseCache.incr is get + set with the default timeout.
    return type(cache).incr is not BaseCache.incr


def _seconds_left(closes_at: float, now: float) -> int:
    return max(1, math.ceil(closes_at - now))


def hit(name: str, window: int, amount: int = 1) -> Tally:
    """Count `amount` in the window of `name` (opening it if none is open); the new tally."""
    cache, now = _cache(), time.time()
    key, closes_key = PREFIX + name, PREFIX + name + ":closes"
    if cache.add(key, amount, timeout=window):
        closes_at = now + window
        cache.set(closes_key, closes_at, timeout=window)
        return Tally(amount, closes_at)
    closes_at = cache.get(closes_key)
    if closes_at is None:  # a hit racing the first one, or the count outlived its anchor
        closes_at = now + window
        cache.add(closes_key, closes_at, timeout=window)
    return Tally(_increment(cache, key, amount, _seconds_left(closes_at, now)), closes_at)


def take_back(name: str) -> None:
    """Undo one hit of an open window (an attempt counted up front that turned out fine)."""
    cache, now = _cache(), time.time()
    key, closes_key = PREFIX + name, PREFIX + name + ":closes"
    values = cache.get_many([key, closes_key])
    if values.get(key, 0) > 0 and values.get(closes_key):
        _increment(cache, key, -1, _seconds_left(values[closes_key], now))


def _increment(cache: BaseCache, key: str, amount: int, seconds_left: int) -> int:
    if _keeps_expiry(cache):
        try:
            return cache.incr(key, amount)
        except ValueError:  # expired between add and incr: this hit starts it again
            cache.add(key, amount, timeout=seconds_left)
            return amount
    count = (cache.get(key) or 0) + amount
    cache.set(key, count, timeout=seconds_left)
    return count


def peek(name: str) -> Tally | None:
    """The current tally without counting; None when no window is open."""
    cache = _cache()
    values = cache.get_many([PREFIX + name, PREFIX + name + ":closes"])
    count = values.get(PREFIX + name)
    if not count:
        return None
    closes_at = values.get(PREFIX + name + ":closes") or time.time()
    return Tally(count, closes_at)


def clear(name: str) -> None:
    _cache().delete_many([PREFIX + name, PREFIX + name + ":closes"])
