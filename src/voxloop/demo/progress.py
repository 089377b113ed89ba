"""How seeding reports progress, without knowing whether a terminal is watching."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def start(self, label: str, total: int) -> None: ...

    def advance(self, amount: int = 1) -> None: ...


class Silent:
    """Progress that goes nowhere (tests, benchmarks)."""

    def start(self, label: str, total: int) -> None:
        pass

    def advance(self, amount: int = 1) -> None:
        pass
