"""Bearer tokens this process authenticated in the last few seconds.

Every API call presents its token; looking it up with its membership, unit and user costs more
than storing a response. Each process keeps what it found for `TOKEN_CACHE_SECONDS` (default
5). A change in this process to a token, membership, user or unit empties it at once; another
process sees a revoked token, a changed role or a moved unit within those seconds (decision
0004).
"""

from __future__ import annotations

import threading
import time
from typing import Any

from django.conf import settings

KEPT = 10_000
_held: dict[str, tuple[float, Any]] = {}
_lock = threading.Lock()


def recall(digest: str) -> Any | None:
    entry = _held.get(digest)
    if entry is None or entry[0] < time.monotonic():
        return None
    return entry[1]


def remember(digest: str, token: Any) -> None:
    seconds = settings.TOKEN_CACHE_SECONDS
    if seconds <= 0:
        return
    with _lock:
        if len(_held) >= KEPT:
            _held.clear()  # rare: a flood of distinct tokens; cheaper than an LRU
        _held[digest] = (time.monotonic() + seconds, token)


def forget_all() -> None:
    with _lock:
        _held.clear()
