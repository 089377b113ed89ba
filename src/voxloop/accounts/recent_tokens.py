"""Bearer tokens this process authenticated in the last few seconds.

Every API call presents its token; looking it up with its membership, unit and user costs more
than storing a response. A change in this process to a token, membership, user or unit empties
the store at once. Another process learns of it:
- with Redis (`REDIS_URL`): at once, through the shared generation (voxloop.shared_generation),
  which every recall checks and every change advances after it commits (decision 0014);
- without Redis: within `RECENT_SECONDS` (decisions 0004 and 0011).
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from django.conf import settings
from django.db import transaction

from voxloop.recent import Recent
from voxloop.shared_generation import SharedGeneration


class HeldTokens:
    """One process's recently authenticated tokens. `shared` pins the Redis counter (tests
    stand up a second "process" so); by default it follows `settings.REDIS_URL`."""

    def __init__(self, shared: SharedGeneration | None = None) -> None:
        self._recent = Recent()
        self._pinned = shared
        self._from_settings: SharedGeneration | None = None

    def shared(self) -> SharedGeneration | None:
        if self._pinned is not None:
            return self._pinned
        url = getattr(settings, "REDIS_URL", "") or ""
        if not url:
            return None
        if self._from_settings is None or self._from_settings.url != url:
            self._from_settings = SharedGeneration(url)
        return self._from_settings

    def generation(self) -> int | None:
        """Read before the database, and handed back to `remember` with what was read."""
        shared = self.shared()
        return shared.read() if shared is not None else None

    def recall(self, key: Hashable) -> Any | None:
        held = self._recent.recall(key)
        if held is None:
            return None
        seen, value = held
        shared = self.shared()
        if shared is not None and seen is not None and shared.read() != seen:
            return None
        return value

    def remember(self, key: Hashable, value: Any, generation: int | None) -> None:
        self._recent.remember(key, (generation, value))

    def forget_all(self) -> None:
        """Empty this process's store now, and every process's once the change commits."""
        self._recent.forget_all()
        shared = self.shared()
        if shared is not None:
            transaction.on_commit(shared.advance)


held = HeldTokens()
