"""A counter in Redis that tells every process when what it holds has gone stale.

A process that changes who may do what (a token revoked, a role changed, a membership
removed, a user deactivated, a unit moved) advances the counter once its transaction has
committed. Every process reads the counter before it trusts anything it holds from before: a
value held under an older count is read again from the database. Because the advance comes
after the commit and every read of the counter comes before the read of the database, no
process can keep a value older than the last committed change (decision 0014).

Without Redis there is no counter and held values expire after `RECENT_SECONDS`. When Redis
cannot be reached the same fallback applies, and a warning is logged at most once a minute.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from redis import Redis

log = logging.getLogger(__name__)
KEY = "voxloop:access-generation"
TIMEOUT_SECONDS = 0.5  # a slow Redis must not hang every API call
WARN_EVERY_SECONDS = 60.0


class SharedGeneration:
    """The shared counter on one Redis server; the client is created on first use, in the
    process that uses it (never inherited across a fork)."""

    def __init__(self, url: str, key: str = KEY) -> None:
        self.url, self.key = url, key
        self._client: Redis | None = None
        self._warned_at = 0.0

    def _redis(self) -> Redis:
        if self._client is None:
            import redis  # only installations with REDIS_URL have it (the `redis` extra)

            self._client = redis.Redis.from_url(
                self.url, socket_timeout=TIMEOUT_SECONDS, socket_connect_timeout=TIMEOUT_SECONDS
            )
        return self._client

    def read(self) -> int | None:
        """The current count, or None when Redis cannot be reached."""
        try:
            return int(self._redis().get(self.key) or 0)
        except Exception as error:  # any Redis or network failure: fall back, never fail auth
            self._warn("read", error)
            return None

    def advance(self) -> None:
        """Tell every process that what it holds may be stale."""
        try:
            self._redis().incr(self.key)
        except Exception as error:
            self._warn("advance", error)

    def _warn(self, what: str, error: Exception) -> None:
        now = time.monotonic()
        if now - self._warned_at >= WARN_EVERY_SECONDS:
            self._warned_at = now
            log.warning(
                "Redis unreachable (%s of %s: %s); held tokens expire after RECENT_SECONDS",
                what,
                self.key,
                error,
            )
