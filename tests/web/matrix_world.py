"""One world for a whole test module, rolled back at the end: the page matrix runs hundreds
of requests, and rebuilding two organisations for each would dominate the run."""

from __future__ import annotations

from django.db import transaction

from tests.factories import World, build_world


class ModuleWorld:
    """Builds the world inside an outer transaction that each test's own savepoint nests in."""

    def __init__(self) -> None:
        self._atomic = transaction.atomic()
        self.world: World | None = None

    def __enter__(self) -> World:
        self._atomic.__enter__()
        self.world = build_world()
        return self.world

    def __exit__(self, *exc_info) -> None:
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)
