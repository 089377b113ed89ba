"""What a process read in the last few seconds, for the reads every captured response makes.

A bearer token with its membership, the unit a kiosk names by code, a survey's owner and
revision: each is read on every submission, and each read costs more than storing the
response (a statement, a round trip on PostgreSQL). So each process keeps what it read for
`RECENT_SECONDS` (default 5). A change made in this process empties the matching store at
once; another process sees it within those seconds (decisions 0004 and 0011). Misses are
never kept: an unknown key is looked up again every time.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Hashable
from typing import Any

from django.conf import settings
from django.db import transaction

KEPT = 10_000
_every: weakref.WeakSet[Recent] = weakref.WeakSet()


class Recent:
    """A per-process store of values read from the database, each trusted for a few seconds."""

    def __init__(self, kept: int = KEPT) -> None:
        self._held: dict[Hashable, tuple[float, Any]] = {}
        self._lock = threading.Lock()
        self._kept = kept
        _every.add(self)

    def recall(self, key: Hashable) -> Any | None:
        entry = self._held.get(key)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def remember(self, key: Hashable, value: Any) -> None:
        seconds = settings.RECENT_SECONDS
        if seconds <= 0:
            return
        with self._lock:
            if len(self._held) >= self._kept:
                self._held.clear()  # rare: a flood of distinct keys; cheaper than an LRU
            self._held[key] = (time.monotonic() + seconds, value)

    def forget_all(self) -> None:
        """Empty now and again once the current transaction commits, so that another thread of
        this process cannot keep what it read before the change became visible."""
        self._clear()
        transaction.on_commit(self._clear)

    def _clear(self) -> None:
        with self._lock:
            self._held.clear()


def forget_everything() -> None:
    """Empty every store of this process (after changes made without model signals, such as
    a database restored or rolled back underneath it)."""
    for recent in list(_every):
        recent._clear()
