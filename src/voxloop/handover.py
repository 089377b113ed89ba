"""Work noted in a web process, handed to a worker in one task per group and interval.

The mechanism analytics' counting, text analysis and health rescoring each use (decision
0049 names it for all): ids are gathered per process under a key (an organisation) and,
`delay` seconds after the first one, handed over together — one queue write and one job per
key instead of one per id. A process that stops before handing over loses the ids it held;
every user pairs this with a sweep that works from the data.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Hashable

from django.db import connections

log = logging.getLogger(__name__)
RETRY = 1.0  # seconds between the tries of a failed hand-over
# How long the users of `retry_for` keep trying: a Redis restart takes ~11 s on the cluster
# bench; past this the sweeps find the ids (decisions 0057, 0062).
RETRY_FOR = 60.0


class Gatherer:
    """Ids per key, handed to `hand(key, ids)` `delay()` seconds after the first arrives
    (at once, in the caller's thread, when the delay is 0: tests and single-shot tools)."""

    def __init__(
        self, name: str, delay: Callable[[], float], hand: Callable, retry_for: float = 0.0
    ) -> None:
        self.name = name
        self._delay = delay
        self._hand = hand
        # A hand-over that fails (the queue away: Redis restarting) is tried again every
        # RETRY seconds for this long before its ids are left to the sweep (decision 0057).
        self.retry_for = retry_for
        self._failing_since: dict[Hashable, float] = {}
        self._pending: dict[Hashable, list[int]] = {}
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None

    def add(self, key: Hashable, item: int) -> None:
        delay = self._delay()
        if delay <= 0:
            self._hand(key, [item])
            return
        with self._lock:
            self._pending.setdefault(key, []).append(item)
            self._start_timer(delay)

    def _start_timer(self, delay: float) -> None:
        """Under the lock."""
        if self._timer is None:
            self._timer = threading.Timer(delay, self.hand_over)
            self._timer.daemon = True
            self._timer.start()

    def hand_over(self) -> None:
        """Hand over everything gathered so far (the timer calls it; so may a test)."""
        with self._lock:
            batch, self._pending = self._pending, {}
            self._timer = None
        try:
            for key, ids in batch.items():
                try:
                    self._hand(key, list(dict.fromkeys(ids)))
                except Exception:  # the sweep finds them; the timer must not die loudly
                    log.exception("%s: could not hand over %d ids of %s", self.name, len(ids), key)
                    self._again(key, ids)
                else:
                    with self._lock:
                        self._failing_since.pop(key, None)
        finally:
            if threading.current_thread() is not threading.main_thread():
                connections.close_all()

    def _again(self, key: Hashable, ids: list[int]) -> None:
        """Keep the ids of a failed hand-over for another try, while `retry_for` allows."""
        now = time.monotonic()
        with self._lock:
            since = self._failing_since.setdefault(key, now)
            if now - since >= self.retry_for:
                self._failing_since.pop(key, None)
                return
            self._pending[key] = ids + self._pending.get(key, [])
            self._start_timer(RETRY)
